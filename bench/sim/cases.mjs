// Generated bench cases, and the files each tool reads them from. Both tools get the same prompts
// and the same single `contains` assertion per case, each in its own native format, both as JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const WORDS = ['amber', 'birch', 'cedar', 'dune', 'ember', 'fjord', 'glade', 'heron',
  'iris', 'juniper', 'kestrel', 'lagoon', 'maple', 'nimbus', 'opal', 'pine'];

/**
 * The word of case i: unique per case and found in no other case's prompt (the letter after the
 * number keeps "birch1z" out of "birch17z"), so an answer given for the wrong case fails.
 */
export function wordOf(i) {
  return `${WORDS[i % WORDS.length]}${i}z`;
}

/** n cases: { id, prompt, word }; the assertion is `contains word`. */
export function generateCases(n) {
  const cases = new Array(n);
  for (let i = 0; i < n; i++) {
    const word = wordOf(i);
    cases[i] = { id: `c${i}`, prompt: `case ${i}: the quick brown fox ${word}`, word };
  }
  return cases;
}

/**
 * toron-testops inputs: testops.config.json -> sim/sim_dataset.json (registry) -> sim/bench.json.
 * Returns the config path.
 */
export function writeOursInputs(dir, cases, concurrency) {
  const simDir = join(dir, 'sim');
  mkdirSync(simDir, { recursive: true });
  const dataset = {
    name: 'bench',
    description: 'generated',
    seed: 1,
    defaults: { assert: [] },
    cases: cases.map((c) => ({
      id: c.id,
      input: { prompt: c.prompt },
      assert: [{ type: 'contains', value: c.word }],
    })),
  };
  writeFileSync(join(simDir, 'bench.json'), JSON.stringify(dataset));
  const registry = { datasets: [{ name: 'bench', path: 'bench.json', enabled: true, tags: [] }] };
  writeFileSync(join(simDir, 'sim_dataset.json'), JSON.stringify(registry, null, 2));
  const configPath = join(dir, 'testops.config.json');
  const config = { sim: { registry: join(simDir, 'sim_dataset.json'), concurrency } };
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  return configPath;
}

/**
 * promptfoo inputs: promptfooconfig.yaml (echo provider, the prompt is the case's text) and
 * tests.json (vars.prompt + one contains assertion). Concurrency goes on the command line (-j).
 * Returns the config path.
 */
export function writePeerInputs(dir, cases) {
  mkdirSync(dir, { recursive: true });
  const tests = cases.map((c) => ({ vars: { prompt: c.prompt }, assert: [{ type: 'contains', value: c.word }] }));
  writeFileSync(join(dir, 'tests.json'), JSON.stringify(tests));
  const configPath = join(dir, 'promptfooconfig.yaml');
  writeFileSync(
    configPath,
    ['description: toron-testops bench (generated)', 'providers:', '  - echo', 'prompts:', "  - '{{prompt}}'",
      'tests: file://tests.json', ''].join('\n'),
  );
  return configPath;
}
