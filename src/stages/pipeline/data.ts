import { Ajv } from 'ajv';
import type { ConcreteProfileName } from '../../engine/profiles/index.js';
import type { SimCase } from '../sim/types.js';
import { checkPending, type AnswerFailure, type CheckTally, type CollectorOptions, type PendingAnswer } from './collector.js';
import type { ContradictionTally, EscalationTally } from './run-checks.js';
import { ANSWER_CHECKS, type AnswerCheckName } from './types.js';

/** A case as the checker names it (labels, annotations). */
export type CaseRef = Pick<SimCase, 'id' | 'dataset' | 'location'>;

/**
 * What the pipeline checker's verdict is computed from: the collector's tallies. PipelineCollector is
 * one; merge rebuilds one from the shards' pipeline summaries (the union of their tallies), so the
 * same pure judge (judgePipeline) decides a sharded run's run-level budgets on all of its answers.
 * Case indices are indices in the whole suite (a shard keeps them), so shards' tallies never collide.
 */
export interface PipelineData {
  readonly options: CollectorOptions;
  observed: number;
  engineErrors: number;
  checked: number;
  picked: ConcreteProfileName | null;
  pickedBy: number | null;
  unrecognisedUnchecked: number;
  unrecognisedAfterPick: number;
  /** Answers of no known shape waiting for a pick (only while `picked` is null). */
  readonly pending: PendingAnswer[];
  switches: Partial<Record<ConcreteProfileName, number>>;
  firstSwitch: { caseIndex: number; to: ConcreteProfileName } | null;
  forms: Record<string, number>;
  readonly tallies: Map<AnswerCheckName, CheckTally>;
  readonly escalations: EscalationTally;
  readonly undeclaredEscalationCases: number[];
  readonly contradictions: ContradictionTally;
  readonly confidence: { n: number; sum: number; min: number; max: number };
  readonly latencies: number[];
  readonly latencyCase: number[];
  /** Timed-out attempts: the latency they gave up after, and their cases. */
  readonly timeoutLatencies: number[];
  readonly timeoutCase: number[];
  readonly engineLatencies: number[];
  readonly cases: Map<number, CaseRef>;
}

/** PipelineData as JSON (pipeline_summary.json `shardData` of a shard). */
export interface PipelineShardData {
  version: 1;
  options: CollectorOptions;
  observed: number;
  engineErrors: number;
  checked: number;
  picked: ConcreteProfileName | null;
  pickedBy: number | null;
  unrecognisedUnchecked: number;
  unrecognisedAfterPick: number;
  /** A shard that saw no known shape: its answers of no known shape, for merge to check as the run's pick. */
  pending?: PendingAnswer[];
  switches: Partial<Record<ConcreteProfileName, number>>;
  firstSwitch: { caseIndex: number; to: ConcreteProfileName } | null;
  forms: Record<string, number>;
  tallies: Record<string, { checked: number; failed: number; na: number; failedCases: number[]; failures: AnswerFailure[] }>;
  escalations: EscalationTally;
  undeclaredEscalationCases: number[];
  contradictions: ContradictionTally;
  /** min/max are null when no confidence was measured (JSON has no Infinity). */
  confidence: { n: number; sum: number; min: number | null; max: number | null };
  latencies: number[];
  latencyCase: number[];
  /** Absent in shard data written before timeouts counted in the p95. */
  timeoutLatencies?: number[];
  timeoutCase?: number[];
  engineLatencies: number[];
  cases: [number, CaseRef][];
}

const KEEP_FAILURES = 50;

export function exportPipelineData(d: PipelineData): PipelineShardData {
  return {
    version: 1,
    options: d.options,
    observed: d.observed,
    engineErrors: d.engineErrors,
    checked: d.checked,
    picked: d.picked,
    pickedBy: d.pickedBy,
    unrecognisedUnchecked: d.unrecognisedUnchecked,
    unrecognisedAfterPick: d.unrecognisedAfterPick,
    ...(d.pending.length ? { pending: d.pending } : {}),
    switches: d.switches,
    firstSwitch: d.firstSwitch,
    forms: d.forms,
    tallies: Object.fromEntries(
      [...d.tallies].map(([name, t]) => [name, { checked: t.checked, failed: t.failed, na: t.na, failedCases: [...t.failedCases], failures: t.failures }]),
    ),
    escalations: d.escalations,
    undeclaredEscalationCases: d.undeclaredEscalationCases,
    contradictions: d.contradictions,
    confidence: { n: d.confidence.n, sum: d.confidence.sum, min: d.confidence.n ? d.confidence.min : null, max: d.confidence.n ? d.confidence.max : null },
    latencies: d.latencies,
    latencyCase: d.latencyCase,
    timeoutLatencies: d.timeoutLatencies,
    timeoutCase: d.timeoutCase,
    engineLatencies: d.engineLatencies,
    cases: [...d.cases].map(([i, c]) => [i, { id: c.id, dataset: c.dataset, location: c.location }]),
  };
}

/**
 * The answer checks this version judges that shard data has no tally for (pure). A shard's tallies are
 * made while it runs, so data an older toron-testops wrote lacks the checks added since: read as an
 * empty tally, such a check would say no answer was checked (or could be read) and pass.
 */
export function missingTallies(j: Pick<PipelineShardData, 'tallies'>): AnswerCheckName[] {
  const t = j?.tallies && typeof j.tallies === 'object' ? j.tallies : {};
  return ANSWER_CHECKS.filter((name) => !Object.hasOwn(t, name));
}

const count = { type: 'number', minimum: 0 } as const;
const counts = { type: 'array', items: count } as const;
const numbers = { type: 'array', items: { type: 'number' } } as const;
const countMap = { type: 'object', additionalProperties: { type: 'number' } } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const object = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({ type: 'object', required, properties });
const TALLY = object({ checked: count, failed: count, na: count, failedCases: counts, failures: { type: 'array', items: object({ caseIndex: count, repeat: count, message: { type: 'string' } }) } });

/**
 * What importPipelineData and the judge read of shard data, with its types. Members not listed (a
 * later toron-testops's additions, a tally of a check this version does not know) are not looked at.
 */
const SHARD_DATA_SCHEMA = object(
  {
    version: { const: 1 },
    options: object({ profile: { type: 'string' }, custom: { type: ['object', 'null'] }, thresholds: { type: 'object', additionalProperties: { type: 'number' } } }),
    observed: count,
    engineErrors: count,
    checked: count,
    picked: { type: ['string', 'null'] },
    pickedBy: nullableNumber,
    unrecognisedUnchecked: count,
    unrecognisedAfterPick: count,
    pending: { type: 'array', items: object({ caseIndex: count, repeat: count, problems: { type: 'object' } }) },
    switches: countMap,
    firstSwitch: { oneOf: [{ type: 'null' }, object({ caseIndex: count, to: { type: 'string' } })] },
    forms: countMap,
    tallies: { type: 'object', properties: Object.fromEntries(ANSWER_CHECKS.map((n) => [n, TALLY])) },
    escalations: object({ answers: count, escalated: count, declared: count, undeclaredCases: { type: 'array', items: { type: 'string' } }, declaredCases: count }),
    undeclaredEscalationCases: counts,
    contradictions: object({ measured: count, total: count, max: count, declaredOver: count, undeclaredOver: count, unreadable: count }),
    confidence: object({ n: count, sum: { type: 'number' }, min: nullableNumber, max: nullableNumber }),
    latencies: numbers,
    latencyCase: counts,
    timeoutLatencies: numbers,
    timeoutCase: counts,
    engineLatencies: numbers,
    cases: {
      type: 'array',
      items: { type: 'array', minItems: 2, maxItems: 2, items: [count, object({ id: { type: 'string' }, dataset: { type: 'string' } })] },
    },
  },
  ['version', 'options', 'observed', 'engineErrors', 'checked', 'picked', 'pickedBy', 'unrecognisedUnchecked', 'unrecognisedAfterPick', 'switches', 'firstSwitch', 'forms', 'tallies', 'escalations', 'undeclaredEscalationCases', 'contradictions', 'confidence', 'latencies', 'latencyCase', 'engineLatencies', 'cases'],
);
let shardDataValidator: ReturnType<Ajv['compile']> | undefined;

/**
 * Why shard data (another run's pipeline_summary.json `shardData`, maybe of another version) cannot be
 * imported, or null: the first member importPipelineData uses that is missing or of another type (a
 * damaged or edited file). Read unchecked, such data threw in the middle of a merge (no merged report at
 * all) or was summed as something else (a string of latencies read as its characters).
 */
export function shardDataProblem(j: unknown): string | null {
  shardDataValidator ??= new Ajv({ allErrors: false, strict: false, allowUnionTypes: true, logger: false }).compile(SHARD_DATA_SCHEMA);
  if (shardDataValidator(j)) return null;
  const e = shardDataValidator.errors?.[0];
  if (!e) return 'shardData is not valid';
  const missing = e.keyword === 'required' ? `/${String((e.params as { missingProperty?: string }).missingProperty)}` : '';
  return `shardData${e.instancePath}${missing} ${e.keyword === 'required' ? 'is missing' : (e.message ?? e.keyword)}`;
}

export function importPipelineData(j: PipelineShardData): PipelineData {
  if (!j || j.version !== 1) throw new Error('pipeline shard data: unknown version');
  const tallies = new Map<AnswerCheckName, CheckTally>();
  for (const name of ANSWER_CHECKS) {
    const t = j.tallies[name] ?? { checked: 0, failed: 0, na: 0, failedCases: [], failures: [] };
    tallies.set(name, { checked: t.checked, failed: t.failed, na: t.na, failedCases: new Set(t.failedCases), failures: [...t.failures] });
  }
  return {
    options: j.options,
    observed: j.observed,
    engineErrors: j.engineErrors,
    checked: j.checked,
    picked: j.picked,
    pickedBy: j.pickedBy,
    unrecognisedUnchecked: j.unrecognisedUnchecked,
    unrecognisedAfterPick: j.unrecognisedAfterPick,
    pending: (j.pending ?? []).map((a) => ({ ...a })),
    switches: { ...j.switches },
    firstSwitch: j.firstSwitch,
    forms: { ...j.forms },
    tallies,
    escalations: { ...j.escalations, undeclaredCases: [...j.escalations.undeclaredCases] },
    undeclaredEscalationCases: [...j.undeclaredEscalationCases],
    contradictions: { ...j.contradictions },
    confidence: { n: j.confidence.n, sum: j.confidence.sum, min: j.confidence.min ?? Infinity, max: j.confidence.max ?? -Infinity },
    latencies: [...j.latencies],
    latencyCase: [...j.latencyCase],
    timeoutLatencies: [...(j.timeoutLatencies ?? [])],
    timeoutCase: [...(j.timeoutCase ?? [])],
    engineLatencies: [...j.engineLatencies],
    cases: new Map(j.cases),
  };
}

/**
 * The union of several shards' tallies: counts add up, lists concatenate (in suite order where a list
 * names cases, as an unsharded run that answered in suite order would have them), min/max combine.
 * What depends on the arrival order of answers (which answer picked the profile) takes the shard
 * whose pick came from the earliest case.
 */
export function mergePipelineData(parts: PipelineData[]): PipelineData {
  if (parts.length === 0) throw new Error('mergePipelineData: nothing to merge');
  const sum = (f: (d: PipelineData) => number) => parts.reduce((n, d) => n + f(d), 0);
  const picks = parts.filter((d) => d.picked !== null).sort((a, b) => (a.pickedBy ?? Infinity) - (b.pickedBy ?? Infinity));
  const first = picks[0] ?? null;
  const switches: Partial<Record<ConcreteProfileName, number>> = {};
  const forms: Record<string, number> = {};
  for (const d of parts) {
    for (const [k, n] of Object.entries(d.switches)) switches[k as ConcreteProfileName] = (switches[k as ConcreteProfileName] ?? 0) + (n ?? 0);
    for (const [k, n] of Object.entries(d.forms)) forms[k] = (forms[k] ?? 0) + n;
  }
  // A shard that picked another profile than the first pick: its answers are switches of the run.
  for (const d of picks.slice(1)) {
    if (d.picked !== first!.picked) switches[d.picked!] = (switches[d.picked!] ?? 0) + 1;
  }
  const switchList = parts.map((d) => d.firstSwitch).filter((x): x is NonNullable<typeof x> => x !== null);
  for (const d of picks.slice(1)) if (d.picked !== first!.picked) switchList.push({ caseIndex: d.pickedBy!, to: d.picked! });
  switchList.sort((a, b) => a.caseIndex - b.caseIndex);

  const tallies = new Map<AnswerCheckName, CheckTally>();
  for (const name of ANSWER_CHECKS) {
    const ts = parts.map((d) => d.tallies.get(name)).filter((t): t is CheckTally => t !== undefined);
    const failedCases = [...new Set(ts.flatMap((t) => [...t.failedCases]))].sort((a, b) => a - b);
    const failures = ts.flatMap((t) => t.failures).sort((a, b) => a.caseIndex - b.caseIndex || a.repeat - b.repeat).slice(0, KEEP_FAILURES);
    tallies.set(name, {
      checked: ts.reduce((n, t) => n + t.checked, 0),
      failed: ts.reduce((n, t) => n + t.failed, 0),
      na: ts.reduce((n, t) => n + t.na, 0),
      failedCases: new Set(failedCases),
      failures,
    });
  }
  const cases = new Map<number, CaseRef>();
  for (const d of parts) for (const [i, c] of d.cases) cases.set(i, c);
  const undeclared = parts.flatMap((d) => d.undeclaredEscalationCases).sort((a, b) => a - b);
  const lat = parts.flatMap((d) => d.latencies.map((ms, k) => ({ ms, c: d.latencyCase[k] })));
  const timedOut = parts.flatMap((d) => d.timeoutLatencies.map((ms, k) => ({ ms, c: d.timeoutCase[k] })));
  const merged: PipelineData = {
    options: parts[0].options,
    observed: sum((d) => d.observed),
    engineErrors: sum((d) => d.engineErrors),
    checked: sum((d) => d.checked),
    picked: first?.picked ?? null,
    pickedBy: first?.pickedBy ?? null,
    unrecognisedUnchecked: sum((d) => d.unrecognisedUnchecked),
    unrecognisedAfterPick: sum((d) => d.unrecognisedAfterPick),
    pending: parts.flatMap((d) => d.pending).sort((a, b) => a.caseIndex - b.caseIndex || a.repeat - b.repeat),
    switches,
    firstSwitch: switchList[0] ?? null,
    forms,
    tallies,
    escalations: {
      answers: sum((d) => d.escalations.answers),
      escalated: sum((d) => d.escalations.escalated),
      declared: sum((d) => d.escalations.declared),
      declaredCases: sum((d) => d.escalations.declaredCases),
      undeclaredCases: undeclared.map((i) => `${cases.get(i)!.dataset}/${cases.get(i)!.id}`),
    },
    undeclaredEscalationCases: undeclared,
    contradictions: {
      measured: sum((d) => d.contradictions.measured),
      total: sum((d) => d.contradictions.total),
      max: Math.max(0, ...parts.map((d) => d.contradictions.max)),
      declaredOver: sum((d) => d.contradictions.declaredOver),
      undeclaredOver: sum((d) => d.contradictions.undeclaredOver),
      unreadable: sum((d) => d.contradictions.unreadable ?? 0),
    },
    confidence: {
      n: sum((d) => d.confidence.n),
      sum: sum((d) => d.confidence.sum),
      min: Math.min(Infinity, ...parts.map((d) => d.confidence.min)),
      max: Math.max(-Infinity, ...parts.map((d) => d.confidence.max)),
    },
    latencies: lat.map((x) => x.ms),
    latencyCase: lat.map((x) => x.c),
    timeoutLatencies: timedOut.map((x) => x.ms),
    timeoutCase: timedOut.map((x) => x.c),
    engineLatencies: parts.flatMap((d) => d.engineLatencies),
    cases,
  };
  // Shards that saw no known shape kept theirs waiting: the run's pick reads them, as in an unsharded run.
  if (merged.picked !== null) {
    checkPending(merged, merged.picked);
    const shape = merged.tallies.get('answer-shape')!;
    shape.failures.sort((a, b) => a.caseIndex - b.caseIndex || a.repeat - b.repeat).splice(KEEP_FAILURES);
    const failedCases = [...shape.failedCases].sort((a, b) => a - b);
    shape.failedCases.clear();
    for (const i of failedCases) shape.failedCases.add(i);
  }
  return merged;
}
