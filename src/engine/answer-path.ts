import type { ProfileName } from '../settings/types.js';

/**
 * The JSON Pointer of the answer text for each Toron profile (DESIGN §3.5). Assertions without a
 * `path` test this field. Profiles in full (tiers, confidence, ...) belong to the pipeline checker;
 * this is only the part the SIM suite needs.
 */
interface Candidate {
  pointer: string;
  segments: string[];
}

const candidate = (pointer: string): Candidate => ({ pointer, segments: pointer.slice(1).split('/') });

const BY_PROFILE: Record<Exclude<ProfileName, 'auto' | 'custom'>, Candidate[]> = {
  'toron-2.5h': [candidate('/final_answer')],
  'toron-2.5h-stability': [candidate('/final_answer')],
  // toron-3 answers in two forms: the /query form and the full result.
  'toron-3': [candidate('/consensus/output'), candidate('/consensus/representative_output')],
};
const ANY_SHAPE: Candidate[] = [...BY_PROFILE['toron-2.5h'], ...BY_PROFILE['toron-3']];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The answer pointer for one response. With a fixed profile the profile decides; with `auto` the shape
 * does. An unknown shape answers '' (the whole body), so string assertions still see everything.
 */
export function answerPointer(body: unknown, profile: ProfileName): string {
  const auto = profile === 'auto' || profile === 'custom';
  const candidates = auto ? ANY_SHAPE : BY_PROFILE[profile];
  if (isRecord(body)) {
    for (const c of candidates) {
      let cur: unknown = body;
      for (const s of c.segments) cur = isRecord(cur) ? cur[s] : undefined;
      if (cur !== undefined) return c.pointer;
    }
  }
  return auto ? '' : candidates[0].pointer;
}
