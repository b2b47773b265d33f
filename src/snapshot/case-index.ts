/**
 * Per-case bookkeeping of the snapshot writers, keyed by case index (dense: 0 .. suite size). Typed
 * arrays instead of a Set or Map of 100k numbers: those grow by rehashing into new tables, all of which
 * end up in the old generation, and a Map of {offset, length} objects keeps 100k objects alive.
 */

function grown<T extends Float64Array | Uint8Array>(a: T, index: number, make: (n: number) => T): T {
  if (index < a.length) return a;
  let n = a.length;
  while (n <= index) n *= 2;
  const b = make(n);
  b.set(a);
  return b;
}

/** The case indexes seen so far. */
export class CaseIndexSet {
  private seen = new Uint8Array(1024);
  size = 0;

  has(index: number): boolean {
    return index < this.seen.length && this.seen[index] === 1;
  }

  add(index: number): void {
    this.seen = grown(this.seen, index, (n) => new Uint8Array(n));
    if (this.seen[index] === 0) {
      this.seen[index] = 1;
      this.size++;
    }
  }
}

/** Where each case's line lies in the spool (a line is never empty, so length 0 means absent). */
export class SpoolIndex {
  private offsets = new Float64Array(1024);
  private lengths = new Float64Array(1024);
  size = 0;

  has(index: number): boolean {
    return index < this.lengths.length && this.lengths[index] > 0;
  }

  set(index: number, offset: number, length: number): void {
    this.offsets = grown(this.offsets, index, (n) => new Float64Array(n));
    this.lengths = grown(this.lengths, index, (n) => new Float64Array(n));
    if (!(this.lengths[index] > 0)) this.size++;
    this.offsets[index] = offset;
    this.lengths[index] = length;
  }

  /** Every recorded line in case order. */
  *inCaseOrder(): Generator<{ offset: number; length: number }> {
    for (let i = 0; i < this.lengths.length; i++) {
      if (this.lengths[i] > 0) yield { offset: this.offsets[i], length: this.lengths[i] };
    }
  }
}
