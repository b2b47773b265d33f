// A JSON-lines engine for sharding tests: the reference engine's toron-2.5h answers (deterministic per
// request seed), with faults keyed on the prompt so that every case behaves the same whatever else runs
// in the process and in whatever order (unlike the reference knobs, whose streams follow request order):
//   "[unstable]" in the prompt: the answer names how often this exact request was asked before, so the
//                snapshot answer and every replay differ (a non-deterministic case, deterministically);
//   "[error]"    in the prompt: requests whose seed is divisible by 3 fail with an engine error;
//   "[replay-error]" in the prompt: the first ask of a request answers, every later one (its replays) fails.
import { createInterface } from 'node:readline';
import { SHAPES } from '../../src/engine/reference/shapes/index.js';
import { seededRandom } from '../../src/util/seed.js';

const asked = new Map<string, number>();
const send = (msg: unknown) => process.stdout.write(`${JSON.stringify(msg)}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  const req = JSON.parse(line);
  if (req.method === 'health') return send({ id: req.id, result: { status: 'ok', version: 'mixed-1' } });
  const { seed, input } = req.params as { seed: number; input: { prompt: string } };
  const prompt = String(input.prompt);
  if (prompt.includes('[error]') && seed % 3 === 0) return send({ id: req.id, error: { message: `injected error for seed ${seed}` } });
  if (prompt.includes('[replay-error]')) {
    const key = `${seed}:${prompt}`;
    const n = (asked.get(key) ?? 0) + 1;
    asked.set(key, n);
    if (n > 1) return send({ id: req.id, error: { message: `injected replay error (ask ${n})` } });
  }
  const body = SHAPES['2.5h'](prompt, seededRandom(seed), {}) as Record<string, unknown>;
  if (prompt.includes('[unstable]')) {
    const key = `${seed}:${prompt}`;
    const n = (asked.get(key) ?? 0) + 1;
    asked.set(key, n);
    body.final_answer = `${String(body.final_answer)} [asked ${n}]`;
  }
  send({ id: req.id, result: body });
});
