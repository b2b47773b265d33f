import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The cookie the dashboard's first load sets, so report links work without the token in every URL. */
export function tokenCookieName(port: number): string {
  return `toron_testops_token_${port}`;
}

/**
 * Where a request presented the token: `Authorization: Bearer T`, the `token` query parameter (what
 * EventSource and plain links can send), or the dashboard's cookie. Null when it did not.
 */
export function presentedToken(req: IncomingMessage, query: URLSearchParams, port: number): { token: string; via: 'header' | 'query' | 'cookie' } | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return { token: m[1].trim(), via: 'header' };
  }
  const q = query.get('token');
  if (q !== null) return { token: q, via: 'query' };
  const cookie = readCookie(req.headers.cookie, tokenCookieName(port));
  if (cookie !== null) return { token: cookie, via: 'cookie' };
  return null;
}

/** Constant-time comparison (of digests, so the lengths do not leak either). */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * A server bound to loopback answers only requests addressed to a loopback name: a web page that
 * rebinds its own DNS name to 127.0.0.1 (DNS rebinding) sends its own name in Host and is refused.
 */
export function hostAllowed(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  const name = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.replace(/:\d+$/, '');
  return isLoopbackHost(name) || name.toLowerCase().endsWith('.localhost');
}

/**
 * A state-changing request from a browser must come from this server's own page: a cross-site page
 * can send a simple POST without a preflight, so its Origin is checked (absent for non-browser clients).
 */
export function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host.toLowerCase() === (req.headers.host ?? '').toLowerCase();
  } catch {
    return false;
  }
}
