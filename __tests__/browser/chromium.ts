import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { ROOT } from '../helpers/cli.js';

/**
 * Real Chromium for the browser tests: Debian's `chromium` package, installed by
 * scripts/install-chromium.sh on a machine that lacks it (as root or with passwordless sudo), driven
 * through playwright-core. `TORON_CHROMIUM` points at another build. Where it cannot be had, the tests
 * are skipped with the script's reason printed.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function ensureChromium(): { path: string } | { skip: string } {
  const wanted = process.env.TORON_CHROMIUM || '/usr/bin/chromium';
  if (!isExecutable(wanted)) {
    const r = spawnSync('sh', [path.join(ROOT, 'scripts/install-chromium.sh')], { encoding: 'utf8', timeout: 15 * 60_000 });
    const said = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
    process.stdout.write(`${said}\n`);
    if (!isExecutable(wanted)) return { skip: `Chromium is not available at ${wanted}: ${said.split('\n').at(-1) || `install script exited ${r.status}`}` };
  }
  return { path: wanted };
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** A fresh profile every time (nothing cached, no first-run state), removed on close. */
export async function launch(executablePath: string, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    // playwright passes the fresh profile as --user-data-dir itself
    args: CHROMIUM_FLAGS,
    viewport,
    offline: true,
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
