// Plain-text tables and number formats for bench output (monospace terminals, CI logs).

/** 12345.6 -> "12,346"; null/NaN -> the placeholder. */
export function fmtInt(n, placeholder = '-') {
  if (n === null || n === undefined || !Number.isFinite(n)) return placeholder;
  return Math.round(n).toLocaleString('en-US');
}

/** Fixed decimals with thousands separators; null/NaN -> the placeholder. */
export function fmtFixed(n, digits = 2, placeholder = '-') {
  if (n === null || n === undefined || !Number.isFinite(n)) return placeholder;
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A ratio as "12.3x"; bounds keep their sign ("> 4.0x"). */
export function fmtRatio(r, bound = '', placeholder = '-') {
  if (r === null || r === undefined || !Number.isFinite(r)) return placeholder;
  const digits = r >= 100 ? 0 : r >= 10 ? 1 : 2;
  return `${bound ? bound + ' ' : ''}${r.toFixed(digits)}x`;
}

/**
 * Renders rows as an aligned table. Columns: { key, title, align?: 'left'|'right' }.
 * Cells are taken as strings (format numbers before); a row may carry `note` shown under it.
 */
export function formatTable(columns, rows) {
  const cells = rows.map((r) => columns.map((c) => String(r[c.key] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i].length)));
  const pad = (text, i) => (columns[i].align === 'left' ? text.padEnd(widths[i]) : text.padStart(widths[i]));
  const line = (parts) => parts.map(pad).join('  ').trimEnd();
  const out = [line(columns.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  ')];
  rows.forEach((r, i) => {
    out.push(line(cells[i]));
    if (r.note) out.push(`  ${r.note}`);
  });
  return out.join('\n');
}
