// Our side: the project CLI as a whole process, reference engine in-process, zero latency.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diskUsage, runMeasured } from '../lib/measure.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI_PATH = join(ROOT, 'bin/toron-testops.js');

/**
 * Whether the CLI can run: bin/toron-testops.js exists and so does every relative module it imports
 * (the bin loads the ncc build in dist/, which may lag behind the bin while the CLI is being built).
 */
export function cliBuilt() {
  if (!existsSync(CLI_PATH)) return { ok: false, why: 'bin/toron-testops.js missing' };
  const text = readFileSync(CLI_PATH, 'utf8');
  for (const m of text.matchAll(/(?:import\s*\(\s*|from\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = resolve(dirname(CLI_PATH), m[1]);
    if (!existsSync(target)) return { ok: false, why: `${m[1]} (imported by bin/toron-testops.js) missing` };
  }
  return { ok: true, why: '' };
}

/** The numbers we need from a run's report.json (or null when it is missing or unreadable). */
export function readOursReport(reportFile) {
  try {
    // Guard the bench's own memory: a report this large would itself be a finding.
    if (statSync(reportFile).size > 512 * 1024 * 1024) return null;
    const r = JSON.parse(readFileSync(reportFile, 'utf8'));
    const sim = r?.stages?.sim ?? {};
    return {
      verdict: r?.verdict ?? null,
      durationMs: typeof r?.durationMs === 'number' ? r.durationMs : null,
      total: typeof sim.total === 'number' ? sim.total : null,
      passed: typeof sim.passed === 'number' ? sim.passed : null,
    };
  } catch {
    return null;
  }
}

/**
 * One measured `toron-testops run --engine reference --stages sim` over the inputs in `dir`.
 * @param {{ dir: string, configPath: string, runId: string, timeoutMs: number }} o
 */
export async function runOurs(o) {
  const outDir = join(o.dir, 'out');
  const args = [CLI_PATH, 'run', '--engine', 'reference', '--stages', 'sim', '--config', o.configPath,
    '--out', outDir, '--run-id', o.runId];
  const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
  const m = await runMeasured({ command: process.execPath, args, cwd: o.dir, env, timeoutMs: o.timeoutMs, logDir: o.dir });
  const report = readOursReport(join(outDir, 'reports', o.runId, 'report.json'));
  return {
    ...m,
    command: [process.execPath, ...args].join(' '),
    passed: report?.passed ?? null,
    verdict: report?.verdict ?? null,
    toolDurationMs: report?.durationMs ?? null,
    written: diskUsage([outDir]),
  };
}
