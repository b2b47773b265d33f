import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeProject, ROOT } from '../helpers/cli.js';

/**
 * A generated project for sharding tests: passing, failing, flaky, erroring and replay-unstable cases,
 * five undeclared Opus escalations (over the default budget of 3 for the whole run), and one case id
 * used in two datasets (ids are unique only within a dataset).
 */
export const MIXED_ENGINE = `cmd:${process.execPath} --import ${pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href} ${path.join(ROOT, '__tests__/merge/mixed-engine.ts')}`;

const ANSWER_START = 'Here is a clear, empathetic explanation grounded in the verified facts while preserving every objective element: ';

function dataset(name: string, cases: unknown[], extra: Record<string, unknown> = {}) {
  return { name, description: `${name} cases`, seed: 7, defaults: { ignorePaths: ['/random_witness', '/state_snapshot/RWL_RESULT/model'] }, ...extra, cases };
}

export function mixedFiles(opts: { extraCase?: boolean } = {}): Record<string, unknown> {
  const topics = ['the capital of France', 'the speed of light', 'the boiling point of water', 'photosynthesis', 'the tallest mountain', 'a prime number', 'the Pythagorean theorem', 'the largest ocean'];
  const core = topics.map((t, i) => ({ id: `core-${i + 1}`, input: { prompt: `What is ${t}?` }, assert: [{ type: 'starts-with', value: ANSWER_START }] }));
  if (opts.extraCase) core.push({ id: 'core-added', input: { prompt: 'What is the smallest planet?' }, assert: [{ type: 'starts-with', value: ANSWER_START }] });
  const failing = ['Why is the sky blue?', 'How do tides work?', 'What causes rain?'].map((p, i) => ({
    id: `wrong-${i + 1}`,
    input: { prompt: p },
    assert: [{ type: 'contains', value: 'zebra-unicorn' }],
  }));
  const flaky = ['How do magnets work?', 'What is gravity?', 'How do vaccines work?', 'What is entropy?'].map((p, i) => ({
    id: `order-${i + 1}`,
    input: { prompt: p },
    repeat: 4,
    // The hypotheses come in a seeded order: about half the seeds put one of these four first.
    assert: [{ type: 'regex', value: `^${ANSWER_START.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(Claude|GPT|Mistral|Gemini)` }],
  }));
  const escalating = ['Is it not true that ice floats?', 'Why do birds not fall?', 'Can fish not drown?', 'Is zero not a number?', 'Does light not bend?'].map((p, i) => ({
    id: `opus-${i + 1}`,
    input: { prompt: p },
    assert: [{ type: 'starts-with', value: ANSWER_START }],
  }));
  const unstable = ['[unstable] What is a comet?', '[unstable] What is a quasar?', '[unstable] What is a pulsar?'].map((p, i) => ({
    id: `unstable-${i + 1}`,
    input: { prompt: p },
    assert: [{ type: 'starts-with', value: ANSWER_START }],
  }));
  const erroring = [
    ...['[error] What is a lake?', '[error] What is a river?'].map((p, i) => ({ id: `err-${i + 1}`, input: { prompt: p }, repeat: 3, assert: [] })),
    // Answered in SIM, never again: replay leaves it out (unscored), in whichever shard it lands.
    { id: 'err-replay', input: { prompt: '[replay-error] What is a sea?' }, assert: [] },
  ];
  // The same id as in "core-like" dataset "greetings-b": a case is identified by dataset + id.
  const greetA = [{ id: 'greeting', input: { prompt: 'Hello, who are you?' }, assert: [{ type: 'starts-with', value: ANSWER_START }] }];
  const greetB = [{ id: 'greeting', input: { prompt: 'Good morning, what can you do?' }, assert: [{ type: 'starts-with', value: ANSWER_START }] }];
  return {
    'testops.config.json': { engine: MIXED_ENGINE, sim: { registry: 'sim/sim_dataset.json', concurrency: 4 }, replay: { rounds: 2 } },
    'sim/sim_dataset.json': {
      datasets: [
        { name: 'core', path: 'core.json', enabled: true, tags: [] },
        { name: 'failing', path: 'failing.json', enabled: true, tags: [] },
        { name: 'flaky', path: 'flaky.json', enabled: true, tags: [] },
        { name: 'escalating', path: 'escalating.json', enabled: true, tags: [] },
        { name: 'unstable', path: 'unstable.json', enabled: true, tags: [] },
        { name: 'erroring', path: 'erroring.json', enabled: true, tags: [] },
        { name: 'greetings-a', path: 'greetings-a.json', enabled: true, tags: [] },
        { name: 'greetings-b', path: 'greetings-b.json', enabled: true, tags: [] },
      ],
    },
    'sim/core.json': dataset('core', core),
    'sim/failing.json': dataset('failing', failing),
    'sim/flaky.json': dataset('flaky', flaky),
    'sim/escalating.json': dataset('escalating', escalating),
    'sim/unstable.json': dataset('unstable', unstable),
    'sim/erroring.json': dataset('erroring', erroring),
    'sim/greetings-a.json': dataset('greetings-a', greetA),
    'sim/greetings-b.json': dataset('greetings-b', greetB),
  };
}

export function makeMixedProject(opts: { extraCase?: boolean } = {}): string {
  return makeProject(mixedFiles(opts));
}
