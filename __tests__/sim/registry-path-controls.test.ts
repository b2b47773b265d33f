import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/stages/sim/registry.js';
import { InputError } from '../../src/util/errors.js';
import { makeProject } from '../helpers/cli.js';

/**
 * A dataset's file name is quoted by every finding of its cases (file:line), in summary.md (a code
 * span in a list item), annotations, the console table and run.log. A file named with a line feed
 * ("a\n## Injected heading.json", a valid name on Linux) turned its second half into a Markdown
 * heading of the job summary and a line of its own in the WAR ROOM table. Registered paths refuse
 * control and invisible characters, as dataset names and case ids do.
 */
describe('a registered dataset path with control characters', () => {
  it.each(['a\n## Injected heading.json', 'b\r.json', 'c\u202e.json', 'd\u001b[31m.json'])('is refused, naming the registry, its line and the field (%j)', (name) => {
    const dir = makeProject({
      'sim/sim_dataset.json': `{ "datasets": [\n  { "name": "ok", "path": "ok.json" },\n  { "name": "bad", "path": ${JSON.stringify(name)} }\n] }`,
      'sim/ok.json': { name: 'ok', cases: [{ id: 'c', input: { prompt: 'p' } }] },
    });
    fs.writeFileSync(path.join(dir, 'sim', name), JSON.stringify({ name: 'bad', cases: [{ id: 'c', input: { prompt: 'p' } }] }));
    let err: unknown;
    try {
      loadRegistry('sim/sim_dataset.json', { cwd: dir });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const e = err as InputError;
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/path/);
    expect(e.message).not.toMatch(/[\n\r\u202e\u001b]/);
  });
});
