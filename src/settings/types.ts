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

export interface EngineSettings {
  /** `reference`, an http(s) URL, or `cmd:<argv>`. May hold `${ENV}` only in headers, never printed expanded. */
  target: string;
  profile: ProfileName;
  /** Header templates as configured (`${ENV}` not yet expanded: the adapter expands them and never prints them). */
  headers: Record<string, string>;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Extra fields merged into each request body. */
  body: Record<string, unknown>;
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
  thresholds: Record<string, (string | { threshold: string; level?: 'error' | 'warn' })[]>;
}

export interface ReplaySettings {
  rounds: number;
  ignorePaths: string[];
  freshProcess: boolean;
  thresholds: { pass: number; warn: number };
}

export interface PipelineSettings {
  profile: ProfileName;
  maxOpusEscalations: number;
  maxContradictions: number;
  minConfidence: number;
  latencyP95Ms: number;
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
  engineVersion: string | null;
  engines: Record<string, { target: string; profile: ProfileName }>;
  reference: ReferenceKnobs;
  sim: SimSettings;
  load: LoadSettings;
  replay: ReplaySettings;
  pipeline: PipelineSettings;
}
