// Runs one command as a whole process tree and measures it: wall time, exit status, and the peak
// resident set size of every process in the tree.
//
// Peak memory comes from two sources, merged per pid (the larger value wins):
//  1. rss-preload.mjs, injected through NODE_OPTIONS, which writes each Node process's kernel
//     high-water mark (ru_maxrss) at exit: exact, and it sees the very end of the run;
//  2. a poller reading VmHWM from /proc/<pid>/status for every process of the child's process group:
//     it covers non-Node children and processes killed before their 'exit' handlers could run
//     (our own timeout kill, an OOM), i.e. "what was measured up to that point".
// The tree's peak is the sum of its processes' peaks when there is more than one process: an upper
// bound, since they need not peak at the same instant (reported as such).
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const PRELOAD_PATH = fileURLToPath(new URL('./rss-preload.mjs', import.meta.url));

/** VmHWM (peak RSS) of a live process in kB, or null when it is gone or unreadable. */
export function readVmHwmKb(pid) {
  try {
    return parseVmHwmKb(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

/** Pulls `VmHWM:  1234 kB` out of a /proc/<pid>/status text. */
export function parseVmHwmKb(statusText) {
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(statusText);
  return m ? Number(m[1]) : null;
}

/** Process group id from a /proc/<pid>/stat line; the command name may hold spaces and ')'. */
export function parseStatPgrp(statText) {
  const close = statText.lastIndexOf(')');
  if (close < 0) return null;
  const fields = statText.slice(close + 2).split(' ');
  // After "(comm) ": state ppid pgrp ...
  const pgrp = Number(fields[2]);
  return Number.isInteger(pgrp) ? pgrp : null;
}

/** Pids whose process group is `pgid` (the measured child leads its own group). */
export function listProcessGroup(pgid) {
  const pids = [];
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (parseStatPgrp(readFileSync(`/proc/${name}/stat`, 'utf8')) === pgid) pids.push(Number(name));
    } catch {
      // Exited between readdir and read.
    }
  }
  return pids;
}

/** Reads the preload's JSON lines; a torn last line (process killed mid-write) is skipped. */
export function readPreloadRecords(file) {
  if (!existsSync(file)) return [];
  const out = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // ignore
    }
  }
  return out;
}

/**
 * Merges per-pid peaks from the preload records and the poller into one list and a tree peak.
 * @param {Array<{pid:number,maxRssKb:number,script?:string|null,node?:string}>} records
 * @param {Map<number,number>} polled pid -> VmHWM kB
 */
export function mergePeaks(records, polled) {
  // Both readings are kept: the kernel updates the two counters at slightly different moments
  // (per-cpu RSS counters are folded in lazily), so either may be a few MB ahead.
  const byPid = new Map();
  const entry = (pid) => {
    if (!byPid.has(pid)) byPid.set(pid, { pid, peakKb: 0, source: null, rusageKb: null, polledKb: null, script: null });
    return byPid.get(pid);
  };
  for (const [pid, kb] of polled) entry(pid).polledKb = kb;
  for (const r of records) {
    const e = entry(r.pid);
    e.rusageKb = Math.max(e.rusageKb ?? 0, r.maxRssKb);
    e.script = r.script ?? null;
    e.node = r.node;
  }
  for (const e of byPid.values()) {
    const useRusage = e.rusageKb !== null && e.rusageKb >= (e.polledKb ?? 0);
    e.peakKb = useRusage ? e.rusageKb : e.polledKb;
    e.source = useRusage ? 'getrusage' : 'proc-poll';
  }
  const processes = [...byPid.values()].sort((a, b) => b.peakKb - a.peakKb);
  const treePeakKb = processes.reduce((s, p) => s + p.peakKb, 0);
  return { processes, treePeakKb: processes.length ? treePeakKb : null, upperBound: processes.length > 1 };
}

/**
 * Writes back what is dirty in the page cache (sync(1)), so that a measured run does not pay for the
 * write-back of files made before it: its inputs, an earlier run's outputs. A 100k-case run writes
 * 800 MB; the third of three runs in a row measured 5.53 s wall (1.47 s sys) against 5.04 and 5.17 s
 * (0.60 s sys) when it started with the first two runs' outputs still being written back.
 */
function settleDisk() {
  try {
    execFileSync('sync', { stdio: 'ignore', timeout: 120_000 });
  } catch {
    // No sync(1) (Windows): measured as before.
  }
}

/**
 * Runs `command args` and measures it. Never throws for the child's failures: they are in the
 * result (exitCode, signal, timedOut, spawnError).
 * @param {{ command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv,
 *           timeoutMs: number, logDir: string, pollMs?: number, preload?: boolean }} opts
 */
export async function runMeasured(opts) {
  const { command, args, cwd, timeoutMs, logDir } = opts;
  const pollMs = opts.pollMs ?? 100;
  const rssFile = join(logDir, 'rss.jsonl');
  const stdoutFile = join(logDir, 'stdout.txt');
  const stderrFile = join(logDir, 'stderr.txt');
  rmSync(rssFile, { force: true });
  const env = { ...(opts.env ?? process.env) };
  if (opts.preload !== false) {
    env.BENCH_RSS_FILE = rssFile;
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(PRELOAD_PATH).href}`.trim();
  }
  const outFd = openSync(stdoutFile, 'w');
  const errFd = openSync(stderrFile, 'w');
  const polled = new Map();
  settleDisk();
  const started = performance.now();
  let child;
  try {
    // detached: the child leads a new process group, so the poller can find the whole tree and a
    // timeout can end exactly that tree (kill(-pgid)), nothing else.
    child = spawn(command, args, { cwd, env, stdio: ['ignore', outFd, errFd], detached: true });
  } finally {
    closeSync(outFd);
    closeSync(errFd);
  }
  const pgid = child.pid;
  let known = pgid ? [pgid] : [];
  let lastScan = 0;
  const sample = () => {
    if (!pgid) return;
    const now = performance.now();
    if (now - lastScan > 1000) {
      const group = listProcessGroup(pgid);
      known = [...new Set([pgid, ...group])];
      lastScan = now;
    }
    for (const pid of known) {
      const kb = readVmHwmKb(pid);
      if (kb !== null && kb > (polled.get(pid) ?? 0)) polled.set(pid, kb);
    }
  };
  const poller = setInterval(sample, pollMs);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    sample();
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, timeoutMs);

  const { exitCode, signal, spawnError } = await new Promise((resolve) => {
    child.once('error', (err) => resolve({ exitCode: null, signal: null, spawnError: String(err.message ?? err) }));
    child.once('exit', (code, sig) => resolve({ exitCode: code, signal: sig, spawnError: null }));
  });
  const wallMs = performance.now() - started;
  clearInterval(poller);
  clearTimeout(timer);
  // Children the tool left behind (it exited, they did not) are part of what we started: end them.
  if (pgid && listProcessGroup(pgid).length > 0) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // ignore
    }
  }
  const peaks = mergePeaks(readPreloadRecords(rssFile), polled);
  return {
    exitCode,
    signal,
    spawnError,
    timedOut,
    wallMs,
    peakRssKb: peaks.treePeakKb,
    peakIsUpperBound: peaks.upperBound,
    processes: peaks.processes,
    stdoutFile,
    stderrFile,
  };
}

/**
 * The start and the end of a text file ('' when missing): a crash's message is usually at the top
 * of stderr (e.g. "FATAL ERROR: ... heap out of memory") and its latest context at the bottom.
 */
export function excerptFile(file, headChars = 1000, tailChars = 1500) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  if (text.length <= headChars + tailChars) return text;
  return `${text.slice(0, headChars)}\n[...]\n${text.slice(-tailChars)}`;
}

/** Files and bytes under the given paths (what a run wrote); missing paths count zero. */
export function diskUsage(paths) {
  let files = 0;
  let bytes = 0;
  const walk = (p) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) walk(join(p, name));
    } else {
      files += 1;
      bytes += st.size;
    }
  };
  for (const p of paths) walk(p);
  return { files, bytes };
}
