/**
 * The GitHub Action: inputs → settings → runner → publish → exit status. The first line is printed
 * before anything heavy is loaded (the bundle's chunks load on demand), so the log shows life at once.
 */
import pkg from '../package.json' with { type: 'json' };
import { restartWithHeapFlags } from './util/heap-flags.js';
import { holdSignals } from './action/early-signals.js';

restartWithHeapFlags(import.meta.url); // V8 flags for SIM's heap (same pid): before any output
const held = holdSignals(); // a cancel while the steps load is kept for them, not fatal
process.stdout.write(`toron-testops ${pkg.version}: starting\n`);
const action = await import('./action/steps.js');
const ctx = action.startAction(process.env, held);
const prepared = await action.prepare(ctx); // inputs (validated) → settings (+ baseline: auto)
const outcome = await action.run(ctx, prepared); // by mode: the runner, merge, compare, or publish's download; a cancelled job still finalises
await action.publish(ctx, prepared, outcome); // outputs, summary, artifact (not in mode publish), comment, annotations
action.exitWith(ctx, action.finish(ctx, outcome)); // fail-on decides
