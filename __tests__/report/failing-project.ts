import { makeProject } from '../helpers/cli.js';

/**
 * A project whose run fails in every way the report must show: failing assertions, engine errors
 * (the reference engine's --error-rate), and answers that carry markup (the reference engine quotes
 * the prompt in `final_answer`, so a prompt with a script tag comes back in the answer).
 */
export const XSS_SCRIPT = '<script>alert(1)</script>';
export const XSS_IMG = '<img src=x onerror=alert(2)>';

export function failingProject(): string {
  return makeProject({
    'testops.config.json': {
      sim: { registry: 'sim/sim_dataset.json', concurrency: 4 },
      load: { rate: 20, duration: '1s' },
      replay: { rounds: 2 },
    },
    'sim/sim_dataset.json': { datasets: [{ name: 'hostile', path: 'hostile.json', enabled: true, tags: [] }] },
    'sim/hostile.json': {
      name: 'hostile',
      description: 'answers with markup, failing assertions, engine errors',
      seed: 7,
      cases: [
        { id: 'script-answer', input: { prompt: `${XSS_SCRIPT} what is water` }, assert: [{ type: 'equals', value: 'water is wet' }] },
        { id: 'img-answer', input: { prompt: `${XSS_IMG} tell me` }, assert: [{ type: 'contains', value: 'a phrase the engine never says' }] },
        { id: 'boils', input: { prompt: 'water boils at 100 C' }, assert: [{ type: 'contains', value: 'boils' }], repeat: 3 },
        { id: 'opus', input: { prompt: 'is it not raining' }, assert: [{ type: 'equals', path: '/opus_used', value: false }] },
        ...Array.from({ length: 8 }, (_, i) => ({ id: `plain-${i}`, input: { prompt: `question number ${i}` }, assert: [{ type: 'contains', value: `number ${i}` }] })),
      ],
    },
  });
}
