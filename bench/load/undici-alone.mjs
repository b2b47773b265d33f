// The ceiling of any generator built on undici (issue 6 requires undici): a bare closed loop, no
// generator at all. `connections` undici Clients, one request at a time on each, the next one sent
// from the previous one's completion callback; each answer is only collected and JSON.parse'd. No
// schedule, no timeouts, no histograms, no answer checks: the least a Node HTTP/1.1 client on undici
// can do per request. It sends the peers' request (content type only; ours also sends accept,
// accept-encoding and the seed/run/case headers).
// Argument: a JSON object { url, durationS, connections, body }. Prints one JSON line.
import { Client } from 'undici';

const o = JSON.parse(process.argv[2] ?? '{}');
const url = new URL(o.url);
const until = performance.now() + o.durationS * 1000;
const options = { method: 'POST', path: url.pathname + url.search, headers: ['content-type', 'application/json'], body: Buffer.from(o.body) };
let completed = 0;
let errors = 0;
let open = o.connections;
let stopped;
const done = new Promise((r) => (stopped = r));

function send(client) {
  if (performance.now() >= until) {
    if (--open === 0) stopped();
    return;
  }
  let body = null;
  // undici 7's core handler protocol, as src/load/http-transport.ts uses it.
  client.dispatch(options, {
    onConnect() {},
    onHeaders() {
      return true;
    },
    onData(chunk) {
      body = body === null ? chunk : Buffer.concat([body, chunk]);
      return true;
    },
    onComplete() {
      try {
        JSON.parse(body === null ? '' : body.toString());
        completed++;
      } catch {
        errors++;
      }
      send(client);
    },
    onError() {
      errors++;
      send(client);
    },
  });
}

const t0 = performance.now();
const clients = Array.from({ length: o.connections }, () => new Client(url.origin, { pipelining: 1, headersTimeout: 0, bodyTimeout: 0 }));
for (const c of clients) send(c);
await done;
const durationMs = performance.now() - t0;
await Promise.all(clients.map((c) => c.close()));
process.stdout.write(JSON.stringify({ completed, errors, durationMs }) + '\n');
