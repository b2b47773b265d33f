import type { AnswerView, Profile } from '../../engine/profiles/index.js';
import { describe, shownPath } from '../../engine/profiles/read.js';
import type { AnswerCheckName, AnswerCheckResult, Thresholds } from './types.js';

/**
 * The per-answer checks: pure functions of one answer's view. Each says ok, fail (with why) or na
 * (the generation does not expose what it checks). An answer that cannot be read as its profile at all
 * fails `answer-shape` only: every other check would just repeat that.
 */

type Result = AnswerCheckResult;
const ok = (name: AnswerCheckName): Result => ({ name, status: 'ok' });
const na = (name: AnswerCheckName): Result => ({ name, status: 'na' });
const fail = (name: AnswerCheckName, message: string): Result => ({ name, status: 'fail', message });

function text(v: unknown): boolean {
  return typeof v === 'string' && v.trim() !== '';
}

export function checkT1(v: AnswerView, p: Profile, minModels: number): Result {
  const name = 't1-present';
  if (p.exposes.t1 === false) return na(name);
  const t1 = v.t1;
  if (!t1) return fail(name, `tier 1 is missing (${p.where.t1} absent)`);
  if (t1.malformed) return fail(name, `tier 1 is malformed: ${t1.malformed}`);
  if (t1.outputs) {
    const bad: string[] = [];
    const models = new Set<string>();
    t1.outputs.forEach((o, i) => {
      const missing = [text(o.model) ? null : 'model', text(o.output) ? null : 'output'].filter(Boolean);
      if (missing.length) bad.push(`${t1.pointer}/${i} has no ${missing.join(' and no ')}`);
      else models.add(o.model as string);
    });
    if (bad.length) return fail(name, `tier 1 is malformed: ${bad.slice(0, 3).join('; ')}${bad.length > 3 ? `; +${bad.length - 3} more` : ''}`);
    if (models.size < minModels) return fail(name, `tier 1 has outputs from ${models.size} model(s), fewer than ${minModels}`);
    return ok(name);
  }
  if (t1.responders === null) return fail(name, `tier 1 reports no responder count (${t1.pointer})`);
  if (t1.responders < minModels) return fail(name, `tier 1 has ${t1.responders} responder(s), fewer than ${minModels}`);
  const r = t1.representative;
  if (r && (!text(r.model) || !text(r.output))) return fail(name, `the consensus names no ${!text(r.model) ? 'model' : 'output'}`);
  return ok(name);
}

export function checkT2(v: AnswerView, p: Profile): Result {
  const name = 't2-audit';
  if (!p.exposes.t2Audit) return na(name);
  // Without a tier path the audit is expected whenever the profile has one.
  const ran = v.tierPath ? v.tierPath.includes('T2') : true;
  if (!ran) return ok(name);
  if (!v.t2) return fail(name, `the tier path says T2 ran, but its audit is missing or empty (${p.where.t2})`);
  if (v.t2.malformed) return fail(name, `the T2 audit is malformed: ${v.t2.malformed}`);
  if (v.t2.modelsProblem) return fail(name, v.t2.modelsProblem);
  return ok(name);
}

export function checkT3(v: AnswerView, p: Profile): Result {
  const name = 't3-evidence';
  if (!p.exposes.t3Evidence) return na(name);
  const t3 = v.t3;
  if (!t3) return fail(name, `the evidence tier is missing (${p.where.t3} absent)`);
  if (t3.malformed) return fail(name, `the evidence tier is malformed: ${t3.malformed}`);
  if (t3.items + t3.sources > 0 || (t3.summary !== undefined && text(t3.summary))) return ok(name);
  return fail(name, `the evidence tier holds no items and no sources (${t3.pointer})`);
}

export function checkTierConsistency(v: AnswerView, p: Profile): Result {
  const name = 'tier-consistency';
  // Without an Opus flag to compare with (custom), a mapped tier path is still judged for its structure.
  if (!p.exposes.tierConsistency) return v.tierPathProblem ? fail(name, v.tierPathProblem) : na(name);
  const opus = v.opusEscalated;
  if (opus === null) return fail(name, `the answer does not say whether Opus ran (${p.where.opusEscalated} is not a known value)`);
  const why: string[] = v.tierPathProblem ? [v.tierPathProblem] : [];
  const used = v.escalationSaid ? `the answer was arbitrated (${v.escalationSaid})` : 'Opus was used';
  const notUsed = v.escalationSaid ? `the answer was not arbitrated (${v.escalationSaid})` : 'Opus was not used';
  if (v.judicial !== null && v.judicial !== opus) {
    why.push(opus ? `${used} but there is no judicial (tier-4) result (${p.where.judicial} empty)` : `a judicial (tier-4) result is present (${p.where.judicial}) but ${notUsed}`);
  }
  if (v.tierPathHasT4 !== null && v.tierPathHasT4 !== opus) {
    if (v.t4Pointer) why.push(opus ? `${used} but ${v.t4Pointer} is false` : `${v.t4Pointer} is true but ${notUsed}`);
    else why.push(opus ? `${used} but the tier path has no T4 (${shownPath(v.tierPath ?? [])})` : `the tier path has T4 (${shownPath(v.tierPath ?? [])}) but ${notUsed}`);
  }
  if (v.agreementProblem) why.push(v.agreementProblem);
  const a = v.agreement;
  if (a && a.share < a.arbitrateBelow && !opus) {
    why.push(`agreement ${a.text} (${a.pointer}) is below ${a.arbitrateBelow}, but the answer names no arbitration (no tier-4 result: not run, or its arbiter failed)`);
  }
  return why.length ? fail(name, why.join('; ')) : ok(name);
}

function scaleText(scale: 1 | 100): string {
  return scale === 100 ? '0-100' : '0..1';
}

/** confidence-range, then confidence-floor (only judged when the value is a number on its scale). */
export function checkConfidence(v: AnswerView, p: Profile, minConfidence: number): Result[] {
  if (!p.exposes.confidence) return [na('confidence-range'), na('confidence-floor')];
  if (v.confidenceRaw === undefined) return [fail('confidence-range', `the confidence is missing (${v.confidencePointer} absent)`)];
  // describe(): bounded, and safe on a value nested too deeply for JSON.stringify.
  if (v.confidence === null) return [fail('confidence-range', `the confidence ${v.confidencePointer} is ${describe(v.confidenceRaw)}, not a number`)];
  const c = v.confidence;
  const outside = (x: number) => x < 0 || x > 1;
  if (outside(c)) {
    return [
      fail(
        'confidence-range',
        `confidence ${String(v.confidenceRaw)} on the declared ${scaleText(v.confidenceScale)} scale is ${shown(c, outside)} after normalisation, outside [0, 1]`,
      ),
    ];
  }
  const below = (x: number) => x < minConfidence;
  const floor = below(c) ? fail('confidence-floor', `confidence ${shown(c, below)} (${String(v.confidenceRaw)} on ${scaleText(v.confidenceScale)}) is below the floor ${minConfidence}`) : ok('confidence-floor');
  return [ok('confidence-range'), floor];
}

export function checkContradictions(v: AnswerView, p: Profile, max: number, declared: boolean): Result {
  const name = 'contradiction-density';
  if (!p.exposes.contradictions) return na(name);
  if (v.contradictionsProblem) return fail(name, v.contradictionsProblem);
  if (v.contradictions === null) return na(name);
  if (v.contradictions < max || declared) return ok(name);
  return fail(name, `${v.contradictions} contradictions in one answer (limit: fewer than ${max}; the case's dataset does not declare them)`);
}

/**
 * The escalation the case's `expected` block names (`opus_used` or `opusEscalated`, true or false) against
 * the answer's own flag. Not applicable when the case names none or the generation has no flag to read.
 * Both ways matter: a trigger that stopped firing, and a non-trigger that started to.
 */
export function checkExpectedEscalation(v: AnswerView, p: Profile, expected: boolean | null): Result {
  const name = 'expected-escalation';
  if (expected === null || !p.exposes.opusEscalated) return na(name);
  const said = `its dataset expects ${expected ? 'an Opus escalation' : 'no Opus escalation'}`;
  if (v.opusEscalated === null) return fail(name, `${said}, but the answer does not say whether Opus ran (${p.where.opusEscalated} is not a known value)`);
  if (v.opusEscalated === expected) return ok(name);
  return fail(name, expected ? `${said}, but the answer did not escalate (${p.where.opusEscalated} is false)` : `${said}, but the answer escalated (${p.where.opusEscalated} is true)`);
}

/** Every per-answer check, in report order. */
export function checkAnswer(
  v: AnswerView,
  p: Profile,
  t: Thresholds,
  declared: { contradictions: boolean },
  expectedEscalation: boolean | null,
): Result[] {
  if (v.shapeProblems.length > 0) {
    return [fail('answer-shape', `not a ${v.profile} answer: ${v.shapeProblems.join('; ')}`)];
  }
  return [
    ok('answer-shape'),
    checkT1(v, p, t.minT1Models),
    checkT2(v, p),
    checkT3(v, p),
    checkTierConsistency(v, p),
    ...checkConfidence(v, p, t.minConfidence),
    checkContradictions(v, p, t.maxContradictions, declared.contradictions),
    checkExpectedEscalation(v, p, expectedEscalation),
  ];
}

/**
 * A value for a message about a bound it crosses: short (4 significant digits where they do), but
 * never rounded onto or across the bound (-0.000001 is not "0", 0.599996 under a floor of 0.6 is not
 * "0.6"), and never overflowed (1e306 is not "Infinity").
 */
function shown(x: number, stillFails: (y: number) => boolean): string {
  for (let digits = 4; digits <= 17; digits++) {
    const y = Number(x.toPrecision(digits));
    if (stillFails(y)) return String(y);
  }
  return String(x);
}
