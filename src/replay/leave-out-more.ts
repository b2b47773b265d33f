import { ignoreBelow, originalIndex, stepIgnore, type IgnoreTree } from './ignore-paths.js';

/**
 * A stored answer (its `applied` ignorePaths left out already) with the `target` paths left out too.
 * Both sets of paths name members of the answer as the engine sent it, so an array's items are matched
 * by their index as sent: with `/items/0` left out, item 0 of the stored list is item 1 as sent, and
 * `/items/1` (added by a config that grew, or by the other side of a comparison) must drop it, not the
 * item after it. Paths already applied may be in `target` again: the items they named are gone, and
 * no stored item has their index as sent. The result is the stored answer's form under `target`, the
 * one the answer as sent would have.
 */
export function leaveOutMore(stored: unknown, applied: IgnoreTree, target: IgnoreTree): unknown {
  if (!target || typeof stored !== 'object' || stored === null) return stored;
  if (Array.isArray(stored)) {
    const out: unknown[] = [];
    for (let i = 0; i < stored.length; i++) {
      const sent = String(originalIndex(applied, i));
      const step = stepIgnore(target, sent);
      if (step.drop) continue;
      out.push(leaveOutMore(stored[i], ignoreBelow(applied, sent), step.next));
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(stored)) {
    const step = stepIgnore(target, k);
    if (step.drop) continue;
    // defineProperty: a member named __proto__ stays a member.
    Object.defineProperty(out, k, { value: leaveOutMore(v, ignoreBelow(applied, k), step.next), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
