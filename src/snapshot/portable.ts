import path from 'node:path';
import { quote } from 'shell-quote';
import { argvRedactor, parseEngineSpec, redactTarget } from '../engine/spec.js';
import type { Settings } from '../settings/types.js';
import { canonicalJson, sha256Hex } from '../replay/canonical.js';

import { portablePath } from '../util/portable-path.js';

export { portablePath };

const REDACTED_WORD = 'toronTestopsRedacted';

/** An engine target without secrets (URL userinfo, query) or absolute paths (cmd: arguments). */
export function portableTarget(target: string, cwd: string): string {
  let spec;
  try {
    spec = parseEngineSpec(target);
  } catch {
    return redactTarget(target).replace(/(^|\s)\/\S+/g, (m, lead: string) => `${lead}…/${path.basename(m.trim())}`);
  }
  if (spec.kind === 'command') {
    // Credentials first (--api-key X, --token=X): a snapshot travels in bundles and baselines.
    // Through a plain-word stand-in: quote() would escape the brackets of [redacted].
    const redact = argvRedactor(spec.argv);
    const args = spec.argv.map((a) => redact(portableArg(a, cwd)).split('[redacted]').join(REDACTED_WORD));
    return `cmd:${quote(args)}`.split(REDACTED_WORD).join('[redacted]');
  }
  return redactTarget(target);
}

/** A command-line argument with its path made portable: a path itself, or a `--flag=/path` value. */
function portableArg(arg: string, cwd: string): string {
  if (path.isAbsolute(arg)) return portablePath(arg, cwd);
  const eq = /^-[^=]*=/.exec(arg);
  return eq && path.isAbsolute(arg.slice(eq[0].length)) ? eq[0] + portablePath(arg.slice(eq[0].length), cwd) : arg;
}

/**
 * sha256 of the settings that shape answers and verdicts, in portable form: two runs with the same
 * hash asked the same engine the same way. Left out: run id, paths of this machine, the baseline, the
 * shard, header values (their \${ENV} secrets; their names stay) and body members named like a
 * credential. The other body values are in: they are what the engine is asked (a temperature, a model),
 * and legs of one sharded run that asked differently must not merge as one run.
 */
/** A body member whose value is a credential by its name: rotating it changes no answer. */
const CREDENTIAL_NAME = /key|token|secret|passw|auth|credential/i;

export function settingsHash(s: Settings): string {
  const portable = {
    engine: {
      target: portableTarget(s.engine.target, s.cwd),
      profile: s.engine.profile,
      timeoutMs: s.engine.timeoutMs,
      maxResponseBytes: s.engine.maxResponseBytes,
      headers: Object.keys(s.engine.headers).sort(),
      body: Object.fromEntries(Object.entries(s.engine.body).map(([k, v]) => [k, CREDENTIAL_NAME.test(k) ? '[redacted]' : v])),
      rateLimit: s.engine.rateLimit,
    },
    engineVersion: s.engineVersion,
    reference: s.engine.target.trim() === 'reference' ? s.reference : null,
    sim: { ...s.sim, registry: portablePath(s.sim.registry, s.cwd) },
    load: s.load,
    replay: s.replay,
    pipeline: s.pipeline,
    stages: s.stages,
    failOn: s.failOn,
  };
  return sha256Hex(canonicalJson(portable));
}
