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
  'merge-shard-missing': {
    severity: 'CRITICAL',
    remediation:
      'A shard of the run was not among the merge inputs (its job failed, was cancelled, or its artifact expired or was named differently): re-run the missing shard leg with the same run id, then merge again.',
  },
  'merge-shard-error': {
    severity: 'CRITICAL',
    remediation:
      'A shard ended in ERROR (wiring, config or tool failure, not a test verdict): read that shard\'s run.log and report reason, fix it and re-run that leg with the same run id.',
  },
  'merge-input-rejected': {
    severity: 'CRITICAL',
    remediation:
      'An input could not be merged: it is unreadable, unsafe (a bundle entry that would leave its folder, a link, or over the size cap), or belongs to another run (other run id, shard count or settings fingerprint). Merge only the shard artifacts of one run, made with the same config.',
  },
  'engine-misrouted': {
    severity: 'CRITICAL',
    remediation:
      'The engine answers GET /health but refuses every case request with the same kind of status: point --engine / engine.target at the route that answers POST with a JSON body (for Toron, /run), use the scheme the engine serves (redirects are not followed), and put the token the route needs in engine.headers (as "${ENV_VAR}").',
  },
  'engine-unreachable': {
    severity: 'CRITICAL',
    remediation:
      'Start the engine before the gate runs (or fix the engine spec/URL), and make sure GET /health answers 200. For cmd: engines, run the command by hand and check it speaks JSON lines on stdin/stdout.',
  },
  'engine-rate-limited': {
    severity: 'MEDIUM',
    remediation:
      "The engine, or the API gateway in front of it, answered 429 Too Many Requests (or 503 with Retry-After: a cold start, a scale-up) and the gate waited and asked again: raise the rate limit or quota of the gate's key, keep the engine warm before the gate runs, or lower sim.concurrency. When requests were still rate-limited after their retries, raise engine.rateLimit.retries or engine.rateLimit.maxWaitMs; the waiting is not counted in any case's latency.",
  },
  'engine-died': {
    severity: 'CRITICAL',
    remediation:
      'The engine exited during the run (a cmd: engine\'s process ended, or an HTTP engine stopped accepting connections after answering): read its stderr lines in run.log (cmd:) or its own logs (HTTP), reproduce with the same case input and seed, and fix the crash.',
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
  'sim-case-unasserted': {
    severity: 'LOW',
    remediation:
      'These cases have no assertions and no expected behaviour, so they pass whenever the engine answers anything. Add at least one assertion (e.g. is-json, contains, a schema) or an expected block, or remove the cases.',
  },
  'sim-number-inexact': {
    severity: 'LOW',
    remediation:
      'A number in this dataset cannot be held by a JSON number (a double), outside the values of equals and range (which compare it as written): in a case\'s input an integer beyond 2^53 reaches the engine rounded and 1e400 is sent as null; other fields read the rounded number. Write such ids, counters and values as strings.',
  },
  'answer-observer-failed': {
    severity: 'HIGH',
    remediation:
      'A stage that reads every SIM answer (the pipeline checker, the snapshot) failed on some of them, so its results miss those answers. The message names the first answer and the error: this is a defect of toron-testops or an answer it cannot read; report it with run.log.',
  },
  'sim-dataset-path-case': {
    severity: 'MEDIUM',
    remediation:
      'The registry names this dataset with another letter case than the file on disk. macOS and Windows runners find it anyway (their file systems ignore case), a Linux runner does not: there the run is an ERROR saying the file is missing. Write the path in the registry exactly as the file is named (or rename the file with git mv).',
  },
  'sim-dataset-unregistered': {
    // DESIGN 3.4: a warning (MEDIUM is what becomes a warning annotation); it changes no verdict.
    severity: 'MEDIUM',
    remediation: 'Register the file in sim/sim_dataset.json (or move it out of sim/) so it is either run or clearly excluded.',
  },
  'store-unavailable': {
    severity: 'HIGH',
    remediation:
      'The run history database could not be opened, so this run is not in the history (the verdict is unaffected). Check that the output folder is writable and not on a network share that breaks SQLite locking.',
  },
  'warroom-log-unavailable': {
    severity: 'HIGH',
    remediation:
      'The WAR ROOM log shared by all runs (<out>/warroom/warroom.log) could not be opened, so this run is missing from it (the verdict is unaffected; its findings are in its own report folder). Check that the output folder is writable and that nothing else (a file named warroom) sits where the warroom folder belongs.',
  },
  'run-cancelled': {
    severity: 'HIGH',
    remediation: 'The run was cancelled before it finished: results are partial. Re-run the job for a full verdict.',
  },
  'baseline-unavailable': {
    severity: 'MEDIUM',
    remediation:
      'baseline: auto takes the snapshot from the newest successful run of this workflow on the base branch. Make sure that workflow runs on pushes to the base branch with upload-artifact on and the same artifact-name, that the token has actions: read, and that the run is recent (30 days); or pass a baseline path.',
  },
  'run-error': {
    severity: 'CRITICAL',
    remediation: 'The gate could not run to the end because of the error shown. Fix the configuration, dataset or wiring it names; this is not a verdict on the engine.',
  },
  'load-threshold-failed': {
    severity: 'HIGH',
    remediation:
      'The engine missed a load threshold at the planned rate. Read the per-second timeline in load_summary.json to see when latency or errors rose (from the start: capacity; in bursts: stalls such as GC or a blocked event loop; late: leaks or queues), reproduce with the same rate locally, and profile the slowest path.',
  },
  'load-generator-behind': {
    severity: 'HIGH',
    remediation:
      'The load generator could not keep its schedule (dropped requests or scheduler lag), so the latencies are not valid measurements of the engine: raise load.maxInFlight if requests were dropped, give the generator its own CPU (a runner with more cores, or the engine on another machine), lower the rate, or use load.generator "k6" (with k6-operator or k6 cloud for several machines).',
  },
  'load-answers-failed': {
    severity: 'MEDIUM',
    remediation:
      'Answers that pass in SIM fail under load: look for timeouts inside the engine that return partial answers, shared state between concurrent requests, caches or rate limits of upstream models that change answers under pressure. Reproduce with the same --run-id and the named case.',
  },
  'load-k6-missing': {
    severity: 'CRITICAL',
    remediation:
      'load.generator is "k6" but no k6 binary was found: install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/), in GitHub Actions add "- uses: grafana/setup-k6-action@v1" before this step, set load.k6Binary to its path, or use load.generator "builtin".',
  },
  'load-k6-failed': {
    severity: 'CRITICAL',
    remediation:
      'k6 ran but gave no usable result (see its exit code and last output in run.log; the generated script is in the report folder under k6/script.js). Run that script by hand with the same k6 to see the error.',
  },
  'replay-nondeterministic': {
    severity: 'CRITICAL',
    remediation:
      'The same request (same input, same seed) got different answers. Open replay_summary.json at the named cases: the first divergence points at the field. Fields that are meant to change per call (request ids, timestamps, a clock-driven witness) go into replay.ignorePaths or the dataset\'s ignorePaths; anything else is unseeded randomness, order that depends on the process (hash seeds, set/dict iteration, tiers finishing in parallel) or sampling temperature in the engine path: sort or seed it.',
  },
  'replay-engine-errors': {
    severity: 'HIGH',
    remediation:
      'The engine failed some replay requests that it had answered before (timeouts, crashes, errors). Check run.log for the engine\'s stderr around the replay stage, and its capacity: replay sends every case again, `rounds` times.',
  },
  'replay-drift': {
    severity: 'HIGH',
    remediation:
      'Answers that are stable in this build differ from the baseline run. If the change is intended (a new model, a prompt change), make this run the new baseline; if not, bisect the changes since the baseline with the drifted cases listed in replay_summary.json.',
  },
  'snapshot-not-written': {
    severity: 'HIGH',
    remediation:
      'SIM ran, but its answers could not be kept as <out>/snapshots/<run_id>.json (see the message: usually a full disk, a read-only folder, or something else at that path). Without it this run cannot be replayed, nor be a later run\'s baseline. Free the space or fix the folder\'s permissions and run again.',
  },
  'replay-unmeasured': {
    severity: 'HIGH',
    remediation:
      'The engine answered, but some or all of its answers could not be put in canonical form to compare: nested deeper than the canonical walk goes, or with ignorePaths that do not apply to them (see the snapshot\'s error per case). Fix the ignorePaths (or the answer shape), then run again: until then the replay says nothing about the determinism of those cases.',
  },
  'replay-drift-unmeasured': {
    severity: 'HIGH',
    remediation:
      'No stable case could be compared with the baseline, so drift.rate is null. If the baseline shares no case with this run (no case id with the same input is in both), check that the baseline is a run of this suite (not of another registry or an old version of it); after renaming cases or editing every prompt, make a run of the new suite the baseline. If every case in common was unstable (noise), make the engine answer the same request the same way first (see the determinism findings), then compare again.',
  },
  'replay-drift-case': {
    severity: 'MEDIUM',
    remediation:
      'This case answers stably, but not as it did in the baseline run: the diff shows the first fields that changed. Confirm the change is intended, or find the commit that changed it.',
  },
  // The pipeline checker (src/stages/pipeline), one per check, and the engine map's version check.
  'engine-version-mismatch': {
    severity: 'HIGH',
    remediation:
      'The engine reports another build than --engine-version / engineVersion asked for: point the engine map entry (engines.<version>.target) at the right build, or deploy the expected build, before trusting this verdict.',
  },
  'engine-version-unknown': {
    severity: 'MEDIUM',
    remediation: 'Make the engine report its version (a "version" field in GET /health or GET /version, or in a command engine\'s health answer) so the gate can verify the build it tests.',
  },
  'pipeline-profile-shape': {
    severity: 'MEDIUM',
    remediation:
      'Answers changed shape mid-run (or had no known shape): a build mixing generations, a fallback path answering in an older format, or error bodies served with 200. Pin pipeline.profile (or engine.profile) to the generation you ship and find the code path that answers differently.',
  },
  'pipeline-unchecked': {
    severity: 'MEDIUM',
    remediation:
      'No answer had a known Toron shape, so no structural check ran (T1/T2/T3, escalations, contradictions, confidence). Name the generation (pipeline.profile: toron-2.5h, toron-2.5h-stability or toron-3), map your engine\'s shape with pipeline.profile "custom" and pipeline.custom pointers, or leave pipeline out of stages if this engine has no tiers to check.',
  },
  'pipeline-answer-shape': {
    severity: 'HIGH',
    remediation:
      'The answer is not a well-formed answer of its generation (its anchor object or answer text is missing, or the answer text is empty): check the serialiser of the engine response and that error paths do not return partial or empty bodies with HTTP 200.',
  },
  'pipeline-t1-present': {
    severity: 'HIGH',
    remediation:
      'Tier 1 is missing, malformed or has too few models: check that every tier-1 model call returns (timeouts and provider failures dropping models), and that each output keeps its model name and text. Lower pipeline.minT1Models only if fewer models are intended.',
  },
  'pipeline-t2-audit': {
    severity: 'HIGH',
    remediation:
      'The tier path says T2 ran but its audit report is missing, empty, or names no auditing model (or one with no name): make the T2 audit (DeepSeek/Kimi critiques) run and write its report with its models, or stop listing T2 in the tier path when it is skipped.',
  },
  'pipeline-t3-evidence': {
    severity: 'HIGH',
    remediation:
      'The evidence tier is missing, malformed, or holds no items and no sources: check the retrieval layers (MMRE / reality packet, or toron-3 source providers) and their timeouts, and that the reality packet is written into the answer; an answer without evidence should not be synthesised silently.',
  },
  'pipeline-tier-consistency': {
    severity: 'HIGH',
    remediation:
      'Opus use and the tier-4 / judicial trace disagree, or the trace itself is broken: when Opus (or the tier-4 arbiter) runs, its result and the T4 tier-path entry must be recorded; when it does not, neither may appear. The tier path must be there, name T1 and list its tiers in order, each once; toron-3 must report a readable agreement and arbitrate below 0.7. Check the escalation branch and the code that builds tier_path, JUDICIAL_RESULT and the agreement.',
  },
  'pipeline-confidence-range': {
    severity: 'HIGH',
    remediation:
      'The confidence score is missing, not a number, or off its declared scale (0-100 for 2.5h, 0..1 for toron-3): check the score arithmetic (penalties and bonuses clamped to the scale) and that the profile matches the generation.',
  },
  'pipeline-confidence-floor': {
    severity: 'HIGH',
    remediation: 'Confidence fell below pipeline.minConfidence: find what lowers it (contradictions, failed sources, disagreement) for the cases named, or adjust the floor if the new calibration is intended.',
  },
  'pipeline-contradiction-density': {
    severity: 'HIGH',
    remediation:
      'An answer carries too many contradictions between tier-1 hypotheses, or its contradiction count is unreadable (missing, not a whole number 0 or more, a tier-1 list that is not a list): check the contradiction detector for false positives and the prompts named, and how the count is written. If a case is contradiction-heavy on purpose, declare it in its dataset (pin the contradictions with an equals assertion, or set expected.contradictions).',
  },
  'pipeline-expected-escalation': {
    severity: 'HIGH',
    remediation:
      "An answer did not escalate to Opus as its case's expected block says (expected.opus_used true or false): the escalation trigger changed (2.5h escalates on prompts over 120 words or holding the letters \"not\"; toron-3 arbitrates below 0.7 agreement). Fix the trigger, or update expected.opus_used if the new behaviour is intended.",
  },
  'pipeline-opus-escalations': {
    severity: 'HIGH',
    remediation:
      'Opus escalated on more prompts than allowed: check the escalation trigger (2.5h escalates on any "not" substring, "another" and "note" included; toron-3 on low agreement). If a case is meant to escalate, declare it (an equals assertion on /opus_used true, or expected.opus_used: true).',
  },
  'pipeline-escalation-rate': {
    severity: 'HIGH',
    remediation: 'Too large a share of answers escalates to Opus (cost and latency): tighten the escalation trigger, or raise pipeline.maxEscalationRate if the new rate is intended.',
  },
  'pipeline-latency-p95': {
    severity: 'MEDIUM',
    remediation: 'The 95th percentile of SIM latencies is over pipeline.latencyP95Ms: profile the slowest cases named (tier timeouts, retries, Opus arbitration) and compare with the load stage under a controlled rate.',
  },
  'pipeline-latency-outliers': {
    severity: 'LOW',
    remediation: 'A single answer was far slower than the rest (median + k x MAD): look for a stall, a retry or a cold cache on that case; repeat it to see whether it is the prompt or the moment.',
  },  'compare-regressions': {
    severity: 'HIGH',
    remediation:
      'Cases that passed on the baseline fail on the candidate: open comparison.md for the list (file:line), reproduce each with the same --run-id against the candidate, and fix the build before promoting it (or update the case if the new behaviour is intended).',
  },
  'compare-case-regressed': {
    severity: 'HIGH',
    remediation:
      'This case passed on the baseline and fails on the candidate: run it against both engines with the same --run-id (same seed) and compare the answers shown in the candidate report.',
  },
  'compare-pass-rate-drop': {
    severity: 'MEDIUM',
    remediation: "The candidate's SIM pass rate is lower than the baseline's: look at the regressed and new failing cases in comparison.md, or raise compare.rules.passRateDrop.max if the drop is accepted.",
  },
  'compare-p95-increase': {
    severity: 'MEDIUM',
    remediation:
      "The candidate's load p95 latency is higher than the baseline's by more than allowed: profile the new build under the same rate (tier timeouts, retries, Opus arbitration), and make sure both were measured on a quiet machine, one after the other.",
  },
  'compare-error-rate-increase': {
    severity: 'MEDIUM',
    remediation: 'More requests fail under load on the candidate than on the baseline: read the load errors by kind in the candidate report (timeouts, 5xx) and fix the build before promoting it.',
  },
  'compare-determinism-drop': {
    severity: 'MEDIUM',
    remediation:
      "The candidate answers less reproducibly than the baseline: see the candidate's replay cases (first divergence) for unseeded randomness, clock- or order-dependent logic introduced by the new build.",
  },
  'compare-answers-changed': {
    severity: 'MEDIUM',
    remediation: 'More answers changed against the baseline than allowed: review the changed cases in comparison.md (first differing field, text similarity); if the change is intended, promote by hand or raise compare.rules.changedAnswers.max.',
  },
  'compare-cases-removed': {
    severity: 'MEDIUM',
    remediation: 'Cases of the baseline are missing from the candidate run (a dataset disabled, a filter, a shard): run the same datasets on both sides so the comparison covers every case.',
  },
  'compare-side-error': {
    severity: 'CRITICAL',
    remediation:
      'One side of the comparison could not be run or read (engine down, bad baseline file): read the error, start the engine or fix the baseline path, and compare again. Nothing is promoted without a comparison.',
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
