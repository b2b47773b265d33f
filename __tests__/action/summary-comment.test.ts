import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendWithinLimit, fallbackSummary, fitUtf8, SUMMARY_LIMIT_BYTES } from '../../src/github/summary.js';
import { commentBody, COMMENT_LIMIT, marker, markerState, stateDigest } from '../../src/github/comment.js';
import { formatOutputs, metric, OutputWriter } from '../../src/action/outputs.js';
import { promote, errorOutcome, type ActionOutcome } from '../../src/action/outcome.js';
import { parseOutputs } from '../helpers/action.js';

describe('job summary within 1 MiB', () => {
  it('text that fits is unchanged; text that does not is cut at a line, in whole characters, with the note', () => {
    expect(fitUtf8('short\n', 100, 'cut')).toBe('short\n');
    const line = 'é€😀 '.repeat(20) + '\n'; // 2-, 3- and 4-byte characters
    const text = line.repeat(2000);
    const out = fitUtf8(text, 10_000, 'NOTE');
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(10_000);
    expect(out.endsWith('\n\nNOTE\n')).toBe(true);
    expect(out).not.toContain('\ufffd');
    expect(out.slice(0, out.indexOf('\n\nNOTE')).split('\n').every((l) => l === line.slice(0, -1))).toBe(true);
  });

  it('a cut inside a code block closes the block before the note', () => {
    const text = 'head\n```\n' + 'x\n'.repeat(1000) + '```\n';
    const out = fitUtf8(text, 500, 'NOTE');
    expect((out.match(/^```/gm) ?? []).length % 2).toBe(0);
  });

  it('appends within the limit, counting what the file already holds, and keeps the reserve free', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summary-'));
    const file = path.join(dir, 's.md');
    fs.writeFileSync(file, 'x'.repeat(1000));
    const big = ('a'.repeat(99) + '\n').repeat(15_000); // 1.5 MB
    const r = appendWithinLimit(file, big, 16 * 1024, 'cut');
    expect(r.truncated).toBe(true);
    const size = fs.statSync(file).size;
    expect(size).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES - 16 * 1024);
    expect(size).toBeGreaterThan(SUMMARY_LIMIT_BYTES - 17 * 1024 - 200);
    const notes = appendWithinLimit(file, 'links\n', 0, 'cut');
    expect(notes.truncated).toBe(false);
    expect(fs.statSync(file).size).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
  });

  it('fallback summary (no summary.md): verdict, reason and that ERROR is not a test verdict', () => {
    const s = fallbackSummary({ verdict: 'ERROR', reason: 'ERROR (not a test verdict): config broken', runId: null, result: null, report: null, findings: [] });
    expect(s).toContain('🛑 **ERROR** (not a test verdict)');
    expect(s).toContain('config broken');
  });

  it('fallback summary: a reason of several lines (invalid inputs, one a line) keeps them apart, as a list', () => {
    const reason = 'ERROR (not a test verdict): 2 invalid inputs:\n  input max-annotations: must be a whole number from 0 to 1000, got "abc"\n  input stages: item 2 must be one of sim, load, replay, pipeline';
    const s = fallbackSummary({ verdict: 'ERROR', reason, runId: null, result: null, report: null, findings: [] });
    expect(s).toContain('ERROR (not a test verdict): 2 invalid inputs:\n\n- input max-annotations: must be a whole number from 0 to 1000, got "abc"\n- input stages: item 2 must be one of sim, load, replay, pipeline\n');
  });
});

describe('sticky comment', () => {
  it('marker: found by key, carries the state; other keys and plain comments are not ours', () => {
    const body = `${marker('toron-testops-gate', 'abc123')}\nhello`;
    expect(markerState(body, 'toron-testops-gate')).toBe('abc123');
    expect(markerState(body, 'toron-testops-other')).toBeUndefined();
    expect(markerState('just a comment', 'toron-testops-gate')).toBeUndefined();
    // A key cannot end the HTML comment early.
    expect(marker('a -->b', 's')).not.toMatch(/a -->b/);
  });

  it('body never exceeds 60,000 characters, keeps the marker and footer, cuts at a line', () => {
    const summary = ('| row | 😀 value |\n').repeat(10_000);
    const b = commentBody({ key: 'k', state: 's', summary, footer: 'FOOTER' });
    expect(b.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(b.startsWith(marker('k', 's'))).toBe(true);
    expect(b.trimEnd().endsWith('FOOTER')).toBe(true);
    expect(b).toContain('cut to fit a PR comment');
    expect(b).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/); // no lone surrogate
    const small = commentBody({ key: 'k', state: 's', summary: 'hi', footer: 'F' });
    expect(small).toBe(`${marker('k', 's')}\nhi\n\nF\n`);
  });

  it('state digest: same result, same digest, whatever the order of findings; a change changes it', () => {
    const a = stateDigest({ verdict: 'PASS', metrics: { x: 1 }, findings: ['a', 'b'] });
    expect(stateDigest({ verdict: 'PASS', metrics: { x: 1 }, findings: ['b', 'a'] })).toBe(a);
    expect(stateDigest({ verdict: 'WARN', metrics: { x: 1 }, findings: ['a', 'b'] })).not.toBe(a);
    expect(stateDigest({ verdict: 'PASS', metrics: { x: 2 }, findings: ['a', 'b'] })).not.toBe(a);
  });
});

describe('outputs', () => {
  it('GITHUB_OUTPUT records use a delimiter the value cannot hold, each name once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'out-'));
    const file = path.join(dir, 'o');
    fs.writeFileSync(file, '');
    const w = new OutputWriter(file, () => {});
    w.set({ result: 'pass', 'report-path': 'multi\nline' });
    w.set({ result: 'fail', promote: 'true' }); // result was set: kept
    w.fill(['result', 'promote', 'artifact-id']);
    expect(parseOutputs(fs.readFileSync(file, 'utf8'))).toEqual({ result: 'pass', 'report-path': 'multi\nline', promote: 'true', 'artifact-id': '' });
    expect(formatOutputs({ result: 'x' })).toMatch(/^result<<ghadelimiter_[0-9a-f-]{36}\nx\nghadelimiter_[0-9a-f-]{36}\n$/);
  });

  it('metrics: up to 4 decimals, empty when a stage did not run', () => {
    expect(metric(0.123456)).toBe('0.1235');
    expect(metric(100)).toBe('100');
    expect(metric(null)).toBe('');
    expect(metric(NaN)).toBe('');
  });

  it('promote: PASS, or WARN with no CRITICAL finding; never FAIL, ERROR or a cancelled run', () => {
    const base = errorOutcome('x');
    const with_ = (o: Partial<ActionOutcome>) => ({ ...base, ...o });
    const critical = [{ severity: 'CRITICAL' } as ActionOutcome['findings'][number]];
    const high = [{ severity: 'HIGH' } as ActionOutcome['findings'][number]];
    expect(promote(with_({ verdict: 'PASS' }))).toBe(true);
    expect(promote(with_({ verdict: 'WARN', findings: high }))).toBe(true);
    expect(promote(with_({ verdict: 'WARN', findings: critical }))).toBe(false);
    expect(promote(with_({ verdict: 'FAIL' }))).toBe(false);
    expect(promote(with_({ verdict: 'ERROR' }))).toBe(false);
    expect(promote(with_({ verdict: 'PASS', cancelled: true }))).toBe(false);
  });
});
