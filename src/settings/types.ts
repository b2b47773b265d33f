import type { StageName } from '../runner/events.js';
import type { FailOn } from '../runner/verdict.js';

/** One typed, validated settings object: config file + CLI flags (+ action inputs) merged once. */

export type ProfileName = 'auto' | 'toron-2.5h' | 'toron-2.5h-stability' | 'toron-3' | 'custom';
export type Generation = '2.5h' | '2.5h-stability' | '3';

export interface ReferenceKnobs {
  latencyMs: number;
  errorRate: number;
  nondeterminism: number;
  crashAfter: number; // 0: never
  stallMs: number; // 0: never
  generation: Generation;
  seed: number;
}

/**
 * engine.tls as configured: PEM files relative to the config file (resolveSettings reads them once and
 * keeps their contents out of every JSON of the settings: settings/engine-tls.ts), the name of the
 * variable holding the key's passphrase, and the TLS server name to send and check.
 */
export interface EngineTlsSettings {
  ca?: string;
  cert?: string;
  key?: string;
  passphraseEnv?: string;
  servername?: string;
}

export interface EngineSettings {
  /** `reference`, an http(s) URL, or `cmd:<argv>`. May hold `${ENV}` only in headers, never printed expanded. */
  target: string;
  profile: ProfileName;
  /** Header templates as configured (`${ENV}` not yet expanded: the adapter expands them and never prints them). */
  headers: Record<string, string>;
  timeoutMs: number;
  maxResponseBytes: number;
  /**
   * How http(s) engine traffic is proxied: "env" (HTTP_PROXY, HTTPS_PROXY, NO_PROXY as Go and k6 read
   * them; loopback never; the default), "none" (always direct), or a proxy URL used for every engine request.
   */
  proxy?: string;
  /** TLS options for an https:// engine (private CA, client certificate): see EngineTlsSettings. */
  tls?: EngineTlsSettings;
  /**
   * Variables set in a cmd: engine's process (`{ NAME: "template" }`, `${ENV}` expanded as in headers,
   * never printed): the way to pass on one of those it does not inherit (engine/child-env.ts).
   */
  env?: Record<string, string>;
  /** Extra fields merged into each request body. */
  body: Record<string, unknown>;
  /** SIM and replay requests answered 429 (or 503 with Retry-After) are retried (src/engine/rate-limit.ts). */
  rateLimit: { retries: number; maxWaitMs: number };
}

export interface SimSettings {
  registry: string;
  concurrency: number;
  timeoutMs: number;
  passRate: { warn: number; fail: number };
  /** Only these dataset names (empty: all enabled). */
  datasets: string[];
  /** Only cases with one of these tags (empty: all). */
  tags: string[];
}

export interface LoadSettings {
  generator: 'builtin' | 'k6';
  rate: number;
  duration: string;
  stages: { duration: string; target: number }[];
  maxInFlight: number;
  thresholds: Record<string, (string | { threshold: string; level?: 'error' | 'warn'; abortOnFail?: boolean; delayAbortEval?: string })[]>;
  /** Ramping arrival rate: the rate (requests/s) the first stage starts from (k6's startRate). */
  startRate: number;
  /** Per-request timeout under load (ms): a request not answered in time is a `timeout` error. */
  timeoutMs: number;
  /** The generator fell behind when the p99 of its scheduler lag is above this (ms): the run is invalid. */
  maxSchedulerLagMs: number;
  /** The k6 executable (load.generator "k6"), looked up on PATH unless it is a path. */
  k6Binary: string;
}

export interface ReplaySettings {
  rounds: number;
  ignorePaths: string[];
  /** Also ignore the per-call members of the engine's generation (Profile.volatilePaths). */
  ignoreVolatile: boolean;
  freshProcess: boolean;
  thresholds: { pass: number; warn: number };
  /** Baseline drift gates: rates (0..1) of changed stable cases. */
  drift: { warnRate: number; failRate: number };
}

export interface PipelineSettings {
  profile: ProfileName;
  maxOpusEscalations: number;
  /** Contradictions per answer must stay below this ("< 5 per answer"). */
  maxContradictions: number;
  minConfidence: number;
  latencyP95Ms: number;
  /** Most undeclared Opus escalations per checked answer (0..1). */
  maxEscalationRate: number;
  /** Fewer checked answers than this: the rate is reported, not gated (the count limit still applies). */
  escalationRateMinAnswers: number;
  /** Tier 1 must hold outputs from at least this many models. */
  minT1Models: number;
  /** A SIM latency above median + k x MAD is an outlier (a LOW event naming the case). */
  latencyOutlierK: number;
  /** ... and only when it is also at least this many ms above the median. */
  latencyOutlierMinMs: number;
  /** Per-check level overrides: error (FAIL), warn (WARN), info (LOW event only) or off. */
  levels: Partial<Record<string, PipelineCheckLevel>>;
  /** JSON Pointers of the `custom` profile. */
  custom: CustomProfilePointers | null;
}

export type PipelineCheckLevel = 'error' | 'warn' | 'info' | 'off';

/** JSON Pointers that map any engine's answer onto the pipeline checker's view. Only `answer` is required. */
export interface CustomProfilePointers {
  answer: string;
  confidence?: string;
  /** Required with `confidence`: 100 for a 0-100 score, 1 for 0..1. */
  confidenceScale?: 1 | 100;
  /** A list of tier-1 outputs; `t1Model` / `t1Output` are pointers inside each item (default /model, /output). */
  t1?: string;
  t1Model?: string;
  t1Output?: string;
  /** The tier-2 audit (an object: present when non-empty). */
  t2?: string;
  /** Evidence items and sources (lists, or objects whose keys count). */
  t3Items?: string;
  t3Sources?: string;
  /** A list of tier names, or one "A->B->C" string; "T4" is the escalation tier. */
  tierPath?: string;
  opusEscalated?: string;
  /** The Opus / tier-4 result: present when non-empty. */
  judicial?: string;
  /** A number, or a list (its length counts). */
  contradictions?: string;
  engineLatencyMs?: string;
}

export interface Settings {
  /** Where the settings came from, for messages (relative path or '(defaults)'). */
  configFile: string | null;
  /** Directory relative paths (registry, out) are resolved against. */
  cwd: string;
  runId: string;
  out: string;
  stages: StageName[];
  failOn: FailOn;
  baseline: string | null;
  shard: { index: number; total: number } | null;
  engine: EngineSettings;
  /**
   * Set when no engine was named (no --engine, no config `engine`, no engineVersion): the target is the
   * default, the built-in reference engine, which is a test engine. The action refuses to gate it then.
   */
  engineDefaulted?: true;
  /**
   * Set when the run id was generated (no --run-id, no config runId): a shard leg with one cannot be
   * merged with its siblings, which generate others.
   */
  runIdGenerated?: true;
  engineVersion: string | null;
  engines: Record<string, { target: string; profile: ProfileName }>;
  reference: ReferenceKnobs;
  sim: SimSettings;
  load: LoadSettings;
  replay: ReplaySettings;
  pipeline: PipelineSettings;
  /** The staging gate's rules (`toron-testops compare`). */
  compare: CompareSettings;
}

/** error: a broken rule makes the comparison FAIL; warn: WARN; off: not evaluated. */
export type CompareRuleLevel = 'error' | 'warn' | 'off';

export type CompareRuleName =
  | 'regressions'
  | 'passRateDrop'
  | 'p95Increase'
  | 'errorRateIncrease'
  | 'determinismDrop'
  | 'changedAnswers'
  | 'removedCases';

/** A comparison rule is broken when its value is above `max` (each rule has its unit). */
export interface CompareRule {
  level: CompareRuleLevel;
  max: number;
  /** p95Increase only: also at least this many ms slower (a few ms on a fast engine is noise, not a regression). */
  minMs?: number;
}

export interface CompareSettings {
  rules: Record<CompareRuleName, CompareRule>;
}
