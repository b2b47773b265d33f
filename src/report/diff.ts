/**
 * Expected vs actual for a failing SIM case: a word-level diff (Myers) the template shows as two
 * lines, "- expected" and "+ actual", with the differing words marked. Bounded: long texts are cut
 * before diffing so that 100k failing cases cannot make the report slow.
 */
export type DiffOp = 'eq' | 'del' | 'ins';
export interface DiffPart {
  op: DiffOp;
  text: string;
}

export interface ExpectedActual {
  /** What the assertion wanted, as readable text. */
  expected: string;
  /** What the engine answered (the answer excerpt kept by SIM, or the value named in the message). */
  actual: string;
  /** The two lines: expected with its deleted words, actual with its inserted words. */
  expectedParts: DiffPart[];
  actualParts: DiffPart[];
  /** True when either side was cut to MAX_TEXT before diffing. */
  cut: boolean;
}

const MAX_TEXT = 2000;
const MAX_TOKENS = 600;

/** Words and the whitespace between them, so that joining the tokens gives the text back. */
export function tokenize(s: string): string[] {
  return s.match(/\s+|[^\s]+/g) ?? [];
}

/** Myers' O((N+M)D) diff of two token lists, as runs of equal / deleted / inserted tokens. */
export function diffTokens(a: string[], b: string[]): { op: DiffOp; tokens: string[] }[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      const i = k + max;
      let x = k === -d || (k !== d && v[i - 1] < v[i + 1]) ? v[i + 1] : v[i - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[i] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk back through the saved frontiers to recover the edit script.
  const ops: { op: DiffOp; token: string }[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d];
    const k = x - y;
    const i = k + max;
    const prevK = k === -d || (k !== d && vd[i - 1] < vd[i + 1]) ? k + 1 : k - 1;
    const prevX = vd[prevK + max];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ op: 'eq', token: a[x - 1] });
      x--;
      y--;
    }
    if (d === 0) break;
    if (x === prevX) ops.push({ op: 'ins', token: b[y - 1] });
    else ops.push({ op: 'del', token: a[x - 1] });
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    ops.push({ op: 'eq', token: a[x - 1] });
    x--;
    y--;
  }
  ops.reverse();
  const runs: { op: DiffOp; tokens: string[] }[] = [];
  for (const o of ops) {
    const last = runs[runs.length - 1];
    if (last && last.op === o.op) last.tokens.push(o.token);
    else runs.push({ op: o.op, tokens: [o.token] });
  }
  return runs;
}

function cut(s: string): { text: string; cut: boolean } {
  return s.length > MAX_TEXT ? { text: s.slice(0, MAX_TEXT), cut: true } : { text: s, cut: false };
}

export function expectedActual(expectedIn: string, actualIn: string): ExpectedActual {
  const e = cut(expectedIn);
  const a = cut(actualIn);
  let ta = tokenize(e.text);
  let tb = tokenize(a.text);
  let wasCut = e.cut || a.cut;
  if (ta.length > MAX_TOKENS || tb.length > MAX_TOKENS) {
    ta = ta.slice(0, MAX_TOKENS);
    tb = tb.slice(0, MAX_TOKENS);
    wasCut = true;
  }
  const expected = ta.join('');
  const actual = tb.join('');
  const runs = diffTokens(ta, tb).map((r) => ({ op: r.op, text: r.tokens.join('') }));
  // Two unrelated texts share words like "a" and spaces: marking those as equal reads as noise, so
  // below a third of the shorter text in common, the whole of each side is shown as changed.
  const common = runs.reduce((n, r) => n + (r.op === 'eq' ? r.text.trim().length : 0), 0);
  const related = common >= 0.3 * Math.max(1, Math.min(expected.trim().length, actual.trim().length));
  const expectedParts: DiffPart[] = [];
  const actualParts: DiffPart[] = [];
  const push = (list: DiffPart[], op: DiffOp, text: string) => {
    const last = list[list.length - 1];
    if (last && last.op === op) last.text += text;
    else if (text !== '') list.push({ op, text });
  };
  runs.forEach((run, i) => {
    // An equal run of a space or a short word between two changes belongs to the change around it.
    const islet = run.op === 'eq' && i > 0 && i < runs.length - 1 && run.text.trim().length <= 2;
    if (run.op === 'eq' && related && !islet) {
      push(expectedParts, 'eq', run.text);
      push(actualParts, 'eq', run.text);
      return;
    }
    if (run.op !== 'ins') push(expectedParts, 'del', run.text);
    if (run.op !== 'del') push(actualParts, 'ins', run.text);
  });
  return { expected, actual, expectedParts, actualParts, cut: wasCut };
}

export interface ParsedFailure {
  subject: string;
  /** e.g. `to equal "Paris"`, `not to contain "error"`. */
  phrase: string;
  /** The expected value on its own when the phrase carries one (`to equal X` → X). */
  value: string | null;
  got: string;
  /** The "got" part was shortened by SIM (`… (819 chars)`). */
  gotShortened: boolean;
}

const VALUE_PHRASES = /^(?:not )?to (?:equal|start with|contain|be within edit distance \d+ of) (.*)$/s;

/**
 * SIM's failure messages read `expected <subject> <phrase>; got <value>` (src/stages/sim/assertions.ts).
 * Returns null for other messages (missing fields, checks that could not run).
 */
export function parseFailureMessage(message: string): ParsedFailure | null {
  const m = /^expected (.+?) ((?:not )?to .*?); got (.*)$/s.exec(message);
  if (!m) return null;
  const [, subject, phrase, gotRaw] = m;
  let got = gotRaw;
  const shortened = /… \(\d+ chars\)(?: \(.*\))?$/s.exec(got);
  // A note in parentheses after the value belongs to the message, not to the value.
  if (shortened) got = got.slice(0, shortened.index);
  const vm = VALUE_PHRASES.exec(phrase);
  return { subject, phrase, value: vm ? unquote(vm[1]) : null, got: unquote(got), gotShortened: Boolean(shortened) };
}

/** A JSON string literal as its text; anything else as written. */
function unquote(s: string): string {
  const t = s.trim();
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) {
    try {
      const v = JSON.parse(t);
      if (typeof v === 'string') return v;
    } catch {
      // SIM shortens long strings with "…", which leaves the literal unterminated
    }
    return t.slice(1, -1);
  }
  if (t.startsWith('"')) return t.slice(1);
  return t;
}

/**
 * Expected and actual text for a failing case's first failure: the expected value when the message
 * names one (otherwise the whole expectation), against the answer excerpt SIM kept (when the message
 * had to shorten it) or the value the message shows.
 */
export function failureDiff(message: string, actualExcerpt: string | undefined): ExpectedActual | null {
  const p = parseFailureMessage(message);
  if (!p) return null;
  const expected = p.value ?? `${p.subject} ${p.phrase}`;
  // The excerpt is the answer field; use it only when it is the value the message had to shorten.
  const actual = p.gotShortened && actualExcerpt !== undefined && actualExcerpt.startsWith(p.got) ? actualExcerpt : p.got;
  return expectedActual(expected, actual);
}
