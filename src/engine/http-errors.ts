import { escapeControls } from '../util/printable.js';
import type { EngineErrorKind } from './types.js';

/** Plain words for the socket errors users actually meet, so a message says what happened. */
const CODE_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing listens there',
  ECONNRESET: 'connection reset by the engine',
  EPIPE: 'connection closed by the engine while sending',
  ENOTFOUND: 'host name not found (DNS)',
  EAI_AGAIN: 'host name lookup failed (DNS, temporary)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connect timed out',
  EADDRNOTAVAIL: 'address not available',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_SOCKET: 'the engine closed the connection before answering',
  UND_ERR_CLOSED: 'the connection pool is closed',
  UND_ERR_DESTROYED: 'the connection pool is closed',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'the body was shorter or longer than its content-length',
  HPE_INVALID_CONSTANT: 'the engine did not answer valid HTTP',
  HPE_INVALID_VERSION: 'the engine did not answer valid HTTP',
  HPE_INVALID_STATUS: 'the engine did not answer valid HTTP',
  HPE_INVALID_HEADER_TOKEN: 'the engine sent an invalid HTTP header',
  HPE_HEADER_OVERFLOW: 'the engine sent oversized HTTP headers',
  UND_ERR_HEADERS_OVERFLOW: 'the engine sent oversized HTTP headers',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host name',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate chain is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate cannot be verified',
  UNABLE_TO_GET_ISSUER_CERT: 'TLS certificate is issued by a CA this machine does not trust',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS certificate is issued by a CA this machine does not trust',
  CERT_HAS_EXPIRED: 'TLS certificate has expired',
  CERT_NOT_YET_VALID: 'TLS certificate is not valid yet',
  // OpenSSL read a plain-HTTP answer ("HTTP/1.1 400") as a TLS record.
  ERR_SSL_WRONG_VERSION_NUMBER: 'the engine does not answer TLS there: is it a plain http:// engine?',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'the engine does not answer TLS there: is it a plain http:// engine?',
  // The engine's TLS alerts (OpenSSL 3 names them ERR_SSL_SSL/TLS_ALERT_*): its raw text is two
  // OpenSSL lines with a source path. A TLS 1.2 engine that wants a client certificate and gets none
  // ends the handshake with handshake_failure; TLS 1.3 ones send certificate_required.
  'ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE': 'the engine ended the TLS handshake (alert: handshake failure)',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'the engine ended the TLS handshake (alert: handshake failure)',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the engine requires a client certificate (TLS alert: certificate required)',
  'ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE': 'the engine refused the client certificate (TLS alert: bad certificate)',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the engine refused the client certificate (TLS alert: bad certificate)',
  'ERR_SSL_SSL/TLS_ALERT_CERTIFICATE_UNKNOWN': 'the engine refused the client certificate (TLS alert: certificate unknown)',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'the engine refused the client certificate (TLS alert: certificate unknown)',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: "the engine does not trust the client certificate's CA (TLS alert: unknown CA)",
};

/** Certificates Node refused as untrusted: the fix is on this machine, so say how. */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);
const TRUST_HINT =
  '; to trust a private CA, set engine.tls.ca to its PEM file in the config, or NODE_EXTRA_CA_CERTS to it (or ' +
  "NODE_USE_SYSTEM_CA=1 to use the system's CA store) in the environment toron-testops starts in";

/** The same codes once the status line and headers have arrived: what broke was the body. */
const MID_BODY_TEXT: Record<string, string> = {
  UND_ERR_SOCKET: 'the engine closed the connection in the middle of the body',
  ECONNRESET: 'connection reset by the engine in the middle of the body',
  EPIPE: 'connection closed by the engine in the middle of the body',
};

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * Classifies a thrown network error. Only the error's code and its own message are used: request
 * headers never appear in undici's errors, and the caller redacts the result anyway. `afterHeaders`:
 * the engine had answered a status and headers (the error broke off the body).
 */
export function describeNetworkError(err: unknown, afterHeaders = false): { kind: EngineErrorKind; message: string; code?: string } {
  const code = errorCode(err);
  if (code && TIMEOUT_CODES.has(code)) return { kind: 'timeout', message: `timed out (${code})`, code };
  const text = code ? ((afterHeaders ? MID_BODY_TEXT[code] : undefined) ?? CODE_TEXT[code]) : undefined;
  // undici destroys the socket on an interim 100 Continue it did not ask for (RFC 9110 lets a server
  // send one) or a response with no request running: nothing was closed by the engine.
  if (code === 'UND_ERR_SOCKET' && err instanceof Error && err.message === 'bad response') {
    return {
      kind: 'connection',
      message: `the engine sent a response that was not asked for (an unsolicited 100 Continue, or a second response to one request), which the HTTP client refuses (${code})`,
      code,
    };
  }
  if (code === 'ECONNREFUSED') {
    // The address, not only the name: localhost may resolve to 127.0.0.1 here while the engine listens on ::1.
    const tried = connectAddresses(err);
    if (tried.length > 0) return { kind: 'connection', message: `connection refused: nothing listens on ${tried.join(' or ')} (${code})`, code };
  }
  if (text) return { kind: 'connection', message: `${text} (${code})${UNTRUSTED.has(code!) ? TRUST_HINT : ''}`, code };
  // One line: OpenSSL's messages end in a line feed (run.log holds one event a line).
  const own = escapeControls((err instanceof Error ? err.message : String(err)).trim().replace(/\s*\n\s*/g, ' '));
  return { kind: 'connection', message: code ? `${own || 'network error'} (${code})` : own || 'network error', code };
}

/** The addresses a failed connect tried (host:port, [v6]:port): the error's, or each of a happy-eyeballs connect's. */
function connectAddresses(err: unknown, depth = 0, out: string[] = []): string[] {
  if (!err || typeof err !== 'object' || depth > 4) return out;
  const e = err as { address?: unknown; port?: unknown; cause?: unknown; errors?: unknown[] };
  if (typeof e.address === 'string' && e.address !== '' && typeof e.port === 'number') {
    const at = `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}`;
    if (!out.includes(at)) out.push(at);
  }
  if (Array.isArray(e.errors)) for (const inner of e.errors) connectAddresses(inner, depth + 1, out);
  return connectAddresses(e.cause, depth + 1, out);
}

/** The first code on the error, its cause chain, or (happy-eyeballs connects) its aggregated errors. */
function errorCode(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 4) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown[] };
  if (typeof e.code === 'string') return e.code;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const c = errorCode(inner, depth + 1);
      if (c) return c;
    }
  }
  return errorCode(e.cause, depth + 1);
}

export function looksLikeHtml(contentType: string, text: string): boolean {
  if (/\b(text\/html|application\/xhtml\+xml)\b/i.test(contentType)) return true;
  return /^\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(text.slice(0, 512));
}

/**
 * A one-line, ~200-character glimpse of a body for a message. For HTML the page title (or its text
 * without tags) says far more than the markup would. Control characters are escaped (an engine must
 * not be able to write terminal escapes or NULs into CI logs), and a body that is mostly not text
 * (compressed, an image) is named as such rather than shown.
 */
export function excerpt(text: string, contentType = '', max = 200): string {
  let s = text.slice(0, 64 * 1024);
  if (looksBinary(s)) {
    return `<binary body, ${text.length} characters; starts ${escapeControls(s.slice(0, 16).replace(/\s/g, ' '))}>`;
  }
  if (looksLikeHtml(contentType, s)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(s)?.[1];
    s = title && title.trim() ? `<title>${title}</title>` : s.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ').replace(/<[^>]*>/g, ' ');
  }
  s = s.replace(/\s+/g, ' ').trim();
  // Cut before escaping, so the cut never splits an escape; the escapes may add a few characters.
  s = s.length > max ? `${s.slice(0, max - 1)}…` : s;
  return escapeControls(s);
}

/** Many control characters or U+FFFD (bytes that were not UTF-8) in the first 256 characters. */
function looksBinary(s: string): boolean {
  const head = s.slice(0, 256);
  const odd = head.match(/[\x00-\x08\x0e-\x1f\x7f\ufffd]/g)?.length ?? 0;
  return odd >= 4 && odd * 10 > head.length;
}
