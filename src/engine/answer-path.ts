import type { ProfileName } from '../settings/types.js';

/**
 * The JSON Pointer of the answer text for each Toron profile (DESIGN §3.5). Assertions without a
 * `path` test this field. Profiles in full (tiers, confidence, ...) belong to the pipeline checker;
 * this is only the part the SIM suite needs.
 */
const ANSWER_POINTERS: Record<Exclude<ProfileName, 'auto' | 'custom'>, string[]> = {
  'toron-2.5h': ['/final_answer'],
  'toron-2.5h-stability': ['/final_answer'],
  // toron-3 answers in two forms: the /query form and the full result.
  'toron-3': ['/consensus/output', '/consensus/representative_output'],
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The answer pointer for one response. With a fixed profile the profile decides; with `auto` the shape
 * does. An unknown shape answers '' (the whole body), so string assertions still see everything.
 */
export function answerPointer(body: unknown, profile: ProfileName): string {
  if (!isRecord(body)) return '';
  const candidates =
    profile === 'auto' || profile === 'custom'
      ? [...ANSWER_POINTERS['toron-2.5h'], ...ANSWER_POINTERS['toron-3']]
      : ANSWER_POINTERS[profile];
  for (const p of candidates) {
    const segs = p.slice(1).split('/');
    let cur: unknown = body;
    for (const s of segs) cur = isRecord(cur) ? cur[s] : undefined;
    if (cur !== undefined) return p;
  }
  return profile === 'auto' || profile === 'custom' ? '' : candidates[0];
}
