import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { InputError } from '../util/errors.js';
import type { ConfigSource } from './load.js';
import type { EngineTlsSettings } from './types.js';

/**
 * engine.tls as the connection needs it: the files' contents, read once when the settings are read,
 * and the key's passphrase from its variable. Held on the settings' tls object as a non-enumerable
 * member, so no JSON of the settings, log line or report ever holds a key or its passphrase.
 */
export interface EngineTlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  passphrase?: string;
  servername?: string;
  /** Absolute paths of the files (k6 reads the certificate and key itself). */
  files: { ca?: string; cert?: string; key?: string };
  /** The key is PKCS#8-encrypted (BEGIN ENCRYPTED PRIVATE KEY), which k6 cannot decrypt. */
  pkcs8Encrypted: boolean;
}

const MATERIAL = Symbol('engine.tls material');

/** The material resolveSettings loaded for these engine.tls settings; undefined when there is none. */
export function tlsMaterialOf(t: EngineTlsSettings | undefined): EngineTlsMaterial | undefined {
  return t ? (t as { [MATERIAL]?: EngineTlsMaterial })[MATERIAL] : undefined;
}

/**
 * Reads engine.tls's files (relative to the config file) and its passphrase variable, and checks that
 * Node can use them together. Errors name the config file, the line and the field; never a key's
 * content or the passphrase.
 */
export function loadEngineTls(t: EngineTlsSettings, source: ConfigSource | null, cwd: string, env: NodeJS.ProcessEnv): EngineTlsSettings {
  const where = (field: string) => {
    const pointer = `/engine/tls${field ? `/${field}` : ''}`;
    return source ? { file: source.file, line: source.lineOf(pointer), pointer } : { pointer };
  };
  const base = source ? path.dirname(path.resolve(cwd, source.file)) : cwd;
  const files: EngineTlsMaterial['files'] = {};
  const read = (field: 'ca' | 'cert' | 'key'): Buffer | undefined => {
    const rel = t[field];
    if (rel === undefined) return undefined;
    const abs = path.resolve(base, rel);
    files[field] = abs;
    try {
      return fs.readFileSync(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
      throw new InputError(`engine.tls.${field}: cannot read ${JSON.stringify(rel)} (${why}; paths are relative to the config file)`, where(field));
    }
  };
  const ca = read('ca');
  const cert = read('cert');
  const key = read('key');
  if ((cert === undefined) !== (key === undefined)) {
    const missing = cert === undefined ? 'cert' : 'key';
    throw new InputError(`engine.tls.${missing} is missing: a client certificate needs both engine.tls.cert and engine.tls.key`, where(cert === undefined ? 'key' : 'cert'));
  }
  let passphrase: string | undefined;
  if (t.passphraseEnv !== undefined) {
    if (key === undefined) throw new InputError('engine.tls.passphraseEnv: there is no engine.tls.key to decrypt', where('passphraseEnv'));
    passphrase = env[t.passphraseEnv];
    if (passphrase === undefined) {
      throw new InputError(`engine.tls.passphraseEnv: the environment variable ${t.passphraseEnv} is not set (it holds the key's passphrase)`, where('passphraseEnv'));
    }
  }
  for (const [field, buf] of [['ca', ca], ['cert', cert], ['key', key]] as const) {
    if (buf !== undefined && !buf.includes('-----BEGIN ')) {
      throw new InputError(`engine.tls.${field}: ${JSON.stringify(t[field])} is not a PEM file (no -----BEGIN line; DER or PKCS#12 files must be converted to PEM)`, where(field));
    }
  }
  // OpenSSL skips what it cannot read in a CA file without a word, so a CA file holding no certificate
  // (a key, a truncated paste) would only show at the first connection as an untrusted certificate.
  if (ca !== undefined) {
    const blocks = ca.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) {
      throw new InputError(`engine.tls.ca: ${JSON.stringify(t.ca)} holds no certificate (no BEGIN CERTIFICATE block)`, where('ca'));
    }
    blocks.forEach((block, i) => {
      try {
        new crypto.X509Certificate(block);
      } catch (err) {
        throw new InputError(`engine.tls.ca: certificate ${i + 1} of ${JSON.stringify(t.ca)} cannot be read (${(err as Error).message.split('\n')[0]})`, where('ca'));
      }
    });
  }
  // The key first: an encrypted one that does not open is the passphrase's fault. (A wrong passphrase
  // does not always fail the decryption itself: about 1 time in 256 the padding checks out and what
  // fails is reading the garbage, in other words.)
  if (key !== undefined) {
    try {
      crypto.createPrivateKey({ key, ...(passphrase !== undefined ? { passphrase } : {}) });
    } catch (err) {
      if (/ENCRYPTED/.test(key.toString('latin1'))) {
        throw passphrase === undefined
          ? new InputError('engine.tls.key: the key is encrypted; name the variable holding its passphrase in engine.tls.passphraseEnv', where('key'))
          : new InputError(`engine.tls.passphraseEnv: the passphrase in ${t.passphraseEnv} does not decrypt the key`, where('passphraseEnv'));
      }
      throw new InputError(`engine.tls.key: cannot be used (${(err as Error).message.split('\n')[0]})`, where('key'));
    }
  }
  // What OpenSSL would refuse at the first connection, said now (its words; a key is never quoted).
  try {
    tls.createSecureContext({ ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(passphrase !== undefined ? { passphrase } : {}) });
  } catch (err) {
    const message = (err as Error).message;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const field = /decrypt|passphrase|bad password/i.test(message)
      ? 'passphraseEnv'
      : /key values mismatch|private key/i.test(message) || /KEY/.test(code)
        ? 'key'
        : /ca|x509|certificate/i.test(message) && ca !== undefined && cert === undefined
          ? 'ca'
          : cert !== undefined
            ? 'cert'
            : 'ca';
    const hint =
      field === 'passphraseEnv'
        ? passphrase === undefined
          ? ': the key is encrypted; name the variable holding its passphrase in engine.tls.passphraseEnv'
          : `: the passphrase in ${t.passphraseEnv} does not decrypt the key`
        : /mismatch/i.test(message)
          ? ': the key is not the certificate\'s'
          : '';
    throw new InputError(`engine.tls.${field}: cannot be used (${message.split('\n')[0]})${hint}`, where(field === 'passphraseEnv' && t.passphraseEnv === undefined ? 'key' : field));
  }
  const material: EngineTlsMaterial = {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(passphrase !== undefined ? { passphrase } : {}),
    ...(t.servername !== undefined ? { servername: t.servername } : {}),
    files,
    pkcs8Encrypted: key !== undefined && key.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----'),
  };
  const out: EngineTlsSettings = { ...t };
  Object.defineProperty(out, MATERIAL, { value: material, enumerable: false });
  return out;
}

/**
 * What k6 cannot be given of engine.tls (it has no option for a CA or a server name of its own, and
 * decrypts only PEM-encrypted keys, not PKCS#8), as one message per field; empty when k6 takes it all.
 */
export function k6TlsProblems(t: EngineTlsSettings | undefined): { field: string; message: string }[] {
  if (!t) return [];
  const out: { field: string; message: string }[] = [];
  const builtin = 'use load.generator "builtin", which takes engine.tls whole';
  if (t.ca !== undefined) {
    out.push({ field: 'ca', message: `engine.tls.ca cannot be given to k6 (k6 has no option for a CA of its own: Go reads the system's store, or SSL_CERT_FILE on Linux); ${builtin}` });
  }
  if (t.servername !== undefined) {
    out.push({ field: 'servername', message: `engine.tls.servername cannot be given to k6 (k6 has no option to send another TLS server name); ${builtin}` });
  }
  if (tlsMaterialOf(t)?.pkcs8Encrypted) {
    out.push({
      field: 'key',
      message: `engine.tls.key is an encrypted PKCS#8 key (BEGIN ENCRYPTED PRIVATE KEY), which k6's tlsAuth cannot decrypt (only PEM-encrypted keys); convert it (openssl pkey -aes256 -traditional) or ${builtin}`,
    });
  }
  return out;
}
