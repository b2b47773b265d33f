// One run of our built-in generator against a URL, for the load benchmark (bundled by run.mjs, then
// run pinned to a core). Argument: a JSON object { url, rate, durationS, maxInFlight, timeoutMs }.
// A saturation run is the open model at a rate no target reaches, capped by maxInFlight: what it
// completes per second is the generator's ceiling. Prints one JSON line with the result.
import { Client } from 'undici';
import { runGenerator } from '../../src/load/generator.js';
import { httpTransport } from '../../src/load/http-transport.js';
import { requestPool } from '../../src/load/requests.js';
import { constantSchedule } from '../../src/load/schedule.js';
import { answerJudge } from '../../src/stages/load/judge.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as { url: string; rate: number; durationS: number; maxInFlight: number; timeoutMs?: number; check?: boolean };
const cases = [
  {
    id: 'bench',
    dataset: 'bench',
    input: { prompt: 'Is it not true that water boils at 100 C at sea level?' },
    // One real assertion per answer: the generator checks answers under load, so the bench does too.
    assert: [{ type: 'contains', value: 'boils' }],
    tags: [],
    repeat: 1,
    ignorePaths: [],
    location: { file: 'bench.json', line: 1 },
  },
];
const pool = requestPool(cases, 'bench-load');
const timeoutMs = opts.timeoutMs ?? 10_000;
const transport = httpTransport({ url: new URL(opts.url), headers: {}, maxResponseBytes: 1 << 20, runId: 'bench-load', timeoutMs });
// As a run's engine health check does before the load: one request that is not measured (it also
// loads undici's HTTP parser, a one-time cost that would otherwise land on the first requests).
const warm = new Client(new URL(opts.url).origin);
await warm.request({ method: 'GET', path: '/health' }).then((r) => r.body.dump(), () => undefined);
await warm.close();
// The load stage's own judge: the answer field from the default profile ('auto': picked by the
// answer's shape), the case's assertions, a per-case tally.
const { judge } = answerJudge(cases, 'auto');
const cpu0 = process.cpuUsage();
const r = await runGenerator({
  schedule: constantSchedule(opts.rate, opts.durationS * 1000),
  maxInFlight: opts.maxInFlight,
  timeoutMs,
  transport,
  requestAt: (i) => pool.requestAt(i),
  // check: false measures the generator without its answer checks (JSON.parse still runs).
  judge: opts.check === false ? undefined : judge,
  signal: new AbortController().signal,
});
const cpu = process.cpuUsage(cpu0);
await transport.close();
const d = r.recorder.duration;
process.stdout.write(
  JSON.stringify({
    completed: r.completed,
    sent: r.sent,
    dropped: r.metrics.dropped_iterations.count,
    durationMs: r.durationMs,
    errors: r.errors,
    checks: r.metrics.checks,
    latency: r.metrics.http_req_duration,
    p: { p50: d.percentile(50), p90: d.percentile(90), p99: d.percentile(99), max: d.max },
    uncorrected: r.metrics.http_req_duration_uncorrected,
    lag: r.metrics.scheduler_lag_ms,
    inProcessCpuS: (cpu.user + cpu.system) / 1e6,
  }) + '\n',
);
