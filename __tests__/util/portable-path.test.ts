import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pathScrubber } from '../../src/runner/paths.js';
import { portableText } from '../../src/util/portable-path.js';

describe('pathScrubber: no path of this machine in a report text', () => {
  const cwd = '/home/runner/work/repo/repo';
  const scrub = pathScrubber(cwd, '/tmp/out', ['/home/runner', '/tmp', '/usr/bin/python3']);

  it('the working folder first, then the output folder, then named paths by their last part', () => {
    expect(scrub('cmd:/usr/bin/python3 --cache=/home/runner /home/runner/work/repo/repo/engine.py')).toBe('cmd:…/python3 --cache=…/runner ./engine.py');
    expect(scrub("rename '/home/runner/work/repo/repo/out/x.spool' -> '/tmp/out/snapshots/a.json'")).toBe("rename './out/x.spool' -> '../../../../../tmp/out/snapshots/a.json'");
    // A named parent of the working folder does not cut paths under the working folder.
    expect(scrub('at /home/runner/work/repo/repo/src/a.ts:1')).toBe('at ./src/a.ts:1');
  });

  it('the working folder without a trailing separator, and only where it stands as a path', () => {
    expect(scrub('cwd /home/runner/work/repo/repo')).toBe('cwd .');
    expect(scrub('/home/runner/work/repo/repo2/x')).toBe('…/runner/work/repo/repo2/x');
    expect(scrub('/var/tmp/x and /tmp')).toBe('/var/tmp/x and …/tmp');
  });

  it('scrubbing twice gives what scrubbing once gave', () => {
    for (const t of ['--scratch=/tmp', 'cmd:/usr/bin/python3 /tmp/a', '/home/runner/.cache/x', 'file:///home/runner/work/repo/repo/lib.mjs:3:1']) {
      expect(scrub(scrub(t))).toBe(scrub(t));
    }
  });
});

describe('portableText: an engine text with the paths of this machine made portable', () => {
  // Real files: only what is a path here is shortened.
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'portable-cwd-'));
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'portable-elsewhere-'));
  fs.mkdirSync(path.join(elsewhere, 'lib'));
  fs.writeFileSync(path.join(elsewhere, 'lib', 'helper.mjs'), '');
  fs.writeFileSync(path.join(cwd, 'x.py'), '');

  it('stack frames, missing modules and tracebacks keep file names and lines', () => {
    expect(portableText(`Error: Cannot find module '${elsewhere}/engin.mjs'`, cwd)).toBe("Error: Cannot find module '…/engin.mjs'");
    expect(portableText(`    at file://${elsewhere}/lib/helper.mjs:3:9`, cwd)).toBe('    at …/helper.mjs:3:9');
    expect(portableText(`  File "${elsewhere}/lib/helper.mjs", line 337`, cwd)).toBe('  File "…/helper.mjs", line 337');
    expect(portableText(`boom in ${cwd}/x.py (cwd ${cwd})`, cwd)).toBe('boom in x.py (cwd .)');
  });

  it('JSON pointers, URL paths and relative paths in the same text stay as written', () => {
    const text = 'schema violation at /state_snapshot/T1_RAW/0/model; upstream POST /v1/chat failed ("pointer":"/a/b"); see http://localhost:8080/v1/run and ./a/b and a/b';
    expect(portableText(text, cwd)).toBe(text);
  });
});
