import * as hdr from 'hdr-histogram-js';

/**
 * Latencies in an HDR histogram with 3 significant digits (DESIGN §4.3), recorded in microseconds so a
 * sub-millisecond engine still gets three digits. Count, sum, min and max are kept exactly beside it
 * (k6 reports exact min/max/avg; HDR would round them to their bucket).
 */

/** k6's trend statistics, in milliseconds. */
export interface TrendStats {
  avg: number;
  min: number;
  med: number;
  max: number;
  'p(90)': number;
  'p(95)': number;
  'p(99)': number;
}

/** One hour: anything slower is recorded as one hour (and the max keeps the true value). */
const HIGHEST_US = 3_600_000_000;

export class LatencyHistogram {
  private readonly h: hdr.Histogram;
  count = 0;
  private sumMs = 0;
  private minMs = Infinity;
  private maxMs = -Infinity;

  constructor() {
    this.h = hdr.build({
      numberOfSignificantValueDigits: 3,
      lowestDiscernibleValue: 1,
      highestTrackableValue: HIGHEST_US,
      autoResize: false,
      bitBucketSize: 32,
      useWebAssembly: false,
    });
  }

  record(ms: number): void {
    if (!(ms >= 0)) ms = 0; // a clock step backwards is no latency, never a negative one
    const us = Math.round(ms * 1000);
    this.h.recordValue(us > HIGHEST_US ? HIGHEST_US : us);
    this.count++;
    this.sumMs += ms;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** The value at a percentile (0-100) in ms, or null with no samples. */
  percentile(p: number): number | null {
    if (this.count === 0) return null;
    // HDR answers the highest value equivalent to the bucket; never report above the true max.
    return Math.min(this.h.getValueAtPercentile(p) / 1000, this.maxMs);
  }

  get max(): number | null {
    return this.count ? this.maxMs : null;
  }

  /** Trend stats rounded to the microsecond, or null with no samples. */
  stats(): TrendStats | null {
    if (this.count === 0) return null;
    const r = (x: number) => Math.round(x * 1000) / 1000;
    return {
      avg: r(this.sumMs / this.count),
      min: r(this.minMs),
      med: r(this.percentile(50)!),
      max: r(this.maxMs),
      'p(90)': r(this.percentile(90)!),
      'p(95)': r(this.percentile(95)!),
      'p(99)': r(this.percentile(99)!),
    };
  }

  /**
   * The distribution as `count` equal-width bins from the fastest to the slowest request (ms), for the
   * report's histogram chart. Each recorded HDR bucket goes to the bin holding its value.
   */
  bins(count = 40): { from: number; to: number; count: number }[] {
    if (this.count === 0) return [];
    const lo = this.minMs;
    const hi = Math.max(this.maxMs, lo + 1e-3);
    const width = (hi - lo) / count;
    const out = Array.from({ length: count }, (_, i) => ({ from: round3(lo + i * width), to: round3(lo + (i + 1) * width), count: 0 }));
    const it = (this.h as unknown as { recordedValuesIterator: { reset(): void; hasNext(): boolean; next(): { valueIteratedTo: number; countAddedInThisIterationStep: number } } }).recordedValuesIterator;
    it.reset();
    while (it.hasNext()) {
      const v = it.next();
      const ms = Math.min(Math.max(v.valueIteratedTo / 1000, lo), hi);
      const i = Math.min(count - 1, Math.floor((ms - lo) / width));
      out[i].count += v.countAddedInThisIterationStep;
    }
    return out;
  }

  reset(): void {
    this.h.reset();
    this.count = 0;
    this.sumMs = 0;
    this.minMs = Infinity;
    this.maxMs = -Infinity;
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
