import { STAGE_ORDER } from '../runner/events.js';
import type { Settings } from './types.js';

/** Everything a config file can set; the rest of Settings (cwd, configFile, runId, shard) is per run. */
export type SettingsDefaults = Omit<Settings, 'cwd' | 'configFile' | 'runId' | 'shard'>;

/** DESIGN §3.1 defaults. Deep-frozen: resolveSettings copies before merging. */
export const DEFAULTS: Readonly<SettingsDefaults> = deepFreeze({
  out: '.toron-testops',
  stages: [...STAGE_ORDER],
  failOn: 'fail',
  baseline: null,
  engine: {
    target: 'reference',
    profile: 'auto',
    headers: {},
    timeoutMs: 30_000,
    maxResponseBytes: 10 * 1024 * 1024,
    proxy: 'env',
    body: {},
    rateLimit: { retries: 3, maxWaitMs: 30_000 },
  },
  engineVersion: null,
  engines: {},
  reference: {
    latencyMs: 0,
    errorRate: 0,
    nondeterminism: 0,
    crashAfter: 0,
    stallMs: 0,
    generation: '2.5h',
    seed: 1,
  },
  sim: {
    registry: 'sim/sim_dataset.json',
    concurrency: 8,
    timeoutMs: 30_000,
    passRate: { warn: 1.0, fail: 0.95 },
    datasets: [],
    tags: [],
  },
  load: {
    generator: 'builtin',
    rate: 50,
    duration: '10s',
    stages: [],
    maxInFlight: 256,
    thresholds: { http_req_duration: ['p(95)<450'], http_req_failed: ['rate<0.01'] },
    startRate: 0,
    timeoutMs: 10_000,
    maxSchedulerLagMs: 100,
    k6Binary: 'k6',
  },
  replay: {
    rounds: 3,
    ignorePaths: [],
    ignoreVolatile: true,
    freshProcess: false,
    thresholds: { pass: 90, warn: 70 },
    drift: { warnRate: 0, failRate: 0.05 },
  },
  pipeline: {
    profile: 'auto',
    maxOpusEscalations: 3,
    maxContradictions: 5,
    minConfidence: 0,
    latencyP95Ms: 450,
    maxEscalationRate: 0.2,
    escalationRateMinAnswers: 20,
    minT1Models: 3,
    latencyOutlierK: 5,
    latencyOutlierMinMs: 250,
    levels: {},
    custom: null,
  },
  compare: {
    rules: {
      regressions: { level: 'error', max: 0 },
      passRateDrop: { level: 'warn', max: 0 },
      p95Increase: { level: 'warn', max: 20, minMs: 25 },
      errorRateIncrease: { level: 'warn', max: 1 },
      determinismDrop: { level: 'warn', max: 10 },
      changedAnswers: { level: 'off', max: 0 },
      removedCases: { level: 'warn', max: 0 },
    },
  },
} satisfies SettingsDefaults);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
