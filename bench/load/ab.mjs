// Paired before/after comparison of our generator's cost at saturation, for work on its speed.
//   npx node bench/load/ab.mjs snapshot NAME                 bundles the current source as NAME
//   npx node bench/load/ab.mjs compare ROUNDS SECONDS A B..  runs the named bundles (or the peers
//                                                            `autocannon`, `wrk`) in turn against the
//                                                            bench's nginx, ROUNDS times each
// The machine is shared and noisy: raw requests/s swing by 2x from one minute to the next, and so
// does CPU time. What is reported is CPU seconds per 100k requests (bash `times`: the whole process,
// its GC and compiler threads included), each contestant's median, and the median of the per-round
// ratios against the first one: runs next to each other see about the same noise, so the paired ratio
// is the figure to judge a change by. The order rotates each round. Same settings as the bench's
// saturation rows (64 connections; our answers checked, CHECK=0 for the "not checked" row). Peers
// must be installed already (`npm run bench:load` installs them).
import { existsSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { OUT_DIR, bundleOurs, has, runSaturationTool, startNginx, wrkScript } from './tools.mjs';

const DIR = join(OUT_DIR, 'ab');
const PEERS = new Set(['autocannon', 'wrk']);
const file = (name) => join(DIR, `${name}.mjs`);

function median(xs) {
  const v = [...xs].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

async function compare(rounds, durationS, names) {
  for (const n of names) if (!PEERS.has(n) && !existsSync(file(n))) throw new Error(`no snapshot ${n}: run "ab.mjs snapshot ${n}" first`);
  const canPin = cpus().length >= 2 && has('taskset');
  const nginx = await startNginx(canPin);
  const lua = wrkScript();
  const o = { durationS, connections: 64 };
  const tool = process.env.CHECK === '0' ? 'ours-nocheck' : 'ours';
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  try {
    for (let i = 0; i < rounds; i++) {
      for (const n of names.map((_, k) => names[(k + i) % names.length])) {
        const r = PEERS.has(n) ? await runSaturationTool(n, nginx.url, o, canPin, null, lua) : await runSaturationTool(tool, nginx.url, o, canPin, file(n), lua);
        if (!r.ok) throw new Error(`${n}: ${r.note}`);
        const run = { rps: r.rps, cpu: (r.cpuS / r.completed) * 1e5 };
        runs[n][i] = run;
        process.stdout.write(`round ${i + 1} ${n.padEnd(16)} ${String(Math.round(run.rps)).padStart(7)} req/s  ${run.cpu.toFixed(3)} CPU s/100k${r.errors ? `  ${r.errors} errors` : ''}\n`);
      }
    }
  } finally {
    await nginx.stop();
  }
  const base = runs[names[0]];
  process.stdout.write('\n');
  for (const n of names) {
    const r = runs[n];
    const paired = n === names[0] ? '' : `   paired vs ${names[0]}: CPU x${median(r.map((x, i) => x.cpu / base[i].cpu)).toFixed(3)}, req/s x${median(r.map((x, i) => x.rps / base[i].rps)).toFixed(3)}`;
    process.stdout.write(`${n.padEnd(16)} median ${String(Math.round(median(r.map((x) => x.rps)))).padStart(7)} req/s  ${median(r.map((x) => x.cpu)).toFixed(3)} CPU s/100k${paired}\n`);
  }
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'snapshot' && args[0] && !PEERS.has(args[0])) {
  mkdirSync(DIR, { recursive: true });
  process.stdout.write(`${await bundleOurs(file(args[0]))}\n`);
} else if (cmd === 'compare' && args.length >= 3) {
  await compare(Number(args[0]), Number(args[1]), args.slice(2));
} else {
  process.stderr.write('usage: ab.mjs snapshot NAME | ab.mjs compare ROUNDS SECONDS NAME... (NAME: a snapshot, autocannon or wrk)\n');
  process.exitCode = 2;
}
