import { project, dataset, run } from './__tests__/replay/helpers.js';
import { canonicalJson, sha256Hex } from './src/replay/canonical.js';
import { SHAPES } from './src/engine/reference/shapes/index.js';
import { seededRandom } from './src/util/seed.js';
const bodies = Array.from({length: 600}, (_, i) => SHAPES['2.5h'](`question ${i}`, seededRandom(i), {}));
for (let k = 0; k < 3; k++) {
  let t = performance.now(); let n = 0;
  for (const b of bodies) n += canonicalJson(b).length;
  const tc = performance.now() - t; t = performance.now();
  for (const b of bodies) n += JSON.stringify(b).length;
  const ts = performance.now() - t;
  console.log('canon', tc.toFixed(1), 'stringify', ts.toFixed(1), 'MB', (n/2/1e6).toFixed(2));
}
const dir = project({ d: dataset('d', 600) });
for (let i = 0; i < 4; i++) {
  const t = performance.now();
  const out = await run(dir, { engine: 'reference', runId: 'p' + i, stages: 'sim' });
  console.log('sim', Math.round(performance.now() - t), 'ms');
}
