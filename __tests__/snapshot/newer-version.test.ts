import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSnapshot } from '../../src/snapshot/reader.js';
import pkg from '../../package.json' with { type: 'json' };

/**
 * A snapshot a newer toron-testops wrote (another schemaVersion) met by this one: the action's @v2 tag
 * floats, and a workflow pinned to an older release can be handed a baseline a newer one made. The
 * refusal said only "use a newer toron-testops"; the snapshot names the version that wrote it.
 */
describe('a snapshot of a newer schema', () => {
  it('is refused naming the toron-testops version that wrote it and this one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-testops-newer-'));
    const file = path.join(dir, 'future.json');
    const header = {
      schemaVersion: 2,
      kind: 'toron-testops.snapshot',
      runId: 'future-1',
      createdAt: '2026-12-03T10:00:00.000Z',
      tool: { name: 'toron-testops', version: '2.4.0' },
      engine: { kind: 'reference', target: 'reference', version: null, profile: 'auto' },
      settingsHash: 'x',
      canonical: { form: 'RFC 8785', hash: 'sha256', ignorePaths: [] },
      metrics: {},
      artifacts: {},
      caseCount: 0,
    };
    fs.writeFileSync(file, `{"cases":[\n],${JSON.stringify(header).slice(1)}\n`);
    let message = '';
    try {
      openSnapshot(file, 'future.json');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/future\.json:\d+ .*schemaVersion 2, written by toron-testops 2\.4\.0, .*is not one this toron-testops \(\d+\.\d+\.\d+\) reads \(up to 1\): use toron-testops 2\.4\.0 or newer/);

    // A header that claims this very version wrote it: "use this version or newer" would say nothing.
    fs.writeFileSync(file, `{"cases":[\n],${JSON.stringify({ ...header, tool: { ...header.tool, version: pkg.version } }).slice(1)}\n`);
    let own = '';
    try {
      openSnapshot(file, 'future.json');
    } catch (e) {
      own = (e as Error).message;
    }
    expect(own).toMatch(/schemaVersion 2, written by toron-testops .* reads \(up to 1\): the header does not match what this version writes \(was the file edited\?\)/);
    expect(own).not.toMatch(/or newer/);
  });
});
