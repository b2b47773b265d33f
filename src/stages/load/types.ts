import type { ThresholdResult } from '../../load/thresholds.js';
import type { TimelineRow } from '../../load/recorder.js';
import type { SourceLocation } from '../../warroom/finding.js';

/** A case whose answers failed under load. */
export interface QualityCase {
  id: string;
  dataset: string;
  checked: number;
  failed: number;
  firstFailure?: string;
  location: SourceLocation;
}

/** Answers checked against their cases' assertions under load (built-in generator only). */
export interface QualityUnderLoad {
  checked: number;
  passed: number;
  failed: number;
  /** Answers that passed / answers checked (0..1). */
  passRate: number;
  failingCases: QualityCase[];
}

/** What either generator hands to the stage, before the verdict. */
export interface LoadRunData {
  generator: 'builtin' | 'k6';
  /** k6 metric names -> values (DESIGN §4.3); absent values are null. */
  metrics: Record<string, unknown>;
  thresholds: ThresholdResult[];
  /** null: the generator did not say (k6 summaries of other executors). */
  dropped: number | null;
  lagP99Ms: number | null;
  durationMs: number | null;
  sent?: number;
  interrupted?: number;
  maxInFlightSeen?: number;
  errors?: Record<string, number>;
  errorSamples?: Record<string, string>;
  quality: QualityUnderLoad | null;
  timeline: TimelineRow[];
  /** Latency bins (ms) for the report's chart; empty when the generator gives none (k6). */
  histogram: { from: number; to: number; count: number }[];
  transport?: string;
  /** k6 backend: version, exit code, summary shape, files. */
  k6?: Record<string, unknown>;
  cancelled: boolean;
  /** Stopped early by a threshold with abortOnFail (built-in generator). */
  aborted?: { reason: string; atMs: number } | null;
}
