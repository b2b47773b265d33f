import { PROFILES, detectProfile, profileFor, type AnswerView, type ConcreteProfileName, type Profile } from '../../engine/profiles/index.js';
import type { AnswerObservation, AnswerObserver } from '../../runner/answers.js';
import type { CustomProfilePointers, ProfileName } from '../../settings/types.js';
import type { SimCase } from '../sim/types.js';
import { checkAnswer } from './answer-checks.js';
import { casePins, declaredFor, expectedEscalation, type Declared, type Pin } from './declared.js';
import type { PipelineData } from './data.js';
import type { ContradictionTally, EscalationTally } from './run-checks.js';
import { ANSWER_CHECKS, type AnswerCheckName, type AnswerCheckResult, type Thresholds } from './types.js';

/**
 * Watches every SIM answer as it arrives (an AnswerObserver), maps it through its profile, runs the
 * per-answer checks at once and keeps only tallies and a bounded list of failures: never the bodies,
 * so a 100k-answer run costs a few numbers per answer.
 */

/** Failures kept per check (for findings and the summary); the counts stay exact beyond it. */
const KEEP_FAILURES = 50;

export interface AnswerFailure {
  caseIndex: number;
  repeat: number;
  message: string;
}

export interface CheckTally {
  /** Answers the check judged (ok or failed). */
  checked: number;
  failed: number;
  /** Answers whose profile does not expose what the check needs. */
  na: number;
  /** Distinct failing cases, in first-seen order. */
  failedCases: Set<number>;
  failures: AnswerFailure[];
}

export interface CollectorOptions {
  /** The profile to read answers with (`auto`: the first answer's shape picks it). */
  profile: ProfileName;
  custom: CustomProfilePointers | null;
  thresholds: Thresholds;
}

export class PipelineCollector implements AnswerObserver {
  readonly name = 'pipeline';
  readonly options: CollectorOptions;

  observed = 0;
  engineErrors = 0;
  /** Answers run through the per-answer checks. */
  checked = 0;
  /** auto: the profile the first recognised answer picked, and where. */
  picked: ConcreteProfileName | null = null;
  pickedBy: number | null = null;
  /**
   * auto: answers of no known shape that nothing could check: before a known one, past the ones kept
   * waiting (MAX_PENDING), or in a run that never saw a known shape.
   */
  unrecognisedUnchecked = 0;
  /**
   * auto: answers of no known shape that came before any known one, waiting for the pick. Each is
   * checked as the picked generation when it comes (answer-shape fails, as for a later one), so the
   * verdict does not depend on which answer happened to arrive first. Only what each built-in profile
   * says is wrong with it is kept, never the body.
   */
  readonly pending: PendingAnswer[] = [];
  /** auto: later answers of no known shape (checked with the picked profile). */
  unrecognisedAfterPick = 0;
  /**
   * Answers of another known shape than the picked (auto) or configured one, by shape; and the first.
   */
  switches: Partial<Record<ConcreteProfileName, number>> = {};
  firstSwitch: { caseIndex: number; to: ConcreteProfileName } | null = null;
  forms: Record<string, number> = {};

  readonly tallies = new Map<AnswerCheckName, CheckTally>(
    ANSWER_CHECKS.map((n) => [n, { checked: 0, failed: 0, na: 0, failedCases: new Set<number>(), failures: [] }]),
  );
  readonly escalations: EscalationTally = { answers: 0, escalated: 0, declared: 0, undeclaredCases: [], declaredCases: 0 };
  /** Case indices of `escalations.undeclaredCases`, same order. */
  readonly undeclaredEscalationCases: number[] = [];
  private readonly undeclaredSeen = new Set<number>();
  private readonly declaredSeen = new Set<number>();
  readonly contradictions: ContradictionTally = { measured: 0, total: 0, max: 0, declaredOver: 0, undeclaredOver: 0, unreadable: 0 };
  readonly confidence = { n: 0, sum: 0, min: Infinity, max: -Infinity };
  /** Client-side latencies of the answers that came back, and each one's case. */
  readonly latencies: number[] = [];
  readonly latencyCase: number[] = [];
  /**
   * Attempts that timed out, at the latency they gave up after, and each one's case: the slowest
   * requests of all, so the latency-p95 gate counts them (a p95 of the survivors alone flatters).
   */
  readonly timeoutLatencies: number[] = [];
  readonly timeoutCase: number[] = [];
  readonly engineLatencies: number[] = [];
  /** Every case seen (SIM holds these objects anyway), for labels and dataset locations. */
  readonly cases = new Map<number, SimCase>();
  private readonly pins = new Map<number, Pin[]>();

  constructor(options: CollectorOptions) {
    this.options = options;
  }

  observe(o: AnswerObservation): void {
    this.observed++;
    this.cases.set(o.caseIndex, o.case);
    if (!o.result.ok) {
      this.engineErrors++;
      if (o.result.error.kind === 'timeout' && Number.isFinite(o.result.latencyMs)) {
        this.timeoutLatencies.push(o.result.latencyMs);
        this.timeoutCase.push(o.caseIndex);
      }
      return;
    }
    this.latencies.push(o.result.latencyMs);
    this.latencyCase.push(o.caseIndex);
    const body = o.result.body;
    const profile = this.profileOf(body, o.caseIndex, o.repeat);
    if (!profile) return;
    this.check(profile, body, o);
  }

  /** Which profile reads this answer; null when none can (auto, before any known shape). */
  private profileOf(body: unknown, caseIndex: number, repeat: number): Profile | null {
    const { profile, custom } = this.options;
    if (profile !== 'auto') {
      // A configured generation reads every answer, but one that looks like another generation is
      // said (profile-shape): read with 2.5h's profile, a stability answer loses its T4 and count checks.
      if (profile !== 'custom') {
        const detected = detectProfile(body);
        if (detected !== null && detected !== profile) {
          this.switches[detected] = (this.switches[detected] ?? 0) + 1;
          this.firstSwitch ??= { caseIndex, to: detected };
        }
      }
      return profileFor(profile, body, custom);
    }
    const detected = detectProfile(body);
    if (this.picked === null) {
      if (!detected) {
        this.unrecognisedUnchecked++;
        if (this.pending.length < MAX_PENDING) this.pending.push(pendingOf(body, caseIndex, repeat));
        return null;
      }
      this.picked = detected;
      this.pickedBy = caseIndex;
      checkPending(this, detected);
      return PROFILES[detected];
    }
    if (detected === null) {
      // Checked as the picked generation: its answer-shape check says what is missing.
      this.unrecognisedAfterPick++;
      return PROFILES[this.picked as Exclude<ConcreteProfileName, 'custom'>];
    }
    if (detected !== this.picked) {
      this.switches[detected] = (this.switches[detected] ?? 0) + 1;
      this.firstSwitch ??= { caseIndex, to: detected };
    }
    return PROFILES[detected];
  }

  private check(profile: Profile, body: unknown, o: AnswerObservation): void {
    const { thresholds } = this.options;
    let pins = this.pins.get(o.caseIndex);
    if (!pins) this.pins.set(o.caseIndex, (pins = casePins(o.case)));
    // Everything that reads the answer runs before any tally moves: an answer that cannot be read at
    // all fails answer-shape, never leaves the tallies half-updated (SIM only logs an observer's throw).
    let view: AnswerView;
    let declared: Declared;
    let results: AnswerCheckResult[];
    try {
      view = profile.view(body);
      declared = declaredFor(o.case, pins, profile, body, view);
      results = checkAnswer(view, profile, thresholds, declared, expectedEscalation(o.case));
    } catch (err) {
      this.checked++;
      const t = this.tallies.get('answer-shape')!;
      t.checked++;
      t.failed++;
      t.failedCases.add(o.caseIndex);
      const message = `the answer could not be read as ${profile.name}: ${String((err as Error)?.message ?? err).slice(0, 200)}`;
      if (t.failures.length < KEEP_FAILURES) t.failures.push({ caseIndex: o.caseIndex, repeat: o.repeat, message });
      return;
    }
    this.checked++;
    if (view.form) this.forms[view.form] = (this.forms[view.form] ?? 0) + 1;

    for (const r of results) {
      const t = this.tallies.get(r.name)!;
      if (r.status === 'na') {
        t.na++;
        continue;
      }
      t.checked++;
      if (r.status === 'fail') {
        t.failed++;
        t.failedCases.add(o.caseIndex);
        if (t.failures.length < KEEP_FAILURES) t.failures.push({ caseIndex: o.caseIndex, repeat: o.repeat, message: r.message });
      }
    }
    if (view.shapeProblems.length > 0) return;

    if (view.opusEscalated !== null) {
      const e = this.escalations;
      e.answers++;
      if (view.opusEscalated) {
        e.escalated++;
        if (declared.escalation) {
          e.declared++;
          if (!this.declaredSeen.has(o.caseIndex)) {
            this.declaredSeen.add(o.caseIndex);
            e.declaredCases++;
          }
        } else if (!this.undeclaredSeen.has(o.caseIndex)) {
          this.undeclaredSeen.add(o.caseIndex);
          this.undeclaredEscalationCases.push(o.caseIndex);
          e.undeclaredCases.push(labelOf(o.case));
        }
      }
    }
    if (profile.exposes.contradictions && view.contradictionsProblem) this.contradictions.unreadable++;
    else if (profile.exposes.contradictions && view.contradictions !== null) {
      const c = this.contradictions;
      c.measured++;
      c.total += view.contradictions;
      c.max = Math.max(c.max, view.contradictions);
      if (view.contradictions >= thresholds.maxContradictions) {
        if (declared.contradictions) c.declaredOver++;
        else c.undeclaredOver++;
      }
    }
    // The summary is of confidences on their scale: one off it fails confidence-range, and a 1e306
    // would make the mean meaningless (and max/mean Infinity, null in JSON).
    if (view.confidence !== null && view.confidence >= 0 && view.confidence <= 1) {
      const k = this.confidence;
      k.n++;
      k.sum += view.confidence;
      k.min = Math.min(k.min, view.confidence);
      k.max = Math.max(k.max, view.confidence);
    }
    if (view.engineLatencyMs !== null) this.engineLatencies.push(view.engineLatencyMs);
  }

}

/** Answers of no known shape kept waiting for the pick at most (a few short strings each). */
const MAX_PENDING = 10_000;

/** An answer of no known shape that came before any known one (auto). */
export interface PendingAnswer {
  caseIndex: number;
  repeat: number;
  /** What each built-in profile finds wrong with it (an answer no profile detects is unreadable by all). */
  problems: Record<BuiltinProfile, string[]>;
}

type BuiltinProfile = Exclude<ConcreteProfileName, 'custom'>;

function pendingOf(body: unknown, caseIndex: number, repeat: number): PendingAnswer {
  const problems = {} as Record<BuiltinProfile, string[]>;
  for (const name of Object.keys(PROFILES) as BuiltinProfile[]) {
    try {
      problems[name] = PROFILES[name].view(body).shapeProblems;
    } catch (err) {
      problems[name] = [`it could not be read: ${String((err as Error)?.message ?? err).slice(0, 200)}`];
    }
  }
  return { caseIndex, repeat, problems };
}

/**
 * The waiting answers, checked as `picked`: each fails answer-shape (only), as an answer of no known
 * shape after the pick does. Shared with merge, which does the same for a shard that never picked.
 */
export function checkPending(d: Pick<PipelineData, 'pending' | 'tallies'> & { checked: number; unrecognisedUnchecked: number; unrecognisedAfterPick: number }, picked: ConcreteProfileName): void {
  const t = d.tallies.get('answer-shape')!;
  for (const a of d.pending) {
    const problems = a.problems[picked as BuiltinProfile] ?? [];
    const message = `not a ${picked} answer: ${problems.length ? problems.join('; ') : 'it has no known Toron shape'}`;
    d.checked++;
    d.unrecognisedUnchecked--;
    d.unrecognisedAfterPick++;
    t.checked++;
    t.failed++;
    t.failedCases.add(a.caseIndex);
    if (t.failures.length < KEEP_FAILURES) t.failures.push({ caseIndex: a.caseIndex, repeat: a.repeat, message });
  }
  d.pending.length = 0;
}

export function labelOf(c: Pick<SimCase, 'dataset' | 'id'>): string {
  return `${c.dataset}/${c.id}`;
}
