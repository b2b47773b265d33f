import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeControls } from '../../src/util/printable.js';
import { ROOT } from '../helpers/cli.js';

describe('escapeControls and the id pattern of datasets and the registry', () => {
  it('escapes controls and invisible characters visibly, keeps text, tab and line feed', () => {
    expect(escapeControls('a\x1b[31mb\x00c\u202ed\u200be\tf\ng')).toBe('a\\x1b[31mb\\x00c\\u202ed\\u200be\tf\ng');
    expect(escapeControls('光の速さ, café')).toBe('光の速さ, café');
  });

  it('an id may hold exactly the characters escapeControls leaves alone, less tab and line feed', () => {
    for (const file of ['dataset.schema.json', 'registry.schema.json']) {
      const text = fs.readFileSync(path.join(ROOT, 'schemas', file), 'utf8');
      const pattern = new RegExp(/"pattern": "(\^\[\^\\\\u0000[^"]*)"/.exec(text)![1].replace(/\\\\/g, '\\'));
      let refused = 0;
      for (let n = 0; n <= 0xffff; n++) {
        if (n >= 0xd800 && n <= 0xdfff) continue;
        const c = String.fromCharCode(n);
        const unsafe = escapeControls(c) !== c || c === '\t' || c === '\n';
        expect(pattern.test(`id${c}`), `${file} U+${n.toString(16)}`).toBe(!unsafe);
        if (unsafe) refused++;
      }
      expect(refused).toBeGreaterThan(70);
    }
  });
});
