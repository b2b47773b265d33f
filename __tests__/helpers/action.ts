/**
 * Runs the action as the runner does: a Node 24 process with INPUT_* (every input of action.yml, its
 * default filled in, dashes kept in the names), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, an event
 * payload, GITHUB_WORKSPACE and the rest; either from source (through tsx) or the built dist/index.js.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { ROOT } from './cli.js';
import type { GitHubEmulator } from './github-emulator.js';

const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
export const MAIN_SRC = path.join(ROOT, 'src/main.ts');
export const MAIN_DIST = path.join(ROOT, 'dist/index.js');

export interface ActionYml {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
  branding?: { icon: string; color: string };
}

export function readActionYml(): ActionYml {
  return YAML.parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionYml;
}

export interface ActionSetup {
  /** The workspace (the repository checkout). */
  workspace: string;
  /** Inputs as a workflow's `with:` gives them; the rest get action.yml's defaults. */
  inputs?: Record<string, string>;
  emu?: GitHubEmulator | null;
  /** The event payload; default: a pull_request from a branch of the same repository. */
  event?: Record<string, unknown> | null;
  eventName?: string;
  env?: Record<string, string>;
  entry?: 'src' | 'dist';
}

export interface ActionFiles {
  output: string;
  summary: string;
  eventPath: string;
}

export function pullRequestEvent(emuOrRepo: { owner: string; repo: string }, over: { number?: number; fork?: boolean; baseRef?: string; headSha?: string } = {}) {
  const full = `${emuOrRepo.owner}/${emuOrRepo.repo}`;
  return {
    action: 'synchronize',
    number: over.number ?? 42,
    pull_request: {
      number: over.number ?? 42,
      head: { sha: over.headSha ?? 'a'.repeat(40), ref: 'feature', repo: { full_name: over.fork ? `someone/${emuOrRepo.repo}` : full } },
      base: { sha: 'b'.repeat(40), ref: over.baseRef ?? 'main', repo: { full_name: full } },
    },
    repository: { full_name: full, default_branch: 'main', owner: { login: emuOrRepo.owner }, name: emuOrRepo.repo },
  };
}

/** The environment of the step, and the files the runner would provide. */
export function actionEnv(s: ActionSetup): { env: NodeJS.ProcessEnv; files: ActionFiles } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-action-runner-'));
  const files: ActionFiles = {
    output: path.join(dir, 'output.txt'),
    summary: path.join(dir, 'step_summary.md'),
    eventPath: path.join(dir, 'event.json'),
  };
  fs.writeFileSync(files.output, '');
  fs.writeFileSync(files.summary, '');
  const emu = s.emu ?? null;
  const event = s.event === undefined ? pullRequestEvent(emu ?? { owner: 'ryuzen', repo: 'engine' }) : s.event;
  if (event) fs.writeFileSync(files.eventPath, JSON.stringify(event));

  // A clean slate: nothing of the machine's own runner (tests may run inside GitHub Actions).
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(GITHUB_|ACTIONS_|INPUT_|RUNNER_)/.test(k) || /_proxy$/i.test(k)) continue;
    base[k] = v;
  }
  const yml = readActionYml();
  const inputs: NodeJS.ProcessEnv = {};
  for (const [name, spec] of Object.entries(yml.inputs)) {
    let value = s.inputs?.[name] ?? spec.default ?? '';
    if (value === '${{ github.token }}') value = emu?.githubToken ?? '';
    inputs[`INPUT_${name.toUpperCase()}`] = value;
  }
  const env: NodeJS.ProcessEnv = {
    ...base,
    FORCE_COLOR: '0',
    NO_PROXY: '127.0.0.1,localhost',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: s.workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_EVENT_NAME: s.eventName ?? (event && 'pull_request' in event ? 'pull_request' : 'push'),
    ...(event ? { GITHUB_EVENT_PATH: files.eventPath } : {}),
    GITHUB_JOB: 'gate',
    GITHUB_SHA: 'c'.repeat(40),
    GITHUB_REF: 'refs/pull/42/merge',
    RUNNER_TEMP: dir,
    ...(emu ? emu.env() : {}),
    ...inputs,
    ...s.env,
  };
  return { env, files };
}

export function startAction(s: ActionSetup): { child: ChildProcess; files: ActionFiles } {
  const { env, files } = actionEnv(s);
  const argv = s.entry === 'dist' ? [MAIN_DIST] : ['--import', TSX, MAIN_SRC];
  const child = spawn(process.execPath, argv, { cwd: s.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return { child, files };
}

export interface ActionResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  commands: WorkflowCommand[];
  files: ActionFiles;
}

export function collect(child: ChildProcess, files: ActionFiles, timeoutMs = 60_000): Promise<ActionResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`action timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout,
        stderr,
        outputs: parseOutputs(fs.readFileSync(files.output, 'utf8')),
        summary: fs.readFileSync(files.summary, 'utf8'),
        commands: parseCommands(stdout),
        files,
      });
    });
  });
}

/**
 * Action processes of one test file run at most this many at a time: each loads the whole toolchain,
 * and a busy machine would otherwise turn concurrency into timeouts.
 */
const LIMIT = Number(process.env.TORON_ACTION_TEST_CONCURRENCY) || 3;
let running = 0;
const waiting: (() => void)[] = [];

export async function runAction(s: ActionSetup, timeoutMs = 240_000): Promise<ActionResult> {
  if (running >= LIMIT) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    const { child, files } = startAction(s);
    return await collect(child, files, timeoutMs);
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** For end-to-end tests: room for several action processes on a busy machine. */
export const E2E_TIMEOUT = 300_000;

/** GITHUB_OUTPUT: `name<<DELIM\nvalue\nDELIM\n` records (and `name=value` lines). */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]);
      if (name in out) throw new Error(`output ${name} written twice`);
      out[name] = value.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      out[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return out;
}

export interface WorkflowCommand {
  command: string;
  props: Record<string, string>;
  message: string;
}

const unescapeData = (s: string) => s.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
const unescapeProp = (s: string) => unescapeData(s.replace(/%3A/g, ':').replace(/%2C/g, ','));

/** `::error file=a,line=1::message` lines of stdout, unescaped as the runner reads them. */
export function parseCommands(stdout: string): WorkflowCommand[] {
  const out: WorkflowCommand[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
      const at = kv.indexOf('=');
      props[kv.slice(0, at)] = unescapeProp(kv.slice(at + 1));
    }
    out.push({ command: m[1], props, message: unescapeData(m[3]) });
  }
  return out;
}

export function annotations(r: ActionResult): WorkflowCommand[] {
  return r.commands.filter((c) => c.command === 'error' || c.command === 'warning' || c.command === 'notice');
}
