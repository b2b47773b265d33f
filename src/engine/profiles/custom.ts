import type { AnswerView, CustomPointers, Profile, T1View, T2View, T3View } from './types.js';
import { at, bool, countOf, countProblem, describe, finiteNumber, isRecord, nonEmpty, normalise, tierList, tierPathProblem } from './read.js';

/**
 * The `custom` profile: JSON Pointers from config (`pipeline.custom`) map any engine's answer onto the
 * view. What is not mapped is not checked (its check reports "not applicable"). The confidence scale is
 * declared next to the confidence pointer (settings refuse one without the other).
 */
export function customProfile(p: CustomPointers): Profile {
  const scale = p.confidenceScale ?? 1;
  const modelAt = p.t1Model ?? '/model';
  const outputAt = p.t1Output ?? '/output';
  // Pinning a mapped field in a dataset declares the behaviour it carries.

  function t1Of(body: unknown): T1View | null {
    if (p.t1 === undefined) return null;
    const raw = at(body, p.t1);
    if (raw === undefined || raw === null) return null;
    if (!Array.isArray(raw)) return { pointer: p.t1, outputs: [], responders: null, malformed: `${p.t1} is ${describe(raw)}, not a list` };
    return { pointer: p.t1, outputs: raw.map((e) => ({ model: at(e, modelAt), output: at(e, outputAt) })), responders: null };
  }

  function t2Of(body: unknown): T2View | null {
    if (p.t2 === undefined) return null;
    const raw = at(body, p.t2);
    if (!nonEmpty(raw)) return null;
    if (!isRecord(raw)) return { pointer: p.t2, models: [], malformed: `${p.t2} is ${describe(raw)}, not an object` };
    return { pointer: p.t2, models: Array.isArray(raw.models) ? raw.models : [] };
  }

  function t3Of(body: unknown): T3View | null {
    const items = p.t3Items === undefined ? undefined : at(body, p.t3Items);
    const sources = p.t3Sources === undefined ? undefined : at(body, p.t3Sources);
    if (items === undefined && sources === undefined) return null;
    return { pointer: p.t3Items ?? p.t3Sources ?? '', items: countOf(items), sources: countOf(sources) };
  }

  /** A list (its length) or a count; absent is not measured; anything else is a problem, never 0. */
  function contradictionsOf(body: unknown): { count: number | null; problem?: string } {
    if (p.contradictions === undefined) return { count: null };
    const raw = at(body, p.contradictions);
    if (Array.isArray(raw)) return { count: raw.length };
    if (raw === undefined || raw === null) return { count: null };
    const problem = countProblem(p.contradictions, raw);
    return problem === null ? { count: raw as number } : { count: null, problem };
  }

  function view(body: unknown): AnswerView {
    const shapeProblems: string[] = [];
    const answer = at(body, p.answer);
    if (answer === undefined) shapeProblems.push(`${p.answer || '(the whole answer)'} is absent`);
    const tierPath = p.tierPath === undefined ? null : tierList(at(body, p.tierPath));
    // A mapped path may be left out of an answer; one that is there is judged as Toron's are.
    const pathProblem = p.tierPath === undefined ? null : tierPathProblem(p.tierPath, at(body, p.tierPath), false);
    const confidenceRaw = p.confidence === undefined ? undefined : at(body, p.confidence);
    const contradictions = contradictionsOf(body);
    return {
      profile: 'custom',
      shapeProblems,
      answerPointer: p.answer,
      answer,
      confidence: normalise(confidenceRaw, scale),
      confidenceRaw,
      confidencePointer: p.confidence ?? '',
      confidenceScale: scale,
      t1: t1Of(body),
      t2: t2Of(body),
      t3: t3Of(body),
      tierPath,
      ...(pathProblem ? { tierPathProblem: pathProblem } : {}),
      opusEscalated: p.opusEscalated === undefined ? null : bool(at(body, p.opusEscalated)),
      judicial: p.judicial === undefined ? null : nonEmpty(at(body, p.judicial)),
      tierPathHasT4: tierPath ? tierPath.some((t) => t.toUpperCase() === 'T4') : null,
      contradictions: contradictions.count,
      ...(contradictions.problem ? { contradictionsProblem: contradictions.problem } : {}),
      engineLatencyMs: p.engineLatencyMs === undefined ? null : finiteNumber(at(body, p.engineLatencyMs)),
    };
  }

  return {
    name: 'custom',
    confidenceScale: scale,
    exposes: {
      t1: p.t1 !== undefined ? 'outputs' : false,
      t2Audit: p.t2 !== undefined,
      t3Evidence: p.t3Items !== undefined || p.t3Sources !== undefined,
      tierConsistency: p.opusEscalated !== undefined && (p.judicial !== undefined || p.tierPath !== undefined),
      opusEscalated: p.opusEscalated !== undefined,
      contradictions: p.contradictions !== undefined,
      confidence: p.confidence !== undefined,
    },
    // A custom engine's per-call members are the user's to name (replay.ignorePaths).
    volatilePaths: [],
    where: {
      t1: p.t1 ?? '(not mapped)',
      t2: p.t2 ?? '(not mapped)',
      t3: p.t3Items ?? p.t3Sources ?? '(not mapped)',
      tierPath: p.tierPath ?? '(not mapped)',
      opusEscalated: p.opusEscalated ?? '(not mapped)',
      judicial: p.judicial ?? '(not mapped)',
      contradictions: p.contradictions ?? '(not mapped)',
    },
    answerPointer: () => p.answer,
    view,
  };
}
