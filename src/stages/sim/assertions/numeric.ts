import type { Family } from './spec.js';
import { short } from './values.js';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export const latency: Family = {
  fields: ['threshold'],
  usesPath: false,
  prepare(a, reject) {
    // promptfoo allows no threshold only to record a metric; a gate needs the bound.
    if (!isNum(a.threshold) || a.threshold < 0) return reject('threshold', '"latency" needs "threshold" (ms, >= 0)');
    const max = a.threshold;
    return {
      target: 'none',
      phrase: `to be <= ${max} ms`,
      test: (_t, latencyMs) => ({ holds: latencyMs <= max, note: `${Math.round(latencyMs * 10) / 10} ms` }),
    };
  },
};

/** `range`: `min` and/or `max`, or `value: [min, max]`; bounds are inclusive. */
export const range: Family = {
  fields: ['value', 'min', 'max'],
  usesPath: true,
  prepare(a, reject) {
    let min = a.min;
    let max = a.max;
    if (a.value !== undefined) {
      if (min !== undefined || max !== undefined) return reject('value', '"range" takes either "value": [min, max] or "min"/"max", not both');
      if (!Array.isArray(a.value) || a.value.length !== 2) return reject('value', '"range" value must be [min, max]');
      const [lo, hi] = a.value as unknown[];
      if ((lo !== null && !isNum(lo)) || (hi !== null && !isNum(hi))) {
        return reject('value', `"range" bounds must be numbers (null for no bound), got ${short(a.value)}`);
      }
      min = lo ?? undefined;
      max = hi ?? undefined;
    }
    if (min !== undefined && !isNum(min)) return reject('min', '"range" min must be a number');
    if (max !== undefined && !isNum(max)) return reject('max', '"range" max must be a number');
    if (min === undefined && max === undefined) return reject('value', '"range" needs "min", "max" or "value": [min, max]');
    if (min !== undefined && max !== undefined && min > max) return reject('min', `"range" min ${min} is above max ${max}`);
    const lo = min;
    const hi = max;
    const phrase =
      lo !== undefined && hi !== undefined ? `to be within [${lo}, ${hi}]` : lo !== undefined ? `to be >= ${lo}` : `to be <= ${hi}`;
    return {
      target: 'value',
      phrase,
      test(t) {
        if (!isNum(t)) return { holds: false, invalid: true, note: 'not a number' };
        return { holds: (lo === undefined || t >= lo) && (hi === undefined || t <= hi) };
      },
    };
  },
};
