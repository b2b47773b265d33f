import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import schema from '../../schemas/settings.schema.json' with { type: 'json' };
import { DEFAULTS } from '../../src/settings/defaults.js';
import { ROOT } from '../helpers/cli.js';

type Node = Record<string, unknown>;

/** Every schema node with its path (`engine.properties.target` style, `*` for map values, `[]` for items). */
function walk(node: Node, at: string, visit: (n: Node, at: string) => void): void {
  visit(node, at);
  for (const [k, child] of Object.entries((node.properties as Record<string, Node>) ?? {})) {
    walk(child, at ? `${at}.${k}` : k, visit);
  }
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    walk(node.additionalProperties as Node, `${at}.*`, visit);
  }
  if (node.items) walk(node.items as Node, `${at}[]`, visit);
}

const isObjectType = (n: Node) => n.type === 'object' || (Array.isArray(n.type) && n.type.includes('object'));

describe('schemas/*.schema.json', () => {
  it('are valid against their meta-schema (the tool compiles its own without that check)', () => {
    const dir = path.join(ROOT, 'schemas');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.schema.json'));
    expect(files).toEqual(expect.arrayContaining(['dataset.schema.json', 'registry.schema.json', 'settings.schema.json']));
    for (const f of files) {
      const ajv = new Ajv({ strict: true, allowUnionTypes: true });
      ajv.addKeyword('x-expected');
      const ok = ajv.validateSchema(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
      expect(ok ? null : ajv.errorsText(), f).toBeNull();
    }
    // The check itself: a schema with a misspelt type fails it.
    expect(new Ajv().validateSchema({ type: 'strnig' })).toBe(false);
  });
});

describe('settings.schema.json', () => {
  it('compiles under ajv strict mode', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    ajv.addKeyword('x-expected');
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it('describes every key, for editor completion', () => {
    const missing: string[] = [];
    walk(schema as Node, '', (n, at) => {
      if (at && typeof n.description !== 'string') missing.push(at);
    });
    expect(missing).toEqual([]);
  });

  it('closes every object so typos are caught (free-form request body aside)', () => {
    const open: string[] = [];
    walk(schema as Node, '', (n, at) => {
      if (isObjectType(n) && n.additionalProperties === undefined && at !== 'engine.body') open.push(at || '(root)');
    });
    expect(open).toEqual([]);
  });

  it('documents the same defaults as DEFAULTS', () => {
    const mismatches: string[] = [];
    walk(schema as Node, '', (n, at) => {
      if (!('default' in n) || at.includes('*')) return;
      let want: unknown = DEFAULTS;
      for (const seg of at.split('.').filter((s) => s !== 'properties')) want = (want as Record<string, unknown>)[seg];
      // `engine` defaults to a spec string in the file; in Settings it is the expanded object.
      if (at === 'engine') want = DEFAULTS.engine.target;
      if (JSON.stringify(n.default) !== JSON.stringify(want)) mismatches.push(`${at}: ${JSON.stringify(n.default)} vs ${JSON.stringify(want)}`);
    });
    expect(mismatches).toEqual([]);
  });

  it('accepts DEFAULTS as a config file', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
    ajv.addKeyword('x-expected');
    const validate = ajv.compile(schema);
    expect(validate(structuredClone(DEFAULTS)), JSON.stringify(validate.errors)).toBe(true);
  });
});
