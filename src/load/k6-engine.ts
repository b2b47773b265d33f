import type { EngineSpec } from '../engine/spec.js';

/**
 * Why k6 cannot load this engine, or null when it can: k6 sends HTTP requests only. Said the same way
 * by the settings (before any stage runs) and by the k6 backend (settings changed after resolving:
 * compare's candidate and baseline).
 */
export function k6EngineProblem(kind: EngineSpec['kind']): string | null {
  if (kind === 'http') return null;
  return (
    `load.generator "k6" sends HTTP requests, but the engine is ${kind === 'command' ? 'a cmd: process' : 'the in-process reference engine'}: ` +
    'use load.generator "builtin" (it loads every kind of engine), or serve the engine over HTTP (e.g. toron-testops engine serve)'
  );
}
