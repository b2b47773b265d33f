import net from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, Pool, ProxyAgent, type Dispatcher } from 'undici';
import { InputError } from '../util/errors.js';
import { tlsMaterialOf } from '../settings/engine-tls.js';
import type { EngineTlsSettings } from '../settings/types.js';

/**
 * How engine traffic reaches an http(s) engine: directly or through a forward proxy, and with which
 * TLS options. The one place the undici dispatchers of SIM, replay, the health check (engine/http.ts)
 * and the built-in load generator (load/http-transport.ts) are built, so they cannot go different ways.
 */
export interface EngineRoute {
  /** null: straight to the engine. */
  proxy: EngineProxy | null;
  /** Options for the TLS connection to an https:// engine (engine.tls), or undefined: Node's defaults. */
  tls?: ConnectionOptions;
}

export interface EngineProxy {
  url: URL;
  /** scheme://host:port, without credentials: what the log says. */
  printable: string;
  /** host:port only: what report.json records. */
  host: string;
  /** Where it came from: the variable (HTTPS_PROXY, http_proxy, ...) or engine.proxy. */
  from: string;
}

/** engine.proxy: "env" (the standard variables), "none" (always direct), or a proxy URL. */
export type ProxySetting = string;

const PROXY_SCHEMES = new Set(['http:', 'https:', 'socks5:', 'socks:']);

/**
 * The proxy for a request to `target`, decided as Go's net/http (golang.org/x/net/http/httpproxy,
 * and so k6) decides it: HTTPS_PROXY for https, HTTP_PROXY for http (upper case first, then lower
 * case, an empty value as unset); never for localhost or a loopback address; not for a host NO_PROXY
 * names (a comma list of "*", IP addresses, CIDR ranges, domain names matching themselves and their
 * subdomains, ".domain" matching subdomains only, each optionally with :port). A proxy value without
 * a scheme is read as http://.
 */
export function proxyFromEnv(target: URL, env: NodeJS.ProcessEnv): { value: string; from: string } | null {
  const pick = (...names: string[]) => {
    for (const n of names) {
      const v = env[n];
      if (v !== undefined && v !== '') return { value: v, from: n };
    }
    return null;
  };
  const chosen =
    target.protocol === 'https:' ? pick('HTTPS_PROXY', 'https_proxy') : target.protocol === 'http:' ? pick('HTTP_PROXY', 'http_proxy') : null;
  if (!chosen) return null;
  const host = unbracket(target.hostname.toLowerCase());
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  if (isLoopback(host)) return null;
  const noProxy = pick('NO_PROXY', 'no_proxy')?.value ?? '';
  return noProxyMatches(noProxy, host, port) ? null : chosen;
}

/** localhost and the loopback addresses (127.0.0.0/8, ::1, ::ffff:127.x): Go never proxies them. */
export function isLoopback(host: string): boolean {
  const h = unbracket(host.toLowerCase());
  if (h === 'localhost') return true;
  const kind = net.isIP(h);
  if (kind === 4) return h.startsWith('127.');
  if (kind === 6) return LOOPBACK6.check(h, 'ipv6');
  return false;
}
/** ::1, and 127.0.0.0/8 mapped into IPv6 (::ffff:127.0.0.1, which URL writes as ::ffff:7f00:1). */
const LOOPBACK6 = new net.BlockList();
LOOPBACK6.addAddress('::1', 'ipv6');
LOOPBACK6.addSubnet('::ffff:7f00:0', 104, 'ipv6');

function noProxyMatches(noProxy: string, host: string, port: string): boolean {
  const ipKind = net.isIP(host);
  for (const raw of noProxy.split(',')) {
    const p = raw.trim().toLowerCase();
    if (p === '') continue;
    if (p === '*') return true;
    const cidr = /^(.+)\/(\d{1,3})$/.exec(p);
    if (cidr && net.isIP(cidr[1]) !== 0) {
      if (ipKind === 0) continue;
      const family = net.isIP(cidr[1]) === 4 ? 'ipv4' : 'ipv6';
      const list = new net.BlockList();
      try {
        list.addSubnet(cidr[1], Number(cidr[2]), family);
      } catch {
        continue;
      }
      if ((ipKind === 4 ? 'ipv4' : 'ipv6') === family && list.check(host, family)) return true;
      continue;
    }
    let phost = p;
    let pport = '';
    const hp = /^(\[[^\]]*\]|[^:]*):(\d+)$/.exec(p);
    if (hp) {
      phost = unbracket(hp[1]);
      pport = hp[2];
      if (phost === '') continue;
    } else if (p.startsWith('[') && p.endsWith(']')) {
      phost = unbracket(p);
    }
    if (net.isIP(phost) !== 0) {
      if (ipKind !== 0 && sameIp(phost, host) && (pport === '' || pport === port)) return true;
      continue;
    }
    if (phost.startsWith('*.')) phost = phost.slice(1);
    const matchHost = !phost.startsWith('.');
    const suffix = matchHost ? `.${phost}` : phost;
    if (host.endsWith(suffix) || (matchHost && host === phost)) {
      if (pport === '' || pport === port) return true;
    }
  }
  return false;
}

function sameIp(a: string, b: string): boolean {
  if (a === b) return true;
  const list = new net.BlockList();
  const fa = net.isIP(a) === 4 ? 'ipv4' : 'ipv6';
  list.addAddress(a, fa);
  return list.check(b, net.isIP(b) === 4 ? 'ipv4' : 'ipv6');
}

function unbracket(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/**
 * The proxy engine traffic to `target` goes through, per engine.proxy: "env" decides per the standard
 * variables (proxyFromEnv), "none" never proxies, a URL is used for every request to the engine
 * (loopback included: the user asked for it). Throws InputError for a proxy value that is no usable
 * proxy URL, quoting it without its credentials.
 */
export function resolveProxy(target: URL, setting: ProxySetting, env: NodeJS.ProcessEnv): EngineProxy | null {
  if (setting === 'none') return null;
  const chosen = setting === 'env' ? proxyFromEnv(target, env) : { value: setting, from: 'engine.proxy' };
  if (!chosen) return null;
  const url = parseProxyUrl(chosen.value);
  if (!url) {
    throw new InputError(
      `${chosen.from}: ${JSON.stringify(withoutCredentials(chosen.value))} is not a proxy URL (http://host:port, https://host:port or socks5://host:port)`,
    );
  }
  // undici (and Go, for k6) decode the proxy's user:password for Proxy-Authorization: a "%" that is
  // no percent-encoding threw "URI malformed" out of the ProxyAgent, an internal error.
  for (const part of [url.username, url.password]) {
    try {
      decodeURIComponent(part);
    } catch {
      throw new InputError(
        `${chosen.from}: ${JSON.stringify(withoutCredentials(chosen.value))} has a "%" in its user name or password that is not a percent-encoding (write "%" as %25)`,
      );
    }
  }
  const host = url.host;
  return { url, printable: `${url.protocol}//${host}`, host, from: chosen.from };
}

/** As Go reads a proxy value: a URL, or host:port taken as http://host:port. */
export function parseProxyUrl(value: string): URL | null {
  const tryParse = (s: string) => {
    try {
      const u = new URL(s);
      return u.host !== '' && PROXY_SCHEMES.has(u.protocol) ? u : null;
    } catch {
      return null;
    }
  };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return tryParse(value);
  return tryParse(`http://${value}`);
}

/** A proxy value as it may be printed: no user:password. */
export function withoutCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

/**
 * The user and password of a proxy URL, as secrets to mask (the action) and to redact; with both, also
 * the Proxy-Authorization credentials undici sends (base64 of user:password), which a proxy's error
 * page or a debug proxy may quote.
 */
export function proxySecrets(proxy: EngineProxy | null): string[] {
  if (!proxy) return [];
  const decoded = [proxy.url.username, proxy.url.password].map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  const basic = proxy.url.username !== '' ? [Buffer.from(`${decoded[0]}:${decoded[1]}`).toString('base64')] : [];
  return [...decoded.filter((s) => s !== ''), ...basic];
}

/** The route to an http(s) engine as its settings ask (engine.proxy, engine.tls). */
export function engineRoute(target: URL, engine: { proxy?: string; tls?: EngineTlsSettings }, env: NodeJS.ProcessEnv): EngineRoute {
  const proxy = resolveProxy(target, engine.proxy ?? 'env', env);
  if (engine.tls === undefined || target.protocol !== 'https:') return { proxy };
  const m = tlsMaterialOf(engine.tls);
  // Settings not made by resolveSettings (a test, the server's own) have not read the files.
  if (!m) throw new Error('engine.tls was not loaded (resolveSettings reads its files)');
  const tlsOptions: ConnectionOptions = {
    ...(m.ca ? { ca: m.ca } : {}),
    ...(m.cert ? { cert: m.cert } : {}),
    ...(m.key ? { key: m.key } : {}),
    ...(m.passphrase !== undefined ? { passphrase: m.passphrase } : {}),
    ...(m.servername !== undefined ? { servername: m.servername } : {}),
  };
  return { proxy, tls: tlsOptions };
}

/** The run log's line for a proxied engine: which proxy (no credentials) and why. */
export function proxyNotice(route: EngineRoute): string | null {
  const p = route.proxy;
  if (!p) return null;
  return `engine requests go through the proxy ${p.printable} (from ${p.from}; engine.proxy: "none" connects directly)`;
}

/**
 * What k6's environment needs so that k6 (Go's net/http, reading the standard variables itself) takes
 * the route engine.proxy asks for: nothing for "env"; no proxy variables for "none"; the URL as
 * HTTP_PROXY and HTTPS_PROXY, NO_PROXY cleared, for an explicit proxy (Go still connects to a
 * loopback engine directly). Values undefined: removed (spawn leaves them out).
 */
export function k6ProxyEnv(engine: { proxy?: string }): Record<string, string | undefined> {
  const setting = engine.proxy ?? 'env';
  if (setting === 'env') return {};
  const cleared = { HTTP_PROXY: undefined, http_proxy: undefined, HTTPS_PROXY: undefined, https_proxy: undefined, NO_PROXY: undefined, no_proxy: undefined };
  if (setting === 'none') return cleared;
  return { ...cleared, HTTP_PROXY: setting, HTTPS_PROXY: setting };
}

/**
 * The credentials of every proxy engine traffic may use (engine.proxy's URL, or the proxy variables
 * under "env"), for the action to mask before anything prints: like an engine URL's, they are secrets.
 */
export function proxyCredentialsToMask(engine: { proxy?: string }, env: NodeJS.ProcessEnv): string[] {
  const setting = engine.proxy ?? 'env';
  const values = setting === 'none' ? [] : setting === 'env' ? ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].map((n) => env[n] ?? '') : [setting];
  const out = new Set<string>();
  for (const v of values) {
    const url = v === '' ? null : parseProxyUrl(v);
    if (!url) continue;
    for (const s of proxySecrets({ url, printable: '', host: '', from: '' })) if (s.trim().length >= 4 && !/[\r\n]/.test(s)) out.add(s);
  }
  return [...out];
}

export interface DispatcherOptions {
  /** Sockets to the engine; 1: a single Client (the load generator's one-request-per-socket clients). */
  connections: number | null;
  keepAliveTimeout: number;
  headersTimeout: number;
  bodyTimeout: number;
  pipelining?: number;
}

/**
 * The dispatcher for requests to `target` along `route`. Requests must carry `origin` (a proxy agent
 * routes by it). Through a proxy, an http:// engine is asked in absolute form (GET http://engine/path,
 * as Go and curl do) and an https:// engine through a CONNECT tunnel, TLS to the engine inside it.
 */
export function engineDispatcher(target: URL, route: EngineRoute, o: DispatcherOptions): Dispatcher {
  const single = o.connections === 1;
  const base = {
    keepAliveTimeout: o.keepAliveTimeout,
    headersTimeout: o.headersTimeout,
    bodyTimeout: o.bodyTimeout,
    ...(o.pipelining === undefined ? {} : { pipelining: o.pipelining }),
  };
  if (!route.proxy) {
    const connect = route.tls ? { ...route.tls } : undefined;
    return single
      ? new Client(target.origin, { ...base, ...(connect ? { connect } : {}) })
      : new Pool(target.origin, { ...base, connections: o.connections, ...(connect ? { connect } : {}) });
  }
  // undici sends Proxy-Authorization only for user:password@; Go (k6) sends Basic for a user name
  // alone too (http://TOKEN@proxy, TOKEN:), which such a proxy expects.
  const tokenOnly = route.proxy.url.username !== '' && route.proxy.url.password === '';
  return new ProxyAgent({
    uri: route.proxy.url.href,
    ...(tokenOnly ? { token: `Basic ${proxySecrets(route.proxy).at(-1)}` } : {}),
    // Go's way: CONNECT only for https:// engines; an http:// engine's requests go to the proxy as they are.
    proxyTunnel: target.protocol === 'https:',
    ...(route.tls ? { requestTls: { ...route.tls } } : {}),
    connections: o.connections,
    ...base,
    // Our timeouts and keep-alive also for the sockets to the proxy and the tunnelled ones.
    factory: (origin: string | URL, opts: object) => {
      const connect = (opts as { connect?: Client.Options['connect'] }).connect;
      return single
        ? new Client(origin, { ...base, ...(connect ? { connect } : {}) })
        : new Pool(origin, { ...base, connections: o.connections, ...(connect ? { connect } : {}) });
    },
  });
}
