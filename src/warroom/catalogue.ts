import type { Severity } from './finding.js';

/**
 * One remediation hint per finding type, written for the person who will fix the engine (not for the
 * person running the gate). Unknown types fall back to a generic hint so a finding is never lost.
 */
export interface CatalogueEntry {
  severity: Severity;
  remediation: string;
}

export const CATALOGUE: Record<string, CatalogueEntry> = {
  'engine-unreachable': {
    severity: 'CRITICAL',
    remediation:
      'Start the engine before the gate runs (or fix the engine spec/URL), and make sure GET /health answers 200. For cmd: engines, run the command by hand and check it speaks JSON lines on stdin/stdout.',
  },
  'engine-died': {
    severity: 'CRITICAL',
    remediation:
      'The engine process exited during the run: read the stderr lines in run.log, reproduce with the same case input and seed, and fix the crash.',
  },
  'sim-case-failed': {
    severity: 'HIGH',
    remediation:
      'Reproduce with the same --run-id to get the same seed, compare the expected and actual values shown, and fix the engine (or, if the behaviour change is intended, update the case in its dataset).',
  },
  'sim-case-flaky': {
    severity: 'MEDIUM',
    remediation:
      'The case passes on some repeats and fails on others: look for unseeded randomness, clock- or order-dependent logic (dict/set iteration, parallel tiers finishing in different orders) in the engine path this prompt takes.',
  },
  'sim-case-errored': {
    severity: 'HIGH',
    remediation:
      'The engine answered this case with an error (timeout, non-2xx, invalid JSON or too large). Check the engine log for this request, its latency budget, and that it always answers JSON.',
  },
  'sim-case-warning': {
    severity: 'LOW',
    remediation: 'A warn-level assertion failed: review whether the engine change is intended and tighten or update the case.',
  },
  'sim-dataset-unregistered': {
    severity: 'INFO',
    remediation: 'Register the file in sim/sim_dataset.json (or move it out of sim/) so it is either run or clearly excluded.',
  },
  'store-unavailable': {
    severity: 'HIGH',
    remediation:
      'The run history database could not be opened, so this run is not in the history (the verdict is unaffected). Check that the output folder is writable and not on a network share that breaks SQLite locking.',
  },
  'run-cancelled': {
    severity: 'HIGH',
    remediation: 'The run was cancelled before it finished: results are partial. Re-run the job for a full verdict.',
  },
  'run-error': {
    severity: 'CRITICAL',
    remediation: 'The gate could not run to the end because of the error shown. Fix the configuration, dataset or wiring it names; this is not a verdict on the engine.',
  },
};

export function catalogueEntry(type: string): CatalogueEntry {
  return (
    CATALOGUE[type] ?? {
      severity: 'MEDIUM',
      remediation: 'See the message and the case it names; reproduce with the same --run-id.',
    }
  );
}
