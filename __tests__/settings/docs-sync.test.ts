import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import schema from '../../schemas/settings.schema.json' with { type: 'json' };
import { DEFAULTS } from '../../src/settings/defaults.js';
import { ROOT } from '../helpers/cli.js';

type Node = { properties?: Record<string, Node>; default?: unknown; oneOf?: Node[]; anyOf?: Node[]; items?: Node; additionalProperties?: Node | boolean };

/** Rows of the key table under `## Configuration`: key → [default cell, meaning]. */
function configTable(): Map<string, [string, string]> {
  const doc = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const at = doc.indexOf('\n## Configuration\n');
  expect(at, 'README.md has a "## Configuration" section').toBeGreaterThan(0);
  const rows = new Map<string, [string, string]>();
  for (const line of doc.slice(at + 1).split('\n## ')[0].split('\n')) {
    const m = /^\| `([^`]+)` \| (.+?) \| (.+) \|$/.exec(line);
    if (m) rows.set(m[1], [m[2], m[3]]);
  }
  return rows;
}

/** Every key a config file can set, with the schema's default: leaves, and the objects the table keeps in one row. */
function schemaKeys(): Map<string, Node> {
  const keys = new Map<string, Node>();
  const oneRow = new Set(['engines', 'load.stages', 'load.thresholds', 'pipeline.custom', 'pipeline.levels', 'compare.rules', 'engine.headers', 'engine.body']);
  const walk = (node: Node, prefix: string) => {
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const key = prefix ? `${prefix}.${name}` : name;
      if (key === '$schema') continue;
      const props = child.properties ?? child.oneOf?.find((n) => n.properties)?.properties;
      if (props && !oneRow.has(key)) {
        if (key === 'engine') keys.set(key, child); // both: the spec string, and its object form
        walk({ properties: props }, key);
      } else keys.set(key, child);
    }
  };
  walk(schema as Node, '');
  return keys;
}

describe('README Configuration table and schemas/settings.schema.json say the same', () => {
  const rows = configTable();
  const keys = schemaKeys();

  it('lists every key of the schema, and nothing else', () => {
    expect([...rows.keys()].sort()).toEqual([...keys.keys()].sort());
  });

  it('gives each key the schema default (which is the code default)', () => {
    for (const [key, node] of keys) {
      const shown = rows.get(key)?.[0];
      if (key === 'runId') expect(shown).toBe('generated');
      else if (key === 'compare.rules') expect(shown).toMatch(/compare/);
      // A key with no default (engine.tls's files: unset unless given) shows a dash.
      else if (node.default === undefined) expect(shown, key).toBe('—');
      else expect(shown, key).toBe(`\`${JSON.stringify(node.default)}\``);
      if (node.default !== undefined && key !== 'engine') {
        const code = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], DEFAULTS);
        expect(code, `${key}: defaults.ts`).toEqual(node.default);
      }
    }
  });

  it('names every member of the keys a row stands for', () => {
    const custom = (schema as Node).properties!.pipeline.properties!.custom;
    const members = Object.keys((custom.properties ?? custom.anyOf?.find((n) => n.properties)?.properties ?? custom.oneOf?.find((n) => n.properties)?.properties)!);
    expect(members.length).toBeGreaterThan(10);
    for (const m of members) expect(rows.get('pipeline.custom')![1], m).toContain(`\`${m}\``);
    for (const m of ['threshold', 'level', 'abortOnFail', 'delayAbortEval']) expect(rows.get('load.thresholds')![1]).toContain(`"${m}"`);
  });

  it('the compare rules table gives each rule its schema default', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const rules = (schema as Node).properties!.compare.properties!.rules.properties!;
    for (const [name, rule] of Object.entries(rules)) {
      const { level, max } = rule.properties!;
      const row = new RegExp(`^\\| \`${name}\` \\| [^|]+ \\| ${String(level.default)} \\| ${String(max.default)} \\|$`, 'm');
      expect(doc, name).toMatch(row);
    }
  });
});
