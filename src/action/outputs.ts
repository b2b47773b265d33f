import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { OutputName } from './inputs.js';
import { promote, type ActionOutcome } from './outcome.js';

export type Outputs = Partial<Record<OutputName, string>>;

/** A metric as an output: up to 4 decimals, '' when the stage did not run. */
export function metric(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '' : String(Math.round(n * 1e4) / 1e4);
}

export function sha256File(file: string): string | null {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}

/** Every output the run decides (artifact-id and artifact-url come after the upload). */
export function runOutputs(o: ActionOutcome): Outputs {
  const m = o.result?.metrics;
  const exists = (p: string | undefined) => (p && fs.existsSync(p) ? p : '');
  const bundle = exists(o.paths?.bundle);
  return {
    result: o.verdict.toLowerCase(),
    'determinism-score': metric(m?.determinismScore),
    'sim-pass-rate': metric(m?.simPassRate),
    'p95-ms': metric(m?.p95Ms),
    'warroom-critical': m ? String(m.warroomCritical) : o.report ? String(o.findings.filter((f) => f.severity === 'CRITICAL').length) : '',
    'report-path': exists(o.paths?.report),
    'bundle-path': bundle,
    'bundle-sha256': bundle ? (sha256File(bundle) ?? '') : '',
    promote: String(promote(o)),
    ...(o.comparison
      ? {
          'pass-rate-delta': metric(o.comparison.passRateDelta),
          'p95-delta-ms': metric(o.comparison.p95DeltaMs),
          'determinism-delta': metric(o.comparison.determinismDelta),
          'comparison-path': o.comparison.path ?? '',
        }
      : {}),
  };
}

/** The GITHUB_OUTPUT file format: `name<<DELIM`, value, `DELIM`, with a delimiter the value cannot hold. */
export function formatOutputs(values: Outputs): string {
  let text = '';
  for (const [name, value] of Object.entries(values)) {
    let delim = `ghadelimiter_${randomUUID()}`;
    while (value!.includes(delim)) delim = `ghadelimiter_${randomUUID()}`;
    text += `${name}<<${delim}\n${value}\n${delim}\n`;
  }
  return text;
}

/**
 * Writes outputs as soon as they are known (a cancelled job may be killed before the end), each name
 * once. Without GITHUB_OUTPUT (a local run) they are only logged.
 */
export class OutputWriter {
  readonly written: Outputs = {};

  constructor(
    private readonly file: string | null,
    private readonly info: (line: string) => void,
  ) {}

  set(values: Outputs): void {
    const fresh: Outputs = {};
    for (const [k, v] of Object.entries(values) as [OutputName, string][]) {
      if (k in this.written) continue;
      fresh[k] = v;
      this.written[k] = v;
    }
    if (Object.keys(fresh).length === 0) return;
    if (this.file) fs.appendFileSync(this.file, formatOutputs(fresh));
    else this.info(`outputs: ${Object.entries(fresh).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }

  /** Outputs never set get an empty value, so `steps.x.outputs.y` is '' rather than missing. */
  fill(names: readonly OutputName[]): void {
    const rest: Outputs = {};
    for (const n of names) if (!(n in this.written)) rest[n] = '';
    this.set(rest);
  }
}
