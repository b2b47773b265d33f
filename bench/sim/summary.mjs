// Pure arithmetic of the sim bench: a run's status, its rates, ratios between tools, target checks.

export const TARGETS = { casesPerSec: 20_000, peakBytes: 500_000_000, size: 100_000 };

/** Reads BENCH_* knobs. Sizes accept "1000,10k,100k". */
export function readOptions(env) {
  const sizes = (env.BENCH_SIZES ?? '1000,10000,100000')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .map((s) => (s.endsWith('k') ? Number(s.slice(0, -1)) * 1000 : Number(s)));
  const bad = sizes.filter((n) => !Number.isInteger(n) || n <= 0);
  if (bad.length || sizes.length === 0) throw new Error(`BENCH_SIZES: expected positive integers like 1000,10k,100k; got ${env.BENCH_SIZES}`);
  const int = (key, dflt, min) => {
    const raw = env[key];
    if (raw === undefined || raw === '') return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${key}: expected an integer >= ${min}; got ${raw}`);
    return n;
  };
  const peerRaw = (env.BENCH_PEER ?? 'all').trim();
  const peerVariants = peerRaw === 'all' ? ['write', 'no-write'] : peerRaw === 'none' ? [] : peerRaw.split(',').map((s) => s.trim());
  for (const v of peerVariants) {
    if (v !== 'write' && v !== 'no-write') throw new Error(`BENCH_PEER: expected all, none, write, no-write; got ${peerRaw}`);
  }
  return {
    sizes,
    concurrency: int('BENCH_CONCURRENCY', 8, 1),
    timeoutMs: int('BENCH_TIMEOUT_S', 600, 1) * 1000,
    repeat: int('BENCH_REPEAT', 1, 1),
    peerVariants,
    keep: env.BENCH_KEEP === '1',
  };
}

/**
 * A measured run's status: ok, timeout, crashed (spawn failure, signal, unexpected exit code), or
 * wrong (it ran, but not every case passed, which for these cases means the tool judged wrongly).
 */
export function classify(run, n) {
  if (run.spawnError) return { status: 'crashed', note: `could not start: ${run.spawnError}` };
  if (run.timedOut) return { status: 'timeout', note: `killed after the ${Math.round(run.timeoutMs / 1000)} s timeout` };
  if (run.passed !== null && run.passed !== undefined && run.passed !== n) {
    return { status: 'wrong', note: `only ${run.passed} of ${n} cases passed (exit ${run.exitCode})` };
  }
  if (run.signal) return { status: 'crashed', note: `killed by ${run.signal}` };
  if (run.exitCode !== 0) return { status: 'crashed', note: `exit code ${run.exitCode}` };
  if (run.passed === null || run.passed === undefined) return { status: 'ok', note: 'pass count not reported' };
  return { status: 'ok', note: '' };
}

/**
 * Rates of a run at size n. A timed-out run only bounds its rate: it did not finish n cases in
 * the timeout, so its rate was below n / timeout.
 */
export function metrics(run, n) {
  const peakMB = run.peakRssKb ? (run.peakRssKb * 1024) / 1e6 : null;
  if (run.status === 'ok' || run.status === 'wrong') {
    const s = run.wallMs / 1000;
    const ts = run.toolDurationMs ? run.toolDurationMs / 1000 : null;
    return { casesPerSec: n / s, bound: '', usPerCase: (run.wallMs * 1000) / n, toolCasesPerSec: ts ? n / ts : null, peakMB };
  }
  if (run.status === 'timeout') {
    return { casesPerSec: n / (run.wallMs / 1000), bound: '<', usPerCase: (run.wallMs * 1000) / n, toolCasesPerSec: null, peakMB };
  }
  return { casesPerSec: null, bound: '', usPerCase: null, toolCasesPerSec: null, peakMB };
}

/** ours / peer cases per second, with the bound that follows from either side's bound. */
export function ratio(ours, peer) {
  if (!ours?.casesPerSec || !peer?.casesPerSec) return { value: null, bound: '' };
  if (ours.bound === '<' && peer.bound === '<') return { value: null, bound: '' };
  const bound = peer.bound === '<' ? '>' : ours.bound === '<' ? '<' : '';
  return { value: ours.casesPerSec / peer.casesPerSec, bound };
}

/** Picks the representative of repeated runs: a failed one if any, else the median by wall time. */
export function pickRepresentative(runs) {
  const bad = runs.find((r) => r.status !== 'ok');
  const peakRssKb = Math.max(0, ...runs.map((r) => r.peakRssKb ?? 0)) || null;
  if (bad) return { ...bad, peakRssKb, runs: runs.length };
  const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)], peakRssKb, runs: runs.length };
}

/**
 * The targets at 100k: >= 20,000 cases/s, < 500 MB peak, ahead of every peer row that was
 * measured (a timed-out peer counts through its bound).
 * @param {Array<{ size: number, rows: Array<{ key: string, status: string, metrics: any, ratio?: any }> }>} sizes
 */
export function evaluateTargets(sizes) {
  const at = sizes.find((s) => s.size === TARGETS.size);
  const notMeasured = (name, why) => ({ name, status: 'not measured', detail: why });
  const names = {
    rate: `>= ${TARGETS.casesPerSec.toLocaleString('en-US')} cases/s at 100k`,
    mem: `< ${TARGETS.peakBytes / 1e6} MB peak RSS at 100k`,
    peer: 'ahead of the peer at 100k',
  };
  if (!at) return Object.values(names).map((n) => notMeasured(n, '100,000 not in BENCH_SIZES'));
  const ours = at.rows.find((r) => r.key === 'ours');
  if (!ours || ours.status !== 'ok') {
    const why = ours?.status === 'not-built' ? 'toron-testops CLI not built yet' : `our run: ${ours?.status ?? 'missing'}`;
    return Object.values(names).map((n) => notMeasured(n, why));
  }
  const m = ours.metrics;
  const out = [
    { name: names.rate, status: m.casesPerSec >= TARGETS.casesPerSec ? 'met' : 'NOT MET', detail: `${Math.round(m.casesPerSec).toLocaleString('en-US')} cases/s (process wall time)` },
    m.peakMB === null
      ? notMeasured(names.mem, 'no RSS reading')
      : { name: names.mem, status: m.peakMB * 1e6 < TARGETS.peakBytes ? 'met' : 'NOT MET', detail: `${m.peakMB.toFixed(1)} MB` },
  ];
  const peers = at.rows.filter((r) => r.key !== 'ours' && r.ratio && r.ratio.value !== null);
  if (peers.length === 0) {
    out.push(notMeasured(names.peer, 'no peer measurement at 100k'));
  } else {
    // "Ahead" must hold against each peer row; a '<' bound on our ratio proves nothing.
    const ahead = peers.every((r) => r.ratio.bound !== '<' && r.ratio.value > 1);
    const detail = peers.map((r) => `${r.label}: ${r.ratio.bound ? r.ratio.bound + ' ' : ''}${r.ratio.value.toFixed(1)}x`).join('; ');
    out.push({ name: names.peer, status: ahead ? 'met' : 'NOT MET', detail });
  }
  return out;
}
