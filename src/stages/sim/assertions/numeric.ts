import type { Family } from './spec.js';
import { short } from './values.js';
import { compareDecimal, decimalOf, isRawNumber, type Decimal } from '../../../util/decimal.js';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** A bound or a value of `range`: a finite double, or a number a double cannot hold, kept as written. */
type Num = number | { readonly rawJSON: string };
const isNumLike = (v: unknown): v is Num => isNum(v) || (isRawNumber(v) && decimalOf(v) !== null);
const show = (v: Num): string => (typeof v === 'number' ? String(v) : v.rawJSON);

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
  exactNumbers: true,
  prepare(a, reject) {
    let min: unknown = a.min;
    let max: unknown = a.max;
    if (a.value !== undefined) {
      if (min !== undefined || max !== undefined) return reject('value', '"range" takes either "value": [min, max] or "min"/"max", not both');
      if (!Array.isArray(a.value) || a.value.length !== 2) return reject('value', '"range" value must be [min, max]');
      const [lo, hi] = a.value as unknown[];
      if ((lo !== null && !isNumLike(lo)) || (hi !== null && !isNumLike(hi))) {
        return reject('value', `"range" bounds must be numbers (null for no bound), got ${short(a.value)}`);
      }
      min = lo ?? undefined;
      max = hi ?? undefined;
    }
    if (min !== undefined && !isNumLike(min)) return reject('min', '"range" min must be a number');
    if (max !== undefined && !isNumLike(max)) return reject('max', '"range" max must be a number');
    if (min === undefined && max === undefined) return reject('value', '"range" needs "min", "max" or "value": [min, max]');
    const loD = min === undefined ? null : decimalOf(min);
    const hiD = max === undefined ? null : decimalOf(max);
    if (loD && hiD && compareDecimal(loD, hiD) > 0) return reject('min', `"range" min ${show(min as Num)} is above max ${show(max as Num)}`);
    const lo = min as Num | undefined;
    const hi = max as Num | undefined;
    // Doubles compare as doubles; a number kept as written (on either side) is compared on its digits.
    const plain = (lo === undefined || typeof lo === 'number') && (hi === undefined || typeof hi === 'number');
    const phrase =
      lo !== undefined && hi !== undefined ? `to be within [${show(lo)}, ${show(hi)}]` : lo !== undefined ? `to be >= ${show(lo)}` : `to be <= ${show(hi!)}`;
    return {
      target: 'value',
      exactNumbers: true,
      phrase,
      test(t) {
        if (plain && isNum(t)) return { holds: (lo === undefined || t >= (lo as number)) && (hi === undefined || t <= (hi as number)) };
        const d: Decimal | null = isNumLike(t) ? decimalOf(t) : null;
        if (!d) return { holds: false, invalid: true, note: 'not a number' };
        return { holds: (loD === null || compareDecimal(d, loD) >= 0) && (hiD === null || compareDecimal(d, hiD) <= 0) };
      },
    };
  },
};
