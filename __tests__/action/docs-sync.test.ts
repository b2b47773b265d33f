import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INPUT_DEFAULTS, OUTPUT_NAMES } from '../../src/action/inputs.js';
import { ROOT } from '../helpers/cli.js';
import { readActionYml } from '../helpers/action.js';

const DOC = path.join(ROOT, 'README.md');

/** The rows of the first table under `## <heading>`: first cell (a `code` name) → the other cells. */
function table(markdown: string, heading: string): Map<string, string[]> {
  const at = markdown.indexOf(`\n## ${heading}\n`);
  if (at < 0) throw new Error(`README.md has no "## ${heading}" section`);
  const section = markdown.slice(at + heading.length + 5).split('\n## ')[0];
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const m = /^\|\s*`([^`]+)`\s*\|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    if (rows.has(m[1])) throw new Error(`"${m[1]}" is listed twice under ${heading}`);
    rows.set(m[1], m[2].split(' | ').map((c) => c.trim()));
  }
  return rows;
}

describe('action.yml, the code and the README say the same', () => {
  const yml = readActionYml();
  const doc = fs.readFileSync(DOC, 'utf8');

  it('action.yml: node24, dist/index.js, branding, every input with a description and a default', () => {
    expect(yml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(yml.branding).toEqual({ icon: expect.any(String), color: expect.any(String) });
    for (const [name, spec] of Object.entries(yml.inputs)) {
      expect(name, 'kebab-case').toMatch(/^[a-z]+(-[a-z0-9]+)*$/);
      expect(spec.description?.length, name).toBeGreaterThan(10);
      expect(spec.default, name).toBeTypeOf('string');
      expect(spec.required ?? false, `${name}: the runner does not enforce required; the code validates`).toBe(false);
    }
    expect(Object.keys(yml.outputs).sort()).toEqual([...OUTPUT_NAMES].sort());
    for (const [name, spec] of Object.entries(yml.outputs)) expect(spec.description?.length, name).toBeGreaterThan(10);
  });

  it('the issue\'s inputs and outputs are all there', () => {
    for (const name of ['engine', 'config', 'working-directory', 'run-id', 'stages', 'baseline', 'fail-on', 'annotations', 'max-annotations', 'job-summary', 'pr-comment', 'artifact-name', 'upload-artifact', 'retention-days', 'github-token']) {
      expect(yml.inputs[name], name).toBeDefined();
    }
    expect(yml.inputs['github-token'].default).toBe('${{ github.token }}');
  });

  it('the Inputs table lists every input of action.yml with its default, and nothing else', () => {
    const rows = table(doc, 'Inputs');
    expect([...rows.keys()].sort()).toEqual(Object.keys(yml.inputs).sort());
    for (const [name, spec] of Object.entries(yml.inputs)) {
      const shown = rows.get(name)![0];
      expect(shown, name).toBe(spec.default === '' ? '`""`' : `\`${spec.default}\``);
      expect(rows.get(name)![1].length, `${name} needs a description`).toBeGreaterThan(10);
    }
    expect(Object.keys(INPUT_DEFAULTS).sort()).toEqual(Object.keys(yml.inputs).sort());
  });

  it('the Outputs table lists every output of action.yml, and nothing else', () => {
    const rows = table(doc, 'Outputs');
    expect([...rows.keys()].sort()).toEqual(Object.keys(yml.outputs).sort());
  });

  it('every input the examples use exists', () => {
    const withBlocks = doc.match(/```yaml[\s\S]*?```/g) ?? [];
    const used = new Set<string>();
    for (const block of withBlocks) {
      const m = /uses: ryuzen\/toron-testops@v2\n(\s+)with:\n((?:\1 {2}.*\n)+)/.exec(block);
      if (!m) continue;
      for (const line of m[2].split('\n')) {
        const key = /^\s+([a-z-]+):/.exec(line)?.[1];
        if (key) used.add(key);
      }
    }
    expect(used.size).toBeGreaterThan(5);
    for (const k of used) expect(yml.inputs[k], `example uses unknown input ${k}`).toBeDefined();
  });
});
