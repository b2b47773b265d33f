import type { CustomProfilePointers, ProfileName } from '../settings/types.js';
import { profileFor } from './profiles/index.js';
import { segmentsOf } from '../util/json-pointer.js';

/**
 * The JSON Pointer of the answer text (DESIGN §3.5): assertions without a `path` test this field.
 * The profile decides (engine/profiles/); with `auto` the answer's shape picks the profile.
 */

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Answers that no profile recognises (a bare `{final_answer}` from a toy engine, a half-written
 * toron-3 body) still get their obvious answer field, so string assertions keep testing the text.
 */
const LENIENT = ['/final_answer', '/consensus/output', '/consensus/representative_output'];

function lenientPointer(body: unknown): string {
  if (!isRecord(body)) return '';
  for (const p of LENIENT) {
    let cur: unknown = body;
    for (const s of segmentsOf(p)!) cur = isRecord(cur) ? cur[s] : undefined;
    if (cur !== undefined) return p;
  }
  return '';
}

/**
 * The answer pointer for one response. With a fixed profile the profile decides; with `auto` the shape
 * does; `custom` uses its configured pointer (or, without one, behaves as `auto`). An unknown shape
 * answers '' (the whole body), so string assertions still see everything.
 */
export function answerPointer(body: unknown, profile: ProfileName, custom: CustomProfilePointers | null = null): string {
  if (profile === 'custom' && custom) return custom.answer;
  const p = profileFor(profile === 'custom' ? 'auto' : profile, body);
  if (profile === 'auto' || profile === 'custom') return p ? p.answerPointer(body) : lenientPointer(body);
  return p!.answerPointer(body);
}
