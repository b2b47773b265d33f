import type { CustomProfilePointers, ProfileName } from '../../settings/types.js';
import { customProfile } from './custom.js';
import { detectProfile } from './detect.js';
import { toron25hProfile, toron25hStabilityProfile } from './toron25h.js';
import { toron3Profile } from './toron3.js';
import type { ConcreteProfileName, Profile } from './types.js';

export type * from './types.js';
export { detectProfile } from './detect.js';
export { customProfile } from './custom.js';

/** The built-in profiles; `custom` is built from its pointers (customProfile). */
export const PROFILES: Record<Exclude<ConcreteProfileName, 'custom'>, Profile> = {
  'toron-2.5h': toron25hProfile,
  'toron-2.5h-stability': toron25hStabilityProfile,
  'toron-3': toron3Profile,
};

const customCache = new WeakMap<CustomProfilePointers, Profile>();

/**
 * The profile for a name. `auto` is resolved per answer by shape (null when the shape is not a known
 * generation); `custom` needs its pointers (null without them).
 */
export function profileFor(name: ProfileName, body: unknown, custom: CustomProfilePointers | null = null): Profile | null {
  if (name === 'custom') {
    if (!custom) return null;
    let p = customCache.get(custom);
    if (!p) customCache.set(custom, (p = customProfile(custom)));
    return p;
  }
  if (name === 'auto') {
    const detected = detectProfile(body);
    return detected ? PROFILES[detected] : null;
  }
  return PROFILES[name];
}

/**
 * The members a profile's engines change on every call, for this answer: `auto` detects the shape
 * (none for an unknown one), `custom` has none (the user's replay.ignorePaths say).
 */
export function volatilePathsFor(name: ProfileName, body: unknown): readonly string[] {
  if (name === 'custom') return NO_PATHS;
  const detected = name === 'auto' ? detectProfile(body) : name;
  return detected ? PROFILES[detected].volatilePaths : NO_PATHS;
}

const NO_PATHS: readonly string[] = [];
