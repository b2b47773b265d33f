import type { Generation } from '../../settings/types.js';
import type { Random } from '../../util/seed.js';
import { ANSWER_PREFIX } from './shapes/toron25hFamily.js';
import { ANSWER_LEAD_3, T1_MODELS_3 } from './shapes/toron3.js';

/**
 * The nondeterminism knob's damage: one meaningful change to an answer, chosen by the knob stream.
 * Every perturbation makes the answer differ from the unperturbed one (a replay test counting
 * differences then measures exactly the knob's rate):
 * - 2.5h / 2.5h-stability: a word of `final_answer` changes ("a clear, empathetic" -> "a concise, ..."
 *   or similar), or `models_used` is rotated.
 * - toron-3: the answer's lead changes ("Consensus answer:" -> "Consensus reply:" or similar), or the
 *   representative model changes (query form) / `contributing_models` is rotated (full form).
 */

const PREFIX_WORD = 'a clear, empathetic';
const PREFIX_SWAPS = ['a concise, empathetic', 'a careful, empathetic', 'a clear, measured'];
const LEAD_SWAPS = ['Consensus reply: ', 'Agreed answer: ', 'Consensus view: '];

function rotate(list: unknown[], rnd: Random): unknown[] {
  const k = rnd.int(1, list.length - 1);
  return [...list.slice(k), ...list.slice(0, k)];
}

function perturb25h(body: Record<string, unknown>, rnd: Random): void {
  const models = body.models_used;
  if (rnd.next() < 0.5 && Array.isArray(models) && models.length > 1) {
    body.models_used = rotate(models, rnd);
    return;
  }
  const answer = String(body.final_answer ?? '');
  const swap = PREFIX_SWAPS[rnd.int(0, PREFIX_SWAPS.length - 1)];
  body.final_answer = answer.startsWith(ANSWER_PREFIX)
    ? answer.replace(PREFIX_WORD, swap)
    : `${answer} (${swap})`;
}

function perturb3(body: Record<string, unknown>, rnd: Random): void {
  const consensus = body.consensus as Record<string, unknown> | undefined;
  if (!consensus) return;
  const textKey = 'output' in consensus ? 'output' : 'representative_output';
  if (rnd.next() < 0.5) {
    if (textKey === 'output') {
      const current = consensus.model;
      const others = T1_MODELS_3.filter((m) => m !== current);
      consensus.model = others[rnd.int(0, others.length - 1)];
      return;
    }
    const contributing = consensus.contributing_models;
    if (Array.isArray(contributing) && contributing.length > 1) {
      consensus.contributing_models = rotate(contributing, rnd);
      return;
    }
  }
  const text = String(consensus[textKey] ?? '');
  const swap = LEAD_SWAPS[rnd.int(0, LEAD_SWAPS.length - 1)];
  consensus[textKey] = text.startsWith(ANSWER_LEAD_3) ? swap + text.slice(ANSWER_LEAD_3.length) : `${swap}${text}`;
}

export function perturbAnswer(generation: Generation, body: Record<string, unknown>, rnd: Random): void {
  if (generation === '3') perturb3(body, rnd);
  else perturb25h(body, rnd);
}
