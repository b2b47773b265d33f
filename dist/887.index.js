export const id = 887;
export const ids = [887];
export const modules = {

/***/ 96887:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  exitWith: () => (/* reexport */ exitWith),
  finish: () => (/* reexport */ finish),
  prepare: () => (/* reexport */ prepare),
  publish: () => (/* reexport */ publish),
  run: () => (/* reexport */ runGate),
  startAction: () => (/* reexport */ startAction)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
var external_node_fs_default = /*#__PURE__*/__webpack_require__.n(external_node_fs_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
;// CONCATENATED MODULE: ./src/util/printable.ts
/**
 * Characters that must never reach a console or a log as they are: C0 and C1 controls (ESC starts a
 * terminal escape sequence, NUL and CR garble CI logs) and the invisible format characters that
 * reorder or hide text (bidi overrides, zero-width). Tab is kept.
 */
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;
/** Text from outside (an engine, a dataset), made safe to print: every unsafe character becomes a visible `\xNN` or `\uNNNN`. */
function escapeControls(s) {
    return s.replace(UNSAFE, (c) => {
        const n = c.charCodeAt(0);
        return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
    });
}

;// CONCATENATED MODULE: ./src/util/errors.ts

/**
 * Bad input from the user (config, dataset, registry, flags). The run ends with ERROR and this message;
 * it always names the file, and the line and field when there is one.
 */
class InputError extends Error {
    file;
    line;
    column;
    /** JSON Pointer of the offending field. */
    pointer;
    caseId;
    constructor(message, where = {}) {
        super(formatInputError(message, where));
        this.name = 'InputError';
        Object.assign(this, where);
    }
}
function formatInputError(message, w) {
    if (!w.file)
        return message;
    let at = w.file;
    if (w.line !== undefined)
        at += `:${w.line}`;
    if (w.line !== undefined && w.column !== undefined)
        at += `:${w.column}`;
    const parts = [at];
    if (w.pointer !== undefined)
        parts.push(`at ${w.pointer === '' ? '(root)' : w.pointer}`);
    // Quoted as JSON: an id with a line break must not start a fake line in a log.
    if (w.caseId !== undefined)
        parts.push(`case ${escapeControls(JSON.stringify(w.caseId))}`);
    return `${parts.join(' ')}: ${message}`;
}
/** The engine could not be reached or its wiring is broken: ERROR, never a test verdict. */
class WiringError extends Error {
    constructor(message) {
        super(message);
        this.name = 'WiringError';
    }
}
function errorMessage(err) {
    return err instanceof Error ? err.message : String(err);
}

;// CONCATENATED MODULE: ./src/action/context.ts



function readGitHubEnv(env, cwd = process.cwd()) {
    let event = {};
    let eventProblem = null;
    if (env.GITHUB_EVENT_PATH) {
        try {
            const parsed = JSON.parse(external_node_fs_default().readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
            if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
                event = parsed;
            else
                eventProblem = `the event payload ${env.GITHUB_EVENT_PATH} is not a JSON object`;
        }
        catch (err) {
            eventProblem = `cannot read the event payload ${env.GITHUB_EVENT_PATH}: ${errorMessage(err)}`;
        }
    }
    const eventName = env.GITHUB_EVENT_NAME ?? '';
    const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
    const runId = Number(env.GITHUB_RUN_ID);
    const pr = pullRequestOf(event, eventName);
    return {
        workspace: external_node_path_default().resolve(env.GITHUB_WORKSPACE || cwd),
        repo: owner && repo ? { owner, repo } : null,
        serverUrl: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
        apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
        runId: Number.isSafeInteger(runId) && runId > 0 ? runId : null,
        runAttempt: Number(env.GITHUB_RUN_ATTEMPT) || 1,
        job: env.GITHUB_JOB || undefined,
        workflowRef: env.GITHUB_WORKFLOW_REF || undefined,
        eventName,
        event,
        headSha: pr?.headSha ?? env.GITHUB_SHA ?? null,
        pr,
        defaultBranch: typeof event.repository?.default_branch === 'string' ? event.repository.default_branch : null,
        eventProblem,
        stepSummaryFile: env.GITHUB_STEP_SUMMARY || null,
        outputFile: env.GITHUB_OUTPUT || null,
        debug: env.RUNNER_DEBUG === '1' || env.ACTIONS_STEP_DEBUG === 'true',
    };
}
function pullRequestOf(event, eventName) {
    const p = event.pull_request;
    if (!p || typeof p !== 'object' || !Number.isSafeInteger(p.number ?? event.number))
        return null;
    const headRepo = p.head?.repo?.full_name;
    const baseRepo = p.base?.repo?.full_name ?? event.repository?.full_name;
    // pull_request_target runs in the base repository with its token; only pull_request is read-only.
    const isFork = eventName === 'pull_request' && (headRepo === undefined || headRepo === null || headRepo !== baseRepo);
    return {
        number: p.number ?? event.number,
        headSha: typeof p.head?.sha === 'string' ? p.head.sha : null,
        headRef: typeof p.head?.ref === 'string' ? p.head.ref : null,
        baseRef: typeof p.base?.ref === 'string' ? p.base.ref : null,
        isFork,
    };
}
/** The run's page, for links in the summary and the PR comment. */
function runUrl(gh) {
    if (!gh.repo || gh.runId === null)
        return null;
    return `${gh.serverUrl}/${gh.repo.owner}/${gh.repo.repo}/actions/runs/${gh.runId}`;
}
function artifactUrl(gh, artifactId) {
    const run = runUrl(gh);
    return run ? `${run}/artifacts/${artifactId}` : null;
}

;// CONCATENATED MODULE: ./src/action/cancel.ts
/** Everything after the first signal (finalising, outputs, summary, a partial artifact) fits in this. */
const CANCEL_BUDGET_MS = 6000;
function watchCancellation(opts) {
    const proc = opts.process ?? process;
    const budgetMs = opts.budgetMs ?? CANCEL_BUDGET_MS;
    const controller = new AbortController();
    let at = null;
    const handler = (sig) => {
        if (at === null) {
            at = performance.now();
            opts.onCancel(sig);
            controller.abort(new Error(`cancelled (${sig})`));
        }
        else {
            opts.onSecondSignal(sig);
        }
    };
    proc.on('SIGINT', handler);
    proc.on('SIGTERM', handler);
    return {
        signal: controller.signal,
        cancelledAt: () => at,
        budget(normalMs) {
            if (at === null)
                return normalMs;
            return Math.max(0, Math.min(normalMs, budgetMs - (performance.now() - at)));
        },
        dispose() {
            proc.off('SIGINT', handler);
            proc.off('SIGTERM', handler);
        },
    };
}
/**
 * Settles with the promise, or with `onTimeout()` (its value, or what it throws) when `ms` pass first.
 * The promise keeps running: the libraries behind it take no signal.
 */
async function withDeadline(promise, ms, onTimeout) {
    let timer;
    const deadline = new Promise((resolve, reject) => {
        timer = setTimeout(() => {
            try {
                resolve(onTimeout());
            }
            catch (err) {
                reject(err);
            }
        }, Math.max(0, ms));
    });
    promise.catch(() => { }); // a rejection after the deadline must not become an unhandled one
    try {
        return await Promise.race([promise, deadline]);
    }
    finally {
        clearTimeout(timer);
    }
}
/**
 * Calls `fire` when a step started now runs out of time: `normalMs` while the job runs; once the job is
 * cancelled (before the step or in the middle of it), what is left of the cancel budget, if that is
 * sooner. Returns the function that stops watching.
 */
function whenTimeRunsOut(c, normalMs, fire) {
    const started = performance.now();
    const left = () => Math.max(0, Math.min(normalMs - (performance.now() - started), c.budget(normalMs)));
    let timer = setTimeout(fire, left());
    const shorten = () => {
        clearTimeout(timer);
        timer = setTimeout(fire, left());
    };
    if (c.cancelledAt() === null)
        c.signal.addEventListener('abort', shorten, { once: true });
    return () => {
        clearTimeout(timer);
        c.signal.removeEventListener('abort', shorten);
    };
}
/**
 * An AbortSignal for a network step: aborts (a TimeoutError, like AbortSignal.timeout) after `normalMs`,
 * or when the cancel budget runs out, also when the cancel comes in the middle of the step.
 */
function budgetSignal(c, normalMs) {
    const controller = new AbortController();
    const stop = whenTimeRunsOut(c, normalMs, () => controller.abort(new DOMException('The operation timed out.', 'TimeoutError')));
    controller.signal.addEventListener('abort', stop, { once: true });
    return controller.signal;
}
/**
 * A network step bounded by the job's cancellation budget: `normalMs` while the job runs, what is left
 * of the cancel budget once the job is cancelled (a cancel in the middle of the step shortens the wait
 * too). Throws, naming the step and how long it was waited for, when the time runs out.
 */
function withinBudget(c, normalMs, what, promise) {
    promise.catch(() => { }); // a rejection after the deadline must not become an unhandled one
    const started = performance.now();
    return new Promise((resolve, reject) => {
        const stop = whenTimeRunsOut(c, normalMs, () => {
            const waited = Math.round((performance.now() - started) / 1000);
            reject(new Error(`${what} did not finish within ${waited} s${c.cancelledAt() !== null ? ' (the job was cancelled)' : ''}`));
        });
        promise.then((v) => {
            stop();
            resolve(v);
        }, (err) => {
            stop();
            reject(err);
        });
    });
}

;// CONCATENATED MODULE: ./src/github/commands.ts
/** The runner's own escaping: data keeps `:` and `,`; property values may not. */
function escapeData(s) {
    return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s) {
    return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
function formatCommand(command, props, message) {
    const parts = Object.entries(props)
        .filter(([, v]) => v !== undefined && v !== '')
        .map(([k, v]) => `${k}=${escapeProperty(String(v))}`);
    return `::${command}${parts.length ? ' ' + parts.join(',') : ''}::${escapeData(message)}`;
}
/** An annotation line for stdout. */
function annotationCommand(level, message, props = {}) {
    return formatCommand(level, props, message);
}
/**
 * User-controlled text printed to the log must not start workflow commands of its own (a finding
 * message quoting `::add-mask::` or `::stop-commands::`): `stop-commands` would be heavier; a leading
 * zero-width space on lines starting with `::` is enough and keeps the text readable.
 */
function neutralise(line) {
    return line.replace(/^(\s*)::/gm, '$1\u200b::');
}

;// CONCATENATED MODULE: ./src/action/log.ts

/**
 * The action's own log lines. Warnings and errors become annotations, which share the platform's
 * budget of 10 per level per step with the WAR ROOM annotations: the logger counts what it used so the
 * annotation step can take only what is left.
 */
class ActionLog {
    write;
    debugEnabled;
    used = { error: 0, warning: 0, notice: 0 };
    /** Warnings raised while publishing, repeated in the job summary. */
    warnings = [];
    constructor(write, debugEnabled = false) {
        this.write = write;
        this.debugEnabled = debugEnabled;
    }
    info(message) {
        this.write(neutralise(message) + '\n');
    }
    debug(message) {
        if (this.debugEnabled)
            this.write(`::debug::${message.replace(/\r?\n/g, '%0A')}\n`);
    }
    warning(message, props = {}) {
        this.warnings.push(message);
        this.annotate('warning', message, props);
    }
    error(message, props = {}) {
        this.annotate('error', message, props);
    }
    notice(message, props = {}) {
        this.annotate('notice', message, props);
    }
    annotate(level, message, props = {}) {
        this.used[level]++;
        this.write(annotationCommand(level, message, props) + '\n');
    }
    group(name) {
        this.write(`::group::${name}\n`);
    }
    endGroup() {
        this.write('::endgroup::\n');
    }
    /** A line made elsewhere (an annotation command): written as is; the caller counts it. */
    rawLine(line) {
        this.write(line + '\n');
    }
    /** Raw text (a child tool's console), neutralised so it cannot issue workflow commands. */
    raw(text) {
        this.write(neutralise(text));
    }
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
var external_node_os_default = /*#__PURE__*/__webpack_require__.n(external_node_os_);
// EXTERNAL MODULE: ./node_modules/ajv/dist/ajv.js
var ajv = __webpack_require__(42463);
// EXTERNAL MODULE: ./node_modules/fastest-levenshtein/mod.js
var mod = __webpack_require__(21916);
;// CONCATENATED MODULE: ./schemas/settings.schema.json
const settings_schema_namespaceObject = /*#__PURE__*/JSON.parse('{"$schema":"http://json-schema.org/draft-07/schema#","$id":"https://github.com/ryuzen/toron-testops/schemas/settings.schema.json","title":"toron-testops config (testops.config.json / .yaml)","description":"Settings for toron-testops runs. CLI flags and action inputs override these; unset keys take the documented defaults.","type":"object","additionalProperties":false,"properties":{"$schema":{"description":"URI of this JSON Schema, for editor completion. Ignored by toron-testops.","type":"string"},"engine":{"description":"The engine under test: a spec string (\\"reference\\", an http(s):// URL of its POST endpoint, or \\"cmd:<argv>\\" for a JSON-lines process), or an object with the spec and its request options.","type":["string","object"],"pattern":"^(reference|[Hh][Tt][Tt][Pp][Ss]?://\\\\S+|cmd:.*\\\\S.*)$","x-expected":"\\"reference\\", an http:// or https:// URL, or \\"cmd:<argv>\\"","default":"reference","additionalProperties":false,"required":["target"],"properties":{"target":{"description":"Engine spec: \\"reference\\", an http(s):// URL, or \\"cmd:<argv>\\" (split like a shell would, never run through a shell).","type":"string","pattern":"^(reference|[Hh][Tt][Tt][Pp][Ss]?://\\\\S+|cmd:.*\\\\S.*)$","x-expected":"\\"reference\\", an http:// or https:// URL, or \\"cmd:<argv>\\"","default":"reference"},"profile":{"description":"Response profile mapping the engine\'s answer shape onto the checker\'s view; \\"auto\\" detects it from the first answer.","type":"string","enum":["auto","toron-2.5h","toron-2.5h-stability","toron-3","custom"],"default":"auto"},"headers":{"description":"Extra HTTP request headers. Values may reference environment variables as ${NAME}; they are expanded when sending and never printed.","type":"object","propertyNames":{"pattern":"^[!#$%&\'*+.^_`|~0-9A-Za-z-]+$","x-expected":"a valid HTTP header name"},"additionalProperties":{"description":"Header value template (may hold ${ENV} references).","type":"string"},"default":{}},"timeoutMs":{"description":"Per-request timeout in milliseconds.","type":"integer","minimum":1,"maximum":2147483647,"default":30000},"maxResponseBytes":{"description":"Largest response body accepted, in bytes; a bigger answer is an error.","type":"integer","minimum":1,"default":10485760},"body":{"description":"Extra fields merged into every request body.","type":"object","default":{}}}},"engines":{"description":"Engine map: version -> target and profile. `engineVersion` (or --engine-version) picks one, so old snapshots replay through the profile they were made with.","type":"object","default":{},"additionalProperties":{"description":"One engine build.","type":"object","additionalProperties":false,"required":["target"],"properties":{"target":{"description":"Engine spec: \\"reference\\", an http(s):// URL, or \\"cmd:<argv>\\".","type":"string","pattern":"^(reference|[Hh][Tt][Tt][Pp][Ss]?://\\\\S+|cmd:.*\\\\S.*)$","x-expected":"\\"reference\\", an http:// or https:// URL, or \\"cmd:<argv>\\""},"profile":{"description":"Response profile of this build.","type":"string","enum":["auto","toron-2.5h","toron-2.5h-stability","toron-3","custom"],"default":"auto"}}}},"engineVersion":{"description":"Key of `engines` to test; its target and profile are used unless --engine is given. null: use `engine`.","type":["string","null"],"minLength":1,"default":null},"reference":{"description":"Knobs of the built-in reference engine (all seeded, all off by default).","type":"object","additionalProperties":false,"properties":{"latencyMs":{"description":"Mean added latency per request, in milliseconds (0: none).","type":"number","minimum":0,"maximum":2147483647,"default":0},"errorRate":{"description":"Fraction of requests answered with an error (0..1).","type":"number","minimum":0,"maximum":1,"default":0},"nondeterminism":{"description":"Fraction of responses perturbed (0..1).","type":"number","minimum":0,"maximum":1,"default":0},"crashAfter":{"description":"Crash after this many requests (0: never).","type":"integer","minimum":0,"default":0},"stallMs":{"description":"Every so often the engine freezes for this many milliseconds (0: never).","type":"number","minimum":0,"maximum":2147483647,"default":0},"generation":{"description":"Which Toron generation\'s response shape the reference engine answers with.","type":"string","enum":["2.5h","2.5h-stability","3"],"default":"2.5h"},"seed":{"description":"Seed of the knobs\' random stream (unsigned 32-bit integer).","type":"integer","minimum":0,"maximum":4294967295,"default":1}}},"sim":{"description":"SIM suite: datasets of cases with assertions.","type":"object","additionalProperties":false,"properties":{"registry":{"description":"Path of the dataset registry, relative to the working directory.","type":"string","minLength":1,"pattern":"^[^\\\\u0000]*$","x-expected":"a path without NUL bytes","default":"sim/sim_dataset.json"},"concurrency":{"description":"Cases in flight at once (1..1024).","type":"integer","minimum":1,"maximum":1024,"default":8},"timeoutMs":{"description":"Timeout of one case, in milliseconds.","type":"integer","minimum":1,"maximum":2147483647,"default":30000},"passRate":{"description":"Pass-rate gates: below `warn` the stage warns, below `fail` it fails (warn >= fail).","type":"object","additionalProperties":false,"properties":{"warn":{"description":"Pass rate (0..1) below which the SIM stage is WARN.","type":"number","minimum":0,"maximum":1,"default":1},"fail":{"description":"Pass rate (0..1) below which the SIM stage is FAIL.","type":"number","minimum":0,"maximum":1,"default":0.95}}},"datasets":{"description":"Only run these registered dataset names (empty: all enabled datasets).","type":"array","items":{"description":"A dataset name from the registry.","type":"string","minLength":1},"uniqueItems":true,"default":[]},"tags":{"description":"Only run cases with one of these tags (empty: all cases).","type":"array","items":{"description":"A case tag.","type":"string","minLength":1},"uniqueItems":true,"default":[]}}},"load":{"description":"Open-model load test (k6 metric names and threshold syntax).","type":"object","additionalProperties":false,"properties":{"generator":{"description":"\\"builtin\\" (the Node open-model generator) or \\"k6\\".","type":"string","enum":["builtin","k6"],"default":"builtin"},"rate":{"description":"Requests started per second (constant arrival rate) when `stages` is empty.","type":"number","exclusiveMinimum":0,"default":50},"duration":{"description":"How long the constant rate runs, with units like k6: \\"10s\\", \\"1m30s\\", \\"500ms\\", \\"1h\\".","type":"string","pattern":"^(?:[0-9]+(?:\\\\.[0-9]+)?(?:ms|s|m|h))+$","x-expected":"a duration with units like \\"10s\\", \\"1m30s\\" or \\"500ms\\"","default":"10s"},"stages":{"description":"Ramping arrival rate: each stage moves the rate linearly to `target` over `duration` (overrides rate/duration when not empty).","type":"array","default":[],"items":{"description":"One ramp stage.","type":"object","additionalProperties":false,"required":["duration","target"],"properties":{"duration":{"description":"Length of this stage, like \\"30s\\" or \\"1m\\".","type":"string","pattern":"^(?:[0-9]+(?:\\\\.[0-9]+)?(?:ms|s|m|h))+$","x-expected":"a duration with units like \\"10s\\", \\"1m30s\\" or \\"500ms\\""},"target":{"description":"Arrival rate (requests per second) reached at the end of this stage.","type":"number","minimum":0}}}},"maxInFlight":{"description":"Most requests in flight at once; a due request beyond it is dropped (counted in dropped_iterations).","type":"integer","minimum":1,"default":256},"thresholds":{"description":"k6 thresholds: metric name -> list of expressions like \\"p(95)<450\\" or \\"rate<0.01\\". Replaces the defaults when given.","type":"object","default":{"http_req_duration":["p(95)<450"],"http_req_failed":["rate<0.01"]},"additionalProperties":{"description":"Threshold expressions for this metric.","type":"array","items":{"description":"A k6 threshold expression, or k6\'s object form { threshold, abortOnFail, delayAbortEval } plus our level (\\"warn\\" makes a breach a warning).","type":["string","object"],"minLength":1,"additionalProperties":false,"required":["threshold"],"properties":{"threshold":{"description":"A k6 threshold expression like \\"p(95)<450\\".","type":"string","minLength":1},"level":{"description":"\\"error\\" (a breach fails the stage, the default) or \\"warn\\".","type":"string","enum":["error","warn"]},"abortOnFail":{"description":"As in k6: stop the load as soon as this threshold is crossed while it runs (checked every second; the threshold then fails).","type":"boolean","default":false},"delayAbortEval":{"description":"As in k6: with abortOnFail, how long after the start to wait before the threshold may abort the load, like \\"10s\\".","type":"string","pattern":"^(?:[0-9]+(?:\\\\.[0-9]+)?(?:ms|s|m|h))+$","x-expected":"a duration with units like \\"10s\\", \\"1m30s\\" or \\"500ms\\""}}}}},"startRate":{"description":"With `stages`: the arrival rate (requests per second) the first stage ramps from, like k6\'s startRate.","type":"number","minimum":0,"default":0},"timeoutMs":{"description":"Per-request timeout under load in ms: a request not answered in time counts as a timeout error (in http_req_failed).","type":"integer","minimum":1,"maximum":2147483647,"default":10000},"maxSchedulerLagMs":{"description":"The generator fell behind when the p99 of its scheduler lag (actual minus intended send time) is above this many ms: the run is then marked invalid (WARN), never a pass.","type":"number","exclusiveMinimum":0,"default":100},"k6Binary":{"description":"The k6 executable used when `generator` is \\"k6\\" (looked up on PATH unless it contains a slash).","type":"string","minLength":1,"pattern":"^[^\\\\u0000]*$","x-expected":"a path without NUL bytes","default":"k6"}}},"replay":{"description":"Replay determinism: each case is answered `rounds` times and compared.","type":"object","additionalProperties":false,"properties":{"rounds":{"description":"Answers per case (1..100).","type":"integer","minimum":1,"maximum":100,"default":3},"ignorePaths":{"description":"JSON Pointers of response fields left out of comparisons (e.g. \\"/random_witness\\").","type":"array","default":[],"items":{"description":"A JSON Pointer into the response.","type":"string","pattern":"^(?:/(?:[^~/]|~[01])*)+$","x-expected":"a JSON Pointer like \\"/random_witness\\""}},"ignoreVolatile":{"description":"Also ignore the members the engine\'s Toron generation changes on every call whatever the prompt (the 2.5h random witness; the stability patch\'s random latencies and Opus resolution; toron-3\'s request ids, timestamps, measured latencies and cache flag). The profile (engine.profile, else pipeline.profile, auto: by shape) names them; each case\'s snapshot entry lists what was ignored. false: only ignorePaths.","type":"boolean","default":true},"freshProcess":{"description":"Start a fresh engine process for every round (command engines), to catch answers that depend on the process.","type":"boolean","default":false},"thresholds":{"description":"Determinism score gates in percent: at or above `pass` PASS, at or above `warn` WARN, else FAIL (pass >= warn).","type":"object","additionalProperties":false,"properties":{"pass":{"description":"Determinism score (0..100) needed to pass.","type":"number","minimum":0,"maximum":100,"default":90},"warn":{"description":"Determinism score (0..100) below which replay fails.","type":"number","minimum":0,"maximum":100,"default":70}}},"drift":{"description":"Drift against the baseline (--baseline): the share of cases answered stably in this run whose answer differs from the baseline\'s. WARN above `warnRate` (0: any changed case), FAIL above `failRate` (warnRate <= failRate).","type":"object","additionalProperties":false,"properties":{"warnRate":{"description":"Drift rate (0..1) above which replay warns; 0 warns on any changed stable case.","type":"number","minimum":0,"maximum":1,"default":0},"failRate":{"description":"Drift rate (0..1) above which replay fails.","type":"number","minimum":0,"maximum":1,"default":0.05}}}}},"pipeline":{"description":"Structural checks of tiered outputs.","type":"object","additionalProperties":false,"properties":{"profile":{"description":"Which generation\'s invariants to check; \\"auto\\" follows the engine\'s profile.","type":"string","enum":["auto","toron-2.5h","toron-2.5h-stability","toron-3","custom"],"default":"auto"},"maxOpusEscalations":{"description":"Most cases whose answers escalate to Opus (tier 4) without their dataset declaring it (an equals assertion pinning the escalation, or expected.opus_used: true).","type":"integer","minimum":0,"default":3},"maxContradictions":{"description":"Contradictions per answer must stay below this (5: four pass, five fail), unless the case\'s dataset declares them (an equals assertion pinning them, or expected.contradictions).","type":"integer","minimum":1,"default":5},"minConfidence":{"description":"Lowest acceptable confidence (0..1, normalized).","type":"number","minimum":0,"maximum":1,"default":0},"latencyP95Ms":{"description":"Largest acceptable 95th-percentile latency of the SIM answers (client side), in milliseconds.","type":"number","exclusiveMinimum":0,"default":450},"maxEscalationRate":{"description":"Most undeclared Opus escalations per checked answer (0..1).","type":"number","minimum":0,"maximum":1,"default":0.2},"escalationRateMinAnswers":{"description":"Below this many checked answers the escalation rate is reported but not gated (the count limit still applies).","type":"integer","minimum":1,"default":20},"minT1Models":{"description":"Tier 1 must hold outputs from at least this many models (toron-3: responders).","type":"integer","minimum":1,"default":3},"latencyOutlierK":{"description":"A SIM latency above median + k x MAD (median absolute deviation) is an outlier: a LOW event naming the case.","type":"number","exclusiveMinimum":0,"default":5},"latencyOutlierMinMs":{"description":"An outlier must also be at least this many milliseconds above the median: SIM latencies are client-side, and a busy runner stalls requests for tens of milliseconds, which is no engine anomaly.","type":"number","minimum":0,"default":250},"levels":{"description":"Per-check level: error (fails the stage), warn (WARN), info (a LOW event only) or off.","type":"object","propertyNames":{"x-expected":"a pipeline check name (answer-shape, t1-present, t2-audit, t3-evidence, tier-consistency, confidence-range, confidence-floor, contradiction-density, opus-escalations, escalation-rate, latency-p95, latency-outliers, profile-shape)","enum":["answer-shape","t1-present","t2-audit","t3-evidence","tier-consistency","confidence-range","confidence-floor","contradiction-density","opus-escalations","escalation-rate","latency-p95","latency-outliers","profile-shape"]},"additionalProperties":{"description":"error: a failure fails the stage (HIGH); warn: WARN (MEDIUM); info: a LOW event only; off: not judged.","type":"string","enum":["error","warn","info","off"]},"default":{}},"custom":{"description":"JSON Pointers of the \\"custom\\" profile: where any engine\'s answer keeps what the checker looks at. Only `answer` is required; unmapped checks are reported as not applicable.","type":["object","null"],"additionalProperties":false,"required":["answer"],"properties":{"answer":{"description":"The answer text.","type":"string","pattern":"^(/([^~/]|~[01])*)*$","x-expected":"a JSON Pointer such as \\"/result/text\\""},"confidence":{"description":"The confidence score (on confidenceScale).","type":"string","pattern":"^(/([^~/]|~[01])*)*$","x-expected":"a JSON Pointer such as \\"/result/text\\""},"confidenceScale":{"description":"The confidence scale, declared (never guessed): 100 for 0-100, 1 for 0..1. Required with `confidence`.","type":"integer","enum":[1,100]},"t1":{"description":"The list of tier-1 outputs.","type":"string","pattern":"^(/([^~/]|~[01])*)*$","x-expected":"a JSON Pointer such as \\"/result/text\\""},"t1Model":{"description":"Inside each tier-1 item: the model name (default /model).","type":"string","pattern":"^(/([^~/]|~[01])*)*$","x-expected":"a JSON Pointer such as \\"/result/text\\""},"t1Output":{"description":"Inside each tier-1 item: the output (default /output).","type":"string","pattern":"^(/([^~/]|~[01])*)*$","x-expected":"a JSON Pointer such as \\"/result/text\\""},"t2":{"description":"The tier-2 audit (an object; present when non-empty).","type":"string","pattern":"^(/([^~/]|~[01])*)*$","x-expected":"a JSON Pointer such as \\"/result/text\\""},"t3Items":{"description":"Evidence items (a list, or an object whose keys count).","type":"string","pattern":"^(/([^~/]|~[01])*)*$","x-expected":"a JSON Pointer such as \\"/result/text\\""},"t3Sources":{"description":"Evidence sources (a list, or an object whose keys count).","type":"string","pattern":"^(/([^~/]|~[01])*)*$","x-expected":"a JSON Pointer such as \\"/result/text\\""},"tierPath":{"description":"The tier path: a list of tier names or one \\"A->B\\" string; T4 is the escalation tier.","type":"string","pattern":"^(/([^~/]|~[01])*)*$","x-expected":"a JSON Pointer such as \\"/result/text\\""},"opusEscalated":{"description":"A boolean: whether the engine escalated to Opus / tier 4.","type":"string","pattern":"^(/([^~/]|~[01])*)*$","x-expected":"a JSON Pointer such as \\"/result/text\\""},"judicial":{"description":"The Opus / tier-4 result (present when non-empty).","type":"string","pattern":"^(/([^~/]|~[01])*)*$","x-expected":"a JSON Pointer such as \\"/result/text\\""},"contradictions":{"description":"A number, or a list whose length counts.","type":"string","pattern":"^(/([^~/]|~[01])*)*$","x-expected":"a JSON Pointer such as \\"/result/text\\""},"engineLatencyMs":{"description":"The latency the engine reports for itself, in milliseconds.","type":"string","pattern":"^(/([^~/]|~[01])*)*$","x-expected":"a JSON Pointer such as \\"/result/text\\""}},"default":null}}},"compare":{"description":"The staging gate (`toron-testops compare`): rules that judge the candidate against the baseline. Each broken rule is a WAR ROOM finding; the comparison verdict is the worst level of the broken rules.","type":"object","additionalProperties":false,"properties":{"rules":{"description":"Comparison rules by name; a rule left out keeps its default.","type":"object","additionalProperties":false,"properties":{"regressions":{"description":"Cases that passed on the baseline and fail on the candidate: broken when more than `max` (a count).","type":"object","additionalProperties":false,"properties":{"level":{"description":"error: a broken rule makes the comparison FAIL; warn: WARN; off: not evaluated.","type":"string","enum":["error","warn","off"],"default":"error"},"max":{"description":"The most allowed (count).","type":"number","minimum":0,"default":0}}},"passRateDrop":{"description":"SIM pass rate drop (baseline minus candidate, percentage points): broken when above `max`.","type":"object","additionalProperties":false,"properties":{"level":{"description":"error: a broken rule makes the comparison FAIL; warn: WARN; off: not evaluated.","type":"string","enum":["error","warn","off"],"default":"warn"},"max":{"description":"The most allowed (points).","type":"number","minimum":0,"default":0}}},"p95Increase":{"description":"Load p95 latency (http_req_duration p(95)) increase over the baseline, in percent: broken when above `max` and at least `minMs` slower.","type":"object","additionalProperties":false,"properties":{"level":{"description":"error: a broken rule makes the comparison FAIL; warn: WARN; off: not evaluated.","type":"string","enum":["error","warn","off"],"default":"warn"},"max":{"description":"The most allowed (percent).","type":"number","minimum":0,"default":20},"minMs":{"description":"And at least this many milliseconds slower: a few ms on a fast engine is noise, not a regression.","type":"number","minimum":0,"default":25}}},"errorRateIncrease":{"description":"Load error rate (http_req_failed) increase, in percentage points: broken when above `max`.","type":"object","additionalProperties":false,"properties":{"level":{"description":"error: a broken rule makes the comparison FAIL; warn: WARN; off: not evaluated.","type":"string","enum":["error","warn","off"],"default":"warn"},"max":{"description":"The most allowed (points).","type":"number","minimum":0,"default":1}}},"determinismDrop":{"description":"Replay determinism score drop (baseline minus candidate, points of 0-100): broken when above `max`.","type":"object","additionalProperties":false,"properties":{"level":{"description":"error: a broken rule makes the comparison FAIL; warn: WARN; off: not evaluated.","type":"string","enum":["error","warn","off"],"default":"warn"},"max":{"description":"The most allowed (points).","type":"number","minimum":0,"default":10}}},"changedAnswers":{"description":"Share of the cases on both sides whose answer changed (canonical form), in percent: broken when above `max`.","type":"object","additionalProperties":false,"properties":{"level":{"description":"error: a broken rule makes the comparison FAIL; warn: WARN; off: not evaluated.","type":"string","enum":["error","warn","off"],"default":"off"},"max":{"description":"The most allowed (percent).","type":"number","minimum":0,"default":0}}},"removedCases":{"description":"Baseline cases the candidate run does not have: broken when more than `max` (a count).","type":"object","additionalProperties":false,"properties":{"level":{"description":"error: a broken rule makes the comparison FAIL; warn: WARN; off: not evaluated.","type":"string","enum":["error","warn","off"],"default":"warn"},"max":{"description":"The most allowed (count).","type":"number","minimum":0,"default":0}}}}}}},"stages":{"description":"Stages to run (they always run in the order sim, load, replay, pipeline).","type":"array","minItems":1,"uniqueItems":true,"items":{"description":"A stage name.","type":"string","enum":["sim","load","replay","pipeline"]},"default":["sim","load","replay","pipeline"]},"failOn":{"description":"Which verdict makes the exit code non-zero: \\"fail\\" (FAIL only), \\"warn\\" (WARN too) or \\"never\\".","type":"string","enum":["fail","warn","never"],"default":"fail"},"baseline":{"description":"Snapshot of the last good run to compare against (relative path), or null for none.","type":["string","null"],"minLength":1,"pattern":"^[^\\\\u0000]*$","x-expected":"a path without NUL bytes","default":null},"out":{"description":"Output directory for reports, snapshots, the WAR ROOM log and the database (relative path).","type":"string","minLength":1,"pattern":"^[^\\\\u0000]*$","x-expected":"a path without NUL bytes","default":".toron-testops"},"runId":{"description":"Run id (becomes a folder name; per-case seeds derive from it, so it reproduces a run). Generated when absent.","type":"string","pattern":"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$","x-expected":"1-128 letters, digits, \'.\', \'_\' or \'-\', starting with a letter or digit"}}}');
;// CONCATENATED MODULE: ./src/runner/events.ts
const STAGE_ORDER = ['sim', 'load', 'replay', 'pipeline'];

// EXTERNAL MODULE: ./node_modules/shell-quote/index.js
var shell_quote = __webpack_require__(26591);
;// CONCATENATED MODULE: ./src/engine/spec.ts



const ACCEPTED = 'accepted forms: "reference", an http:// or https:// URL (e.g. http://127.0.0.1:8000/run), ' +
    'or "cmd:<argv>" (e.g. cmd:python3 engine.py --stdio)';
function parseEngineSpec(spec) {
    const s = spec.trim();
    if (s === '')
        throw new InputError(`the engine is empty; ${ACCEPTED}`);
    if (s === 'reference')
        return { kind: 'reference' };
    if (s.startsWith('cmd:'))
        return { kind: 'command', argv: splitArgv(s.slice(4)) };
    if (/^https?:\/\//i.test(s))
        return { kind: 'http', url: parseHttpUrl(s) };
    throw new InputError(`unknown engine "${redactTarget(s)}"; ${ACCEPTED}`);
}
function parseHttpUrl(s) {
    let url;
    try {
        url = new URL(s);
    }
    catch {
        throw new InputError(`the engine URL "${redactTarget(s)}" is not a valid URL; ${ACCEPTED}`);
    }
    if (url.hostname === '') {
        throw new InputError(`the engine URL "${redactTarget(s)}" has no host; ${ACCEPTED}`);
    }
    return url;
}
/**
 * Splits like a POSIX shell would, but since nothing runs through a shell, anything a shell would
 * *do* (pipes, redirects, globs, variables) is refused rather than silently passed as a literal.
 */
function splitArgv(command) {
    let entries;
    try {
        // A lone `$` is literal in a shell too; shell-quote asks for the variable named ''.
        entries = (0,shell_quote.parse)(command, (name) => (name === '' ? '$' : { variable: name }));
    }
    catch (err) {
        throw new InputError(`cmd: engine "${command.trim()}" cannot be split into arguments: ${err.message}`);
    }
    const argv = [];
    for (const e of entries) {
        if (typeof e === 'string') {
            argv.push(e);
        }
        else if ('variable' in e) {
            throw new InputError(`cmd: engine uses the variable $${e.variable}, but cmd: engines run without a shell and expand ` +
                `nothing; write the value itself, or '$${e.variable}' in single quotes to pass it literally`);
        }
        else if ('comment' in e) {
            throw new InputError(`cmd: engine contains "#" (a shell comment); quote it ('#') if it is part of an argument`);
        }
        else if (e.op === 'glob') {
            throw new InputError(`cmd: engine contains the glob "${e.pattern}", which is not expanded (no shell); ` +
                `quote it if it is meant literally`);
        }
        else {
            throw new InputError(`cmd: engine contains the shell operator "${e.op}", but cmd: engines run one program without ` +
                `a shell (no pipes, redirects, && or ;); wrap a script if you need them`);
        }
    }
    // shell-quote drops the string boundaries of `""`, so an empty argv means nothing but whitespace.
    if (argv.length === 0 || argv[0] === '') {
        throw new InputError(`cmd: engine names no program; ${ACCEPTED}`);
    }
    return argv;
}
/**
 * The absolute paths in a cmd: engine's command line (arguments, and `--flag=/path` values): files of
 * this machine that reports must not name. None for other engines, or a spec that does not parse.
 */
function enginePaths(spec) {
    let parsed;
    try {
        parsed = parseEngineSpec(spec);
    }
    catch {
        return [];
    }
    if (parsed.kind !== 'command')
        return [];
    const out = [];
    for (const arg of parsed.argv) {
        const value = /^-[^=]*=/.test(arg) ? arg.slice(arg.indexOf('=') + 1) : arg;
        if (external_node_path_default().isAbsolute(value))
            out.push(value);
    }
    return out;
}
/**
 * The spec as it may be printed: a URL loses its userinfo and its whole query string (either may hold
 * a token); anything else is printed as given.
 */
function redactTarget(spec) {
    const s = spec.trim();
    if (!/^https?:\/\//i.test(s))
        return s;
    try {
        const url = new URL(s);
        return redactUrl(url);
    }
    catch {
        // Not a valid URL: still drop what looks like userinfo or a query.
        return s.replace(/\/\/[^/@]*@/, '//').replace(/\?.*$/, '');
    }
}
function redactUrl(url) {
    const u = new URL(url.href);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.href;
}

// EXTERNAL MODULE: ./node_modules/jsonc-parser/lib/umd/main.js
var main = __webpack_require__(99547);
;// CONCATENATED MODULE: ./src/util/json-source.ts


/** Line starts of a text, for offset -> line/column: after LF, CRLF, or a lone CR (old Mac files). */
function lineStarts(text) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10))
            starts.push(i + 1);
    }
    return starts;
}
function positionAt(starts, offset) {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= offset)
            lo = mid;
        else
            hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
}
function json_source_pointerToSegments(pointer) {
    if (pointer === '')
        return [];
    if (!pointer.startsWith('/'))
        throw new Error(`not a JSON Pointer: ${pointer}`);
    return pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}
function segmentsToPointer(segments) {
    return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}
/** Pointers this shallow are indexed in the first pass; deeper ones build the full tree on demand. */
const INDEXED_DEPTH = 2;
/**
 * Parse strict JSON (no comments, no trailing commas). A syntax error throws an InputError with
 * file:line:column. `file` is the path as it should be printed (relative).
 *
 * Good files (what every run reads) take the fast path: JSON.parse, then one plain character scan of
 * the known-valid text records where every value of the top two levels starts (`/name`, `/cases/17`):
 * that is all a dataset of 100k cases asks for on the good path. A text JSON.parse refuses goes through
 * jsonc-parser's visitor, which names the first problem. The full node tree, which costs several times
 * more, is only built when a deeper pointer is asked for (errors).
 */
function parseJsonSource(text, file) {
    // Before any parser: the careful one (jsonc-parser) recurses, and overflows on deep enough text.
    const structure = scanStructure(text);
    if (structure.deepAt >= 0) {
        const pos = positionAt(lineStarts(text), structure.deepAt);
        throw new InputError(`nested deeper than ${MAX_JSON_DEPTH} levels`, { file, line: pos.line, column: pos.column });
    }
    let value;
    let shallow;
    let starts;
    try {
        value = JSON.parse(text);
        starts = lineStarts(text);
        shallow = shallowOffsets(text);
    }
    catch {
        ({ value, shallow, starts } = checkedParse(text, file));
    }
    if (structure.keys !== memberCount(value))
        rejectDuplicate(text, file, starts);
    let tree;
    const deepOffset = (pointer) => {
        tree ??= (0,main.parseTree)(text, [], { disallowComments: true, allowTrailingComma: false });
        if (!tree)
            return 0;
        let segs = json_source_pointerToSegments(pointer);
        let node;
        while (!(node = (0,main.findNodeAtLocation)(tree, segs)) && segs.length > 0)
            segs = segs.slice(0, -1);
        return node?.parent?.type === 'property' ? node.parent.offset : (node ?? tree).offset;
    };
    return {
        file,
        value,
        lineOf(pointer) {
            const known = shallow.get(pointer);
            return positionAt(starts, known ?? deepOffset(pointer)).line;
        },
    };
}
/** The old careful path, for texts JSON.parse refuses: the first problem with its line and column. */
function checkedParse(text, file) {
    const starts = lineStarts(text);
    const shallow = new Map();
    let firstError = null;
    let depth = 0;
    let pendingKeyOffset = -1; // offset of the property name, where a property's line starts
    const record = (offset, path) => {
        if (depth > INDEXED_DEPTH)
            return;
        const p = path();
        if (p.length <= INDEXED_DEPTH)
            shallow.set(segmentsToPointer(p), pendingKeyOffset >= 0 ? pendingKeyOffset : offset);
        pendingKeyOffset = -1;
    };
    (0,main.visit)(text, {
        onObjectBegin: (offset, _l, _sl, _sc, path) => {
            record(offset, path);
            depth++;
        },
        onObjectEnd: () => void depth--,
        onArrayBegin: (offset, _l, _sl, _sc, path) => {
            record(offset, path);
            depth++;
        },
        onArrayEnd: () => void depth--,
        onObjectProperty: (_p, offset) => {
            if (depth <= INDEXED_DEPTH)
                pendingKeyOffset = offset;
        },
        onLiteralValue: (_v, offset, _l, _sl, _sc, path) => record(offset, path),
        onError: (code, offset) => {
            if (!firstError)
                firstError = { offset, code };
        },
    }, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const err = firstError;
    if (err || text.trim() === '') {
        const pos = positionAt(starts, err ? err.offset : 0);
        const what = err ? (0,main.printParseErrorCode)(err.code) : 'empty document';
        throw new InputError(`invalid JSON (${what})`, { file, line: pos.line, column: pos.column });
    }
    // jsonc-parser is lenient in places JSON.parse is not (e.g. control characters); JSON.parse has the last word.
    let value;
    try {
        value = JSON.parse(text);
    }
    catch (e) {
        const m = /position (\d+)/.exec(String(e));
        const pos = positionAt(starts, m ? Number(m[1]) : 0);
        throw new InputError(`invalid JSON (${e.message})`, { file, line: pos.line, column: pos.column });
    }
    return { value, shallow, starts };
}
const QUOTE = 34;
const BACKSLASH = 92;
function isSpace(c) {
    return c === 32 || c === 10 || c === 13 || c === 9;
}
/**
 * Where each value of the top INDEXED_DEPTH levels of a text JSON.parse accepted starts, by pointer:
 * a member at the offset of its name, an array item or the root at its own first character (what the
 * visitor of checkedParse records). The text is known valid, so this only tracks strings and nesting.
 */
function shallowOffsets(text) {
    const out = new Map();
    const n = text.length;
    let i = 0;
    const skipSpace = () => {
        while (i < n && isSpace(text.charCodeAt(i)))
            i++;
    };
    /** From an opening quote to just past the closing one. */
    const skipString = () => {
        i++;
        for (;;) {
            const c = text.charCodeAt(i++);
            if (c === QUOTE)
                return;
            if (c === BACKSLASH)
                i++;
        }
    };
    /** Past a whole value of any depth. */
    const skipValue = () => {
        const c = text.charCodeAt(i);
        if (c === QUOTE)
            return skipString();
        if (c !== 123 && c !== 91) {
            // number, true, false, null: up to the next delimiter
            while (i < n) {
                const d = text.charCodeAt(i);
                if (d === 44 || d === 125 || d === 93 || isSpace(d))
                    return;
                i++;
            }
            return;
        }
        let depth = 0;
        while (i < n) {
            const d = text.charCodeAt(i);
            if (d === QUOTE) {
                skipString();
                continue;
            }
            i++;
            if (d === 123 || d === 91)
                depth++;
            else if (d === 125 || d === 93) {
                if (--depth === 0)
                    return;
            }
        }
    };
    /** Records the value at `i` (key offset `at`, or its own start), then walks or skips it. */
    const value = (pointer, at, depth) => {
        out.set(pointer, at >= 0 ? at : i);
        const c = text.charCodeAt(i);
        if (depth >= INDEXED_DEPTH || (c !== 123 && c !== 91))
            return skipValue();
        i++;
        skipSpace();
        if (c === 91) {
            for (let k = 0; text.charCodeAt(i) !== 93; k++) {
                value(`${pointer}/${k}`, -1, depth + 1);
                skipSpace();
                if (text.charCodeAt(i) === 44)
                    i++;
                skipSpace();
            }
        }
        else {
            while (text.charCodeAt(i) !== 125) {
                const keyAt = i;
                skipString();
                const raw = text.slice(keyAt + 1, i - 1);
                const key = raw.includes('\\') ? JSON.parse(text.slice(keyAt, i)) : raw;
                skipSpace();
                i++; // :
                skipSpace();
                value(`${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, keyAt, depth + 1);
                skipSpace();
                if (text.charCodeAt(i) === 44)
                    i++;
                skipSpace();
            }
        }
        i++;
    };
    skipSpace();
    value('', -1, 0);
    return out;
}
/**
 * Deeper than this, a file is refused: every walk of a value (assertions, canonical forms, snapshots)
 * recurses, and a stack overflow would say nothing of where. No dataset or config needs a tenth of it.
 */
const MAX_JSON_DEPTH = 1000;
/**
 * What JSON.parse lets through silently: a member named twice in one object. The last one wins, so an
 * assertion or a setting written first would just disappear. The good path costs the structure scan
 * and one count of the parsed members; only a file whose counts differ is walked again, to name it.
 */
function rejectDuplicate(text, file, starts) {
    const dup = firstDuplicate(text);
    if (!dup)
        return;
    const pos = positionAt(starts, dup.offset);
    throw new InputError(`member "${dup.name}" appears twice in one object (JSON would keep only the last; remove or rename one)`, {
        file,
        line: pos.line,
        column: pos.column,
        pointer: dup.pointer,
    });
}
/**
 * Member names (strings followed by a colon; exact for valid JSON) and where nesting first passes
 * MAX_JSON_DEPTH. Any text is scanned, valid or not: an unterminated string ends the scan.
 */
function scanStructure(text) {
    let keys = 0;
    let depth = 0;
    const n = text.length;
    for (let i = 0; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c === QUOTE) {
            // To the closing quote: the next quote not escaped by an odd run of backslashes.
            let end = text.indexOf('"', i + 1);
            for (;;) {
                if (end < 0)
                    return { keys, deepAt: -1 };
                let b = end - 1;
                while (text.charCodeAt(b) === BACKSLASH)
                    b--;
                if ((end - 1 - b) % 2 === 0)
                    break;
                end = text.indexOf('"', end + 1);
            }
            i = end;
            let j = end + 1;
            while (j < n && isSpace(text.charCodeAt(j)))
                j++;
            if (text.charCodeAt(j) === 58)
                keys++;
        }
        else if (c === 123 || c === 91) {
            if (++depth > MAX_JSON_DEPTH)
                return { keys, deepAt: i };
        }
        else if (c === 125 || c === 93)
            depth--;
    }
    return { keys, deepAt: -1 };
}
/** Own members over all objects of a parsed value (no recursion: depth is bounded only after this). */
function memberCount(root) {
    let n = 0;
    const stack = [root];
    while (stack.length > 0) {
        const v = stack.pop();
        if (typeof v !== 'object' || v === null)
            continue;
        if (Array.isArray(v)) {
            for (const x of v)
                if (typeof x === 'object' && x !== null)
                    stack.push(x);
        }
        else {
            for (const k in v) {
                n++;
                const x = v[k];
                if (typeof x === 'object' && x !== null)
                    stack.push(x);
            }
        }
    }
    return n;
}
function firstDuplicate(text) {
    const open = [];
    let found = null;
    (0,main.visit)(text, {
        onObjectBegin: () => void open.push(new Set()),
        onObjectEnd: () => void open.pop(),
        onObjectProperty: (name, offset, _l, _sl, _sc, path) => {
            const names = open[open.length - 1];
            if (found || !names)
                return;
            if (names.has(name))
                found = { name, offset, pointer: segmentsToPointer([...path(), name]) };
            names.add(name);
        },
    }, { disallowComments: true, allowTrailingComma: false });
    return found;
}

;// CONCATENATED MODULE: ./src/settings/defaults.ts

/** DESIGN §3.1 defaults. Deep-frozen: resolveSettings copies before merging. */
const DEFAULTS = deepFreeze({
    out: '.toron-testops',
    stages: [...STAGE_ORDER],
    failOn: 'fail',
    baseline: null,
    engine: {
        target: 'reference',
        profile: 'auto',
        headers: {},
        timeoutMs: 30_000,
        maxResponseBytes: 10 * 1024 * 1024,
        body: {},
    },
    engineVersion: null,
    engines: {},
    reference: {
        latencyMs: 0,
        errorRate: 0,
        nondeterminism: 0,
        crashAfter: 0,
        stallMs: 0,
        generation: '2.5h',
        seed: 1,
    },
    sim: {
        registry: 'sim/sim_dataset.json',
        concurrency: 8,
        timeoutMs: 30_000,
        passRate: { warn: 1.0, fail: 0.95 },
        datasets: [],
        tags: [],
    },
    load: {
        generator: 'builtin',
        rate: 50,
        duration: '10s',
        stages: [],
        maxInFlight: 256,
        thresholds: { http_req_duration: ['p(95)<450'], http_req_failed: ['rate<0.01'] },
        startRate: 0,
        timeoutMs: 10_000,
        maxSchedulerLagMs: 100,
        k6Binary: 'k6',
    },
    replay: {
        rounds: 3,
        ignorePaths: [],
        ignoreVolatile: true,
        freshProcess: false,
        thresholds: { pass: 90, warn: 70 },
        drift: { warnRate: 0, failRate: 0.05 },
    },
    pipeline: {
        profile: 'auto',
        maxOpusEscalations: 3,
        maxContradictions: 5,
        minConfidence: 0,
        latencyP95Ms: 450,
        maxEscalationRate: 0.2,
        escalationRateMinAnswers: 20,
        minT1Models: 3,
        latencyOutlierK: 5,
        latencyOutlierMinMs: 250,
        levels: {},
        custom: null,
    },
    compare: {
        rules: {
            regressions: { level: 'error', max: 0 },
            passRateDrop: { level: 'warn', max: 0 },
            p95Increase: { level: 'warn', max: 20, minMs: 25 },
            errorRateIncrease: { level: 'warn', max: 1 },
            determinismDrop: { level: 'warn', max: 10 },
            changedAnswers: { level: 'off', max: 0 },
            removedCases: { level: 'warn', max: 0 },
        },
    },
});
function deepFreeze(value) {
    if (value && typeof value === 'object') {
        for (const v of Object.values(value))
            deepFreeze(v);
        Object.freeze(value);
    }
    return value;
}

;// CONCATENATED MODULE: ./src/settings/duration.ts

/**
 * k6-style durations ("10s", "1m30s", "500ms", "1.5h"). Units are required, like k6 does for string
 * durations: a bare "10" is ambiguous (seconds? milliseconds?), so it is an error rather than a guess.
 * The schema's `pattern` for durations is this same expression (a test keeps them equal).
 */
const DURATION_PATTERN = '^(?:[0-9]+(?:\\.[0-9]+)?(?:ms|s|m|h))+$';
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const WHOLE = new RegExp(DURATION_PATTERN);
const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;
/** Milliseconds in a duration string; throws an InputError (without a location: the caller adds it). */
function parseDuration(text) {
    if (typeof text !== 'string' || !WHOLE.test(text))
        throw new InputError(durationProblem(text));
    let ms = 0;
    for (const m of text.matchAll(PART))
        ms += Number(m[1]) * UNIT_MS[m[2]];
    if (!Number.isFinite(ms) || ms > Number.MAX_SAFE_INTEGER) {
        throw new InputError(`invalid duration "${text}": too long`);
    }
    return ms;
}
function durationProblem(text) {
    const shown = typeof text === 'string' ? `"${text}"` : JSON.stringify(text);
    const hint = 'use a number with a unit (ms, s, m or h), like "10s", "1m30s" or "500ms"';
    if (typeof text === 'string' && /^[0-9]+(?:\.[0-9]+)?$/.test(text.trim())) {
        return `invalid duration ${shown}: a unit is required; ${hint}`;
    }
    return `invalid duration ${shown}: ${hint}`;
}

;// CONCATENATED MODULE: ./src/load/schedule.ts


const EPS = 1e-9;
function constantSchedule(ratePerSec, durationMs) {
    return build('constant-arrival-rate', [{ durationMs, from: ratePerSec, to: ratePerSec }]);
}
/** k6's ramping-arrival-rate: each stage moves the rate linearly from the previous target to its own. */
function rampingSchedule(startRate, stages) {
    let prev = startRate;
    const parts = stages.map((s) => {
        const p = { durationMs: s.durationMs, from: prev, to: s.target };
        prev = s.target;
        return p;
    });
    return build('ramping-arrival-rate', parts);
}
/** The schedule that load settings describe; InputError (with the config pointer) on nonsense. */
function scheduleFromSettings(load) {
    if (load.stages.length === 0) {
        if (!(load.rate > 0) || !Number.isFinite(load.rate)) {
            throw new InputError(`load.rate must be a number above 0 (got ${load.rate})`, { pointer: '/load/rate' });
        }
        const ms = parseDuration(load.duration);
        const s = constantSchedule(load.rate, ms);
        if (s.total === 0)
            throw new InputError(`load: rate ${load.rate}/s for ${load.duration} sends no request`, { pointer: '/load/duration' });
        return s;
    }
    const stages = load.stages.map((st, i) => {
        if (!(st.target >= 0) || !Number.isFinite(st.target)) {
            throw new InputError(`load.stages[${i}].target must be a number >= 0 (got ${st.target})`, { pointer: `/load/stages/${i}/target` });
        }
        return { durationMs: parseDuration(st.duration), target: st.target };
    });
    const s = rampingSchedule(load.startRate ?? 0, stages);
    if (s.total === 0)
        throw new InputError('load.stages send no request (every target is 0, or the stages last 0 s)', { pointer: '/load/stages' });
    return s;
}
function build(executor, parts) {
    const segments = [];
    let startMs = 0;
    let before = 0;
    for (const p of parts) {
        const from = p.from / 1000;
        const to = p.to / 1000;
        const count = ((from + to) / 2) * p.durationMs;
        segments.push({ startMs, durationMs: p.durationMs, from, to, before, count });
        startMs += p.durationMs;
        before += count;
    }
    const durationMs = startMs;
    // Request i exists when it is due strictly before the end (k6 starts no iteration at t = duration).
    const total = Math.max(0, Math.ceil(before - EPS));
    // Both run a few times per request: indexed loops, and a constant rate (one segment) skips them.
    const last = segments[segments.length - 1];
    function segmentAtCount(i) {
        // Few segments: a scan is cheaper than a search. Zero-arrival segments are skipped; a request on a
        // boundary belongs to the segment that ends there (the integral reaches it first there).
        for (let k = 0; k < segments.length - 1; k++) {
            const s = segments[k];
            if (s.count > 0 && i <= s.before + s.count + EPS)
                return s;
        }
        return last;
    }
    function segmentAtTime(t) {
        for (let k = 0; k < segments.length - 1; k++) {
            const s = segments[k];
            if (t < s.startMs + s.durationMs)
                return s;
        }
        return last;
    }
    function arrivalsBy(t) {
        if (t <= 0)
            return 0;
        if (t >= durationMs)
            return before;
        const s = segmentAtTime(t);
        const tau = t - s.startMs;
        const a = s.durationMs > 0 ? (s.to - s.from) / (2 * s.durationMs) : 0;
        return s.before + s.from * tau + a * tau * tau;
    }
    // The first request is due when the first segment with arrivals begins (a ramp may start at rate 0).
    const first = segments.find((s) => s.count > 0)?.startMs ?? 0;
    function timeOf(i) {
        if (i <= 0)
            return first;
        const s = segmentAtCount(i);
        const n = i - s.before;
        const a = s.durationMs > 0 ? (s.to - s.from) / (2 * s.durationMs) : 0;
        // n = from·τ + a·τ²  →  τ = 2n / (from + sqrt(from² + 4an)): stable when a is 0 or negative.
        const disc = Math.max(0, s.from * s.from + 4 * a * n);
        const denom = s.from + Math.sqrt(disc);
        const tau = denom > 0 ? (2 * n) / denom : 0;
        return s.startMs + Math.min(tau, s.durationMs);
    }
    return {
        executor,
        durationMs,
        total,
        timeOf,
        dueBy(elapsedMs) {
            if (elapsedMs < first)
                return 0;
            if (elapsedMs >= durationMs)
                return total;
            // The integral, within float tolerance, gives the count to a step; timeOf settles the step, so a
            // request is never called due a hair before the time it reports (a scheduler would start it early).
            let n = Math.min(total, Math.floor(arrivalsBy(elapsedMs) + EPS) + 1);
            while (n > 0 && timeOf(n - 1) > elapsedMs)
                n--;
            while (n < total && timeOf(n) <= elapsedMs)
                n++;
            return n;
        },
        rateAt(t) {
            if (t < 0 || t >= durationMs || segments.length === 0)
                return 0;
            const s = segmentAtTime(t);
            const f = s.durationMs > 0 ? (t - s.startMs) / s.durationMs : 1;
            return (s.from + (s.to - s.from) * f) * 1000;
        },
    };
}

;// CONCATENATED MODULE: ./src/load/thresholds.ts


/** Metrics the built-in generator measures (k6 names, plus two of ours). */
const BUILTIN_METRICS = {
    http_reqs: 'counter',
    iterations: 'counter',
    dropped_iterations: 'counter',
    http_req_duration: 'trend',
    http_req_failed: 'rate',
    checks: 'rate',
    /** Ours: completion minus the *actual* send time (k6's own definition of http_req_duration). */
    http_req_duration_uncorrected: 'trend',
    /** Ours: actual minus intended send time. */
    scheduler_lag_ms: 'trend',
};
const OURS_ONLY = new Set(['http_req_duration_uncorrected', 'scheduler_lag_ms']);
/** k6's built-in metrics (a threshold may name any of them when k6 runs the load). */
const K6_METRICS = {
    http_reqs: 'counter',
    iterations: 'counter',
    dropped_iterations: 'counter',
    data_received: 'counter',
    data_sent: 'counter',
    http_req_duration: 'trend',
    http_req_blocked: 'trend',
    http_req_connecting: 'trend',
    http_req_tls_handshaking: 'trend',
    http_req_sending: 'trend',
    http_req_waiting: 'trend',
    http_req_receiving: 'trend',
    iteration_duration: 'trend',
    http_req_failed: 'rate',
    checks: 'rate',
    vus: 'gauge',
    vus_max: 'gauge',
};
// k6 reads the number with Go's strconv.ParseFloat, so ".01", "5." and "+1" are numbers there too; the
// percentile's number sits right inside "p(" and ")" (k6 does not trim it: "p( 95 )" is refused by k6,
// so it is refused here rather than written into a k6 script that k6 then rejects).
const NUMBER = String.raw `[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?`;
const EXPRESSION = new RegExp(String.raw `^\s*(count|rate|value|avg|min|max|med|p\((${NUMBER})\))\s*(<=|>=|===|==|!=|<|>)\s*(${NUMBER})\s*$`);
const METRIC_KEY = /^([A-Za-z_][A-Za-z0-9_]*)(\{[^{}]*\})?$/;
/**
 * k6 (metrics.ParseMetricName) wants every tag of a sub-metric as key:value with a value after the
 * first colon ("{group:::setup}" is fine): "{}", "{status}", "{status:}" and "{a:1,}" are refused there.
 */
function tagsValid(tags) {
    return tags
        .slice(1, -1)
        .split(',')
        .every((t) => t.indexOf(':') >= 0 && t.slice(t.indexOf(':') + 1) !== '');
}
/** A tag written as a comparison ("status:>=500"), which k6 takes as the literal value ">=500". */
function comparedTag(tags) {
    for (const t of tags.slice(1, -1).split(',')) {
        const value = t.slice(t.indexOf(':') + 1).trim();
        if (/^(?:[<>]=?|[!=]=)\s*-?[0-9]/.test(value))
            return t.trim();
    }
    return null;
}
const AGGREGATIONS = {
    counter: 'count or rate',
    rate: 'rate',
    gauge: 'value',
    trend: 'avg, min, max, med or p(N)',
};
function allowed(type, aggregation) {
    switch (type) {
        case 'counter':
            return aggregation === 'count' || aggregation === 'rate';
        case 'rate':
            return aggregation === 'rate';
        case 'gauge':
            return aggregation === 'value';
        case 'trend':
            return ['avg', 'min', 'max', 'med'].includes(aggregation) || aggregation.startsWith('p(');
    }
}
/** One expression (`p(95)<450`); throws InputError (without location: the caller adds it). */
function parseExpression(text) {
    const m = typeof text === 'string' ? EXPRESSION.exec(text) : null;
    if (!m) {
        throw new InputError(`invalid threshold ${JSON.stringify(text)}: write it as k6 does, an aggregation, an operator and a number, like "p(95)<450", "avg<=200" or "rate<0.01"`);
    }
    const percentile = m[2] !== undefined ? Number(m[2]) : undefined;
    if (percentile !== undefined && !(percentile >= 0 && percentile <= 100)) {
        throw new InputError(`invalid threshold ${JSON.stringify(text)}: the percentile must be from 0 to 100`);
    }
    return {
        aggregation: percentile !== undefined ? `p(${percentile})` : m[1],
        ...(percentile !== undefined ? { percentile } : {}),
        op: m[3],
        value: Number(m[4]),
    };
}
/** Every problem with the configured thresholds for this generator, each with its config pointer. */
function thresholdProblems(thresholds, generator) {
    const problems = [];
    parseThresholds(thresholds, generator, (pointer, message) => problems.push({ pointer, message }));
    return problems;
}
/**
 * The configured thresholds, parsed and checked against the generator's metrics. Throws one InputError
 * naming the first problem's pointer (and listing the rest) unless `onProblem` collects them.
 */
function parseThresholds(thresholds, generator, onProblem) {
    const out = [];
    const problems = [];
    const problem = (pointer, message) => {
        problems.push({ pointer, message });
        onProblem?.(pointer, message);
    };
    const known = generator === 'k6' ? K6_METRICS : BUILTIN_METRICS;
    for (const [metric, list] of Object.entries(thresholds ?? {})) {
        const base = `/load/thresholds/${metric.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        const key = METRIC_KEY.exec(metric);
        if (!key) {
            problem(base, `load.thresholds: ${JSON.stringify(metric)} is not a metric name (letters, digits and _, optionally with k6 tags like {status:200})`);
            continue;
        }
        const [, name, tags] = key;
        if (tags && !tagsValid(tags)) {
            problem(base, `load.thresholds: ${JSON.stringify(metric)}: every tag of a sub-metric needs a value, like {status:200} or {scenario:toron_load}`);
            continue;
        }
        const compared = tags ? comparedTag(tags) : null;
        if (compared) {
            problem(base, `load.thresholds: ${JSON.stringify(metric)}: k6 matches tag values literally, so {${compared}} selects no request and its threshold would pass with nothing measured; ` +
                'name one value ({status:500}), or use {expected_response:false} for failed requests');
            continue;
        }
        if (tags && generator !== 'k6') {
            problem(base, `load.thresholds: ${JSON.stringify(metric)} has tags; the builtin generator measures untagged metrics only (tagged sub-metrics need load.generator "k6")`);
            continue;
        }
        const type = known[name];
        if (!type) {
            const why = generator === 'k6' && OURS_ONLY.has(name)
                ? `only the builtin generator measures ${name}`
                : `known metrics: ${Object.keys(known).join(', ')}`;
            problem(base, `load.thresholds: unknown metric ${JSON.stringify(name)} for the ${generator} generator (${why})`);
            continue;
        }
        if (!Array.isArray(list)) {
            problem(base, `load.thresholds.${metric} must be a list of expressions like ["p(95)<450"]`);
            continue;
        }
        list.forEach((entry, i) => {
            const pointer = `${base}/${i}`;
            const text = typeof entry === 'string' ? entry : entry?.threshold;
            const obj = typeof entry === 'object' && entry !== null ? entry : null;
            const level = obj?.level === 'warn' ? 'warn' : 'error';
            let delayAbortEvalMs = 0;
            if (obj?.delayAbortEval !== undefined) {
                try {
                    delayAbortEvalMs = parseDuration(obj.delayAbortEval);
                }
                catch (err) {
                    problem(`${pointer}/delayAbortEval`, `load.thresholds.${metric}[${i}].delayAbortEval: ${err.message}`);
                    return;
                }
            }
            const abort = {
                abortOnFail: obj?.abortOnFail === true,
                delayAbortEvalMs,
                ...(obj?.delayAbortEval !== undefined ? { delayAbortEval: obj.delayAbortEval } : {}),
            };
            try {
                const p = parseExpression(text);
                if (!allowed(type, p.aggregation)) {
                    problem(pointer, `load.thresholds.${metric}: "${p.aggregation}" does not apply to ${name}, a ${type} metric (use ${AGGREGATIONS[type]})`);
                    return;
                }
                out.push({ metric, name, expression: text, ...p, level, ...abort, pointer });
            }
            catch (err) {
                problem(pointer, `load.thresholds.${metric}: ${err.message}`);
            }
        });
    }
    if (problems.length > 0 && !onProblem) {
        const [first, ...rest] = problems;
        throw new InputError([first.message, ...rest.map((p) => p.message)].join('\n'), { pointer: first.pointer });
    }
    return out;
}
function compare(actual, op, value) {
    switch (op) {
        case '<':
            return actual < value;
        case '<=':
            return actual <= value;
        case '>':
            return actual > value;
        case '>=':
            return actual >= value;
        case '==':
        case '===':
            return actual === value;
        case '!=':
            return actual !== value;
    }
}
/**
 * Judges thresholds on measured values. `valueOf` answers a metric's aggregation, or null when there is
 * nothing to judge (no samples): that is a breach here, not k6's vacuous pass, because a gate that passes
 * a latency threshold with no latencies measured passes nothing.
 */
function evaluateThresholds(parsed, valueOf) {
    return parsed.map((t) => {
        const actual = valueOf(t.name, t);
        if (actual === null || !Number.isFinite(actual)) {
            return { metric: t.metric, expression: t.expression, level: t.level, passed: false, actual: null, note: 'no samples to judge' };
        }
        return { metric: t.metric, expression: t.expression, level: t.level, passed: compare(actual, t.op, t.value), actual };
    });
}

// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(38815);
// EXTERNAL MODULE: external "node:buffer"
var external_node_buffer_ = __webpack_require__(4573);
;// CONCATENATED MODULE: ./src/util/text-file.ts



/**
 * An input file's text (a dataset, the registry, a config), read strictly: bytes that are not UTF-8
 * are an error naming the file, line and column (decoded leniently they would turn into U+FFFD and
 * reach the engine as a different prompt than the file's author wrote), and a leading byte order mark,
 * invisible in editors and refused by strict JSON, is dropped. `what` names the file in messages.
 */
function readTextFile(abs, display, what) {
    let bytes;
    try {
        bytes = (0,external_node_fs_.readFileSync)(abs);
    }
    catch (err) {
        const code = err.code;
        if (code === 'ENOENT')
            throw new InputError(`${what} not found`, { file: display });
        if (code === 'EISDIR')
            throw new InputError(`${what} is a directory, expected a file`, { file: display });
        throw new InputError(`cannot read ${what}: ${err.message}`, { file: display });
    }
    if (!(0,external_node_buffer_.isUtf8)(bytes)) {
        const at = firstInvalidByte(bytes);
        const before = bytes.subarray(0, at);
        let line = 1;
        let lineStart = 0;
        for (let i = 0; i < before.length; i++) {
            if (before[i] === 10) {
                line++;
                lineStart = i + 1;
            }
        }
        const hex = bytes[at].toString(16).toUpperCase().padStart(2, '0');
        throw new InputError(`${what} is not valid UTF-8 (byte 0x${hex} at byte offset ${at}); save it as UTF-8`, {
            file: display,
            line,
            column: at - lineStart + 1,
        });
    }
    const text = bytes.toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
/**
 * Offset where the text stops being UTF-8: the longest prefix a strict streaming decoder accepts is
 * found by halving; when that prefix ends inside a multi-byte sequence, the sequence's first byte is
 * where it went wrong (its next byte does not continue it).
 */
function firstInvalidByte(bytes) {
    let lo = 0; // a prefix of this length decodes
    let hi = bytes.length; // the whole does not
    while (hi - lo > 1) {
        const mid = (lo + hi) >>> 1;
        if (decodes(bytes.subarray(0, mid), true))
            lo = mid;
        else
            hi = mid;
    }
    if (decodes(bytes.subarray(0, lo), false))
        return lo;
    let at = lo;
    while (at > 0 && (bytes[at - 1] & 0xc0) === 0x80)
        at--;
    return Math.max(0, at - 1);
}
function decodes(prefix, stream) {
    try {
        new TextDecoder('utf-8', { fatal: true }).decode(prefix, { stream });
        return true;
    }
    catch {
        return false;
    }
}

;// CONCATENATED MODULE: ./src/settings/load.ts






/** Looked for in cwd, in this order, when no config path is given. */
const CONFIG_FILE_NAMES = ['testops.config.json', 'testops.config.yaml', 'testops.config.yml'];
/** The first default config file present in cwd, as an absolute path; null when there is none. */
function findConfigFile(cwd) {
    for (const name of CONFIG_FILE_NAMES) {
        const p = external_node_path_default().resolve(cwd, name);
        if ((0,external_node_fs_.existsSync)(p) && (0,external_node_fs_.statSync)(p).isFile())
            return p;
    }
    return null;
}
/** Path as printed in messages and reports: relative to cwd, with '/' on every OS. */
function displayPath(absPath, cwd) {
    const rel = external_node_path_default().relative(external_node_path_default().resolve(cwd), absPath);
    return (rel === '' ? external_node_path_default().basename(absPath) : rel).split((external_node_path_default()).sep).join('/');
}
/** Read and parse a .json, .yaml or .yml config file; `configPath` may be relative to cwd. */
function loadConfigFile(configPath, cwd) {
    const abs = external_node_path_default().resolve(cwd, configPath);
    const file = displayPath(abs, cwd);
    const ext = external_node_path_default().extname(abs).toLowerCase();
    if (ext !== '.json' && ext !== '.yaml' && ext !== '.yml') {
        throw new InputError(`config file must end in .json, .yaml or .yml`, { file });
    }
    const text = readTextFile(abs, file, 'config file');
    const source = ext === '.json' ? parseJsonSource(text, file) : parseYamlSource(text, file);
    rejectNonFinite(source.value, [], source);
    return source;
}
/** YAML with the same contract as parseJsonSource: syntax errors carry file:line:column. */
function parseYamlSource(text, file) {
    const lineCounter = new dist/* LineCounter */.HN();
    const doc = (0,dist/* parseDocument */.Tp)(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const lineAt = (offset) => {
        const p = lineCounter.linePos(offset);
        return { line: Math.max(1, p.line), column: Math.max(1, p.col) };
    };
    if (doc.errors.length > 0) {
        const e = doc.errors[0];
        const at = lineAt(e.pos[0]);
        const first = e.message.split('\n')[0];
        throw new InputError(`invalid YAML (${e.code}: ${first})`, { file, ...at });
    }
    let value;
    try {
        // The alias cap keeps a "billion laughs" document from exhausting memory.
        value = doc.toJS({ maxAliasCount: 100 });
    }
    catch (err) {
        throw new InputError(`invalid YAML (${errorMessage(err)})`, { file, line: 1 });
    }
    // An empty document (or one with only comments) sets nothing.
    if (value === null || value === undefined)
        value = {};
    const lineOf = (pointer) => {
        let node = doc.contents;
        let line = node && node.range ? lineAt(node.range[0]).line : 1;
        for (const seg of json_source_pointerToSegments(pointer)) {
            if ((0,dist/* isMap */.jh)(node)) {
                const pair = node.items.find((it) => (0,dist/* isPair */.tO)(it) && keyText(it.key) === String(seg));
                if (!pair)
                    break;
                const keyNode = pair.key;
                if (keyNode?.range)
                    line = lineAt(keyNode.range[0]).line;
                node = pair.value;
            }
            else if ((0,dist/* isSeq */.oP)(node) && typeof seg === 'number') {
                node = node.items[seg];
                if (!node)
                    break;
                const r = node.range;
                if (r)
                    line = lineAt(r[0]).line;
            }
            else {
                break;
            }
        }
        return line;
    };
    return { file, value, lineOf };
}
function keyText(key) {
    if ((0,dist/* isScalar */.jn)(key))
        return String(key.value);
    return typeof key === 'string' ? key : undefined;
}
/** YAML spells .inf and .nan, JSON overflows 1e999 to Infinity; no setting means either. */
function rejectNonFinite(v, segs, src) {
    if (typeof v === 'number' && !Number.isFinite(v)) {
        const pointer = segmentsToPointer(segs);
        throw new InputError(`${v} is not a finite number`, { file: src.file, line: src.lineOf(pointer), pointer });
    }
    if (Array.isArray(v))
        v.forEach((x, i) => rejectNonFinite(x, [...segs, i], src));
    else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v))
            rejectNonFinite(x, [...segs, k], src);
    }
}

;// CONCATENATED MODULE: ./src/settings/run-id.ts

/** A run id becomes a folder name and a seed: no separators, no leading dot, bounded length. */
const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
function isValidRunId(id) {
    return RUN_ID_PATTERN.test(id);
}
/**
 * `YYYYMMDDTHHMMSSZ-xxxxxx`: sorts by start time (UTC), and the random tail keeps two runs started in
 * the same second (parallel shards, matrix jobs) apart.
 */
function newRunId(now) {
    const iso = now.toISOString(); // 2024-05-01T12:34:56.789Z
    const stamp = iso.slice(0, 19).replace(/[-:]/g, '') + 'Z';
    return `${stamp}-${(0,external_node_crypto_.randomBytes)(3).toString('hex')}`;
}

;// CONCATENATED MODULE: ./src/settings/resolve.ts














const SCHEMA_ID = settings_schema_namespaceObject.$id;
let ajvInstance;
function resolve_ajv() {
    if (!ajvInstance) {
        // verbose: errors carry the offending value and their schema (for "got ...", hints and key suggestions).
        ajvInstance = new ajv.Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
        ajvInstance.addKeyword('x-expected'); // our annotation: how to say what a `pattern` wants
        ajvInstance.addSchema(settings_schema_namespaceObject);
    }
    return ajvInstance;
}
/** The validator of the whole config, or of one node of it (`/properties/sim/properties/concurrency`). */
function validatorAt(schemaPointer = '') {
    const v = resolve_ajv().getSchema(`${SCHEMA_ID}#${schemaPointer}`);
    if (!v)
        throw new Error(`settings schema has no node at ${schemaPointer}`);
    return v;
}
/** Collects every problem so the user fixes them in one round, then throws them as one InputError. */
class Problems {
    source;
    list = [];
    constructor(source) {
        this.source = source;
    }
    add(message, where) {
        if (!this.list.some((p) => p.message === message))
            this.list.push({ message, where });
    }
    throwIfAny() {
        if (this.list.length === 0)
            return;
        const located = this.list.map((p) => ({ ...p, loc: this.locate(p.where) }));
        // File problems first and top to bottom, so the error's own location is the first one in the file.
        located.sort((a, b) => (a.loc.line ?? Infinity) - (b.loc.line ?? Infinity));
        const [first, ...rest] = located;
        const lines = [first.message, ...rest.map((p) => new InputError(p.message, p.loc).message)];
        throw new InputError(lines.join('\n'), first.loc);
    }
    locate(where) {
        if ('flag' in where || !this.source)
            return {};
        return { file: this.source.file, line: this.source.lineOf(where.pointer), pointer: where.pointer };
    }
}
function resolveSettings(input) {
    const cwd = external_node_path_default().resolve(input.cwd);
    const flags = input.flags;
    const now = input.now ?? new Date();
    const configArg = flags.config ?? input.configPath;
    let source = null;
    if (configArg !== undefined) {
        if (configArg === '')
            throw new InputError('flag --config: must not be empty');
        source = loadConfigFile(configArg, cwd);
    }
    else {
        const found = findConfigFile(cwd);
        if (found)
            source = loadConfigFile(found, cwd);
    }
    // 1. The file against the schema: all errors at once.
    const fileProblems = new Problems(source);
    const config = (source?.value ?? {});
    if (source) {
        const validate = validatorAt();
        if (!validate(source.value)) {
            for (const e of primaryErrors(validate.errors)) {
                const d = describeAjvError(e, source.value, (p) => subjectInFile(p, source.value));
                if (d)
                    fileProblems.add(d.message, { pointer: d.pointer });
            }
        }
    }
    fileProblems.throwIfAny();
    // 2. Flags against the same schema nodes.
    const flagProblems = new Problems(null);
    const given = readFlags(flags, flagProblems);
    const shard = flags.shard === undefined ? null : parseShard(flags.shard, flagProblems);
    flagProblems.throwIfAny();
    // 3. Merge: defaults < config < flags.
    const merged = applyConfig(DEFAULTS, config);
    for (const g of given)
        g.spec.apply(merged, g.value);
    // 4. What the schema cannot say: cross-field rules and the engine map.
    const checks = new Problems(source);
    checkCrossFields(merged, config, checks);
    const engineFrom = resolveEngineVersion(merged, config, flags, checks);
    checkEngineSpecs(merged, engineFrom, checks);
    checkCustomProfile(merged, config, checks);
    checks.throwIfAny();
    merged.stages = STAGE_ORDER.filter((s) => merged.stages.includes(s));
    // --run-id was validated with the other flags (its apply is a no-op: runId is not a config default).
    const runId = given.find((g) => g.spec.key === 'runId')?.value ?? config.runId ?? newRunId(now);
    return {
        configFile: source ? source.file : null,
        cwd,
        runId,
        shard,
        ...merged,
    };
}
// ---------------------------------------------------------------------------------------------------
// Config merge
function applyConfig(base, c) {
    const s = structuredClone(base);
    if (c.engine !== undefined) {
        // A bare spec only changes the target: headers, timeouts and the rest keep their values.
        s.engine = typeof c.engine === 'string' ? { ...s.engine, target: c.engine } : { ...s.engine, ...c.engine };
    }
    if (c.engines !== undefined) {
        s.engines = Object.fromEntries(Object.entries(c.engines).map(([v, e]) => [v, { target: e.target, profile: e.profile ?? 'auto' }]));
    }
    if (c.engineVersion !== undefined)
        s.engineVersion = c.engineVersion;
    if (c.reference)
        s.reference = { ...s.reference, ...c.reference };
    if (c.sim)
        s.sim = { ...s.sim, ...c.sim, passRate: { ...s.sim.passRate, ...c.sim.passRate } };
    // Thresholds replace the defaults wholesale, as in k6: a listed metric set is the whole set.
    if (c.load)
        s.load = { ...s.load, ...c.load };
    if (c.replay) {
        s.replay = {
            ...s.replay,
            ...c.replay,
            thresholds: { ...s.replay.thresholds, ...c.replay.thresholds },
            drift: { ...s.replay.drift, ...c.replay.drift },
        };
    }
    if (c.pipeline)
        s.pipeline = { ...s.pipeline, ...c.pipeline };
    // Compare rules merge per rule and per field: `{ "p95Increase": { "max": 10 } }` keeps its level.
    for (const [name, rule] of Object.entries(c.compare?.rules ?? {})) {
        s.compare.rules[name] = { ...s.compare.rules[name], ...rule };
    }
    if (c.stages !== undefined)
        s.stages = [...c.stages];
    if (c.failOn !== undefined)
        s.failOn = c.failOn;
    if (c.baseline !== undefined)
        s.baseline = c.baseline;
    if (c.out !== undefined)
        s.out = c.out;
    return s;
}
function checkCrossFields(s, c, problems) {
    const where = (...pointers) => ({ pointer: pointers.find((p) => has(c, p)) ?? pointers[0] });
    if (s.sim.passRate.warn < s.sim.passRate.fail) {
        problems.add(`sim.passRate.warn (${s.sim.passRate.warn}) must be >= sim.passRate.fail (${s.sim.passRate.fail})`, where('/sim/passRate/warn', '/sim/passRate/fail'));
    }
    if (s.replay.thresholds.pass < s.replay.thresholds.warn) {
        problems.add(`replay.thresholds.pass (${s.replay.thresholds.pass}) must be >= replay.thresholds.warn (${s.replay.thresholds.warn})`, where('/replay/thresholds/pass', '/replay/thresholds/warn'));
    }
    if (s.replay.drift.warnRate > s.replay.drift.failRate) {
        problems.add(`replay.drift.warnRate (${s.replay.drift.warnRate}) must be <= replay.drift.failRate (${s.replay.drift.failRate})`, where('/replay/drift/warnRate', '/replay/drift/failRate'));
    }
    const durations = [['/load/duration', s.load.duration]];
    s.load.stages.forEach((st, i) => durations.push([`/load/stages/${i}/duration`, st.duration]));
    for (const [pointer, text] of durations) {
        try {
            parseDuration(text);
        }
        catch (err) {
            problems.add(`${subjectInFile(pointer, c)}: ${err.message}`, { pointer });
        }
    }
    if (s.load.stages.length === 0 && safeDuration(s.load.duration) === 0) {
        problems.add(`load.duration must be longer than 0 (no requests would be sent)`, where('/load/duration'));
    }
    else if (durations.every(([, text]) => safeDuration(text) !== undefined)) {
        // The arrival plan itself (a ramp whose targets are all 0 sends nothing): now, with its file and line,
        // rather than as a bare error from the load stage after SIM has run.
        try {
            scheduleFromSettings(s.load);
        }
        catch (err) {
            if (!(err instanceof InputError))
                throw err;
            problems.add(err.message, where(err.pointer ?? '/load'));
        }
    }
    // k6 threshold syntax and metric names, checked now rather than after SIM has run.
    for (const p of thresholdProblems(s.load.thresholds, s.load.generator))
        problems.add(p.message, { pointer: p.pointer });
}
function safeDuration(text) {
    try {
        return parseDuration(text);
    }
    catch {
        return undefined;
    }
}
/**
 * An engine map entry replaces the target and profile, except what was given explicitly as a flag.
 * Returns where the final engine target came from, for messages about it.
 */
function resolveEngineVersion(s, c, flags, problems) {
    const own = flags.engine !== undefined
        ? { flag: '--engine' }
        : { pointer: typeof c.engine === 'object' && c.engine !== null ? '/engine/target' : '/engine' };
    const version = s.engineVersion;
    if (version === null)
        return own;
    const entry = Object.hasOwn(s.engines, version) ? s.engines[version] : undefined;
    if (!entry) {
        const known = Object.keys(s.engines).sort();
        const list = known.length > 0 ? `known versions: ${known.map((k) => JSON.stringify(k)).join(', ')}` : 'the config has no `engines` map';
        const subject = flags.engineVersion !== undefined ? 'flag --engine-version' : 'engineVersion';
        problems.add(`${subject}: unknown engine version ${JSON.stringify(version)} (${list})`, flags.engineVersion !== undefined ? { flag: '--engine-version' } : { pointer: has(c, '/engineVersion') ? '/engineVersion' : '' });
        return own;
    }
    if (flags.engine === undefined)
        s.engine.target = entry.target;
    if (flags.profile === undefined)
        s.engine.profile = entry.profile;
    return flags.engine !== undefined ? own : { pointer: segmentsToPointer(['engines', version, 'target']) };
}
/** The schema checks a spec's form; the adapter's own parser catches the rest (bad URL, shell syntax in cmd:). */
function checkEngineSpecs(s, engineFrom, problems) {
    const fromMap = 'pointer' in engineFrom && engineFrom.pointer.startsWith('/engines/');
    const targets = fromMap
        ? [] // the map entry is checked below, once
        : [[s.engine.target, engineFrom, 'flag' in engineFrom ? 'flag --engine' : 'engine']];
    for (const [version, e] of Object.entries(s.engines)) {
        targets.push([e.target, { pointer: segmentsToPointer(['engines', version, 'target']) }, `engines[${JSON.stringify(version)}]`]);
    }
    for (const [target, where, subject] of targets) {
        try {
            parseEngineSpec(target);
        }
        catch (err) {
            problems.add(`${subject}: ${errorMessage(err)}`, where);
        }
    }
}
/** The `custom` profile reads its pointers from pipeline.custom; a confidence pointer needs its declared scale. */
function checkCustomProfile(s, c, problems) {
    const custom = s.pipeline.custom;
    const users = [];
    if (s.engine.profile === 'custom')
        users.push('engine.profile');
    if (s.pipeline.profile === 'custom')
        users.push('pipeline.profile');
    for (const [version, e] of Object.entries(s.engines))
        if (e.profile === 'custom')
            users.push(`engines[${JSON.stringify(version)}].profile`);
    if (custom === null && users.length > 0) {
        const pointer = has(c, '/pipeline/profile') ? '/pipeline/profile' : has(c, '/engine/profile') ? '/engine/profile' : has(c, '/pipeline') ? '/pipeline' : '';
        problems.add(`${users[0]} is "custom" but pipeline.custom is not set: give the JSON Pointers of the answer (at least "answer", e.g. { "answer": "/result/text" })`, { pointer });
    }
    if (custom && custom.confidence !== undefined && custom.confidenceScale === undefined) {
        problems.add('pipeline.custom.confidence needs pipeline.custom.confidenceScale (100 for a 0-100 score, 1 for 0..1): the scale is declared, never guessed', { pointer: '/pipeline/custom/confidence' });
    }
}
function parseShard(text, problems) {
    const m = /^([0-9]{1,9})\/([0-9]{1,9})$/.exec(text.trim());
    const index = m ? Number(m[1]) : NaN;
    const total = m ? Number(m[2]) : NaN;
    if (!m || index < 1 || total < 1 || index > total) {
        problems.add(`flag --shard: expected i/n with 1 <= i <= n (like "2/4"), got ${JSON.stringify(text)}`, {
            flag: '--shard',
        });
        return null;
    }
    return { index, total };
}
const prop = (...keys) => keys.map((k) => `/properties/${k}`).join('');
const knob = (k) => ({
    schemaAt: prop('reference', k),
    apply: (s, v) => (s.reference[k] = v),
});
const FLAGS = [
    { key: 'engine', flag: '--engine', schemaAt: prop('engine', 'target'), coerce: 'string', apply: (s, v) => (s.engine.target = v) },
    { key: 'runId', flag: '--run-id', schemaAt: prop('runId'), coerce: 'string', apply: () => { } },
    { key: 'out', flag: '--out', schemaAt: prop('out'), coerce: 'string', apply: (s, v) => (s.out = v) },
    { key: 'baseline', flag: '--baseline', schemaAt: prop('baseline'), coerce: 'string', apply: (s, v) => (s.baseline = v) },
    { key: 'stages', flag: '--stages', schemaAt: prop('stages'), coerce: 'list', apply: (s, v) => (s.stages = v) },
    { key: 'failOn', flag: '--fail-on', schemaAt: prop('failOn'), coerce: 'string', apply: (s, v) => (s.failOn = v) },
    { key: 'engineVersion', flag: '--engine-version', schemaAt: prop('engineVersion'), coerce: 'string', apply: (s, v) => (s.engineVersion = v) },
    { key: 'concurrency', flag: '--concurrency', schemaAt: prop('sim', 'concurrency'), coerce: 'number', apply: (s, v) => (s.sim.concurrency = v) },
    {
        key: 'timeoutMs',
        flag: '--timeout-ms',
        schemaAt: prop('engine', 'timeoutMs'),
        coerce: 'number',
        apply: (s, v) => {
            s.engine.timeoutMs = v;
            s.sim.timeoutMs = v;
        },
    },
    { key: 'profile', flag: '--profile', schemaAt: prop('engine', 'profile'), coerce: 'string', apply: (s, v) => (s.engine.profile = v) },
    { key: 'replayRounds', flag: '--replay-rounds', schemaAt: prop('replay', 'rounds'), coerce: 'number', apply: (s, v) => (s.replay.rounds = v) },
    { key: 'freshProcess', flag: '--replay-fresh-process', schemaAt: prop('replay', 'freshProcess'), coerce: 'boolean', apply: (s, v) => (s.replay.freshProcess = v) },
    { key: 'generation', flag: '--generation', coerce: 'string', ...knob('generation') },
    { key: 'latencyMs', flag: '--latency-ms', coerce: 'number', ...knob('latencyMs') },
    { key: 'errorRate', flag: '--error-rate', coerce: 'number', ...knob('errorRate') },
    { key: 'nondeterminism', flag: '--nondeterminism', coerce: 'number', ...knob('nondeterminism') },
    { key: 'crashAfter', flag: '--crash-after', coerce: 'number', ...knob('crashAfter') },
    { key: 'stallMs', flag: '--stall-ms', coerce: 'number', ...knob('stallMs') },
    { key: 'seed', flag: '--seed', coerce: 'number', ...knob('seed') },
];
/** Every given flag, coerced and validated; problems go to `problems`. (`config` and `shard` are handled apart.) */
function readFlags(flags, problems) {
    const out = [];
    for (const spec of FLAGS) {
        const raw = flags[spec.key];
        if (raw === undefined)
            continue;
        const value = coerceFlag(raw, spec.coerce);
        const validate = validatorAt(spec.schemaAt);
        if (!validate(value)) {
            for (const e of primaryErrors(validate.errors)) {
                const d = describeAjvError(e, value, (p) => subjectForFlag(spec.flag, p));
                if (d)
                    problems.add(d.message, { flag: spec.flag });
            }
            continue;
        }
        out.push({ spec, value });
    }
    return out;
}
function coerceFlag(raw, how) {
    if (how === 'number' && typeof raw === 'string' && /^\s*-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?\s*$/.test(raw)) {
        const n = Number(raw);
        // "1e999" stays text, so the schema reports it instead of letting Infinity through.
        return Number.isFinite(n) ? n : raw;
    }
    // Action inputs are text: "true"/"false" are the booleans they spell (anything else fails the schema).
    if (how === 'boolean' && typeof raw === 'string' && /^\s*(true|false)\s*$/i.test(raw))
        return raw.trim().toLowerCase() === 'true';
    if (how === 'list' && typeof raw === 'string') {
        return raw
            .split(',')
            .map((x) => x.trim())
            .filter((x) => x !== '');
    }
    return raw;
}
// ---------------------------------------------------------------------------------------------------
// ajv errors -> messages
/** `sim.concurrency`, `load.stages[0].duration`, `load.thresholds["http_req_duration{status:200}"]`. */
function subjectInFile(pointer, root) {
    const segs = rawSegments(pointer);
    if (segs.length === 0)
        return 'the config';
    let text = '';
    let node = root;
    for (const seg of segs) {
        if (Array.isArray(node))
            text += `[${seg}]`;
        else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg))
            text += text === '' ? seg : `.${seg}`;
        else
            text += `[${JSON.stringify(seg)}]`;
        node = node && typeof node === 'object' ? node[seg] : undefined;
    }
    return text;
}
function subjectForFlag(flag, pointer) {
    const segs = rawSegments(pointer);
    if (segs.length === 0)
        return `flag ${flag}`;
    const where = segs.map((s) => (/^[0-9]+$/.test(s) ? `item ${Number(s) + 1}` : s)).join(' ');
    return `flag ${flag}: ${where}`;
}
function rawSegments(pointer) {
    if (pointer === '')
        return [];
    return pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
function has(root, pointer) {
    let node = root;
    for (const seg of rawSegments(pointer)) {
        if (!node || typeof node !== 'object' || !Object.hasOwn(node, seg))
            return false;
        node = node[seg];
    }
    return true;
}
function show(v) {
    if (v === null)
        return 'null';
    if (Array.isArray(v))
        return 'an array';
    if (typeof v === 'object')
        return 'an object';
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 60 ? `${s.slice(0, 56)}..."` : s;
}
function suggestion(word, candidates) {
    if (candidates.length === 0)
        return '';
    const best = (0,mod/* closest */.kp)(word, candidates);
    // Case slips ("TimeoutMs") count as close whatever their length; for short words ("4" vs "3") two
    // edits are a different word, not a typo.
    const d = Math.min((0,mod/* distance */.Io)(word, best), (0,mod/* distance */.Io)(word.toLowerCase(), best.toLowerCase()));
    return d <= 2 && d < Math.max(word.length, best.length) / 2 ? ` (did you mean "${best}"?)` : '';
}
/** A value of the wrong type also fails its enum; saying both is noise. */
function primaryErrors(errors) {
    const list = errors ?? [];
    const wrongType = new Set(list.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
    return list.filter((e) => e.keyword === 'type' || !wrongType.has(e.instancePath));
}
/**
 * YAML reads `generation: 3` and `engineVersion: 3` as numbers. Only where the same digits would be
 * right as text (an allowed enum value, a version name) is "quote it" the fix worth suggesting.
 */
function quoteHint(data, pointer, parent) {
    if (typeof data !== 'number')
        return '';
    const asText = String(data);
    const fits = (Array.isArray(parent.enum) && parent.enum.includes(asText)) || pointer === '/engineVersion';
    return fits ? ` (quote it: "${asText}")` : '';
}
function describeAjvError(e, root, subjectOf) {
    // The nested error of a failed `propertyNames`; the `propertyNames` error itself says it better.
    if (e.propertyName !== undefined)
        return null;
    const pointer = e.instancePath;
    const subject = subjectOf(pointer);
    const parent = (e.parentSchema ?? {});
    const p = e.params;
    switch (e.keyword) {
        case 'type': {
            const types = Array.isArray(p.type) ? p.type : String(p.type).split(',');
            return { pointer, message: `${subject} must be ${types.join(' or ')}, got ${show(e.data)}${quoteHint(e.data, pointer, parent)}` };
        }
        case 'additionalProperties': {
            const key = String(p.additionalProperty);
            const known = Object.keys(parent.properties ?? {});
            const inWhat = pointer === '' ? 'at the top level' : `in ${subject}`;
            return {
                pointer: pointer + segmentsToPointer([key]),
                message: `unknown key ${JSON.stringify(key)} ${inWhat}${suggestion(key, known)}`,
            };
        }
        case 'required':
            return { pointer, message: `${subject} is missing required key ${JSON.stringify(p.missingProperty)}` };
        case 'enum': {
            const allowed = p.allowedValues.map((x) => JSON.stringify(x));
            const allowedText = p.allowedValues.map(String);
            const hint = typeof e.data === 'string' ? suggestion(e.data, allowedText) : quoteHint(e.data, pointer, parent);
            return { pointer, message: `${subject} must be one of ${allowed.join(', ')}, got ${show(e.data)}${hint}` };
        }
        case 'minimum':
        case 'maximum':
        case 'exclusiveMinimum':
        case 'exclusiveMaximum':
            return { pointer, message: `${subject} must be ${p.comparison} ${p.limit}, got ${show(e.data)}` };
        case 'minLength':
            return {
                pointer,
                message: p.limit === 1 ? `${subject} must not be empty` : `${subject} must be at least ${p.limit} characters`,
            };
        case 'pattern': {
            const expected = typeof parent['x-expected'] === 'string' ? parent['x-expected'] : `text matching ${p.pattern}`;
            return { pointer, message: `${subject} must be ${expected}, got ${show(e.data)}` };
        }
        case 'minItems':
            return { pointer, message: `${subject} must list at least ${p.limit} item${p.limit === 1 ? '' : 's'}` };
        case 'uniqueItems': {
            const dup = Array.isArray(e.data) ? e.data[Number(p.j)] : undefined;
            return { pointer, message: `${subject} lists ${show(dup)} more than once` };
        }
        case 'propertyNames': {
            const key = String(p.propertyName);
            const names = e.schema;
            const expected = typeof names['x-expected'] === 'string' ? names['x-expected'] : 'a valid key';
            return {
                pointer: pointer + segmentsToPointer([key]),
                message: `key ${JSON.stringify(key)} in ${subject} must be ${expected}`,
            };
        }
        default:
            return { pointer, message: `${subject} ${e.message ?? 'is invalid'}` };
    }
}
/** Every flag settings understand, for the CLI's usage text. */
const SETTINGS_FLAG_NAMES = [...FLAGS.map((f) => f.flag), '--config', '--shard'];

;// CONCATENATED MODULE: ./src/github/artifact-name.ts
/** Characters the artifact service refuses in a name (NTFS limits), as @actions/artifact checks them. */
const ARTIFACT_NAME_FORBIDDEN = ['/', '\\', '"', ':', '<', '>', '|', '*', '?', '\r', '\n'];
/** Why a name cannot be an artifact name, or null when it can. */
function artifactNameProblem(name) {
    if (name.trim() === '')
        return 'must not be empty';
    const bad = ARTIFACT_NAME_FORBIDDEN.filter((c) => name.includes(c));
    if (bad.length > 0)
        return `${JSON.stringify(name)} contains ${bad.map((c) => JSON.stringify(c)).join(', ')}`;
    if (name.length > 256)
        return `must be at most 256 characters (got ${name.length})`;
    return null;
}
/**
 * A default name that is valid whatever the job id holds: the job id is an identifier in practice, but
 * reusable workflows and odd ids should not break the upload.
 */
function defaultArtifactName(job) {
    const safe = (job ?? '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
    return safe ? `toron-testops-${safe}` : 'toron-testops';
}
/** The n-th fallback name when a name is taken in this run (matrix legs of one job share the job id). */
function suffixedName(name, n) {
    return n <= 1 ? name : `${name}-${n}`;
}

;// CONCATENATED MODULE: ./src/action/inputs.ts







/**
 * The inputs with their action.yml defaults (a test keeps this table, action.yml and the README in
 * sync). The runner passes every declared input, defaults filled in, as INPUT_<NAME> with the name
 * upper-cased and the dashes kept.
 */
const INPUT_DEFAULTS = {
    engine: '',
    config: '',
    'working-directory': '',
    'run-id': '',
    stages: '',
    baseline: '',
    'fail-on': '',
    annotations: 'workflow-commands',
    'max-annotations': '50',
    'job-summary': 'true',
    'pr-comment': 'off',
    'artifact-name': '',
    'upload-artifact': 'true',
    'retention-days': '0',
    'github-token': '${{ github.token }}',
    mode: 'run',
    shard: '',
};
const OUTPUT_NAMES = [
    'result',
    'determinism-score',
    'sim-pass-rate',
    'p95-ms',
    'warroom-critical',
    'report-path',
    'bundle-path',
    'bundle-sha256',
    'artifact-id',
    'artifact-url',
    'promote',
    'pass-rate-delta',
    'p95-delta-ms',
    'determinism-delta',
    'comparison-path',
];
const ENUMS = {
    'fail-on': ['fail', 'warn', 'never'],
    annotations: ['workflow-commands', 'checks', 'off'],
    'pr-comment': ['off', 'always', 'on-change', 'on-failure'],
    mode: ['run', 'publish', 'merge', 'compare'],
};
/** Most annotations one run may send (the Checks API takes 50 a request; more requests add more). */
const MAX_ANNOTATIONS_LIMIT = 1000;
/** The input as the runner passes it; an input that was not passed at all reads as its default. */
function rawInput(env, name) {
    const v = env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`];
    return (v ?? defaultFor(name)).trim();
}
function defaultFor(name) {
    const d = INPUT_DEFAULTS[name] ?? '';
    // An expression default only means something to the runner; outside it, "not given".
    return d.startsWith('${{') ? '' : d;
}
/** Reads and validates every input; all problems are reported together, in one InputError. */
function readInputs(env) {
    const problems = [];
    const text = (name) => {
        const v = rawInput(env, name);
        return v === '' ? null : v;
    };
    const oneOf = (name, fallback) => {
        const v = text(name);
        if (v === null)
            return fallback;
        const allowed = ENUMS[name];
        const lower = v.toLowerCase();
        if (!allowed.includes(lower)) {
            problems.push(`input ${name}: must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
            return fallback;
        }
        return lower;
    };
    const bool = (name) => {
        const v = rawInput(env, name);
        // YAML 1.2 core schema booleans, as the toolkit's getBooleanInput reads them.
        if (['true', 'True', 'TRUE'].includes(v))
            return true;
        if (['false', 'False', 'FALSE'].includes(v))
            return false;
        problems.push(`input ${name}: must be true or false, got ${JSON.stringify(v)}`);
        return INPUT_DEFAULTS[name] === 'true';
    };
    const int = (name, min, max) => {
        const v = rawInput(env, name);
        if (!/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > max) {
            problems.push(`input ${name}: must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
            return Number(INPUT_DEFAULTS[name]);
        }
        return Number(v);
    };
    const baselineText = text('baseline');
    const baseline = baselineText === null ? { kind: 'none' } : baselineText.toLowerCase() === 'auto' ? { kind: 'auto' } : { kind: 'path', path: baselineText };
    const artifactName = text('artifact-name');
    if (artifactName !== null) {
        const p = artifactNameProblem(artifactName);
        if (p)
            problems.push(`input artifact-name: ${p} (not allowed: ${ARTIFACT_NAME_FORBIDDEN.map((c) => JSON.stringify(c)).join(' ')})`);
    }
    const inputs = {
        engine: text('engine'),
        config: text('config'),
        workingDirectory: text('working-directory'),
        runId: text('run-id'),
        stages: text('stages'),
        baseline,
        failOn: oneOf('fail-on', null),
        annotations: oneOf('annotations', 'workflow-commands'),
        maxAnnotations: int('max-annotations', 0, MAX_ANNOTATIONS_LIMIT),
        jobSummary: bool('job-summary'),
        prComment: oneOf('pr-comment', 'off'),
        artifactName,
        uploadArtifact: bool('upload-artifact'),
        retentionDays: int('retention-days', 0, 90),
        githubToken: rawInput(env, 'github-token'),
        mode: oneOf('mode', 'run'),
        shard: text('shard'),
    };
    if (inputs.shard !== null && inputs.mode !== 'run')
        problems.push(`input shard: only mode: run runs a shard (mode is ${inputs.mode})`);
    // mode: publish runs nothing of the workspace: its settings inputs are not used.
    if (inputs.mode !== 'publish') {
        // In a job (GITHUB_WORKSPACE set), the folder the run reads from and writes to must be in the workspace.
        const workspace = env.GITHUB_WORKSPACE ? external_node_path_default().resolve(env.GITHUB_WORKSPACE) : null;
        const wd = workspace ? workingDirectoryProblem(inputs.workingDirectory, workspace, true) : null;
        if (wd)
            problems.push(wd);
        problems.push(...settingsInputProblems(inputs, env));
    }
    if (problems.length > 0) {
        throw new InputError(problems.length === 1 ? problems[0] : `${problems.length} invalid inputs:\n  ${problems.join('\n  ')}`);
    }
    return inputs;
}
/** The settings the inputs set, as the CLI's flags (`mode: compare`: engine and baseline are the two sides, decided later). */
function settingsFlags(inputs) {
    const flags = {};
    const compare = inputs.mode === 'compare';
    if (inputs.engine !== null && !compare)
        flags.engine = inputs.engine;
    if (inputs.runId !== null)
        flags.runId = inputs.runId;
    if (inputs.stages !== null)
        flags.stages = inputs.stages;
    if (inputs.shard !== null)
        flags.shard = inputs.shard;
    if (inputs.failOn !== null)
        flags.failOn = inputs.failOn;
    if (inputs.baseline.kind === 'path' && !compare)
        flags.baseline = inputs.baseline.path;
    if (inputs.baseline.kind === 'auto' || compare)
        flags.baseline = null; // decided after the lookup
    return flags;
}
/**
 * The settings inputs (engine, run-id, stages, shard, ...) checked by the same rules as the CLI's flags,
 * on their own (against no config file), so they are named in the same error as the other inputs
 * rather than in a second round. Problems of the config file are the settings' to report, later.
 */
function settingsInputProblems(inputs, env) {
    const flags = settingsFlags(inputs);
    if (Object.values(flags).every((v) => v === undefined || v === null))
        return [];
    const nowhere = external_node_path_default().join(external_node_os_default().tmpdir(), `toron-testops-no-config-${(0,external_node_crypto_.randomUUID)()}`); // no config file there
    try {
        resolveSettings({ cwd: nowhere, flags, env });
        return [];
    }
    catch (err) {
        if (!(err instanceof InputError))
            return [];
        return err.message
            .split('\n')
            .filter((l) => l.startsWith('flag --'))
            .map((l) => l.replace(/^flag --([a-z-]+)/, 'input $1'));
    }
}
/**
 * `working-directory` must be a folder; with `confine` (in a job), one inside the workspace, also after
 * symbolic links are followed: the run reads its config and datasets there and writes its reports there.
 */
function workingDirectoryProblem(given, workspace, confine) {
    const dir = external_node_path_default().resolve(workspace, given ?? '');
    const shown = JSON.stringify(given ?? dir);
    const outside = (root, p) => {
        const rel = external_node_path_default().relative(root, p);
        return rel === '..' || rel.startsWith(`..${(external_node_path_default()).sep}`) || external_node_path_default().isAbsolute(rel);
    };
    const refused = `input working-directory: ${shown} resolves outside the workspace (${workspace}); give a folder inside it`;
    if (confine && outside(workspace, dir))
        return refused;
    if (!external_node_fs_default().statSync(dir, { throwIfNoEntry: false })?.isDirectory())
        return `input working-directory: ${shown} is not a directory of the workspace`;
    if (confine) {
        try {
            if (outside(external_node_fs_default().realpathSync(workspace), external_node_fs_default().realpathSync(dir)))
                return `${refused} (through a symbolic link)`;
        }
        catch {
            // the workspace itself is not readable: the run will say so
        }
    }
    return null;
}

;// CONCATENATED MODULE: ./src/util/portable-path.ts


/**
 * A path as a report or snapshot may hold it: relative to `cwd` when inside it, else only its last part
 * (the machine's layout is nobody's business, and it differs between a laptop and a CI runner).
 */
function portablePath(p, cwd) {
    if (!external_node_path_default().isAbsolute(p))
        return p.split((external_node_path_default()).sep).join('/');
    const rel = external_node_path_default().relative(cwd, p);
    if (rel === '')
        return '.';
    if (!rel.startsWith('..') && !external_node_path_default().isAbsolute(rel))
        return rel.split((external_node_path_default()).sep).join('/');
    return `…/${external_node_path_default().basename(p)}`;
}
/**
 * An absolute path (or file:// URL) standing on its own in a text: after the start, a space, a quote, a
 * bracket, `=` or `,`; not `//` (a URL's host) and not inside a word or a relative path.
 */
const ABSOLUTE_IN_TEXT = /(?<=^|[\s'"`([{=,;])(?:file:\/\/)?(\/(?!\/)[^\s'"`()<>[\]{},;]+)/g;
/**
 * Text from an engine or a tool it runs (stderr, error messages) with the paths of this machine in it
 * made portable: stack traces and "cannot find module '/x/y'" name files here, and run.log, the reports
 * and the bundle must not (DESIGN §3.3). A file keeps its name (and line: `…/helper.mjs:3:9`). Only
 * what is a path here is touched: the file or its folder exists (a missing module's folder does), so
 * a JSON pointer (`/state_snapshot/T1_RAW/0/model`) or a URL path (`/v1/chat`) stays as it was written.
 */
function portableText(text, cwd) {
    if (!text.includes('/'))
        return text;
    return text.replace(ABSOLUTE_IN_TEXT, (m, p) => (isPathHere(p) ? portablePath(p, cwd) : m));
}
/** Whether an absolute path (`:line:column` of a stack frame left aside) names a file or folder here. */
function isPathHere(p) {
    const file = p.replace(/(?::\d+){1,2}$/, '');
    const dir = external_node_path_default().dirname(file);
    return (0,external_node_fs_.existsSync)(file) || (dir !== external_node_path_default().parse(dir).root && (0,external_node_fs_.existsSync)(dir));
}

;// CONCATENATED MODULE: ./src/runner/paths.ts


function runPaths(cwd, out, runId) {
    const outAbs = external_node_path_default().resolve(cwd, out);
    const reportDir = external_node_path_default().join(outAbs, 'reports', runId);
    const snapshotsDir = external_node_path_default().join(outAbs, 'snapshots');
    const warroomDir = external_node_path_default().join(outAbs, 'warroom');
    return {
        cwd,
        out: outAbs,
        reportDir,
        snapshotsDir,
        snapshot: external_node_path_default().join(snapshotsDir, `${runId}.json`),
        warroomDir,
        warroomLog: external_node_path_default().join(warroomDir, 'warroom.log'),
        db: external_node_path_default().join(outAbs, 'testops.db'),
        runLog: external_node_path_default().join(reportDir, 'run.log'),
        runWarroom: external_node_path_default().join(reportDir, 'warroom.log'),
        report: external_node_path_default().join(reportDir, 'report.json'),
        html: external_node_path_default().join(reportDir, 'report.html'),
        summaryMd: external_node_path_default().join(reportDir, 'summary.md'),
        result: external_node_path_default().join(reportDir, 'result.json'),
        simSummary: external_node_path_default().join(reportDir, 'sim_summary.json'),
        loadSummary: external_node_path_default().join(reportDir, 'load_summary.json'),
        replaySummary: external_node_path_default().join(reportDir, 'replay_summary.json'),
        bundle: external_node_path_default().join(reportDir, 'bundle.zip'),
    };
}
/** A path as it may appear in a report: relative to `from`, forward slashes, never absolute. */
function relPath(from, to) {
    return external_node_path_default().relative(from, to).split((external_node_path_default()).sep).join('/');
}
/**
 * Takes this machine's paths out of a text meant for a report: logs and engine specs name files the
 * user gave, but reports must not carry them (DESIGN §3.3).
 * - the working directory, and every path under it, becomes "." ("./x");
 * - an output folder outside it (`--out /tmp/x`, a runner's temp folder) becomes its path relative to
 *   the working directory, since the store and the snapshot name files in it;
 * - `named`: absolute paths outside both that the settings name (a cmd: engine's interpreter and
 *   script, see enginePaths) become their last part, as the snapshot names them.
 * A path is replaced only where it stands as one (not inside a longer name), longest first, so a named
 * parent of the working directory (`--cache=/home/runner`) does not cut paths under the working
 * directory, and a text scrubbed twice stays as it was scrubbed once.
 */
function pathScrubber(cwd, out, named = []) {
    const inside = (p) => p === cwd || p.startsWith(cwd.endsWith((external_node_path_default()).sep) ? cwd : cwd + (external_node_path_default()).sep);
    const rules = [[trimSep(cwd), '.']];
    if (out !== undefined && !inside(out))
        rules.push([trimSep(out), relPath(cwd, out) || '.']);
    for (const p of new Set(named)) {
        if (external_node_path_default().isAbsolute(p) && !inside(p) && p !== out && trimSep(p) !== external_node_path_default().parse(p).root)
            rules.push([trimSep(p), portablePath(p, cwd)]);
    }
    rules.sort((a, b) => b[0].length - a[0].length);
    const compiled = rules.map(([from, to]) => ({ from, to, re: new RegExp(`(?<![\\w.~…-])${escapeRegExp(from)}(?![\\w.~-])`, 'g') }));
    return (text) => compiled.reduce((t, r) => (t.includes(r.from) ? t.replace(r.re, () => r.to) : t), text);
}
function trimSep(p) {
    return p.length > 1 && p.endsWith((external_node_path_default()).sep) ? p.slice(0, -1) : p;
}
function escapeRegExp(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

;// CONCATENATED MODULE: ./src/util/json-pointer.ts

/** RFC 6901 syntax: empty, or `/`-separated tokens where `~` is only ever `~0` or `~1`. */
const POINTER_RE = /^(\/([^~/]|~[01])*)*$/;
function isJsonPointer(pointer) {
    return POINTER_RE.test(pointer);
}
// The same few pointers (a profile's fields, the datasets' paths) are read in every answer of a run:
// splitting each once saves most of a read (0.43 -> 0.06 us). Bounded, so odd pointers cannot grow it
// without end; the arrays are shared, so nothing may change them.
const SEGMENTS_MAX = 10_000;
const segmentsCache = new Map();
/** pointerToSegments, remembered; null for a malformed pointer. */
function segmentsOf(pointer) {
    let segs = segmentsCache.get(pointer);
    if (segs === undefined) {
        try {
            segs = json_source_pointerToSegments(pointer);
        }
        catch {
            segs = null;
        }
        if (segmentsCache.size < SEGMENTS_MAX)
            segmentsCache.set(pointer, segs);
    }
    return segs;
}
const validPointers = new Set();
/** isJsonPointer for a pointer read in every answer: valid ones are remembered (bounded like the segments). */
function isKnownJsonPointer(pointer) {
    if (validPointers.has(pointer))
        return true;
    if (!POINTER_RE.test(pointer))
        return false;
    if (validPointers.size < SEGMENTS_MAX)
        validPointers.add(pointer);
    return true;
}
/** An array index token per RFC 6901: `0` or digits without a leading zero (never `-`). */
function arrayIndex(seg, length) {
    if (typeof seg !== 'number')
        return undefined;
    return seg < length ? seg : undefined;
}
function isObject(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/**
 * The value at a JSON Pointer. Only own properties count, so `/constructor` or `/__proto__` on a plain
 * object is "not found" rather than a prototype member.
 */
function getAtPointer(value, pointer) {
    const segs = segmentsOf(pointer);
    if (segs === null)
        throw new Error(`not a JSON Pointer: ${pointer}`);
    let cur = value;
    for (const seg of segs) {
        if (Array.isArray(cur)) {
            const i = arrayIndex(seg, cur.length);
            if (i === undefined)
                return { found: false };
            cur = cur[i];
        }
        else if (isObject(cur)) {
            const key = String(seg);
            if (!Object.hasOwn(cur, key))
                return { found: false };
            cur = cur[key];
        }
        else {
            return { found: false };
        }
    }
    return { found: true, value: cur };
}
/**
 * A copy of `value` without the member at `pointer` (array elements are spliced out, as JSON Patch
 * `remove` does). Only the containers along the path are copied; the input is never mutated. An absent
 * path returns the input unchanged (ignorePaths name fields that only some responses have). The root
 * pointer `""` removes everything: the result is `undefined`.
 */
function removeAtPointer(value, pointer) {
    const segs = pointerToSegments(pointer);
    if (segs.length === 0)
        return undefined;
    return removeAt(value, segs, 0);
}
function removeAt(cur, segs, depth) {
    const seg = segs[depth];
    const last = depth === segs.length - 1;
    if (Array.isArray(cur)) {
        const i = arrayIndex(seg, cur.length);
        if (i === undefined)
            return cur;
        if (last)
            return [...cur.slice(0, i), ...cur.slice(i + 1)];
        const child = removeAt(cur[i], segs, depth + 1);
        if (child === cur[i])
            return cur;
        const copy = cur.slice();
        copy[i] = child;
        return copy;
    }
    if (isObject(cur)) {
        const key = String(seg);
        if (!Object.hasOwn(cur, key))
            return cur;
        if (last) {
            // fromEntries defines properties, so a JSON key named "__proto__" stays an ordinary key.
            return Object.fromEntries(Object.entries(cur).filter(([k]) => k !== key));
        }
        const child = removeAt(cur[key], segs, depth + 1);
        if (child === cur[key])
            return cur;
        return { ...cur, [key]: child };
    }
    return cur;
}
/** Remove every pointer in turn (absent ones are skipped). */
function removeAtPointers(value, pointers) {
    let out = value;
    for (const p of pointers)
        out = removeAtPointer(out, p);
    return out;
}

;// CONCATENATED MODULE: ./src/replay/ignore-paths.ts


function node() {
    return { end: false, children: new Map(), wildcard: null };
}
/** Throws a plain Error naming the bad pointer; callers wrap it with the file or flag it came from. */
function compileIgnorePaths(pointers) {
    if (pointers.length === 0)
        return null;
    const root = node();
    for (const p of pointers) {
        if (p === '' || !isJsonPointer(p)) {
            throw new Error(`ignorePaths: ${JSON.stringify(p)} is not a JSON Pointer to a member (like "/metrics/request_id")`);
        }
        let cur = root;
        for (const seg of json_source_pointerToSegments(p)) {
            const key = String(seg);
            if (key === '*') {
                cur.wildcard ??= node();
                cur = cur.wildcard;
            }
            else {
                let next = cur.children.get(key);
                if (!next)
                    cur.children.set(key, (next = node()));
                cur = next;
            }
        }
        cur.end = true;
    }
    return root;
}
/**
 * The ignore nodes that apply to member `key` below `at` (at most two: the named one and the wildcard).
 * `drop` when any of them ends there.
 */
function stepIgnore(at, key) {
    const named = at.children.get(key);
    const wild = at.wildcard;
    if (!named && !wild)
        return { drop: false, next: null };
    if (named?.end || wild?.end)
        return { drop: true, next: null };
    if (named && wild)
        return { drop: false, next: merged(named, wild) };
    return { drop: false, next: (named ?? wild) };
}
// A named member under a wildcard level is walked with both subtrees, merged once per pair (answers
// repeat the same shapes, so the same pairs come back for every item of a list).
const mergeCache = new WeakMap();
function merged(a, b) {
    let inner = mergeCache.get(a);
    if (!inner)
        mergeCache.set(a, (inner = new WeakMap()));
    let m = inner.get(b);
    if (!m)
        inner.set(b, (m = mergeNodes(a, b)));
    return m;
}
function mergeNodes(a, b) {
    const out = node();
    out.end = a.end || b.end;
    for (const [k, v] of a.children)
        out.children.set(k, v);
    for (const [k, v] of b.children) {
        const mine = out.children.get(k);
        out.children.set(k, mine ? mergeNodes(mine, v) : v);
    }
    out.wildcard = a.wildcard && b.wildcard ? mergeNodes(a.wildcard, b.wildcard) : (a.wildcard ?? b.wildcard);
    return out;
}
/** Sorted, de-duplicated union: the ignore set of a case (config paths + the dataset's). */
function unionPaths(...lists) {
    const set = new Set();
    for (const l of lists)
        for (const p of l ?? [])
            set.add(p);
    return [...set].sort();
}

;// CONCATENATED MODULE: ./src/replay/canonical.ts


/**
 * The canonical form c(y) of an answer (DESIGN §4.1): the parsed JSON with ignorePaths removed,
 * serialised the RFC 8785 (JCS) way: object members sorted by the UTF-16 code units of their names
 * (what Array.prototype.sort does by default), no whitespace, numbers and strings as ECMAScript's
 * JSON.stringify writes them (which is exactly what JCS prescribes for both).
 *
 * Written by hand rather than with the `canonicalize` package: JCS on JavaScript values is these few
 * lines, and dropping ignored members during the same walk saves copying a 50 KB answer first.
 * Values JSON cannot hold follow JSON.stringify (undefined members are left out, undefined or
 * non-finite array items and non-finite numbers become null, `toJSON` is honoured), so the canonical
 * form of an in-process answer equals that of its serialised-then-parsed bytes.
 */
function canonicalJson(value, ignore = null) {
    const sorted = sortedCopy(value, ignore);
    if (sorted !== UNSORTABLE)
        return JSON.stringify(sorted) ?? 'null';
    return canonicalJsonByWalk(value, ignore);
}
/**
 * The same text written member by member. `canonicalJson` takes this path only for the values a
 * sorted copy cannot stand for (see sortedCopy); tests hold the two paths to one result.
 */
function canonicalJsonByWalk(value, ignore = null) {
    const out = ignore ? writeIgnoring(value, ignore) : write(value);
    return out === undefined ? 'null' : out;
}
const UNSORTABLE = Symbol('unsortable');
/**
 * Member names in code-unit order (what the default sort gives), sorted in place. Objects of an
 * answer have a few names each; for those an insertion sort allocates nothing, where
 * Array.prototype.sort allocates a work array per call: 30% of all SIM allocation at 100k cases.
 */
function sortNames(names) {
    if (names.length > 24)
        return names.sort();
    for (let i = 1; i < names.length; i++) {
        const name = names[i];
        let j = i - 1;
        while (j >= 0 && names[j] > name) {
            names[j + 1] = names[j];
            j--;
        }
        names[j + 1] = name;
    }
    return names;
}
/** An array index as a member name: objects list those first, in numeric order, whatever the insertion order. */
const INDEX_NAME = /^(?:0|[1-9][0-9]{0,9})$/;
/**
 * A copy of the value whose objects have their members inserted in JCS order and ignored members
 * left out, so that the engine's own JSON.stringify writes the canonical text: copying and native
 * serialising take about half the time of concatenating the text in JavaScript (30 against 60 us for
 * a 7 KB Toron answer), and SIM canonicalises every answer it snapshots.
 * UNSORTABLE where insertion order cannot set the member order: a member named like an array index
 * (objects enumerate those first, numerically) or `__proto__` (assigning it sets the prototype).
 */
function sortedCopy(v, ignore) {
    if (typeof v !== 'object' || v === null)
        return v;
    const j = viaToJSON(v);
    if (j)
        return sortedCopy(j.value, ignore);
    if (Array.isArray(v)) {
        const out = [];
        for (let i = 0; i < v.length; i++) {
            let next = null;
            if (ignore) {
                const step = below(ignore, String(i));
                if (step === DROP)
                    continue;
                next = step;
            }
            const item = sortedCopy(v[i], next);
            if (item === UNSORTABLE)
                return UNSORTABLE;
            out.push(item);
        }
        return out;
    }
    const rec = v;
    const keys = sortNames(Object.keys(rec));
    const out = {};
    for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        const c0 = k.charCodeAt(0);
        if ((c0 <= 57 && c0 >= 48 && INDEX_NAME.test(k)) || (c0 === 95 && k === '__proto__'))
            return UNSORTABLE;
        let next = null;
        if (ignore) {
            const step = below(ignore, k);
            if (step === DROP)
                continue;
            next = step;
        }
        const member = sortedCopy(rec[k], next);
        if (member === UNSORTABLE)
            return UNSORTABLE;
        out[k] = member;
    }
    return out;
}
/** sha256 of a text, hex (the one-shot hash: no Hash object per answer). */
function sha256Hex(text) {
    return (0,external_node_crypto_.hash)('sha256', text, 'hex');
}
/** sha256 of bytes, hex: sha256Hex of the text they encode in UTF-8. */
function sha256HexOf(bytes) {
    return (0,external_node_crypto_.hash)('sha256', bytes, 'hex');
}
/** Canonical text and its hash, in one call. */
function canonicalHash(value, ignore = null) {
    const canonical = canonicalJson(value, ignore);
    return { canonical, hash: sha256Hex(canonical) };
}
// Member names repeat across answers (every Toron answer has the same few hundred): quoting each once
// is a measurable part of the walk. Bounded, so odd answers with random keys cannot grow it forever.
const QUOTED_MAX = 20_000;
const quoted = new Map();
function quote(name) {
    let q = quoted.get(name);
    if (q === undefined) {
        q = JSON.stringify(name);
        if (quoted.size < QUOTED_MAX)
            quoted.set(name, q);
    }
    return q;
}
/** A non-plain object (Date, a class instance) may carry `toJSON`; parsed JSON never does. */
function viaToJSON(v) {
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null || proto === Array.prototype)
        return null;
    const toJSON = v.toJSON;
    return typeof toJSON === 'function' ? { value: toJSON.call(v, '') } : null;
}
function scalar(v) {
    switch (typeof v) {
        case 'string':
            return JSON.stringify(v);
        case 'number':
            // For finite numbers String() and JSON.stringify agree (ECMAScript Number::toString: JCS's rule).
            return Number.isFinite(v) ? '' + v : 'null';
        case 'boolean':
            return v ? 'true' : 'false';
        case 'bigint':
            throw new TypeError('canonicalJson: a BigInt is not JSON');
        case 'object':
            return v === null ? 'null' : null; // null: a container, walked by the caller
        default:
            return undefined; // undefined, functions, symbols: left out like JSON.stringify does
    }
}
/** The walk without ignorePaths: the common case, kept free of the per-member ignore lookups. */
function write(v) {
    const s = scalar(v);
    if (s !== null)
        return s;
    const o = v;
    const j = viaToJSON(o);
    if (j)
        return write(j.value);
    if (Array.isArray(o)) {
        let out = '[';
        for (let i = 0; i < o.length; i++) {
            const item = write(o[i]);
            out += (i === 0 ? '' : ',') + (item === undefined ? 'null' : item);
        }
        return out + ']';
    }
    const rec = o;
    const keys = sortNames(Object.keys(rec));
    let out = '{';
    let first = true;
    for (let i = 0; i < keys.length; i++) {
        const member = write(rec[keys[i]]);
        if (member === undefined)
            continue;
        out += (first ? '' : ',') + quote(keys[i]) + ':' + member;
        first = false;
    }
    return out + '}';
}
function writeIgnoring(v, ignore) {
    const s = scalar(v);
    if (s !== null)
        return s;
    const o = v;
    const j = viaToJSON(o);
    if (j)
        return writeIgnoring(j.value, ignore);
    if (Array.isArray(o)) {
        let out = '[';
        let first = true;
        for (let i = 0; i < o.length; i++) {
            const next = below(ignore, String(i));
            if (next === DROP)
                continue;
            const item = next ? writeIgnoring(o[i], next) : write(o[i]);
            out += (first ? '' : ',') + (item === undefined ? 'null' : item);
            first = false;
        }
        return out + ']';
    }
    const rec = o;
    const keys = sortNames(Object.keys(rec));
    let out = '{';
    let first = true;
    for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        const next = below(ignore, k);
        if (next === DROP)
            continue;
        const member = next ? writeIgnoring(rec[k], next) : write(rec[k]);
        if (member === undefined)
            continue;
        out += (first ? '' : ',') + quote(k) + ':' + member;
        first = false;
    }
    return out + '}';
}
const DROP = 'drop';
/** What applies below member `key`: DROP it, walk it with these ignore paths, or (null) plainly. */
function below(at, key) {
    const named = at.children.get(key);
    const wild = at.wildcard;
    if (named === undefined && wild === null)
        return null;
    const step = stepIgnore(at, key);
    return step.drop ? DROP : step.next;
}

;// CONCATENATED MODULE: ./src/snapshot/portable.ts






/** An engine target without secrets (URL userinfo, query) or absolute paths (cmd: arguments). */
function portableTarget(target, cwd) {
    let spec;
    try {
        spec = parseEngineSpec(target);
    }
    catch {
        return redactTarget(target).replace(/(^|\s)\/\S+/g, (m, lead) => `${lead}…/${external_node_path_default().basename(m.trim())}`);
    }
    if (spec.kind === 'command')
        return `cmd:${(0,shell_quote.quote)(spec.argv.map((a) => portableArg(a, cwd)))}`;
    return redactTarget(target);
}
/** A command-line argument with its path made portable: a path itself, or a `--flag=/path` value. */
function portableArg(arg, cwd) {
    if (external_node_path_default().isAbsolute(arg))
        return portablePath(arg, cwd);
    const eq = /^-[^=]*=/.exec(arg);
    return eq && external_node_path_default().isAbsolute(arg.slice(eq[0].length)) ? eq[0] + portablePath(arg.slice(eq[0].length), cwd) : arg;
}
/**
 * sha256 of the settings that shape answers and verdicts, in portable form: two runs with the same
 * hash asked the same engine the same way. Left out: run id, paths of this machine, the baseline, the
 * shard, header values and extra body values (secrets; their names stay).
 */
function settingsHash(s) {
    const portable = {
        engine: {
            target: portableTarget(s.engine.target, s.cwd),
            profile: s.engine.profile,
            timeoutMs: s.engine.timeoutMs,
            maxResponseBytes: s.engine.maxResponseBytes,
            headers: Object.keys(s.engine.headers).sort(),
            body: Object.keys(s.engine.body).sort(),
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

;// CONCATENATED MODULE: ./src/shard/block.ts


function shardRules(s) {
    return {
        stages: [...s.stages],
        failOn: s.failOn,
        engineProfile: s.engine.profile,
        sim: { passRate: { ...s.sim.passRate } },
        replay: s.replay,
        pipeline: s.pipeline,
        load: s.load,
        baseline: s.baseline === null ? null : portablePath(s.baseline, s.cwd),
    };
}
function shardFingerprint(s) {
    return sha256Hex(canonicalJson({ settings: settingsHash(s), baseline: s.baseline === null ? null : portablePath(s.baseline, s.cwd) }));
}
function shardBlock(s) {
    if (!s.shard)
        return null;
    return { index: s.shard.index, total: s.shard.total, fingerprint: shardFingerprint(s), rules: shardRules(s) };
}

;// CONCATENATED MODULE: ./src/report/report-json.ts




/** report.json from the run's typed results. Every path in it is relative to the report folder. */
function buildReport(input) {
    const { settings, paths, results } = input;
    const stages = {};
    for (const name of STAGE_ORDER) {
        const r = results[name];
        stages[name] = r
            ? { ...r.report, verdict: r.verdict, ...(r.reason ? { reason: r.reason } : {}) }
            : {
                verdict: 'SKIPPED',
                reason: settings.stages.includes(name)
                    ? `not run: ${input.error ? input.error.message : 'the run ended before this stage'}`
                    : 'not requested (--stages)',
            };
    }
    const rel = (p) => relPath(paths.reportDir, p);
    const existing = (p) => (external_node_fs_default().existsSync(p) ? rel(p) : null);
    return {
        schemaVersion: 1,
        runId: settings.runId,
        verdict: input.verdict,
        reason: input.reason,
        startedAt: input.startedAt.toISOString(),
        finishedAt: input.finishedAt.toISOString(),
        // Wall-clock times: a clock stepped back during the run (NTP on a fresh CI machine) must not give a
        // negative duration, which the schema (minimum 0) and every reader of the report would refuse.
        durationMs: Math.max(0, input.finishedAt.getTime() - input.startedAt.getTime()),
        cancelled: input.cancelled,
        error: input.error,
        engine: input.engine,
        settings: {
            configFile: settings.configFile,
            stages: settings.stages,
            failOn: settings.failOn,
            shard: settings.shard ? `${settings.shard.index}/${settings.shard.total}` : null,
        },
        stages,
        ...(settings.shard ? { shard: shardBlock(settings) } : {}),
        warroom: input.findings,
        artifacts: {
            report: rel(paths.report),
            html: input.planned?.html ? rel(paths.html) : existing(paths.html),
            summary: input.planned?.summary ? rel(paths.summaryMd) : existing(paths.summaryMd),
            log: rel(paths.runLog),
            snapshot: input.ownSnapshot === false ? null : existing(paths.snapshot),
            bundle: input.planned?.bundle ? rel(paths.bundle) : existing(paths.bundle),
            result: rel(paths.result),
            simSummary: existing(paths.simSummary),
        },
    };
}
function buildResult(report, exitCode) {
    const sim = report.stages.sim;
    const replay = report.stages.replay;
    const load = report.stages.load;
    const count = (s) => report.warroom.filter((f) => f.severity === s).length;
    return {
        schemaVersion: 1,
        runId: report.runId,
        status: report.verdict,
        verdict: report.verdict,
        exitCode,
        reason: report.reason,
        cancelled: report.cancelled,
        error: report.error,
        startedAt: report.startedAt,
        finishedAt: report.finishedAt,
        durationMs: report.durationMs,
        engine: report.engine,
        stages: Object.fromEntries(Object.entries(report.stages).map(([k, v]) => [k, v.verdict])),
        metrics: {
            simPassRate: typeof sim.passRate === 'number' && sim.verdict !== 'SKIPPED' ? sim.passRate : null,
            simTotal: typeof sim.total === 'number' ? sim.total : null,
            determinismScore: typeof replay.determinismScore === 'number' ? replay.determinismScore : null,
            p95Ms: load.metrics?.http_req_duration?.['p(95)'] ?? null,
            warroomCritical: count('CRITICAL'),
            warroomHigh: count('HIGH'),
        },
        artifacts: report.artifacts,
        // Filled in once bundle.zip is built (src/report/finalise.ts).
        bundle: null,
    };
}

;// CONCATENATED MODULE: ./src/action/outcome.ts

function fromRun(o, cancelled) {
    return {
        verdict: o.verdict,
        reason: o.report?.reason ?? (o.error ? `ERROR (not a test verdict): ${o.error}` : o.verdict),
        exitCode: o.exitCode,
        runId: o.runId,
        report: o.report,
        result: o.report ? buildResult(o.report, o.exitCode) : null,
        paths: o.paths,
        findings: o.report?.warroom ?? [],
        cancelled: cancelled || Boolean(o.report?.cancelled),
        error: o.verdict === 'ERROR' ? (o.report?.error?.message ?? o.error ?? 'the run did not finish') : null,
        errorLocation: null,
    };
}
/** ERROR before or around the run: bad inputs, bad config, a runner that never finished. */
function errorOutcome(message, extra = {}) {
    return {
        verdict: 'ERROR',
        reason: `ERROR (not a test verdict): ${message}`,
        exitCode: 2,
        runId: null,
        report: null,
        result: null,
        paths: null,
        findings: [],
        cancelled: false,
        error: message,
        errorLocation: null,
        ...extra,
    };
}
/** Release gating: PASS, or WARN without a CRITICAL finding. */
function promote(o) {
    if (o.comparison)
        return o.comparison.promote && o.verdict !== 'ERROR' && !o.cancelled;
    if (o.verdict !== 'PASS' && o.verdict !== 'WARN')
        return false;
    if (o.cancelled)
        return false;
    return !o.findings.some((f) => f.severity === 'CRITICAL');
}

;// CONCATENATED MODULE: ./src/action/outputs.ts



/** A metric as an output: up to 4 decimals, '' when the stage did not run. */
function metric(n) {
    return n === null || n === undefined || !Number.isFinite(n) ? '' : String(Math.round(n * 1e4) / 1e4);
}
function sha256File(file) {
    try {
        return (0,external_node_crypto_.createHash)('sha256').update(external_node_fs_default().readFileSync(file)).digest('hex');
    }
    catch {
        return null;
    }
}
/** Every output the run decides (artifact-id and artifact-url come after the upload). */
function runOutputs(o) {
    const m = o.result?.metrics;
    const exists = (p) => (p && external_node_fs_default().existsSync(p) ? p : '');
    const bundle = exists(o.paths?.bundle);
    return {
        result: o.verdict.toLowerCase(),
        'determinism-score': metric(m?.determinismScore),
        'sim-pass-rate': metric(m?.simPassRate),
        'p95-ms': metric(m?.p95Ms),
        'warroom-critical': m ? String(m.warroomCritical) : o.report ? String(o.findings.filter((f) => f.severity === 'CRITICAL').length) : '',
        'report-path': exists(o.paths?.report),
        'bundle-path': bundle,
        'bundle-sha256': bundle ? (sha256File(bundle) ?? '') : '',
        promote: String(promote(o)),
        ...(o.comparison
            ? {
                'pass-rate-delta': metric(o.comparison.passRateDelta),
                'p95-delta-ms': metric(o.comparison.p95DeltaMs),
                'determinism-delta': metric(o.comparison.determinismDelta),
                'comparison-path': o.comparison.path ?? '',
            }
            : {}),
    };
}
/** The GITHUB_OUTPUT file format: `name<<DELIM`, value, `DELIM`, with a delimiter the value cannot hold. */
function formatOutputs(values) {
    let text = '';
    for (const [name, value] of Object.entries(values)) {
        let delim = `ghadelimiter_${(0,external_node_crypto_.randomUUID)()}`;
        while (value.includes(delim))
            delim = `ghadelimiter_${(0,external_node_crypto_.randomUUID)()}`;
        text += `${name}<<${delim}\n${value}\n${delim}\n`;
    }
    return text;
}
/**
 * Writes outputs as soon as they are known (a cancelled job may be killed before the end), each name
 * once. Without GITHUB_OUTPUT (a local run) they are only logged.
 */
class OutputWriter {
    file;
    info;
    written = {};
    constructor(file, info) {
        this.file = file;
        this.info = info;
    }
    set(values) {
        const fresh = {};
        for (const [k, v] of Object.entries(values)) {
            if (k in this.written)
                continue;
            fresh[k] = v;
            this.written[k] = v;
        }
        if (Object.keys(fresh).length === 0)
            return;
        if (this.file)
            external_node_fs_default().appendFileSync(this.file, formatOutputs(fresh));
        else
            this.info(`outputs: ${Object.entries(fresh).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    }
    /** Outputs never set get an empty value, so `steps.x.outputs.y` is '' rather than missing. */
    fill(names) {
        const rest = {};
        for (const n of names)
            if (!(n in this.written))
                rest[n] = '';
        this.set(rest);
    }
}

;// CONCATENATED MODULE: ./src/action/action-context.ts





function startAction(env, write = (s) => process.stdout.write(s)) {
    const gh = readGitHubEnv(env);
    const log = new ActionLog(write, gh.debug);
    const outputs = new OutputWriter(gh.outputFile, (l) => log.info(l));
    const ctx = { env, gh, log, outputs, exitCode: null, cancel: undefined };
    ctx.cancel = watchCancellation({
        onCancel: (sig) => log.info(`toron-testops: ${sig}: the job is being cancelled; stopping new work, writing the partial report and outputs`),
        onSecondSignal: (sig) => {
            // Outputs known so far are already in GITHUB_OUTPUT; the rest read as empty.
            try {
                outputs.set({ result: 'error', promote: 'false' });
                outputs.fill(OUTPUT_NAMES);
            }
            catch {
                // the runner is about to kill us; nothing else to do
            }
            log.info(`toron-testops: ${sig} again: exiting now`);
            process.exit(ctx.exitCode ?? 2);
        },
    });
    if (gh.eventProblem)
        log.warning(gh.eventProblem);
    return ctx;
}

;// CONCATENATED MODULE: ./src/engine/profiles/read.ts

/** Small readers shared by the profiles: they never throw on odd input, they report what they saw. */
function isRecord(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/**
 * The value at a JSON Pointer, or undefined when absent (a malformed pointer reads as absent). Own
 * properties only, as util/json-pointer: `/constructor` is not found on a plain object.
 */
function at(body, pointer) {
    const segs = segmentsOf(pointer);
    if (segs === null)
        return undefined;
    let cur = body;
    for (const seg of segs) {
        if (Array.isArray(cur)) {
            if (typeof seg !== 'number' || seg >= cur.length)
                return undefined;
            cur = cur[seg];
        }
        else if (isRecord(cur)) {
            const key = String(seg);
            if (!Object.hasOwn(cur, key))
                return undefined;
            cur = cur[key];
        }
        else {
            return undefined;
        }
    }
    return cur;
}
function finiteNumber(v) {
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function bool(v) {
    return typeof v === 'boolean' ? v : null;
}
/** A non-empty object or list counts as "a result is there"; {} , [], null and absent do not. */
function nonEmpty(v) {
    if (Array.isArray(v))
        return v.length > 0;
    if (isRecord(v))
        return Object.keys(v).length > 0;
    return v !== undefined && v !== null && v !== '' && v !== false;
}
/** Items of a list, or keys of an object (evidence clusters are keyed by layer). */
function countOf(v) {
    if (Array.isArray(v))
        return v.length;
    if (isRecord(v))
        return Object.keys(v).length;
    return 0;
}
/** "A->B->C" or ["A","B","C"] as a list of trimmed names; null when neither. */
function tierList(v) {
    if (typeof v === 'string') {
        return v
            .split('->')
            .map((s) => s.trim())
            .filter((s) => s !== '');
    }
    if (Array.isArray(v) && v.every((x) => typeof x === 'string'))
        return v.map((s) => s.trim());
    return null;
}
function describe(v) {
    if (v === undefined)
        return 'absent';
    if (v === null)
        return 'null';
    if (Array.isArray(v))
        return `a list of ${v.length}`;
    if (typeof v === 'object')
        return 'an object';
    if (typeof v === 'string')
        return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)})`;
    return `${typeof v} ${String(v)}`;
}
/** Normalise a score by its declared scale; non-numbers stay null (never guessed from the value). */
function normalise(raw, scale) {
    const n = finiteNumber(raw);
    return n === null ? null : n / scale;
}

;// CONCATENATED MODULE: ./src/engine/profiles/custom.ts

/**
 * The `custom` profile: JSON Pointers from config (`pipeline.custom`) map any engine's answer onto the
 * view. What is not mapped is not checked (its check reports "not applicable"). The confidence scale is
 * declared next to the confidence pointer (settings refuse one without the other).
 */
function customProfile(p) {
    const scale = p.confidenceScale ?? 1;
    const modelAt = p.t1Model ?? '/model';
    const outputAt = p.t1Output ?? '/output';
    // Pinning a mapped field in a dataset declares the behaviour it carries.
    function t1Of(body) {
        if (p.t1 === undefined)
            return null;
        const raw = at(body, p.t1);
        if (raw === undefined || raw === null)
            return null;
        if (!Array.isArray(raw))
            return { pointer: p.t1, outputs: [], responders: null, malformed: `${p.t1} is ${describe(raw)}, not a list` };
        return { pointer: p.t1, outputs: raw.map((e) => ({ model: at(e, modelAt), output: at(e, outputAt) })), responders: null };
    }
    function t2Of(body) {
        if (p.t2 === undefined)
            return null;
        const raw = at(body, p.t2);
        if (!nonEmpty(raw))
            return null;
        if (!isRecord(raw))
            return { pointer: p.t2, models: [], malformed: `${p.t2} is ${describe(raw)}, not an object` };
        return { pointer: p.t2, models: Array.isArray(raw.models) ? raw.models : [] };
    }
    function t3Of(body) {
        const items = p.t3Items === undefined ? undefined : at(body, p.t3Items);
        const sources = p.t3Sources === undefined ? undefined : at(body, p.t3Sources);
        if (items === undefined && sources === undefined)
            return null;
        return { pointer: p.t3Items ?? p.t3Sources ?? '', items: countOf(items), sources: countOf(sources) };
    }
    function contradictionsOf(body) {
        if (p.contradictions === undefined)
            return null;
        const raw = at(body, p.contradictions);
        return Array.isArray(raw) ? raw.length : finiteNumber(raw);
    }
    function view(body) {
        const shapeProblems = [];
        const answer = at(body, p.answer);
        if (answer === undefined)
            shapeProblems.push(`${p.answer || '(the whole answer)'} is absent`);
        const tierPath = p.tierPath === undefined ? null : tierList(at(body, p.tierPath));
        const confidenceRaw = p.confidence === undefined ? undefined : at(body, p.confidence);
        return {
            profile: 'custom',
            shapeProblems,
            answerPointer: p.answer,
            answer,
            confidence: normalise(confidenceRaw, scale),
            confidenceRaw,
            confidencePointer: p.confidence ?? '',
            confidenceScale: scale,
            t1: t1Of(body),
            t2: t2Of(body),
            t3: t3Of(body),
            tierPath,
            opusEscalated: p.opusEscalated === undefined ? null : bool(at(body, p.opusEscalated)),
            judicial: p.judicial === undefined ? null : nonEmpty(at(body, p.judicial)),
            tierPathHasT4: tierPath ? tierPath.some((t) => t.toUpperCase() === 'T4') : null,
            contradictions: contradictionsOf(body),
            engineLatencyMs: p.engineLatencyMs === undefined ? null : finiteNumber(at(body, p.engineLatencyMs)),
        };
    }
    return {
        name: 'custom',
        confidenceScale: scale,
        exposes: {
            t1: p.t1 !== undefined ? 'outputs' : false,
            t2Audit: p.t2 !== undefined,
            t3Evidence: p.t3Items !== undefined || p.t3Sources !== undefined,
            tierConsistency: p.opusEscalated !== undefined && (p.judicial !== undefined || p.tierPath !== undefined),
            contradictions: p.contradictions !== undefined,
            confidence: p.confidence !== undefined,
        },
        // A custom engine's per-call members are the user's to name (replay.ignorePaths).
        volatilePaths: [],
        where: {
            t1: p.t1 ?? '(not mapped)',
            t2: p.t2 ?? '(not mapped)',
            t3: p.t3Items ?? p.t3Sources ?? '(not mapped)',
            tierPath: p.tierPath ?? '(not mapped)',
            opusEscalated: p.opusEscalated ?? '(not mapped)',
            judicial: p.judicial ?? '(not mapped)',
            contradictions: p.contradictions ?? '(not mapped)',
        },
        answerPointer: () => p.answer,
        view,
    };
}

;// CONCATENATED MODULE: ./src/engine/profiles/detect.ts

/**
 * Which Toron generation an answer looks like, from its shape alone (`auto`). Deliberately strict: an
 * answer that merely has a `final_answer` is not taken for Toron (the checker would only raise noise
 * on it). `custom` is never detected: it exists only when configured.
 *
 * - toron-3: a `consensus` object, or (a broken answer of that generation) `metrics` with a `request_id`;
 * - toron-2.5h-stability: the 2.5h frame with a list `tier_path` or the patch's own top-level members
 *   (`snapshot`, numeric `latency_ms` / `contradictions`);
 * - toron-2.5h: `final_answer` with `state_snapshot` or `tier_path`.
 */
function detectProfile(body) {
    if (!isRecord(body))
        return null;
    const hasFrame = 'final_answer' in body && ('state_snapshot' in body || 'tier_path' in body);
    if (!hasFrame) {
        if (isRecord(body.consensus))
            return 'toron-3';
        if (isRecord(body.metrics) && 'request_id' in body.metrics)
            return 'toron-3';
        return null;
    }
    const stability = Array.isArray(body.tier_path) ||
        isRecord(body.snapshot) ||
        typeof body.latency_ms === 'number' ||
        typeof body.contradictions === 'number';
    return stability ? 'toron-2.5h-stability' : 'toron-2.5h';
}

;// CONCATENATED MODULE: ./src/engine/profiles/toron25h.ts

/**
 * toron-2.5h (RyuzenToronV25HPlus) and its stability patch, as the real answers in
 * reference/toron-samples show them:
 * - answer `/final_answer`; confidence `/confidence_score` on a 0-100 scale (58.0 / 68.0; the patch:
 *   ints 82 / 77);
 * - tier 1 `/state_snapshot/T1_RAW[{model, hypothesis, contradictions[], ...}]` (the hypothesis is the
 *   model's output); tier 2 `/state_snapshot/T2_AUDIT_REPORT{models, critiques, ...}`; the evidence tier
 *   `/state_snapshot/REALITY_PACKET{verified_facts, source_clusters, ...}` plus `/sources_used`;
 * - Opus: `/opus_used`, and the Opus review in `/state_snapshot/JUDICIAL_RESULT` (`{}` without it).
 *
 * 2.5h writes one fixed tier path string that always names JUDICIAL (the stage runs, Opus or not), so
 * its path cannot tell whether Opus ran: only the judicial result can. The patch writes a list that
 * gains "T4" exactly when Opus ran (its EXECUTION_PLAN.tier_path is the plan, not what ran: ignored).
 *
 * Contradictions: 2.5h counts the distinct texts its tier-1 models report; the patch reports the
 * number itself in `/contradictions`.
 */
const SNAP = '/state_snapshot';
const T1 = `${SNAP}/T1_RAW`;
const T2 = `${SNAP}/T2_AUDIT_REPORT`;
const T3 = `${SNAP}/REALITY_PACKET`;
const JUDICIAL = `${SNAP}/JUDICIAL_RESULT`;
function t1Of(body) {
    const raw = at(body, T1);
    if (raw === undefined || raw === null)
        return null;
    if (!Array.isArray(raw))
        return { pointer: T1, outputs: [], responders: null, malformed: `${T1} is ${describe(raw)}, not a list` };
    return {
        pointer: T1,
        outputs: raw.map((e) => (isRecord(e) ? { model: e.model, output: e.hypothesis } : { model: undefined, output: undefined })),
        responders: null,
    };
}
function t2Of(body) {
    const raw = at(body, T2);
    if (raw === undefined || raw === null || (isRecord(raw) && Object.keys(raw).length === 0))
        return null;
    if (!isRecord(raw))
        return { pointer: T2, models: [], malformed: `${T2} is ${describe(raw)}, not an object` };
    return { pointer: T2, models: Array.isArray(raw.models) ? raw.models : [] };
}
function t3Of(body) {
    const packet = at(body, T3);
    const sourcesUsed = at(body, '/sources_used');
    if ((packet === undefined || packet === null) && sourcesUsed === undefined)
        return null;
    const p = isRecord(packet) ? packet : {};
    return {
        pointer: T3,
        items: countOf(p.verified_facts),
        sources: Math.max(countOf(p.source_clusters), countOf(sourcesUsed)),
    };
}
/** Distinct contradiction texts over the tier-1 outputs; null when tier 1 is not a list. */
function t1Contradictions(body) {
    const raw = at(body, T1);
    if (!Array.isArray(raw))
        return null;
    const seen = new Set();
    for (const e of raw) {
        const list = isRecord(e) ? e.contradictions : undefined;
        if (Array.isArray(list))
            for (const c of list)
                seen.add(typeof c === 'string' ? c : JSON.stringify(c));
    }
    return seen.size;
}
function shapeProblems(body) {
    if (!isRecord(body))
        return [`the answer is ${describe(body)}, not a JSON object`];
    const out = [];
    if (typeof body.final_answer !== 'string')
        out.push(`/final_answer is ${describe(body.final_answer)}, not text`);
    if (!isRecord(body.state_snapshot))
        out.push(`${SNAP} is ${describe(body.state_snapshot)}, not an object`);
    return out;
}
function baseView(body, profile) {
    const confidenceRaw = at(body, '/confidence_score');
    return {
        profile,
        shapeProblems: shapeProblems(body),
        answerPointer: '/final_answer',
        answer: at(body, '/final_answer'),
        confidence: normalise(confidenceRaw, 100),
        confidenceRaw,
        confidencePointer: '/confidence_score',
        confidenceScale: 100,
        t1: t1Of(body),
        t2: t2Of(body),
        t3: t3Of(body),
        tierPath: tierList(at(body, '/tier_path')),
        opusEscalated: bool(at(body, '/opus_used')),
        judicial: nonEmpty(at(body, JUDICIAL)),
        tierPathHasT4: null,
        contradictions: t1Contradictions(body),
        engineLatencyMs: null,
    };
}
/** The witness is drawn by the clock (and named again as the RWL model). */
const VOLATILE_25H = ['/random_witness', `${SNAP}/RWL_RESULT/model`];
/**
 * The patch also draws its latencies at random on each call (its `stable_latency` jitter), wherever it
 * writes them (top level, the tiers, the plan, both snapshot copies), and the Opus review's
 * `OpusResolution:<n>` and latency.
 */
const VOLATILE_STABILITY = [
    ...VOLATILE_25H,
    '/latency_ms',
    `${SNAP}/LATENCY_MS`,
    ...['/snapshot', `${SNAP}/NORMALIZED_SNAPSHOT`].flatMap((at) => [
        `${at}/rwl_result/model`,
        `${at}/t1_raw/*/latency_ms`,
        `${at}/t2_audit_report/latency_ms`,
        `${at}/reality_packet/latency_ms`,
        `${at}/judicial_result/opus_result/result`,
        `${at}/judicial_result/opus_result/latency_ms`,
    ]),
    `${SNAP}/EXECUTION_PLAN/latency_ms`,
    `${T1}/*/latency_ms`,
    `${T2}/latency_ms`,
    `${T3}/latency_ms`,
    `${JUDICIAL}/opus_result/result`,
    `${JUDICIAL}/opus_result/latency_ms`,
];
const ALL_EXPOSED = { t1: 'outputs', t2Audit: true, t3Evidence: true, tierConsistency: true, contradictions: true, confidence: true };
const WHERE_25H = {
    t1: T1,
    t2: T2,
    t3: T3,
    tierPath: '/tier_path',
    opusEscalated: '/opus_used',
    judicial: JUDICIAL,
    contradictions: `${T1}/*/contradictions`,
};
const toron25hProfile = {
    name: 'toron-2.5h',
    confidenceScale: 100,
    exposes: ALL_EXPOSED,
    where: WHERE_25H,
    volatilePaths: VOLATILE_25H,
    answerPointer: () => '/final_answer',
    view: (body) => baseView(body, 'toron-2.5h'),
};
const toron25hStabilityProfile = {
    name: 'toron-2.5h-stability',
    confidenceScale: 100,
    exposes: ALL_EXPOSED,
    where: { ...WHERE_25H, contradictions: '/contradictions' },
    volatilePaths: VOLATILE_STABILITY,
    answerPointer: () => '/final_answer',
    view(body) {
        const v = baseView(body, 'toron-2.5h-stability');
        const path = v.tierPath;
        v.tierPathHasT4 = path ? path.includes('T4') : null;
        // The patch reports its count as an int: one missing or not a number is a broken answer, not a
        // generation without the figure. The distinct tier-1 texts stand in for it in the run's statistics.
        const reported = at(body, '/contradictions');
        const count = finiteNumber(reported);
        if (count !== null)
            v.contradictions = count;
        else
            v.contradictionsProblem = `the contradiction count /contradictions is ${reported === undefined ? 'missing' : `${describe(reported)}, not a number`}`;
        v.engineLatencyMs = finiteNumber(at(body, '/latency_ms'));
        return v;
    },
};

;// CONCATENATED MODULE: ./src/engine/profiles/toron3.ts

/** The form, from the consensus's own member names, else (a consensus-less part) from the metrics'. */
function formOf(consensus, metrics) {
    if (isRecord(consensus)) {
        if ('representative_output' in consensus || 'avg_confidence' in consensus)
            return 'full';
        if ('output' in consensus || 'confidence' in consensus)
            return 'query';
    }
    return isRecord(metrics) && ('tier4_arbitration_invoked' in metrics || 'total_latency_ms' in metrics) ? 'full' : 'query';
}
/** Below this share of agreeing responders toron-3 arbitrates (tier 4: Opus, or the tier-2 failsafe). */
const ARBITRATE_BELOW = 0.7;
/** The agreement share: the query form's "a/b", the full form's agreement_count over total_responses. */
function agreementOf(c, form) {
    if (form === 'query') {
        const m = typeof c.agreement === 'string' ? /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(c.agreement) : null;
        if (!m || Number(m[2]) === 0)
            return null;
        return { share: Number(m[1]) / Number(m[2]), text: `${m[1]}/${m[2]}`, pointer: '/consensus/agreement', arbitrateBelow: ARBITRATE_BELOW };
    }
    const n = finiteNumber(c.agreement_count);
    const total = finiteNumber(c.total_responses);
    if (n === null || total === null || total <= 0)
        return null;
    return { share: n / total, text: `${n}/${total}`, pointer: '/consensus/agreement_count', arbitrateBelow: ARBITRATE_BELOW };
}
const FIELDS = {
    query: { answer: 'output', model: 'model', confidence: 'confidence', latency: 'latency_ms' },
    full: { answer: 'representative_output', model: 'representative_model', confidence: 'avg_confidence', latency: 'total_latency_ms' },
};
const ESCALATED = new Set(['opus_primary', 'tier2_failsafe']);
function escalatedBy(source) {
    if (typeof source !== 'string')
        return null;
    if (ESCALATED.has(source))
        return true;
    if (source === 'consensus_only')
        return false;
    return null;
}
function toron3_t1Of(consensus, metrics, form) {
    const called = finiteNumber(isRecord(metrics) ? metrics.providers_called : undefined);
    const failed = finiteNumber(isRecord(metrics) ? metrics.providers_failed : undefined) ?? 0;
    const f = FIELDS[form];
    return {
        pointer: '/metrics/providers_called',
        outputs: null,
        responders: called === null ? null : called - failed,
        representative: { model: consensus[f.model], output: consensus[f.answer] },
        ...(called === null ? { malformed: `/metrics/providers_called is ${describe(isRecord(metrics) ? metrics.providers_called : undefined)}` } : {}),
    };
}
function toron3_t3Of(consensus) {
    const strength = consensus.evidence_strength;
    if (strength === undefined || strength === null)
        return null;
    return { pointer: '/consensus/evidence_strength', items: 0, sources: 0, summary: typeof strength === 'string' ? strength : '' };
}
function view(body) {
    const consensus = at(body, '/consensus');
    const metrics = at(body, '/metrics');
    const form = formOf(consensus, metrics);
    const f = FIELDS[form];
    const shapeProblems = [];
    if (!isRecord(body))
        shapeProblems.push(`the answer is ${describe(body)}, not a JSON object`);
    else if (!isRecord(consensus))
        shapeProblems.push(`/consensus is ${describe(consensus)}, not an object`);
    else if (typeof consensus[f.answer] !== 'string')
        shapeProblems.push(`/consensus/${f.answer} is ${describe(consensus[f.answer])}, not text`);
    const c = isRecord(consensus) ? consensus : {};
    const m = isRecord(metrics) ? metrics : {};
    const arbitrationModel = c.arbitration_model;
    const judicial = typeof arbitrationModel === 'string' ? arbitrationModel !== '' : arbitrationModel === null ? false : null;
    // The full form says outright whether tier 4 ran; the /query form only names (or not) the arbiter.
    const invoked = form === 'full' ? bool(m.tier4_arbitration_invoked) : null;
    const hasT4 = invoked ?? judicial;
    const tier2 = form === 'full' ? bool(m.tier2_invoked) : null;
    const tierPath = ['T1', ...(tier2 ? ['T2'] : []), 'T3', ...(hasT4 ? ['T4'] : [])];
    const confidenceRaw = c[f.confidence];
    return {
        profile: 'toron-3',
        form,
        shapeProblems,
        answerPointer: `/consensus/${f.answer}`,
        answer: c[f.answer],
        confidence: normalise(confidenceRaw, 1),
        confidenceRaw,
        confidencePointer: `/consensus/${f.confidence}`,
        confidenceScale: 1,
        t1: isRecord(consensus) ? toron3_t1Of(c, metrics, form) : null,
        t2: null,
        t3: toron3_t3Of(c),
        tierPath,
        opusEscalated: escalatedBy(c.arbitration_source),
        judicial,
        tierPathHasT4: hasT4,
        contradictions: null,
        agreement: agreementOf(c, form),
        engineLatencyMs: finiteNumber(m[f.latency]),
    };
}
const toron3Profile = {
    name: 'toron-3',
    confidenceScale: 1,
    exposes: { t1: 'responders', t2Audit: false, t3Evidence: true, tierConsistency: true, contradictions: false, confidence: true },
    // Request ids and timestamps change on every call; latencies are measured; a cache answers repeats.
    volatilePaths: [
        '/metrics/request_id',
        '/metrics/timestamp',
        '/consensus/timestamp',
        '/metrics/latency_ms',
        '/metrics/total_latency_ms',
        '/metrics/provider_latencies',
        '/metrics/cache_hit',
    ],
    where: {
        t1: '/metrics/providers_called',
        t2: '(not reported by toron-3)',
        t3: '/consensus/evidence_strength',
        tierPath: '/metrics/tier4_arbitration_invoked',
        opusEscalated: '/consensus/arbitration_source',
        judicial: '/consensus/arbitration_model',
        contradictions: '(not reported by toron-3)',
    },
    answerPointer: (body) => `/consensus/${FIELDS[formOf(at(body, '/consensus'), at(body, '/metrics'))].answer}`,
    view,
};

;// CONCATENATED MODULE: ./src/engine/profiles/index.ts






/** The built-in profiles; `custom` is built from its pointers (customProfile). */
const PROFILES = {
    'toron-2.5h': toron25hProfile,
    'toron-2.5h-stability': toron25hStabilityProfile,
    'toron-3': toron3Profile,
};
const customCache = new WeakMap();
/**
 * The profile for a name. `auto` is resolved per answer by shape (null when the shape is not a known
 * generation); `custom` needs its pointers (null without them).
 */
function profileFor(name, body, custom = null) {
    if (name === 'custom') {
        if (!custom)
            return null;
        let p = customCache.get(custom);
        if (!p)
            customCache.set(custom, (p = customProfile(custom)));
        return p;
    }
    if (name === 'auto') {
        const detected = detectProfile(body);
        return detected ? PROFILES[detected] : null;
    }
    return PROFILES[name];
}
/**
 * The members a profile's engines change on every call, for this answer: `auto` detects the shape
 * (none for an unknown one), `custom` has none (the user's replay.ignorePaths say).
 */
function volatilePathsFor(name, body) {
    if (name === 'custom')
        return NO_PATHS;
    const detected = name === 'auto' ? detectProfile(body) : name;
    return detected ? PROFILES[detected].volatilePaths : NO_PATHS;
}
const NO_PATHS = [];

;// CONCATENATED MODULE: ./src/engine/answer-path.ts


/**
 * The JSON Pointer of the answer text (DESIGN §3.5): assertions without a `path` test this field.
 * The profile decides (engine/profiles/); with `auto` the answer's shape picks the profile.
 */
function answer_path_isRecord(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/**
 * Answers that no profile recognises (a bare `{final_answer}` from a toy engine, a half-written
 * toron-3 body) still get their obvious answer field, so string assertions keep testing the text.
 */
const LENIENT = ['/final_answer', '/consensus/output', '/consensus/representative_output'];
function lenientPointer(body) {
    if (!answer_path_isRecord(body))
        return '';
    for (const p of LENIENT) {
        let cur = body;
        for (const s of segmentsOf(p))
            cur = answer_path_isRecord(cur) ? cur[s] : undefined;
        if (cur !== undefined)
            return p;
    }
    return '';
}
/**
 * The answer pointer for one response. With a fixed profile the profile decides; with `auto` the shape
 * does; `custom` uses its configured pointer (or, without one, behaves as `auto`). An unknown shape
 * answers '' (the whole body), so string assertions still see everything.
 */
function answerPointer(body, profile, custom = null) {
    if (profile === 'custom' && custom)
        return custom.answer;
    const p = profileFor(profile === 'custom' ? 'auto' : profile, body);
    if (profile === 'auto' || profile === 'custom')
        return p ? p.answerPointer(body) : lenientPointer(body);
    return p.answerPointer(body);
}

// EXTERNAL MODULE: external "node:perf_hooks"
var external_node_perf_hooks_ = __webpack_require__(643);
;// CONCATENATED MODULE: ./src/engine/call.ts

/**
 * The case timer waits this much past the case timeout when the adapter has a timer of its own of the
 * same length: the adapter knows more (HTTP headers arrived and the body trickled, say) and its answer
 * should be the one reported, not a bare "no answer".
 */
const ADAPTER_FIRST_MS = 100;
/**
 * One engine call with the case timeout, as SIM and replay make it (the adapter's own timeout may be
 * shorter). Never throws: a throwing adapter is an `engine_error`, a cancelled run `aborted`.
 */
async function callEngine(engine, req, timeoutMs, signal) {
    const ac = new AbortController();
    const onAbort = () => ac.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const started = external_node_perf_hooks_.performance.now();
    let timer;
    const timeout = new Promise((resolve) => {
        timer = setTimeout(() => {
            ac.abort(new Error('case timeout'));
            resolve({ ok: false, error: { kind: 'timeout', message: `no answer within the case timeout of ${timeoutMs} ms` }, latencyMs: external_node_perf_hooks_.performance.now() - started });
        }, timeoutMs + ADAPTER_FIRST_MS);
    });
    try {
        return await Promise.race([
            engine.call(req, ac.signal).catch((err) => ({
                ok: false,
                error: { kind: signal.aborted ? 'aborted' : 'engine_error', message: String(err?.message ?? err) },
                latencyMs: external_node_perf_hooks_.performance.now() - started,
            })),
            timeout,
        ]);
    }
    finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
    }
}

// EXTERNAL MODULE: ./node_modules/pure-rand/lib/esm/generator/xoroshiro128plus.js
var xoroshiro128plus = __webpack_require__(19821);
// EXTERNAL MODULE: ./node_modules/pure-rand/lib/esm/distribution/uniformFloat64.js
var uniformFloat64 = __webpack_require__(18460);
// EXTERNAL MODULE: ./node_modules/pure-rand/lib/esm/distribution/uniformInt.js
var uniformInt = __webpack_require__(72577);
;// CONCATENATED MODULE: ./src/util/seed.ts




/**
 * A 32-bit seed from any list of parts (run id, case id, repeat). sha256 so that ids that differ by one
 * character give unrelated seeds, and so the same parts give the same seed on every machine.
 */
function deriveSeed(...parts) {
    // The one-shot hash: a Hash object per call cost more than the rest of a SIM attempt.
    return (0,external_node_crypto_.hash)('sha256', parts.join('\u0000'), 'buffer').readUInt32BE(0);
}
/**
 * Murmur3's 32-bit finaliser: xoroshiro seeded straight from small, close seeds (a dataset's "seed": 42)
 * gives visibly correlated first draws; scrambling the seed first removes that.
 */
function mixSeed(seed) {
    let h = seed | 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h | 0;
}
function seededRandom(seed) {
    const gen = (0,xoroshiro128plus/* xoroshiro128plus */.b)(mixSeed(seed));
    return {
        next: () => (0,uniformFloat64/* uniformFloat64 */.d)(gen),
        int: (lo, hi) => (0,uniformInt/* uniformInt */.C)(gen, lo, hi),
    };
}

;// CONCATENATED MODULE: ./src/stages/sim/execute.ts


const YIELD_EVERY_MS = 20;
/** The seed of one attempt: run id + dataset + case id + repeat, so `--run-id` reproduces a run. */
function attemptSeed(runId, c, repeat) {
    return deriveSeed(runId, c.dataset, c.id, repeat);
}
/**
 * Runs every case `repeat` times with at most `concurrency` attempts in flight. Attempts not started
 * when the signal aborts are not run: the result holds only attempts that happened, so a cancelled run
 * reports what it has. Returns attempts grouped per case index.
 */
async function executeCases(cases, opts) {
    // A case's list is made with its first attempt, at length 1: most cases run once, and an empty
    // array that is pushed to keeps room for 17 (100k cases: 15 MB held for the whole run).
    const results = new Array(cases.length);
    // The next attempt to start: case index, repeat (case by case, repeats in order; no job list kept).
    let nextCase = 0;
    let nextRepeat = 0;
    const more = () => {
        while (nextCase < cases.length && nextRepeat >= cases[nextCase].repeat) {
            nextCase++;
            nextRepeat = 0;
        }
        return nextCase < cases.length;
    };
    let jobs = 0;
    for (const c of cases)
        jobs += c.repeat;
    // An in-process engine answers in microtasks only: without a turn of the event loop now and then,
    // timers (progress) and signals (cancellation) would wait for the whole suite.
    let lastTurn = performance.now();
    const worker = async () => {
        while (more() && !opts.signal.aborted) {
            if (performance.now() - lastTurn > YIELD_EVERY_MS) {
                lastTurn = performance.now();
                await new Promise((r) => setImmediate(r));
                continue;
            }
            const wait = opts.ready?.();
            if (wait) {
                await wait;
                continue;
            }
            const ci = nextCase;
            const repeat = nextRepeat++;
            const c = cases[ci];
            const [a, res] = await attempt(c, repeat, opts);
            if (a.error?.kind === 'aborted' && opts.signal.aborted)
                return;
            const list = results[ci];
            if (list)
                list.push(a);
            else
                results[ci] = [a];
            opts.onAttempt?.(c, a, ci, res);
        }
    };
    const workers = Math.max(1, Math.min(opts.concurrency, jobs));
    await Promise.all(Array.from({ length: workers }, worker));
    const out = results;
    for (let i = 0; i < out.length; i++) {
        const r = out[i];
        if (r === undefined)
            out[i] = [];
        else if (r.length > 1)
            r.sort((x, y) => x.repeat - y.repeat);
    }
    return out;
}
async function attempt(c, repeat, opts) {
    const seed = attemptSeed(opts.runId, c, repeat);
    const res = await callEngine(opts.engine, { runId: opts.runId, caseId: c.id, seed, input: c.input }, opts.timeoutMs, opts.signal);
    if (!res.ok) {
        return [{ repeat, seed, passed: false, latencyMs: res.latencyMs, failures: [], warnings: [], error: res.error, actual: res.raw?.slice(0, 500) }, res];
    }
    let checked;
    try {
        checked = opts.check(c, res.body, res.latencyMs);
    }
    catch (err) {
        // An assertion that throws on a strange answer is a failed assertion, never a crashed run.
        checked = { failures: [{ assertion: 'check', level: 'error', pass: false, message: `assertion crashed: ${err.message}` }], warnings: [] };
    }
    const a = {
        repeat,
        seed,
        passed: checked.failures.length === 0,
        latencyMs: res.latencyMs,
        failures: checked.failures,
        warnings: checked.warnings,
        actual: checked.failures.length > 0 ? checked.actual : undefined,
    };
    return [a, res];
}

;// CONCATENATED MODULE: ./schemas/dataset.schema.json
const dataset_schema_namespaceObject = /*#__PURE__*/JSON.parse('{"$schema":"http://json-schema.org/draft-07/schema#","$id":"https://github.com/ryuzen/toron-testops/schemas/dataset.schema.json","title":"toron-testops SIM dataset","description":"One SIM dataset (DESIGN §3.4). Assertion types follow promptfoo\'s names; each also exists as not-<type>.","type":"object","required":["name","cases"],"additionalProperties":false,"properties":{"$schema":{"type":"string"},"name":{"type":"string","minLength":1,"pattern":"^[^\\\\u0000-\\\\u001f\\\\u007f-\\\\u009f\\\\u061c\\\\u200b-\\\\u200f\\\\u2028-\\\\u202e\\\\u2060-\\\\u2069\\\\ufeff\\\\ufff9-\\\\ufffb]*$","x-expected":"text without control or invisible characters (line breaks, tabs, escapes, bidi and zero-width controls)","description":"Must match the name the registry gives this file."},"description":{"type":"string"},"seed":{"type":["integer","null"]},"defaults":{"type":"object","additionalProperties":false,"properties":{"assert":{"$ref":"#/definitions/assertList","description":"Prepended to every case\'s assertions."},"ignorePaths":{"$ref":"#/definitions/pointerList","description":"Merged with every case\'s ignorePaths."},"repeat":{"$ref":"#/definitions/repeat"}}},"cases":{"type":"array","items":{"$ref":"#/definitions/case"}}},"definitions":{"pointer":{"type":"string","pattern":"^(/([^~/]|~[01])*)*$","description":"A JSON Pointer (RFC 6901) into the engine\'s response, e.g. /final_answer."},"pointerList":{"type":"array","items":{"allOf":[{"$ref":"#/definitions/pointer"},{"minLength":1}]}},"repeat":{"type":"integer","minimum":1,"maximum":1000},"assertList":{"type":"array","items":{"$ref":"#/definitions/assertion"}},"assertion":{"type":"object","required":["type"],"additionalProperties":false,"properties":{"type":{"type":"string","description":"equals, contains, icontains, contains-any, contains-all, starts-with, regex, is-json, contains-json, levenshtein, latency, json-schema, range; each also as not-<type>."},"value":{"description":"The expected value; its meaning depends on the type."},"threshold":{"type":"number","description":"levenshtein: max edit distance (default 5); latency: max ms."},"path":{"$ref":"#/definitions/pointer","description":"Default: the profile\'s answer field."},"level":{"enum":["error","warn"],"default":"error"},"min":{"type":"number","description":"range: inclusive lower bound."},"max":{"type":"number","description":"range: inclusive upper bound."}}},"case":{"type":"object","required":["id","input"],"additionalProperties":false,"properties":{"id":{"type":"string","minLength":1,"pattern":"^[^\\\\u0000-\\\\u001f\\\\u007f-\\\\u009f\\\\u061c\\\\u200b-\\\\u200f\\\\u2028-\\\\u202e\\\\u2060-\\\\u2069\\\\ufeff\\\\ufff9-\\\\ufffb]*$","x-expected":"text without control or invisible characters (line breaks, tabs, escapes, bidi and zero-width controls)","description":"Unique within the dataset; seeds derive from the run id and this id. It appears in logs, annotations and reports, so it holds no control characters."},"description":{"type":"string"},"input":{"type":"object","required":["prompt"],"properties":{"prompt":{"type":"string","description":"May be empty: Toron engines answer an empty prompt, and how they do is worth a case."}}},"expected":{"type":"object"},"assert":{"$ref":"#/definitions/assertList"},"tags":{"type":"array","items":{"type":"string","minLength":1}},"repeat":{"$ref":"#/definitions/repeat"},"ignorePaths":{"$ref":"#/definitions/pointerList"}}}}}');
;// CONCATENATED MODULE: ./src/stages/sim/assertions/user-schema.ts

/**
 * JSON Schemas written inside datasets (`json-schema`, `is-json`, `contains-json`). Draft-07, as
 * promptfoo uses. Ajv's strict mode stays on so a misspelt keyword or an unknown `format` is a load-time
 * error instead of a schema that silently accepts everything; its warnings are not printed.
 */
const user_schema_ajv = new ajv.Ajv({ allErrors: true, logger: false });
/** Datasets repeat one schema across thousands of cases: compile each distinct schema once. */
const cache = new Map();
/** Compile a user schema; throws with Ajv's reason when the schema itself is invalid. */
function compileUserSchema(schema) {
    if (typeof schema !== 'boolean' && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
        throw new Error('a JSON Schema must be an object or a boolean');
    }
    const key = JSON.stringify(schema);
    let fn = cache.get(key);
    if (!fn) {
        // Ajv keys its own cache by object identity and refuses a second schema with the same $id: a
        // structurally equal schema from another case must reuse the first compile.
        fn = user_schema_ajv.compile(schema);
        cache.set(key, fn);
    }
    return fn;
}
function schemaErrors(fn) {
    return user_schema_ajv.errorsText(fn.errors, { dataVar: 'value' });
}

;// CONCATENATED MODULE: ./src/stages/sim/assertions/json.ts

/** An optional schema in `value`, compiled at load time. */
function optionalSchema(a, reject, type) {
    if (a.value === undefined || a.value === null)
        return null;
    return requiredSchema(a, reject, type);
}
function requiredSchema(a, reject, type) {
    if (a.value === undefined)
        return reject('value', `"${type}" needs a JSON Schema in "value"`);
    try {
        return compileUserSchema(a.value);
    }
    catch (err) {
        return reject('value', `"${type}" has an invalid JSON Schema: ${schemaProblem(err.message)}`);
    }
}
/**
 * Ajv explains a bad schema as every failed branch of its meta-schema ("a, b, c"); the first names the
 * keyword at fault, the rest repeat it through anyOf.
 */
function schemaProblem(message) {
    const m = /^schema is invalid: (.*)$/.exec(message);
    if (!m)
        return message;
    return m[1].split(', ')[0].replace(/^data(?=\/|\s)/, 'schema');
}
/** Where a JSON object or array that starts at `start` ends (exclusive), by bracket depth; -1 if never. */
function balancedEnd(text, start) {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (inString) {
            if (c === 92 /* \ */)
                i++;
            else if (c === 34 /* " */)
                inString = false;
        }
        else if (c === 34)
            inString = true;
        else if (c === 123 /* { */ || c === 91 /* [ */)
            depth++;
        else if (c === 125 /* } */ || c === 93 /* ] */) {
            depth--;
            if (depth === 0)
                return i + 1;
        }
    }
    return -1;
}
/**
 * The JSON values inside free text: the whole text if it is JSON, else every object or array that
 * parses, left to right, not looking inside one that parsed (as promptfoo's extraction does for
 * objects; arrays count here too).
 */
function extractJsonValues(text) {
    const whole = tryParse(text);
    if (whole.ok)
        return [whole.value];
    const found = [];
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c !== 123 && c !== 91)
            continue;
        const end = balancedEnd(text, i);
        if (end < 0)
            continue;
        const r = tryParse(text.slice(i, end));
        if (r.ok) {
            found.push(r.value);
            i = end - 1;
        }
    }
    return found;
}
function tryParse(text) {
    try {
        return { ok: true, value: JSON.parse(text) };
    }
    catch (err) {
        return { ok: false, error: err.message };
    }
}
const isJson = {
    fields: ['value'],
    usesPath: true,
    prepare(a, reject) {
        const validate = optionalSchema(a, reject, 'is-json');
        return {
            target: 'text',
            phrase: validate ? 'to be JSON matching the schema' : 'to be JSON',
            test(t) {
                const r = tryParse(t);
                if (!r.ok)
                    return { holds: false, note: `not JSON: ${r.error}` };
                if (!validate)
                    return { holds: true };
                if (validate(r.value))
                    return { holds: true, note: 'JSON matching the schema' };
                return { holds: false, note: `schema: ${schemaErrors(validate)}` };
            },
        };
    },
};
const containsJson = {
    fields: ['value'],
    usesPath: true,
    prepare(a, reject) {
        const validate = optionalSchema(a, reject, 'contains-json');
        return {
            target: 'text',
            phrase: validate ? 'to contain JSON matching the schema' : 'to contain JSON',
            test(t) {
                const values = extractJsonValues(t);
                if (values.length === 0)
                    return { holds: false, note: 'no JSON found' };
                if (!validate)
                    return { holds: true, note: `found ${values.length} JSON value(s)` };
                let lastErrors = '';
                for (const v of values) {
                    if (validate(v))
                        return { holds: true, note: 'found JSON matching the schema' };
                    lastErrors = schemaErrors(validate);
                }
                return { holds: false, note: `${values.length} JSON value(s), none matching the schema (${lastErrors})` };
            },
        };
    },
};
const jsonSchema = {
    fields: ['value'],
    usesPath: true,
    prepare(a, reject) {
        const validate = requiredSchema(a, reject, 'json-schema');
        return {
            target: 'value',
            phrase: 'to match the JSON schema',
            test(t) {
                if (validate(t))
                    return { holds: true };
                return { holds: false, note: `schema: ${schemaErrors(validate)}` };
            },
        };
    },
};

;// CONCATENATED MODULE: ./src/stages/sim/assertions/values.ts

/** Small value helpers shared by the assertion families: short rendering, JSON equality, list values. */
const MAX_SHOWN = 200;
/** A value as it appears in a message: JSON text, cut to ~200 characters so reports stay readable. */
function values_short(value, max = MAX_SHOWN) {
    const json = value === undefined ? 'undefined' : JSON.stringify(value);
    // JSON escapes C0 controls; DEL, C1, line separators and bidi controls it leaves raw.
    const text = json === undefined ? String(json) : escapeControls(json);
    if (text.length <= max)
        return text;
    return `${text.slice(0, max)}… (${text.length} chars)`;
}
function typeName(value) {
    if (value === null)
        return 'null';
    if (Array.isArray(value))
        return 'an array';
    if (typeof value === 'object')
        return 'an object';
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
        return `a ${typeof value}`;
    }
    return typeof value;
}
/**
 * Equality of JSON values: key order does not matter, array order does, and 0 equals -0 (JSON cannot
 * tell them apart, but util.isDeepStrictEqual can).
 */
function jsonEqual(a, b) {
    if (a === b)
        return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
        return false;
    if (Array.isArray(a) !== Array.isArray(b))
        return false;
    if (Array.isArray(a)) {
        const bb = b;
        if (a.length !== bb.length)
            return false;
        for (let i = 0; i < a.length; i++)
            if (!jsonEqual(a[i], bb[i]))
                return false;
        return true;
    }
    const ao = a;
    const bo = b;
    const keys = Object.keys(ao);
    if (keys.length !== Object.keys(bo).length)
        return false;
    for (const k of keys)
        if (!Object.hasOwn(bo, k) || !jsonEqual(ao[k], bo[k]))
            return false;
    return true;
}
/**
 * promptfoo's list syntax for contains-any / contains-all: fields split on commas and trimmed; a field
 * in double quotes keeps its commas and spaces (`""` or `\"` is a quote inside it); empty fields are
 * dropped. Throws on an unterminated quote or text after a closing quote.
 */
function parseCommaList(text) {
    const out = [];
    let i = 0;
    const n = text.length;
    while (i < n) {
        while (i < n && (text[i] === ',' || /\s/.test(text[i])))
            i++;
        if (i >= n)
            break;
        if (text[i] === '"') {
            let field = '';
            let closed = false;
            i++;
            while (i < n) {
                const c = text[i];
                if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
                    field += text[i + 1];
                    i += 2;
                }
                else if (c === '"' && text[i + 1] === '"') {
                    field += '"';
                    i += 2;
                }
                else if (c === '"') {
                    closed = true;
                    i++;
                    break;
                }
                else {
                    field += c;
                    i++;
                }
            }
            if (!closed)
                throw new Error('unterminated quoted field');
            while (i < n && /\s/.test(text[i]))
                i++;
            if (i < n && text[i] !== ',')
                throw new Error(`expected a comma after the quoted field "${field}"`);
            out.push(field);
        }
        else {
            const start = i;
            while (i < n && text[i] !== ',')
                i++;
            const field = text.slice(start, i).trim();
            if (field !== '')
                out.push(field);
        }
    }
    return out;
}

;// CONCATENATED MODULE: ./src/stages/sim/assertions/numeric.ts

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const latency = {
    fields: ['threshold'],
    usesPath: false,
    prepare(a, reject) {
        // promptfoo allows no threshold only to record a metric; a gate needs the bound.
        if (!isNum(a.threshold) || a.threshold < 0)
            return reject('threshold', '"latency" needs "threshold" (ms, >= 0)');
        const max = a.threshold;
        return {
            target: 'none',
            phrase: `to be <= ${max} ms`,
            test: (_t, latencyMs) => ({ holds: latencyMs <= max, note: `${Math.round(latencyMs * 10) / 10} ms` }),
        };
    },
};
/** `range`: `min` and/or `max`, or `value: [min, max]`; bounds are inclusive. */
const range = {
    fields: ['value', 'min', 'max'],
    usesPath: true,
    prepare(a, reject) {
        let min = a.min;
        let max = a.max;
        if (a.value !== undefined) {
            if (min !== undefined || max !== undefined)
                return reject('value', '"range" takes either "value": [min, max] or "min"/"max", not both');
            if (!Array.isArray(a.value) || a.value.length !== 2)
                return reject('value', '"range" value must be [min, max]');
            const [lo, hi] = a.value;
            if ((lo !== null && !isNum(lo)) || (hi !== null && !isNum(hi))) {
                return reject('value', `"range" bounds must be numbers (null for no bound), got ${values_short(a.value)}`);
            }
            min = lo ?? undefined;
            max = hi ?? undefined;
        }
        if (min !== undefined && !isNum(min))
            return reject('min', '"range" min must be a number');
        if (max !== undefined && !isNum(max))
            return reject('max', '"range" max must be a number');
        if (min === undefined && max === undefined)
            return reject('value', '"range" needs "min", "max" or "value": [min, max]');
        if (min !== undefined && max !== undefined && min > max)
            return reject('min', `"range" min ${min} is above max ${max}`);
        const lo = min;
        const hi = max;
        const phrase = lo !== undefined && hi !== undefined ? `to be within [${lo}, ${hi}]` : lo !== undefined ? `to be >= ${lo}` : `to be <= ${hi}`;
        return {
            target: 'value',
            phrase,
            test(t) {
                if (!isNum(t))
                    return { holds: false, invalid: true, note: 'not a number' };
                return { holds: (lo === undefined || t >= lo) && (hi === undefined || t <= hi) };
            },
        };
    },
};

// EXTERNAL MODULE: external "node:v8"
var external_node_v8_ = __webpack_require__(78877);
var external_node_v8_default = /*#__PURE__*/__webpack_require__.n(external_node_v8_);
// EXTERNAL MODULE: external "node:vm"
var external_node_vm_ = __webpack_require__(30714);
var external_node_vm_default = /*#__PURE__*/__webpack_require__.n(external_node_vm_);
;// CONCATENATED MODULE: ./src/util/regexp-guard.ts


let guarded = false;
/**
 * Dataset regexes run on engine answers, and a pattern such as `^(a+)+$` backtracks exponentially on
 * an answer like "aaaa…a!": 34 characters took 221 s, blocking the event loop (no timeout, no
 * cancellation). Two V8 flags: a regex that backtracks too much falls back to V8's linear-time engine,
 * which gives the same answer; and the `l` flag, only to ask whether a pattern can run there at all
 * (linearCapable). Read when a regex is compiled, so this is set before the first dataset regex is.
 */
function guardRegexpBacktracking() {
    if (guarded)
        return;
    guarded = true;
    external_node_v8_default().setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
    external_node_v8_default().setFlagsFromString('--enable-experimental-regexp-engine');
}
/**
 * Whether V8's linear engine can run the pattern, so that the fallback above covers it. Backreferences,
 * lookarounds, inline modifiers such as `(?i:...)` and large counted repeats cannot: those patterns need
 * testWithin.
 */
function linearCapable(source) {
    guardRegexpBacktracking();
    try {
        new RegExp(source, 'l');
        return true;
    }
    catch {
        return false;
    }
}
const TEST = new (external_node_vm_default()).Script('re.test(s)');
let context = null;
/**
 * `re.test(text)` stopped after `ms` (null then): V8 terminates the script from a watchdog thread, which
 * also interrupts a backtracking regex. About 0.2 ms a call (the watchdog), so only for patterns that
 * are not linearCapable.
 */
function testWithin(re, text, ms) {
    context ??= external_node_vm_default().createContext({ re: null, s: '' });
    context.re = re;
    context.s = text;
    try {
        return TEST.runInContext(context, { timeout: ms });
    }
    catch (err) {
        if (err.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT')
            return null;
        throw err;
    }
    finally {
        context.re = null;
        context.s = '';
    }
}

;// CONCATENATED MODULE: ./src/stages/sim/assertions/text.ts



/** How long one regex test may run when V8 cannot fall back to its linear engine for the pattern. */
const REGEX_BUDGET_MS = 2000;
/** `contains`-like values: a non-empty string, or a number (compared as its text), like promptfoo. */
function needle(a, reject, type) {
    const v = a.value;
    if (typeof v === 'string' && v !== '')
        return v;
    if (typeof v === 'number' && Number.isFinite(v))
        return String(v);
    if (Array.isArray(v)) {
        return reject('value', `"${type}" takes one string; for a list use contains-any or contains-all`);
    }
    return reject('value', `"${type}" needs a non-empty string "value"`);
}
/** A list value: an array of strings/numbers, or promptfoo's comma-separated string. */
function needles(a, reject, type) {
    let list;
    if (typeof a.value === 'string') {
        try {
            list = parseCommaList(a.value);
        }
        catch (err) {
            return reject('value', `"${type}" value: ${err.message}`);
        }
    }
    else if (Array.isArray(a.value)) {
        list = a.value;
    }
    else {
        return reject('value', `"${type}" needs "value": an array of strings or a comma-separated string`);
    }
    const out = [];
    for (const item of list) {
        if (typeof item === 'string' && item !== '')
            out.push(item);
        else if (typeof item === 'number' && Number.isFinite(item))
            out.push(String(item));
        else
            return reject('value', `"${type}" list items must be non-empty strings or numbers, got ${values_short(item)}`);
    }
    if (out.length === 0)
        return reject('value', `"${type}" needs at least one item`);
    return out;
}
const listText = (items) => `[${items.map((s) => values_short(s, 60)).join(', ')}]`;
const equals = {
    fields: ['value'],
    usesPath: true,
    prepare(a, reject) {
        if (a.value === undefined)
            return reject('value', '"equals" needs a "value"');
        const expected = a.value;
        if (typeof expected === 'string') {
            return { target: 'text', phrase: `to equal ${values_short(expected)}`, test: (t) => ({ holds: t === expected }) };
        }
        // A structured expectation against a string target: the answer field often holds JSON text, and
        // promptfoo compares such a string by parsing it.
        return {
            target: 'value',
            phrase: `to equal ${values_short(expected)}`,
            test(t) {
                if (typeof t === 'string') {
                    try {
                        return { holds: jsonEqual(JSON.parse(t), expected), note: 'parsed the string as JSON' };
                    }
                    catch {
                        return { holds: false, note: 'a string that is not JSON' };
                    }
                }
                return { holds: jsonEqual(t, expected) };
            },
        };
    },
};
const contains = {
    fields: ['value'],
    usesPath: true,
    prepare(a, reject) {
        const s = needle(a, reject, 'contains');
        return { target: 'text', phrase: `to contain ${values_short(s)}`, test: (t) => ({ holds: t.includes(s) }) };
    },
};
const icontains = {
    fields: ['value'],
    usesPath: true,
    prepare(a, reject) {
        const s = needle(a, reject, 'icontains');
        const lower = s.toLowerCase();
        return {
            target: 'text',
            phrase: `to contain ${values_short(s)} (ignoring case)`,
            test: (t) => ({ holds: t.toLowerCase().includes(lower) }),
        };
    },
};
const containsAny = {
    fields: ['value'],
    usesPath: true,
    prepare(a, reject) {
        const items = needles(a, reject, 'contains-any');
        return {
            target: 'text',
            phrase: `to contain any of ${listText(items)}`,
            test(t) {
                const found = items.filter((s) => t.includes(s));
                return { holds: found.length > 0, note: found.length > 0 ? `found ${listText(found)}` : 'found none' };
            },
        };
    },
};
const containsAll = {
    fields: ['value'],
    usesPath: true,
    prepare(a, reject) {
        const items = needles(a, reject, 'contains-all');
        return {
            target: 'text',
            phrase: `to contain all of ${listText(items)}`,
            test(t) {
                const missing = items.filter((s) => !t.includes(s));
                return { holds: missing.length === 0, note: missing.length > 0 ? `missing ${listText(missing)}` : 'found all' };
            },
        };
    },
};
const startsWith = {
    fields: ['value'],
    usesPath: true,
    prepare(a, reject) {
        const s = needle(a, reject, 'starts-with');
        return { target: 'text', phrase: `to start with ${values_short(s)}`, test: (t) => ({ holds: t.startsWith(s) }) };
    },
};
const regex = {
    fields: ['value'],
    usesPath: true,
    prepare(a, reject) {
        if (typeof a.value !== 'string' || a.value === '')
            return reject('value', '"regex" needs a non-empty string "value"');
        let re;
        guardRegexpBacktracking();
        try {
            // No flags, as promptfoo; inline modifiers such as (?i:...) work on Node 24.
            re = new RegExp(a.value);
        }
        catch (err) {
            return reject('value', `invalid regex ${values_short(a.value)}: ${err.message}`);
        }
        if (linearCapable(a.value))
            return { target: 'text', phrase: `to match /${a.value}/`, test: (t) => ({ holds: re.test(t) }) };
        // No linear fallback for this pattern: each test runs under a watchdog, and one that runs away fails.
        return {
            target: 'text',
            phrase: `to match /${a.value}/`,
            test(t) {
                const holds = testWithin(re, t, REGEX_BUDGET_MS);
                if (holds !== null)
                    return { holds };
                return { holds: false, invalid: true, note: `the regex ran over ${REGEX_BUDGET_MS} ms on this answer and was stopped (catastrophic backtracking); simplify it` };
            },
        };
    },
};
const levenshtein = {
    fields: ['value', 'threshold'],
    usesPath: true,
    prepare(a, reject) {
        if (typeof a.value !== 'string')
            return reject('value', '"levenshtein" needs a string "value"');
        // Default 5 as promptfoo; unlike promptfoo (`threshold || 5`) an explicit 0 means "identical".
        const max = a.threshold ?? 5;
        if (typeof max !== 'number' || !Number.isFinite(max) || max < 0) {
            return reject('threshold', '"levenshtein" threshold must be a number >= 0');
        }
        const expected = a.value;
        return {
            target: 'text',
            phrase: `to be within edit distance ${max} of ${values_short(expected)}`,
            test(t) {
                const d = (0,mod/* distance */.Io)(t, expected);
                return { holds: d <= max, note: `distance ${d}` };
            },
        };
    },
};

;// CONCATENATED MODULE: ./src/stages/sim/types.ts
const ASSERTION_TYPES = [
    'equals',
    'contains',
    'icontains',
    'contains-any',
    'contains-all',
    'starts-with',
    'regex',
    'is-json',
    'contains-json',
    'levenshtein',
    'latency',
    'json-schema',
    'range',
];

;// CONCATENATED MODULE: ./src/stages/sim/assertions.ts








const FAMILIES = {
    equals: equals,
    contains: contains,
    icontains: icontains,
    'contains-any': containsAny,
    'contains-all': containsAll,
    'starts-with': startsWith,
    regex: regex,
    'is-json': isJson,
    'contains-json': containsJson,
    levenshtein: levenshtein,
    latency: latency,
    'json-schema': jsonSchema,
    range: range,
};
const KNOWN = `known types: ${ASSERTION_TYPES.join(', ')} (each also as not-<type>)`;
const ALL_NAMES = [...ASSERTION_TYPES, ...ASSERTION_TYPES.map((t) => `not-${t}`)];
function assertions_isRecord(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function splitType(type) {
    return type.startsWith('not-') ? { base: type.slice(4), negate: true } : { base: type, negate: false };
}
function isBaseType(t) {
    return Object.hasOwn(FAMILIES, t);
}
/**
 * Validate one assertion and prepare it for evaluation. Every problem is an InputError naming the file,
 * the line, the case and the field.
 */
function compileAssertion(a, where = {}) {
    const fail = (field, message) => {
        const pointer = where.pointer !== undefined && field !== null ? `${where.pointer}/${field}` : where.pointer;
        const line = where.lineOf && pointer !== undefined ? where.lineOf(pointer) : where.line;
        throw new InputError(message, { file: where.file, line, pointer, caseId: where.caseId });
    };
    if (!assertions_isRecord(a))
        return fail(null, `an assertion must be an object, got ${typeName(a)}`);
    if (typeof a.type !== 'string')
        return fail('type', 'an assertion needs a string "type"');
    const { base, negate } = splitType(a.type);
    if (!isBaseType(base)) {
        const guess = (0,mod/* closest */.kp)(a.type, ALL_NAMES);
        return fail('type', `unknown assertion type "${a.type}" (did you mean "${guess}"?); ${KNOWN}`);
    }
    const family = FAMILIES[base];
    for (const key of Object.keys(a)) {
        if (key === 'type' || key === 'level' || (key === 'path' && family.usesPath))
            continue;
        if (!family.fields.includes(key)) {
            fail(key, `"${key}" is not used by "${base}"${key === 'path' ? ' (it checks the whole call)' : ''}`);
        }
    }
    const level = a.level ?? 'error';
    if (level !== 'error' && level !== 'warn')
        return fail('level', `"level" must be "error" or "warn", got ${values_short(level)}`);
    let path = null;
    if (a.path !== undefined) {
        if (typeof a.path !== 'string' || !isJsonPointer(a.path)) {
            return fail('path', `"path" must be a JSON Pointer such as "/final_answer", got ${values_short(a.path)}`);
        }
        path = a.path;
    }
    const prepared = family.prepare(a, (field, message) => fail(field, message));
    return { type: a.type, base, negate, level, path, source: a, prepared };
}
function pointerName(p) {
    return p === '' ? '(the whole response)' : p;
}
/** Run one compiled assertion against one response. Never throws. */
function evaluate(c, ctx) {
    return judge(c, ctx, true);
}
/**
 * The failing outcome of one assertion, or null when it passes: what a SIM run keeps. Skips writing the
 * "ok: ..." message of a pass, which nothing reads there (100k cases, each with a few assertions).
 */
function failureOf(c, ctx) {
    return judge(c, ctx, false);
}
function judge(c, ctx, passMessage) {
    const out = (pass, message) => ({ assertion: c.type, level: c.level, pass, message });
    const not = c.negate ? 'not ' : '';
    const { prepared } = c;
    if (prepared.target === 'none') {
        const r = prepared.test(undefined, ctx.latencyMs);
        const pass = !r.invalid && r.holds !== c.negate;
        if (pass && !passMessage)
            return null;
        const seen = r.note ?? '';
        return pass
            ? out(true, `ok: latency ${not}${prepared.phrase} (${seen})`)
            : out(false, `expected latency ${not}${prepared.phrase}; got ${seen}`);
    }
    const pointer = c.path ?? ctx.answerPath;
    if (!isKnownJsonPointer(pointer))
        return out(false, `answer path ${values_short(pointer)} is not a JSON Pointer`);
    const got = getAtPointer(ctx.response, pointer);
    // A missing field fails under not- too: "does not contain X" must not pass on a field that is absent.
    if (!got.found)
        return out(false, `${pointerName(pointer)} is missing from the response`);
    let subject = pointerName(pointer);
    let target = got.value;
    if (prepared.target === 'text' && typeof target !== 'string') {
        subject += ` (${typeName(target)}, compared as its JSON text)`;
        target = JSON.stringify(target);
    }
    let r;
    try {
        r = prepared.test(target, ctx.latencyMs);
    }
    catch (err) {
        return out(false, `${subject}: the check failed to run: ${err.message}`);
    }
    const pass = !r.invalid && r.holds !== c.negate;
    if (pass && !passMessage)
        return null;
    const note = r.note ? ` (${r.note})` : '';
    return pass
        ? out(true, `ok: ${subject} ${not}${prepared.phrase}${note}`)
        : out(false, `expected ${subject} ${not}${prepared.phrase}; got ${values_short(got.value)}${note}`);
}
function evaluateAll(list, ctx) {
    return list.map((c) => evaluate(c, ctx));
}
/**
 * Compiled assertions of loaded cases, kept beside the plain SimCase (which stays serialisable for
 * reports and snapshots) so the stage does not compile 100k cases twice.
 */
const compiledByCase = new WeakMap();
function rememberCompiled(c, list) {
    compiledByCase.set(c, list);
}
/** The case's assertions, compiled: from the loader when it loaded the case, else compiled now. */
function compiledAssertions(c) {
    let list = compiledByCase.get(c);
    if (!list) {
        list = c.assert.map((a) => compileAssertion(a, { file: c.location.file, line: c.location.line, caseId: c.id }));
        compiledByCase.set(c, list);
    }
    return list;
}

;// CONCATENATED MODULE: ./schemas/registry.schema.json
const registry_schema_namespaceObject = /*#__PURE__*/JSON.parse('{"$schema":"http://json-schema.org/draft-07/schema#","$id":"https://github.com/ryuzen/toron-testops/schemas/registry.schema.json","title":"toron-testops SIM dataset registry","description":"Registers the SIM datasets (DESIGN §3.4). Paths are relative to this file\'s folder.","type":"object","required":["datasets"],"additionalProperties":false,"properties":{"$schema":{"type":"string"},"description":{"type":"string"},"datasets":{"type":"array","items":{"type":"object","required":["name","path"],"additionalProperties":false,"properties":{"name":{"type":"string","minLength":1,"pattern":"^[^\\\\u0000-\\\\u001f\\\\u007f-\\\\u009f\\\\u061c\\\\u200b-\\\\u200f\\\\u2028-\\\\u202e\\\\u2060-\\\\u2069\\\\ufeff\\\\ufff9-\\\\ufffb]*$","x-expected":"text without control or invisible characters (line breaks, tabs, escapes, bidi and zero-width controls)","description":"Unique name, used by --datasets and in reports."},"path":{"type":"string","minLength":1,"description":"Dataset file, relative to the registry\'s folder."},"enabled":{"type":"boolean","default":true,"description":"Disabled datasets run only when selected by name."},"tags":{"type":"array","items":{"type":"string","minLength":1},"default":[]},"description":{"type":"string"}}}}}}');
;// CONCATENATED MODULE: ./src/stages/sim/schema-check.ts



/**
 * Ajv for our own file formats (registry, dataset). One error is enough to fix a file and stopping at
 * the first keeps a 100k-case check linear and cheap; `verbose` gives the offending data for messages.
 */
const schema_check_ajv = new ajv.Ajv({ allErrors: false, verbose: true, allowUnionTypes: true, logger: false });
schema_check_ajv.addKeyword('x-expected'); // our annotation: how to say what a `pattern` wants
function compileFormat(schema) {
    return schema_check_ajv.compile(schema);
}
/** A member name as a JSON Pointer segment (RFC 6901: `~` as `~0`, `/` as `~1`). */
function escapeSegment(name) {
    return String(name).replace(/~/g, '~0').replace(/\//g, '~1');
}
/** How a field is named in a message: `"repeat"`, or `item 3 of "tags"` for array elements. */
function fieldName(pointer, what) {
    const segs = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (segs.length === 0)
        return `the ${what}`;
    const last = segs[segs.length - 1];
    if (/^\d+$/.test(last))
        return segs.length > 1 ? `item ${last} of "${segs[segs.length - 2]}"` : `item ${last}`;
    return `"${last}"`;
}
function schema_check_describe(e, what) {
    const at = e.instancePath;
    const name = fieldName(at, what);
    switch (e.keyword) {
        case 'required':
            return { pointer: `${at}/${escapeSegment(e.params.missingProperty)}`, message: `missing required field "${e.params.missingProperty}"` };
        case 'additionalProperties': {
            const allowed = Object.keys(e.parentSchema?.properties ?? {});
            return {
                pointer: `${at}/${escapeSegment(e.params.additionalProperty)}`,
                message: `unknown field "${e.params.additionalProperty}"${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`,
            };
        }
        case 'type':
            // A number or a boolean is shown as itself: "must be integer, got 2.5" says what to fix.
            return {
                pointer: at,
                message: `${name} must be ${String(e.params.type).replace(',', ' or ')}, got ${typeof e.data === 'number' || typeof e.data === 'boolean' ? `${typeName(e.data)} (${String(e.data)})` : typeName(e.data)}`,
            };
        case 'enum':
            return {
                pointer: at,
                message: `${name} must be one of ${e.params.allowedValues.map((v) => values_short(v)).join(', ')}, got ${values_short(e.data)}`,
            };
        case 'pattern':
            if (e.schemaPath.includes('/pointer/')) {
                return { pointer: at, message: `${name} must be a JSON Pointer such as "/final_answer", got ${values_short(e.data)}` };
            }
            {
                const expected = e.parentSchema?.['x-expected'];
                return { pointer: at, message: `${name} ${typeof expected === 'string' ? `must be ${expected}` : e.message}, got ${values_short(e.data)}` };
            }
        case 'minLength':
            return { pointer: at, message: e.params.limit === 1 ? `${name} must not be empty` : `${name} ${e.message}` };
        case 'minimum':
        case 'maximum':
            return { pointer: at, message: `${name} ${e.message}, got ${values_short(e.data)}` };
        default:
            return { pointer: at, message: `${name} ${e.message ?? `fails "${e.keyword}"`}` };
    }
}
/**
 * Validate a parsed file against one of our formats; the first problem becomes an InputError with the
 * file, the line, the pointer and (through `caseIdAt`) the case it belongs to.
 */
function checkFormat(validate, src, what, caseIdAt) {
    if (validate(src.value))
        return;
    const e = validate.errors?.[0];
    if (!e)
        throw new InputError(`invalid ${what}`, { file: src.file });
    const { pointer, message } = schema_check_describe(e, what);
    throw new InputError(message, {
        file: src.file,
        line: src.lineOf(pointer),
        pointer,
        caseId: caseIdAt?.(pointer),
    });
}

;// CONCATENATED MODULE: ./src/stages/sim/registry.ts







let validateRegistry;
/** A path as it is printed in messages and reports: relative to cwd, with forward slashes. */
function registry_displayPath(cwd, abs) {
    const rel = external_node_path_default().relative(cwd, abs) || '.';
    return rel.split((external_node_path_default()).sep).join('/');
}
function isFile(abs) {
    try {
        return (0,external_node_fs_.statSync)(abs).isFile();
    }
    catch {
        return false;
    }
}
/**
 * Load and check `sim/sim_dataset.json` (or wherever the config points). Errors (bad JSON, bad shape,
 * duplicate names, a registered file that is missing) are InputErrors with the registry's file and
 * line; a `*.json` file beside the registry that nobody registered is a warning, since it would
 * silently never run. `*.schema.json` files are not datasets and are left alone.
 */
function loadRegistry(registryPath, opts) {
    const abs = external_node_path_default().resolve(opts.cwd, registryPath);
    const file = registry_displayPath(opts.cwd, abs);
    const dir = external_node_path_default().dirname(abs);
    const src = parseJsonSource(readTextFile(abs, file, 'SIM dataset registry'), file);
    validateRegistry ??= compileFormat(registry_schema_namespaceObject);
    checkFormat(validateRegistry, src, 'registry');
    const raw = src.value.datasets;
    const firstByName = new Map();
    const datasets = [];
    const registered = new Set();
    raw.forEach((r, i) => {
        const first = firstByName.get(r.name);
        if (first !== undefined) {
            throw new InputError(`duplicate dataset name "${r.name}" (first registered at line ${src.lineOf(`/datasets/${first}/name`)})`, { file, line: src.lineOf(`/datasets/${i}/name`), pointer: `/datasets/${i}/name` });
        }
        firstByName.set(r.name, i);
        const datasetAbs = external_node_path_default().resolve(dir, r.path);
        const datasetFile = registry_displayPath(opts.cwd, datasetAbs);
        if (!isFile(datasetAbs)) {
            const what = (0,external_node_fs_.existsSync)(datasetAbs) ? 'is not a regular file (a directory or a device)' : 'is missing';
            throw new InputError(`dataset "${r.name}" is registered but its file ${datasetFile} ${what}`, {
                file,
                line: src.lineOf(`/datasets/${i}/path`),
                pointer: `/datasets/${i}/path`,
            });
        }
        registered.add(datasetAbs);
        datasets.push({
            name: r.name,
            path: r.path,
            enabled: r.enabled ?? true,
            tags: r.tags ?? [],
            file: datasetFile,
            registryFile: file,
            line: src.lineOf(`/datasets/${i}`),
        });
    });
    const warnings = [];
    for (const name of (0,external_node_fs_.readdirSync)(dir).sort()) {
        if (!name.endsWith('.json') || name.endsWith('.schema.json'))
            continue;
        const candidate = external_node_path_default().join(dir, name);
        if (candidate === abs || registered.has(candidate) || !isFile(candidate))
            continue;
        warnings.push(`${registry_displayPath(opts.cwd, candidate)} is not registered in ${file}, so it never runs`);
    }
    return { file, dir, datasets, warnings };
}

;// CONCATENATED MODULE: ./src/stages/sim/dataset.ts








let validateDataset;
/**
 * Load one registered dataset: strict JSON, the dataset schema, then per case: unique id, assertions
 * compiled (unknown types, bad regexes and bad schemas are caught here, not mid-run), defaults applied.
 * Every error names the file, the line and the case id.
 */
function loadDataset(entry, opts) {
    const abs = external_node_path_default().resolve(opts.registryDir, entry.path);
    const file = registry_displayPath(opts.cwd, abs);
    const src = parseJsonSource(readTextFile(abs, file, `dataset "${entry.name}"`), file);
    const raw = src.value;
    const caseIdAt = (pointer) => {
        const m = /^\/cases\/(\d+)(\/|$)/.exec(pointer);
        // Runs before the shape is known to be valid, so nothing here may assume it.
        const list = raw?.cases;
        const item = m && Array.isArray(list) ? list[Number(m[1])] : undefined;
        const id = item?.id;
        return typeof id === 'string' ? id : undefined;
    };
    validateDataset ??= compileFormat(dataset_schema_namespaceObject);
    checkFormat(validateDataset, src, 'dataset', caseIdAt);
    if (raw.name !== entry.name) {
        const reg = entry.registryFile ? ` (${entry.registryFile}${entry.line ? `:${entry.line}` : ''})` : '';
        throw new InputError(`dataset name "${raw.name}" differs from its registry name "${entry.name}"${reg}`, {
            file,
            line: src.lineOf('/name'),
            pointer: '/name',
        });
    }
    const defaults = raw.defaults ?? {};
    // Defaults are compiled once and shared by every case (compiled assertions are immutable).
    const defaultAsserts = defaults.assert ?? [];
    const defaultCompiled = defaultAsserts.map((a, j) => compileAssertion(a, { file, pointer: `/defaults/assert/${j}`, lineOf: src.lineOf }));
    const defaultIgnore = Object.freeze(defaults.ignorePaths ?? []);
    const defaultRepeat = defaults.repeat ?? 1;
    const firstIndex = new Map();
    const cases = new Array(raw.cases.length);
    for (let i = 0; i < raw.cases.length; i++) {
        const rc = raw.cases[i];
        const first = firstIndex.get(rc.id);
        if (first !== undefined) {
            throw new InputError(`duplicate case id "${rc.id}" (first at line ${src.lineOf(`/cases/${first}/id`)})`, {
                file,
                line: src.lineOf(`/cases/${i}/id`),
                pointer: `/cases/${i}/id`,
                caseId: rc.id,
            });
        }
        firstIndex.set(rc.id, i);
        const own = rc.assert ?? [];
        // Built at their exact length: an array grown by push from empty keeps room for 17 (100k cases).
        const ownCompiled = own.map((a, j) => compileAssertion(a, { file, caseId: rc.id, pointer: `/cases/${i}/assert/${j}`, lineOf: src.lineOf }));
        const compiled = defaultCompiled.length ? defaultCompiled.concat(ownCompiled) : ownCompiled;
        const c = {
            id: rc.id,
            dataset: raw.name,
            input: rc.input,
            ...(rc.expected !== undefined ? { expected: rc.expected } : {}),
            assert: defaultAsserts.length ? [...defaultAsserts, ...own] : own,
            tags: rc.tags ?? NO_STRINGS,
            repeat: rc.repeat ?? defaultRepeat,
            ignorePaths: mergeUnique(defaultIgnore, rc.ignorePaths),
            location: { file, line: src.lineOf(`/cases/${i}`) },
        };
        rememberCompiled(c, compiled);
        cases[i] = c;
    }
    return {
        name: raw.name,
        description: raw.description ?? '',
        file,
        seed: raw.seed ?? null,
        tags: entry.tags ?? [],
        cases,
    };
}
/**
 * Shared by every case that has nothing of its own, frozen so that no reader can change one case through
 * another: 100k cases would otherwise hold 200k empty or copied arrays for the whole run.
 */
const NO_STRINGS = Object.freeze([]);
function mergeUnique(a, b) {
    if (!b || b.length === 0)
        return a;
    if (a.length === 0)
        return b;
    return [...new Set([...a, ...b])];
}
/**
 * The registry plus the selected datasets, filtered by tags. `datasets` selects by name and may name a
 * disabled dataset (an explicit choice wins); without it every enabled dataset loads. A case matches
 * `tags` when it or its dataset's registry entry carries one of them.
 */
function loadSuite(registryPath, opts) {
    const registry = loadRegistry(registryPath, { cwd: opts.cwd });
    const warnings = [...registry.warnings];
    let selected;
    if (opts.datasets && opts.datasets.length > 0) {
        const byName = new Map(registry.datasets.map((d) => [d.name, d]));
        selected = [];
        for (const name of new Set(opts.datasets)) {
            const d = byName.get(name);
            if (!d) {
                const known = registry.datasets.map((x) => x.name).join(', ') || '(none)';
                throw new InputError(`no dataset named "${name}" is registered (registered: ${known})`, { file: registry.file });
            }
            selected.push(d);
        }
    }
    else {
        selected = registry.datasets.filter((d) => d.enabled);
    }
    const wanted = opts.tags && opts.tags.length > 0 ? new Set(opts.tags) : null;
    const datasets = [];
    const cases = [];
    const seenIds = new Map();
    for (const entry of selected) {
        const ds = loadDataset(entry, { cwd: opts.cwd, registryDir: registry.dir });
        if (ds.cases.length === 0)
            warnings.push(`${ds.file}: dataset "${ds.name}" has no cases`);
        const datasetMatches = wanted !== null && ds.tags.some((t) => wanted.has(t));
        const kept = wanted === null || datasetMatches ? ds.cases : ds.cases.filter((c) => c.tags.some((t) => wanted.has(t)));
        for (const c of kept) {
            // Seeds and snapshots key on the case id, so an id shared across datasets is worth a warning.
            const other = seenIds.get(c.id);
            if (other !== undefined && other !== ds.name) {
                warnings.push(`${c.location.file}:${c.location.line}: case id "${c.id}" is also used in dataset "${other}"`);
            }
            else
                seenIds.set(c.id, ds.name);
            cases.push(c);
        }
        datasets.push(kept === ds.cases ? ds : { ...ds, cases: kept });
    }
    if (wanted !== null && cases.length === 0) {
        warnings.push(`no case matches the tags ${[...wanted].join(', ')}`);
    }
    return { datasets, cases, warnings };
}

;// CONCATENATED MODULE: ./src/stages/sim/check.ts


const ACTUAL_MAX = 500;
/**
 * The check of every case, from its assertions compiled once at load time (compiled here for cases the
 * loader did not compile). Nothing is kept per case beyond the compiled assertions themselves (the
 * suite stays in memory for the whole run: no closure, context and map entry per case).
 */
function compileCaseChecks(cases) {
    for (const c of cases)
        compiledAssertions(c);
    return { check: (c, body, latencyMs, answerPath) => runChecks(compiledAssertions(c), body, latencyMs, answerPath) };
}
function runChecks(list, body, latencyMs, answerPath) {
    let failures = NONE;
    let warnings = NONE;
    for (const a of list) {
        const r = failureOf(a, { response: body, answerPath, latencyMs });
        if (!r)
            continue;
        if (r.level === 'warn')
            (warnings === NONE ? (warnings = []) : warnings).push(r);
        else
            (failures === NONE ? (failures = []) : failures).push(r);
    }
    // The answer as the reviewer needs it beside the expectation: only for failing attempts.
    let actual;
    if (failures.length > 0) {
        const got = getAtPointer(body, answerPath);
        const v = got.found ? got.value : body;
        actual = (typeof v === 'string' ? v : JSON.stringify(v) ?? '').slice(0, ACTUAL_MAX);
    }
    return { failures, warnings, actual };
}
/**
 * The outcome list of an attempt without failures (or warnings): one shared, frozen array instead of
 * two new ones per attempt, each kept for the whole run in the attempt (100k cases: 200k arrays).
 */
const NONE = Object.freeze([]);

;// CONCATENATED MODULE: ./src/stats/wilson.ts
/**
 * Wilson score interval for a binomial proportion (95% by default). Unlike the normal approximation it
 * stays inside [0, 1] and is meaningful for the small repeat counts SIM cases use (n = 3, 5, 10).
 */
function wilsonInterval(successes, trials, z = 1.959963984540054) {
    if (trials <= 0)
        return [0, 1];
    const p = successes / trials;
    const z2 = z * z;
    const denom = 1 + z2 / trials;
    const centre = (p + z2 / (2 * trials)) / denom;
    const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denom;
    return [round4(Math.max(0, centre - half)), round4(Math.min(1, centre + half))];
}
function round4(x) {
    return Math.round(x * 1e4) / 1e4;
}

;// CONCATENATED MODULE: ./src/stats/quantile.ts
/** Median of a list (the list is not modified). NaN for an empty list. */
function median(values) {
    if (values.length === 0)
        return NaN;
    const s = [...values].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

;// CONCATENATED MODULE: ./src/stages/sim/score.ts


function summariseCase(c, attempts) {
    const repeats = attempts.length;
    let passes = 0;
    let errors = 0;
    let failing;
    for (const a of attempts) {
        if (a.passed)
            passes++;
        else
            failing ??= a;
        if (a.error)
            errors++;
    }
    const flaky = passes > 0 && passes < repeats;
    const status = passes === repeats ? 'passed' : flaky ? 'flaky' : errors === repeats ? 'errored' : 'failed';
    return {
        id: c.id,
        dataset: c.dataset,
        status,
        passed: passes === repeats,
        flaky,
        repeats,
        passes,
        passRate: repeats ? passes / repeats : 0,
        wilson: wilsonOf(passes, repeats),
        latencyMs: Math.round((repeats === 1 ? attempts[0].latencyMs : median(attempts.map((a) => a.latencyMs))) * 100) / 100,
        errors,
        failures: outcomesOf(attempts, 'failures'),
        warnings: outcomesOf(attempts, 'warnings'),
        engineErrors: failing
            ? attempts.flatMap((a) => (a.error ? [{ kind: a.error.kind, message: a.error.message, repeat: a.repeat, ...(a.error.status !== undefined ? { status: a.error.status } : {}) }] : []))
            : score_NONE,
        actual: failing?.actual,
        location: c.location,
        tags: c.tags,
    };
}
/**
 * Shared, frozen values for what most of 100k summaries hold: no outcome, and one of a few intervals
 * (summaries are built at the end of SIM, all at once, and kept until the reports are written).
 */
const score_NONE = Object.freeze([]);
const intervals = new Map();
function wilsonOf(passes, repeats) {
    if (repeats > 64)
        return wilsonInterval(passes, repeats);
    const key = repeats * 65 + passes;
    let w = intervals.get(key);
    if (!w)
        intervals.set(key, (w = Object.freeze(wilsonInterval(passes, repeats))));
    return w;
}
function outcomesOf(attempts, which) {
    let out = score_NONE;
    for (const a of attempts) {
        for (const f of a[which])
            (out === score_NONE ? (out = []) : out).push({ assertion: f.assertion, message: f.message, repeat: a.repeat });
    }
    return out;
}
function totals(cases) {
    let passed = 0;
    let failed = 0;
    let errored = 0;
    let flaky = 0;
    let warned = 0;
    for (const c of cases) {
        if (c.status === 'passed')
            passed++;
        else if (c.status === 'flaky')
            flaky++;
        else {
            failed++;
            if (c.status === 'errored')
                errored++;
        }
        if (c.warnings.length > 0)
            warned++;
    }
    const total = cases.length;
    return { total, passed, failed, errored, flaky, warned, passRate: total ? passed / total : 0 };
}
/** Statuses that say a request went to the wrong place or lacked what the route needs, not how the engine behaves. */
function isWiringStatus(status) {
    return status !== undefined && ((status >= 300 && status < 400) || status === 401 || status === 403 || status === 404 || status === 405 || status === 415);
}
/**
 * The HTTP statuses, when every case errored and every engine error was one of those (a wrong path, a
 * redirect to https, a missing token): the engine answered its health check but its case route refused
 * every request. That is wiring (ERROR), not a verdict on the engine. Null otherwise.
 */
function misrouted(cases) {
    if (cases.length === 0)
        return null;
    const statuses = new Set();
    for (const c of cases) {
        if (c.status !== 'errored' || !c.engineErrors?.length)
            return null;
        for (const e of c.engineErrors) {
            if (e.kind !== 'http_status' || !isWiringStatus(e.status))
                return null;
            statuses.add(e.status);
        }
    }
    return [...statuses].sort((a, b) => a - b);
}
/**
 * SIM verdict. `passRate.warn` and `.fail` are the lowest pass rates still PASS and still WARN.
 * Flaky cases count as passing for the FAIL line (a flaky case is at most WARN) and as not passing for
 * the WARN line; warn-level assertion failures make the stage WARN at most.
 */
function simVerdict(t, passRate, wiring = null) {
    if (t.total === 0)
        return { verdict: 'ERROR', reason: 'no SIM cases were selected (check the registry, sim.datasets and sim.tags)' };
    if (wiring)
        return { verdict: 'ERROR', reason: misroutedReason(wiring) };
    const notFailedRate = (t.total - t.failed) / t.total;
    const pct = (x) => `${(x * 100).toFixed(2)}%`;
    if (notFailedRate < passRate.fail)
        return { verdict: 'FAIL', reason: `${t.failed} of ${t.total} cases failed: ${pct(notFailedRate)} below the FAIL line ${pct(passRate.fail)}` };
    if (t.passRate < passRate.warn)
        return { verdict: 'WARN', reason: `pass rate ${pct(t.passRate)} below ${pct(passRate.warn)} (${t.failed} failed, ${t.flaky} flaky)` };
    if (t.flaky > 0)
        return { verdict: 'WARN', reason: `${t.flaky} flaky case(s)` };
    if (t.warned > 0)
        return { verdict: 'WARN', reason: `${t.warned} case(s) failed a warn-level assertion` };
    return { verdict: 'PASS', reason: `all ${t.total} cases passed` };
}
function score_round4(x) {
    return Math.round(x * 1e4) / 1e4;
}
/** A dataset's line in the SIM report (the stage's and merge's). */
function datasetEntry(name, file, t) {
    return { name, file, total: t.total, passed: t.passed, failed: t.failed, errored: t.errored, flaky: t.flaky, passRate: score_round4(t.passRate) };
}
/**
 * The SIM report's head, in its field order, before `shard` and `cases`: one shape whether a run or a
 * merge of shards made it, so a merged report reads like an unsharded one.
 */
function simReportHead(t, judged, rest) {
    return {
        verdict: judged.verdict,
        reason: judged.reason,
        total: t.total,
        passed: t.passed,
        failed: t.failed,
        errored: t.errored,
        flaky: t.flaky,
        warned: t.warned,
        notRun: rest.notRun,
        // No case judged (none selected, or the run cancelled before any finished): no pass rate, not 0.
        passRate: t.total > 0 ? score_round4(t.passRate) : null,
        attempts: rest.attempts,
        engineErrors: rest.engineErrors,
        durationMs: rest.durationMs,
        datasets: rest.datasets,
    };
}
function misroutedReason(statuses) {
    return `every request was refused with HTTP ${statuses.join('/')}: the engine is up (its health check answered) but its case route is not what the run calls; check the engine URL's path, the scheme (a redirect is not followed) and the credentials in engine.headers (wiring, not a verdict on the engine)`;
}

;// CONCATENATED MODULE: ./src/shard/slice.ts

/** 1..total. */
function shardOfCase(key, total) {
    if (!Number.isInteger(total) || total < 1)
        throw new RangeError(`shard total must be a whole number >= 1 (got ${total})`);
    return (deriveSeed('toron-testops-shard', key.dataset, key.id) % total) + 1;
}
function inShard(key, shard) {
    return shard === null || shard.total === 1 || shardOfCase(key, shard.total) === shard.index;
}
/** The cases of one shard, each with its index in the full (unsliced) list, in the full list's order. */
function sliceCases(cases, shard) {
    const out = [];
    for (let i = 0; i < cases.length; i++)
        if (inShard(cases[i], shard))
            out.push({ case: cases[i], index: i });
    return out;
}
function shardLabel(shard) {
    return `${shard.index}/${shard.total}`;
}

;// CONCATENATED MODULE: ./src/stages/sim/stage.ts







const PROGRESS_EVERY_MS = 1000;
const simStage = {
    name: 'sim',
    async run(ctx) {
        const { settings } = ctx;
        const suite = loadSuite(settings.sim.registry, {
            cwd: settings.cwd,
            datasets: settings.sim.datasets,
            tags: settings.sim.tags,
        });
        for (const w of suite.warnings)
            ctx.log('warn', 'sim', w);
        // A shard runs its slice (src/shard/slice.ts); every case keeps its index in the whole suite, so
        // observers, the snapshot and merge order cases as an unsharded run does.
        const slice = sliceCases(suite.cases, settings.shard);
        const cases = slice.map((s) => s.case);
        const suiteIndex = slice.map((s) => s.index);
        const shardInfo = settings.shard ? { index: settings.shard.index, total: settings.shard.total, cases: cases.length, suiteCases: suite.cases.length } : null;
        ctx.log('info', 'sim', `${cases.length} cases from ${suite.datasets.length} dataset(s)${shardInfo ? ` (shard ${shardInfo.index}/${shardInfo.total} of ${shardInfo.suiteCases} cases)` : ''}, concurrency ${settings.sim.concurrency}`);
        if (shardInfo && cases.length === 0 && suite.cases.length > 0) {
            const reason = `shard ${shardInfo.index}/${shardInfo.total} holds none of the ${shardInfo.suiteCases} case(s)`;
            return { verdict: 'SKIPPED', reason, report: { shard: shardInfo } };
        }
        const check = buildChecker(cases, settings.engine.profile, settings.pipeline.custom);
        const attemptsTotal = cases.reduce((n, c) => n + c.repeat, 0);
        let done = 0;
        let failures = 0;
        let errors = 0;
        let engineDied = false;
        const started = performance.now();
        const progress = () => ctx.emit({
            type: 'progress',
            stage: 'sim',
            done,
            total: attemptsTotal,
            failures,
            errors,
            ratePerSec: Math.round(done / Math.max(1e-3, (performance.now() - started) / 1000)),
        });
        const ticker = setInterval(progress, PROGRESS_EVERY_MS);
        ticker.unref();
        for (const o of ctx.answerObservers)
            o.plan?.(attemptsTotal);
        let attempts;
        try {
            attempts = await executeCases(cases, {
                runId: ctx.runId,
                engine: ctx.engine,
                check,
                concurrency: settings.sim.concurrency,
                timeoutMs: settings.sim.timeoutMs,
                signal: ctx.signal,
                ready: () => {
                    for (const o of ctx.answerObservers) {
                        const wait = o.ready?.();
                        if (wait)
                            return wait;
                    }
                    return null;
                },
                onAttempt: (c, a, caseIndex, result) => {
                    done++;
                    for (const o of ctx.answerObservers) {
                        try {
                            o.observe({ case: c, caseIndex: suiteIndex[caseIndex], repeat: a.repeat, seed: a.seed, result, passed: a.passed });
                        }
                        catch (err) {
                            ctx.log('warn', 'sim', `answer observer ${o.name} failed on ${c.dataset}/${c.id}: ${err.message}`);
                        }
                    }
                    if (!a.passed)
                        failures++;
                    if (a.error)
                        errors++;
                    if (a.error?.kind === 'process_exit' && !engineDied) {
                        engineDied = true;
                        ctx.raise({ type: 'engine-died', severity: 'CRITICAL', subsystem: 'engine', message: a.error.message, caseId: c.id, location: c.location });
                    }
                    ctx.emit({
                        type: 'case',
                        stage: 'sim',
                        caseId: c.id,
                        dataset: c.dataset,
                        repeat: a.repeat,
                        passed: a.passed,
                        latencyMs: a.latencyMs,
                        error: a.error ? `${a.error.kind}: ${a.error.message}` : a.failures[0]?.message,
                        errorKind: a.error?.kind ?? (a.passed ? undefined : 'assertion'),
                        location: c.location,
                    });
                },
            });
        }
        finally {
            clearInterval(ticker);
            progress();
        }
        // Only cases that ran at least once are judged; a cancelled run reports the rest as not run.
        const summaries = [];
        const summaryIndex = [];
        let notRun = 0;
        for (let i = 0; i < cases.length; i++) {
            if (attempts[i].length === 0)
                notRun++;
            else {
                summaries.push(summariseCase(cases[i], attempts[i]));
                summaryIndex.push(suiteIndex[i]);
            }
        }
        for (const s of summaries)
            raiseCaseFindings(ctx, s);
        const t = totals(summaries);
        const wiring = misrouted(summaries);
        if (wiring)
            ctx.raise({ type: 'engine-misrouted', severity: 'CRITICAL', subsystem: 'engine', message: misroutedReason(wiring) });
        let { verdict, reason } = simVerdict(t, settings.sim.passRate, wiring);
        // Cancelled with cases left: the verdict is over the cases that finished, and the reason says first
        // that it is partial; with none finished there is nothing to judge (and no pass rate).
        const partial = notRun > 0;
        if (partial && summaries.length === 0)
            reason = `cancelled: the run was cancelled before any of the ${cases.length} selected case(s) finished`;
        else if (partial)
            reason = `cancelled: ${summaries.length} of ${cases.length} case(s) run, partial: ${reason}`;
        const engineErrorKinds = {};
        for (const s of summaries)
            for (const e of s.engineErrors)
                engineErrorKinds[e.kind] = (engineErrorKinds[e.kind] ?? 0) + 1;
        const datasets = suite.datasets.map((d) => datasetReport(d.name, d.file, summaries));
        const report = {
            ...simReportHead(t, { verdict, reason }, { notRun, attempts: done, engineErrors: engineErrorKinds, durationMs: Math.round(performance.now() - started), datasets }),
            ...(shardInfo ? { shard: shardInfo } : {}),
            cases: summaries.map((c, i) => reportCase(c, summaryIndex[i])),
        };
        return {
            verdict,
            reason,
            report,
            summary: { runId: ctx.runId, ...report, warnings: suite.warnings, registry: toPosix(external_node_path_default().relative(settings.cwd, external_node_path_default().resolve(settings.cwd, settings.sim.registry))) },
            partial,
        };
    },
};
function buildChecker(cases, profile, custom) {
    const compiled = compileCaseChecks(cases);
    return (c, body, latencyMs) => compiled.check(c, body, latencyMs, answerPointer(body, profile, custom));
}
function raiseCaseFindings(ctx, s) {
    const where = { caseId: s.id, location: s.location, subsystem: 'sim' };
    if (s.status === 'failed') {
        const f = s.failures[0];
        ctx.raise({ ...where, type: 'sim-case-failed', severity: 'HIGH', message: `${s.dataset}/${s.id} failed ${s.repeats - s.passes}/${s.repeats}: ${f ? `${f.assertion}: ${f.message}` : 'failed'}` });
    }
    else if (s.status === 'errored') {
        const e = s.engineErrors[0];
        ctx.raise({ ...where, type: 'sim-case-errored', severity: 'HIGH', message: `${s.dataset}/${s.id}: engine error ${e ? `${e.kind}: ${e.message}` : ''}` });
    }
    else if (s.status === 'flaky') {
        ctx.raise({ ...where, type: 'sim-case-flaky', severity: 'MEDIUM', message: `${s.dataset}/${s.id} is flaky: passed ${s.passes}/${s.repeats} (95% CI ${s.wilson[0]}-${s.wilson[1]})` });
    }
    if (s.warnings.length > 0) {
        const w = s.warnings[0];
        ctx.raise({ ...where, type: 'sim-case-warning', severity: 'LOW', message: `${s.dataset}/${s.id}: ${w.assertion}: ${w.message}` });
    }
}
function datasetReport(name, file, cases) {
    return datasetEntry(name, toPosix(file), totals(cases.filter((c) => c.dataset === name)));
}
/** The report's per-case entry (DESIGN §3.3), trimmed: full detail stays in sim_summary.json. */
function reportCase(s, index) {
    return {
        id: s.id,
        dataset: s.dataset,
        status: s.status,
        passed: s.passed,
        flaky: s.flaky,
        repeats: s.repeats,
        passes: s.passes,
        passRate: score_round4(s.passRate),
        wilson: s.wilson,
        latencyMs: s.latencyMs,
        failures: s.failures.length ? s.failures.slice(0, 5).map((f) => ({ assertion: f.assertion, message: f.message })) : s.failures,
        ...(s.warnings.length ? { warnings: s.warnings.slice(0, 5).map((f) => ({ assertion: f.assertion, message: f.message })) } : {}),
        ...(s.engineErrors.length ? { engineErrors: s.engineErrors.slice(0, 5) } : {}),
        ...(s.actual !== undefined ? { actual: s.actual } : {}),
        location: s.location,
        index,
    };
}
function toPosix(p) {
    return p.split((external_node_path_default()).sep).join('/');
}

;// CONCATENATED MODULE: ./src/load/draw.ts

/**
 * Which SIM case (and which of its repeats) load request i sends. The draw is a pure function of the
 * run's load seed and i (a counter-based hash, not a stream), so:
 * - the same run id gives the same request sequence, whatever the concurrency or timing;
 * - the k6 script can compute the very same sequence from k6's iteration number (the same few lines
 *   are written into the script: K6_DRAW_SOURCE below, kept equal to these functions by a test).
 */
/** The seed of the run's load draw. */
function loadSeed(runId) {
    return deriveSeed(runId, 'load');
}
/** Murmur3's 32-bit finaliser (the seed mixer), as an unsigned 32-bit integer. */
function mix32(x) {
    return mixSeed(x) >>> 0;
}
/**
 * Case index in [0, caseCount) and repeat index in [0, repeats(case)) of request i. Uniform over cases
 * (not over attempts): a case repeated 5 times in SIM is not sent 5 times as often under load.
 */
function drawRequest(seed, i, caseCount, repeatsOf) {
    const caseIndex = drawCase(seed, i, caseCount);
    return [caseIndex, drawRepeat(seed, i, repeatsOf(caseIndex))];
}
/** The case of request i (drawRequest's first half, without an array per request on the hot path). */
function drawCase(seed, i, caseCount) {
    return Math.floor((mix32(seed ^ mix32(i >>> 0)) / 4294967296) * caseCount);
}
/** The repeat of request i, given its case's number of repeats. */
function drawRepeat(seed, i, repeats) {
    const h1 = mix32(seed ^ mix32(i >>> 0));
    return Math.floor((mix32(h1 ^ 0x9e3779b9) / 4294967296) * repeats);
}
/** The same draw as JavaScript source for the k6 script (ES2015: Math.imul exists in k6's runtime). */
const K6_DRAW_SOURCE = `function mix32(x) {
  var h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
function drawRequest(seed, i, caseCount, repeatsOf) {
  var h1 = mix32(seed ^ mix32(i >>> 0));
  var caseIndex = Math.floor((h1 / 4294967296) * caseCount);
  var h2 = mix32(h1 ^ 0x9e3779b9);
  var repeat = Math.floor((h2 / 4294967296) * repeatsOf(caseIndex));
  return [caseIndex, repeat];
}`;

;// CONCATENATED MODULE: ./src/load/requests.ts


function requestPool(cases, runId) {
    if (cases.length === 0)
        throw new Error('requestPool: no cases');
    const seed = loadSeed(runId);
    const seeds = new Array(cases.length);
    // sha256 per seed: computed once per case, on first use.
    const seedsOf = (ci) => (seeds[ci] ??= Array.from({ length: Math.max(1, cases[ci].repeat) }, (_, r) => attemptSeed(runId, cases[ci], r)));
    // One immutable request object per case and repeat, shared by every request that draws it.
    const made = new Array(cases.length);
    return {
        cases,
        seed,
        seedsOf,
        requestAt(i) {
            const caseIndex = drawCase(seed, i, cases.length);
            const repeat = drawRepeat(seed, i, Math.max(1, cases[caseIndex].repeat));
            const list = (made[caseIndex] ??= []);
            return (list[repeat] ??= Object.freeze({ caseIndex, repeat, seed: seedsOf(caseIndex)[repeat], case: cases[caseIndex] }));
        },
    };
}

;// CONCATENATED MODULE: ./src/engine/secrets.ts

/** RFC 9110 token: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VARIABLE = /\$\{([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * Expands `${NAME}` in configured header values from the environment. Every error names the header
 * and the variable, never a value: the values are secrets (tokens, API keys).
 */
function expandHeaders(templates, env) {
    const out = {};
    for (const [name, template] of Object.entries(templates)) {
        if (!HEADER_NAME.test(name)) {
            throw new InputError(`engine header name "${printableName(name)}" is not a valid HTTP header name`, {
                pointer: `/engine/headers`,
            });
        }
        if (typeof template !== 'string') {
            throw new InputError(`engine header "${name}" must be a string`, { pointer: headerPointer(name) });
        }
        const value = template.replace(VARIABLE, (_m, variable) => {
            if (!VARIABLE_NAME.test(variable)) {
                throw new InputError(`engine header "${name}" uses "\${${printableName(variable)}}", which is not a variable name ` +
                    `(letters, digits and _, not starting with a digit)`, { pointer: headerPointer(name) });
            }
            const v = env[variable];
            if (v === undefined) {
                throw new InputError(`engine header "${name}" needs the environment variable ${variable}, which is not set`, { pointer: headerPointer(name) });
            }
            return v;
        });
        // A CR/LF in a value would split the request (header injection); say which, never what.
        if (/[\r\n\0]/.test(value)) {
            throw new InputError(`engine header "${name}" contains a line break or NUL once expanded (value not shown)`, { pointer: headerPointer(name) });
        }
        out[name] = value;
    }
    return out;
}
/**
 * A function that blanks every secret header value out of a text (an error message, an echoed body).
 * Short values are skipped: blanking "1" everywhere would garble messages without protecting anything.
 */
function secretRedactor(headers) {
    const secrets = [...new Set(Object.values(headers))]
        .flatMap((v) => [v, ...v.split(/\s+/)])
        .filter((v) => v.length >= 8)
        .sort((a, b) => b.length - a.length);
    if (secrets.length === 0)
        return (t) => t;
    return (text) => {
        let out = text;
        for (const s of secrets)
            out = out.split(s).join('[redacted]');
        return out;
    };
}
function headerPointer(name) {
    return `/engine/headers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}
function printableName(s) {
    return JSON.stringify(s).slice(1, -1).slice(0, 60);
}

// EXTERNAL MODULE: ./node_modules/hdr-histogram-js/dist/index.js
var hdr_histogram_js_dist = __webpack_require__(32960);
;// CONCATENATED MODULE: ./src/load/histogram.ts

/** One hour: anything slower is recorded as one hour (and the max keeps the true value). */
const HIGHEST_US = 3_600_000_000;
class LatencyHistogram {
    h;
    count = 0;
    sumMs = 0;
    minMs = Infinity;
    maxMs = -Infinity;
    constructor() {
        this.h = hdr_histogram_js_dist/* build */.jq({
            numberOfSignificantValueDigits: 3,
            lowestDiscernibleValue: 1,
            highestTrackableValue: HIGHEST_US,
            autoResize: false,
            bitBucketSize: 32,
            useWebAssembly: false,
        });
    }
    record(ms) {
        if (!(ms >= 0))
            ms = 0; // a clock step backwards is no latency, never a negative one
        const us = Math.round(ms * 1000);
        this.h.recordValue(us > HIGHEST_US ? HIGHEST_US : us);
        this.count++;
        this.sumMs += ms;
        if (ms < this.minMs)
            this.minMs = ms;
        if (ms > this.maxMs)
            this.maxMs = ms;
    }
    /** The value at a percentile (0-100) in ms, or null with no samples. */
    percentile(p) {
        if (this.count === 0)
            return null;
        // HDR answers the highest value equivalent to the bucket; never report above the true max.
        return Math.min(this.h.getValueAtPercentile(p) / 1000, this.maxMs);
    }
    get max() {
        return this.count ? this.maxMs : null;
    }
    /** Trend stats rounded to the microsecond, or null with no samples. */
    stats() {
        if (this.count === 0)
            return null;
        const r = (x) => Math.round(x * 1000) / 1000;
        return {
            avg: r(this.sumMs / this.count),
            min: r(this.minMs),
            med: r(this.percentile(50)),
            max: r(this.maxMs),
            'p(90)': r(this.percentile(90)),
            'p(95)': r(this.percentile(95)),
            'p(99)': r(this.percentile(99)),
        };
    }
    /**
     * The distribution as `count` equal-width bins from the fastest to the slowest request (ms), for the
     * report's histogram chart. Each recorded HDR bucket goes to the bin holding its value.
     */
    bins(count = 40) {
        if (this.count === 0)
            return [];
        const lo = this.minMs;
        const hi = Math.max(this.maxMs, lo + 1e-3);
        const width = (hi - lo) / count;
        const out = Array.from({ length: count }, (_, i) => ({ from: round3(lo + i * width), to: round3(lo + (i + 1) * width), count: 0 }));
        const it = this.h.recordedValuesIterator;
        it.reset();
        while (it.hasNext()) {
            const v = it.next();
            const ms = Math.min(Math.max(v.valueIteratedTo / 1000, lo), hi);
            const i = Math.min(count - 1, Math.floor((ms - lo) / width));
            out[i].count += v.countAddedInThisIterationStep;
        }
        return out;
    }
    reset() {
        this.h.reset();
        this.count = 0;
        this.sumMs = 0;
        this.minMs = Infinity;
        this.maxMs = -Infinity;
    }
}
function round3(x) {
    return Math.round(x * 1000) / 1000;
}

;// CONCATENATED MODULE: ./src/load/recorder.ts

const MAIN_ERROR_CLASSES = ['timeout', 'connection', 'non_2xx', 'invalid_json'];
function errorClass(kind, status) {
    switch (kind) {
        case 'timeout':
            return 'timeout';
        case 'connection':
            return 'connection';
        case 'http_status':
            return 'non_2xx';
        case 'invalid_json':
            return 'invalid_json';
        case 'engine_error':
            // The in-process engine's refusals carry the status its server would have sent.
            return status !== undefined && (status < 200 || status >= 300) ? 'non_2xx' : 'engine_error';
        case 'too_large':
        case 'process_exit':
        case 'protocol':
            return kind;
        case 'aborted':
            return 'connection';
    }
}
class LoadRecorder {
    duration = new LatencyHistogram();
    uncorrected = new LatencyHistogram();
    lag = new LatencyHistogram();
    sent = 0;
    completed = 0;
    failed = 0;
    dropped = 0;
    interrupted = 0;
    checksPassed = 0;
    checksFailed = 0;
    maxInFlight = 0;
    errors = Object.fromEntries(MAIN_ERROR_CLASSES.map((c) => [c, 0]));
    errorSamples = {};
    timeline = [];
    // Per-second bookkeeping. Completions arrive in time order, so one open window suffices for them;
    // sends and drops are counted by their own second.
    window = new LatencyHistogram();
    windowSecond = 0;
    windowErrors = 0;
    sentPerSecond = [];
    droppedPerSecond = [];
    lagMaxPerSecond = [];
    lastCompletionMs = 0;
    lastSendMs = 0;
    onSent(actualMs, lagMs) {
        this.sent++;
        const s = Math.floor(actualMs / 1000);
        this.sentPerSecond[s] = (this.sentPerSecond[s] ?? 0) + 1;
        if (lagMs > (this.lagMaxPerSecond[s] ?? 0))
            this.lagMaxPerSecond[s] = lagMs;
        this.lag.record(lagMs);
        this.lastSendMs = actualMs;
    }
    onDropped(atMs, count) {
        this.dropped += count;
        const s = Math.floor(atMs / 1000);
        this.droppedPerSecond[s] = (this.droppedPerSecond[s] ?? 0) + count;
    }
    onInFlight(n) {
        if (n > this.maxInFlight)
            this.maxInFlight = n;
    }
    /** One finished request. `error` is its class, or null; `check`: its answer passed (null: not checked). */
    onCompleted(completionMs, intendedMs, actualMs, error, message, check) {
        this.rollTo(completionMs);
        this.completed++;
        const latency = completionMs - intendedMs;
        this.duration.record(latency);
        this.uncorrected.record(completionMs - actualMs);
        this.window.record(latency);
        if (error !== null) {
            this.failed++;
            this.windowErrors++;
            this.errors[error] = (this.errors[error] ?? 0) + 1;
            if (message !== undefined && this.errorSamples[error] === undefined)
                this.errorSamples[error] = message;
        }
        if (check === true)
            this.checksPassed++;
        else if (check === false)
            this.checksFailed++;
        if (completionMs > this.lastCompletionMs)
            this.lastCompletionMs = completionMs;
    }
    onInterrupted() {
        this.interrupted++;
    }
    /** Closes every per-second window that ended before `elapsedMs`. */
    rollTo(elapsedMs) {
        const s = Math.floor(elapsedMs / 1000);
        while (this.windowSecond < s)
            this.closeWindow();
    }
    /** Cumulative p95 (ms) so far, for progress lines. */
    p95SoFar() {
        const p = this.duration.percentile(95);
        return p === null ? null : Math.round(p * 10) / 10;
    }
    sentIn(second) {
        return this.sentPerSecond[second] ?? 0;
    }
    finish(endMs) {
        const durationMs = Math.max(endMs, this.lastCompletionMs, this.lastSendMs);
        // The last, partial second too (when anything happened in it).
        this.rollTo(durationMs);
        if (this.window.count > 0 || this.sentIn(this.windowSecond) > 0 || (this.droppedPerSecond[this.windowSecond] ?? 0) > 0)
            this.closeWindow();
        const secs = Math.max(durationMs / 1000, 1e-3);
        const rate = (n) => Math.round((n / secs) * 1e6) / 1e6;
        const checked = this.checksPassed + this.checksFailed;
        return {
            metrics: {
                http_reqs: { count: this.completed, rate: rate(this.completed) },
                iterations: { count: this.completed, rate: rate(this.completed) },
                dropped_iterations: { count: this.dropped, rate: rate(this.dropped) },
                http_req_duration: this.duration.stats(),
                http_req_duration_uncorrected: this.uncorrected.stats(),
                scheduler_lag_ms: this.lag.stats(),
                http_req_failed: {
                    rate: this.completed ? round6(this.failed / this.completed) : 0,
                    passes: this.failed,
                    fails: this.completed - this.failed,
                },
                checks: checked ? { rate: round6(this.checksPassed / checked), passes: this.checksPassed, fails: this.checksFailed } : null,
            },
            durationMs: Math.round(durationMs),
            sent: this.sent,
            completed: this.completed,
            interrupted: this.interrupted,
            errors: { ...this.errors },
            errorSamples: { ...this.errorSamples },
            timeline: this.timeline,
            maxInFlight: this.maxInFlight,
            histogram: this.duration.bins(),
        };
    }
    /** A value for a threshold: any aggregation of any metric, percentiles straight from the histograms. */
    valueOf(name, aggregation, percentile, durationMs) {
        const secs = Math.max(durationMs / 1000, 1e-3);
        const trend = name === 'http_req_duration' ? this.duration : name === 'http_req_duration_uncorrected' ? this.uncorrected : name === 'scheduler_lag_ms' ? this.lag : null;
        if (trend) {
            if (percentile !== undefined)
                return trend.percentile(percentile);
            const st = trend.stats();
            if (!st)
                return null;
            return aggregation === 'avg' ? st.avg : aggregation === 'min' ? st.min : aggregation === 'max' ? st.max : aggregation === 'med' ? st.med : null;
        }
        const counters = { http_reqs: this.completed, iterations: this.completed, dropped_iterations: this.dropped };
        if (name in counters)
            return aggregation === 'count' ? counters[name] : counters[name] / secs;
        if (name === 'http_req_failed')
            return this.completed ? this.failed / this.completed : null;
        if (name === 'checks') {
            const checked = this.checksPassed + this.checksFailed;
            return checked ? this.checksPassed / checked : null;
        }
        return null;
    }
    closeWindow() {
        const s = this.windowSecond;
        const r1 = (x) => (x === null ? null : Math.round(x * 10) / 10);
        this.timeline.push({
            second: s,
            sent: this.sentPerSecond[s] ?? 0,
            completed: this.window.count,
            errors: this.windowErrors,
            dropped: this.droppedPerSecond[s] ?? 0,
            p50Ms: r1(this.window.percentile(50)),
            p95Ms: r1(this.window.percentile(95)),
            p99Ms: r1(this.window.percentile(99)),
            maxMs: r1(this.window.max),
            lagMaxMs: Math.round((this.lagMaxPerSecond[s] ?? 0) * 10) / 10,
        });
        this.window.reset();
        this.windowErrors = 0;
        this.windowSecond++;
    }
}
function round6(x) {
    return Math.round(x * 1e6) / 1e6;
}

;// CONCATENATED MODULE: ./src/load/scheduler.ts

/** Longest a saturated loop waits for a free slot before it looks again (drops are still counted). */
const PARKED_MAX_MS = 50;
class OpenModelScheduler {
    opts;
    inFlight = 0;
    /** Index of the next request to start (requests before it were started or dropped). */
    next = 0;
    t0 = 0;
    clock;
    timer;
    /** The pending timer is the saturated loop's backstop (PARKED_MAX_MS), not a wait for a due time. */
    timerIsPark = false;
    immediate;
    sendingDone = false;
    /** Waiting for a free slot (every one of maxInFlight is in flight). */
    parked = false;
    resolveDone;
    onAbort = () => this.stopSending();
    constructor(opts) {
        this.opts = opts;
        this.clock = opts.clock ?? (() => external_node_perf_hooks_.performance.now());
    }
    /** Elapsed ms since the start. */
    now() {
        return this.clock() - this.t0;
    }
    /** Runs the schedule; settles when every request was started or dropped and none is in flight. */
    run() {
        return new Promise((resolve) => {
            this.resolveDone = resolve;
            this.t0 = this.clock();
            if (this.opts.signal.aborted)
                return this.stopSending();
            this.opts.signal.addEventListener('abort', this.onAbort, { once: true });
            this.tick();
        });
    }
    /**
     * A started request has ended (answered, failed, timed out or cancelled). `refillNow`: the caller is
     * at a point where starting another request is safe (an answer was delivered); otherwise a slot freed
     * at saturation is refilled on the next turn.
     */
    release(refillNow = false) {
        this.inFlight--;
        if (this.sendingDone) {
            if (this.inFlight === 0)
                this.finish();
        }
        else if (this.parked) {
            this.parked = false;
            // (Never re-entrant: a tick clears `parked` before it starts anything, so a request that ends as
            // it starts frees its slot for the tick's own loop instead.)
            if (refillNow) {
                // Saturated, and requests are due: the freed slot is refilled now, from the callback that freed
                // it, as a closed-model tool sends its next request from the response callback. Waiting for the
                // next turn would leave the slot empty for a turn and cost a wake-up per answer; over HTTP it
                // would also hand undici a socket that it treats as idle, which it validates with one more turn
                // of its own before writing on it (a request queued on a connection as its answer ends is
                // written on undici's usual next turn instead).
                this.tick();
            }
            else {
                // Errors, timeouts and cancellations may come from inside the transport's own error handling
                // (undici's, say): no re-entry there, the next turn starts what is due.
                this.immediate ??= setImmediate(this.onImmediate);
            }
        }
    }
    // Each wake-up forgets its own handle first: a handle that is set is one still pending.
    onTimer = () => {
        this.timer = undefined;
        this.tick();
    };
    onImmediate = () => {
        this.immediate = undefined;
        this.tick();
    };
    /**
     * Starts what is due, then arranges the next wake-up. A wake-up that is already pending is kept, not
     * cancelled and made again: at saturation a tick runs on nearly every turn of the event loop, and a
     * timer made and cleared per tick was measurable. An extra wake-up is harmless (a tick starts only
     * what is due by then).
     */
    tick() {
        this.parked = false;
        if (this.sendingDone)
            return;
        // A cancellation may reach a release() (and so a tick) before the abort listener here ran.
        if (this.opts.signal.aborted)
            return this.stopSending();
        const { schedule, maxInFlight, hooks } = this.opts;
        // One clock read per request, not three: the time read before a start is that start's actual send
        // time, and the one read after it serves the next start (or the wait below).
        let now = this.now();
        const due = schedule.dueBy(now);
        // More due than free slots: the older ones came due while every slot was taken (or while the loop
        // was held up); they are dropped, and the newest take the slots.
        const over = due - this.next - Math.max(0, maxInFlight - this.inFlight);
        if (over > 0) {
            hooks.dropped(this.next, over, now);
            this.next += over;
        }
        while (this.next < due) {
            if (this.inFlight >= maxInFlight) {
                const count = due - this.next;
                hooks.dropped(this.next, count, now);
                this.next = due;
                break;
            }
            const i = this.next++;
            this.inFlight++;
            hooks.start(i, schedule.timeOf(i), now);
            now = this.now();
        }
        if (this.sendingDone)
            return;
        if (this.next >= schedule.total)
            return this.stopSending();
        const wait = schedule.timeOf(this.next) - now;
        if (wait >= 1) {
            if (this.timer)
                clearTimeout(this.timer);
            this.timerIsPark = false;
            this.timer = setTimeout(this.onTimer, Math.floor(wait));
        }
        else if (this.inFlight >= maxInFlight) {
            // Saturated: spinning would only count drops. The next release() wakes the loop, and the drops
            // due meanwhile are counted then, in one step; a timer bounds the wait when nothing comes back.
            this.parked = true;
            if (!this.timer || !this.timerIsPark) {
                if (this.timer)
                    clearTimeout(this.timer);
                this.timerIsPark = true;
                this.timer = setTimeout(this.onTimer, PARKED_MAX_MS);
            }
        }
        else {
            this.immediate ??= setImmediate(this.onImmediate);
        }
    }
    stopSending() {
        if (this.sendingDone)
            return;
        this.sendingDone = true;
        if (this.timer)
            clearTimeout(this.timer);
        if (this.immediate)
            clearImmediate(this.immediate);
        this.timer = undefined;
        this.immediate = undefined;
        this.opts.signal.removeEventListener('abort', this.onAbort);
        if (this.inFlight === 0)
            this.finish();
    }
    finish() {
        const r = this.resolveDone;
        this.resolveDone = undefined;
        r?.();
    }
}

;// CONCATENATED MODULE: ./src/load/transport.ts

/** Through an EngineAdapter (cmd: engines, the in-process reference engine, or any adapter). */
function adapterTransport(engine, runId) {
    return {
        name: `${engine.kind} adapter`,
        start(req, sink) {
            const flight = new AdapterFlight(sink);
            engine.call({ runId, caseId: req.case.id, seed: req.seed, input: req.case.input }, flight.ac.signal).then((res) => flight.settle(res), (err) => flight.settle({ ok: false, error: { kind: 'engine_error', message: String(err?.message ?? err) }, latencyMs: 0 }));
            return flight;
        },
        close: async () => { },
    };
}
class AdapterFlight {
    sink;
    ac = new AbortController();
    live = true;
    constructor(sink) {
        this.sink = sink;
    }
    settle(res) {
        if (!this.live)
            return;
        this.live = false;
        if (res.ok)
            this.sink.answered(res.body, res.status);
        else
            this.sink.failed(res.error.kind, res.error.message, res.status ?? res.error.status);
    }
    cancel() {
        this.live = false;
        this.ac.abort(new Error('load request stopped'));
    }
}
/**
 * Requests in flight, oldest first, with one sweeping timer for their timeouts instead of a timer per
 * request. Every request has the same timeout, so insertion order is deadline order and a sweep stops
 * at the first request that is still within its time. The order is a list threaded through the flights
 * themselves: adding and removing one is a few field writes, where a Map paid a hash insert and a
 * delete per request (measurable at saturation: see bench/load/ab.mjs).
 */
class InFlightTable {
    timeoutMs;
    clock;
    head = null;
    tail = null;
    count = 0;
    timer;
    /** A tenth of the timeout (25-250 ms): a timeout fires at most 10% late. */
    every;
    constructor(timeoutMs, clock = () => external_node_perf_hooks_.performance.now()) {
        this.timeoutMs = timeoutMs;
        this.clock = clock;
        this.every = Math.max(25, Math.min(250, Math.floor(timeoutMs / 10)));
    }
    get size() {
        return this.count;
    }
    /** Adds a flight that is in no table (its links are null). */
    add(f) {
        f.tablePrev = this.tail;
        f.tableNext = null;
        if (this.tail)
            this.tail.tableNext = f;
        else
            this.head = f;
        this.tail = f;
        this.count++;
        if (!this.timer) {
            this.timer = setInterval(() => this.sweep(), this.every);
            this.timer.unref();
        }
    }
    /** Removes a flight; one that is not in the table is left as it is. */
    delete(f) {
        if (f.tablePrev === null && this.head !== f)
            return;
        const { tablePrev: prev, tableNext: next } = f;
        if (prev)
            prev.tableNext = next;
        else
            this.head = next;
        if (next)
            next.tablePrev = prev;
        else
            this.tail = prev;
        f.tablePrev = null;
        f.tableNext = null;
        this.count--;
    }
    sweep() {
        const now = this.clock();
        for (let f = this.head; f !== null && f.deadline <= now; f = this.head) {
            this.delete(f);
            f.timeout();
        }
    }
    /** Stops every request in flight (cancellation); returns how many there were. */
    cancelAll() {
        const all = [];
        for (let f = this.head; f !== null; f = f.tableNext)
            all.push(f);
        for (const f of all)
            this.delete(f);
        for (const f of all)
            f.interrupt();
        return all.length;
    }
    close() {
        if (this.timer)
            clearInterval(this.timer);
        this.timer = undefined;
    }
}

;// CONCATENATED MODULE: ./src/load/generator.ts



async function runGenerator(opts) {
    const recorder = new LoadRecorder();
    // Deadlines are in the scheduler's time (ms from the run's start), like every other time here.
    const table = new InFlightTable(opts.timeoutMs, () => scheduler.now());
    // The load stops on the caller's cancellation or on an abortWhen reason; only the first is "cancelled".
    const stop = new AbortController();
    const follow = () => stop.abort(opts.signal.reason);
    if (opts.signal.aborted)
        follow();
    else
        opts.signal.addEventListener('abort', follow, { once: true });
    let aborted = null;
    const scheduler = new OpenModelScheduler({
        schedule: opts.schedule,
        maxInFlight: opts.maxInFlight,
        signal: stop.signal,
        hooks: {
            start(i, intendedMs, actualMs) {
                const req = opts.requestAt(i);
                recorder.onSent(actualMs, actualMs - intendedMs);
                recorder.onInFlight(scheduler.inFlight);
                const f = new Flight(shared, req, intendedMs, actualMs, actualMs + opts.timeoutMs);
                f.handle = opts.transport.start(req, f);
                if (!f.finished)
                    table.add(f);
            },
            dropped(_from, count, atMs) {
                recorder.onDropped(atMs, count);
            },
        },
    });
    const shared = { recorder, scheduler, table, judge: opts.judge, timeoutMs: opts.timeoutMs, refillFromAnswer: opts.transport.answersFromIo === true };
    const onAbort = () => {
        // Requests cut off by cancellation are in no metric: their latency was never known.
        table.cancelAll();
    };
    stop.signal.addEventListener('abort', onAbort, { once: true });
    const progress = () => {
        const elapsed = scheduler.now();
        recorder.rollTo(elapsed);
        // The last whole second: the current one is still filling.
        const second = Math.floor(elapsed / 1000) - 1;
        opts.onProgress?.({
            elapsedMs: Math.round(elapsed),
            sent: recorder.sent,
            completed: recorder.completed,
            total: opts.schedule.total,
            errors: recorder.failed,
            failures: recorder.checksFailed,
            dropped: recorder.dropped,
            inFlight: scheduler.inFlight,
            sentLastSecond: second >= 0 ? recorder.sentIn(second) : recorder.sent,
            p95Ms: recorder.p95SoFar(),
        });
    };
    const tick = () => {
        progress();
        if (!opts.abortWhen || stop.signal.aborted)
            return;
        const atMs = scheduler.now();
        const reason = opts.abortWhen(atMs, recorder);
        if (reason === null)
            return;
        aborted = { reason, atMs: Math.round(atMs) };
        stop.abort(new Error(reason));
    };
    const ticker = setInterval(tick, opts.progressEveryMs ?? 1000);
    ticker.unref();
    try {
        await scheduler.run();
    }
    finally {
        clearInterval(ticker);
        table.close();
        stop.signal.removeEventListener('abort', onAbort);
        opts.signal.removeEventListener('abort', follow);
    }
    // One last line with the final counts: a live view keeps the last progress it saw, which would
    // otherwise be the one from up to a second before the end (e.g. 98 of 400 done).
    progress();
    const endMs = scheduler.now();
    const run = recorder.finish(endMs);
    return { ...run, recorder, cancelled: opts.signal.aborted, aborted };
}
/** One request in flight: its transport's sink and its entry in the in-flight table, in one object. */
class Flight {
    g;
    req;
    intendedMs;
    actualMs;
    deadline;
    finished = false;
    handle = null;
    tablePrev = null;
    tableNext = null;
    constructor(g, req, intendedMs, actualMs, deadline) {
        this.g = g;
        this.req = req;
        this.intendedMs = intendedMs;
        this.actualMs = actualMs;
        this.deadline = deadline;
    }
    answered(body) {
        if (!this.begin())
            return;
        const now = this.g.scheduler.now();
        let check = null;
        if (this.g.judge) {
            try {
                check = this.g.judge(this.req, body, now - this.intendedMs);
            }
            catch {
                check = false;
            }
        }
        this.g.recorder.onCompleted(now, this.intendedMs, this.actualMs, null, undefined, check);
        // The transport is done with the exchange: when its answers come from I/O, the next request may
        // start from here (scheduler.release).
        this.g.scheduler.release(this.g.refillFromAnswer);
    }
    failed(kind, message, status) {
        if (!this.begin())
            return;
        this.g.recorder.onCompleted(this.g.scheduler.now(), this.intendedMs, this.actualMs, errorClass(kind, status), message, null);
        this.g.scheduler.release();
    }
    timeout() {
        this.handle?.cancel();
        this.failed('timeout', `no answer within the load timeout of ${this.g.timeoutMs} ms (load.timeoutMs)`, undefined);
    }
    interrupt() {
        if (this.finished)
            return;
        this.finished = true;
        this.handle?.cancel();
        this.g.recorder.onInterrupted();
        this.g.scheduler.release();
    }
    /** The first end of this request wins (an answer racing its timeout, say). */
    begin() {
        if (this.finished)
            return false;
        this.finished = true;
        this.g.table.delete(this);
        return true;
    }
}

// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
var external_node_zlib_default = /*#__PURE__*/__webpack_require__.n(external_node_zlib_);
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(57975);
// EXTERNAL MODULE: ./node_modules/undici/index.js
var undici = __webpack_require__(24371);
;// CONCATENATED MODULE: ./src/engine/http-errors.ts

/** Plain words for the socket errors users actually meet, so a message says what happened. */
const CODE_TEXT = {
    ECONNREFUSED: 'connection refused: nothing listens there',
    ECONNRESET: 'connection reset by the engine',
    EPIPE: 'connection closed by the engine while sending',
    ENOTFOUND: 'host name not found (DNS)',
    EAI_AGAIN: 'host name lookup failed (DNS, temporary)',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ETIMEDOUT: 'connect timed out',
    EADDRNOTAVAIL: 'address not available',
    UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
    UND_ERR_SOCKET: 'the engine closed the connection before answering',
    UND_ERR_CLOSED: 'the connection pool is closed',
    UND_ERR_DESTROYED: 'the connection pool is closed',
    UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'the body was shorter or longer than its content-length',
    HPE_INVALID_CONSTANT: 'the engine did not answer valid HTTP',
    HPE_INVALID_VERSION: 'the engine did not answer valid HTTP',
    HPE_INVALID_STATUS: 'the engine did not answer valid HTTP',
    HPE_INVALID_HEADER_TOKEN: 'the engine sent an invalid HTTP header',
    HPE_HEADER_OVERFLOW: 'the engine sent oversized HTTP headers',
    UND_ERR_HEADERS_OVERFLOW: 'the engine sent oversized HTTP headers',
    ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host name',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
    SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate chain is self-signed',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate cannot be verified',
    CERT_HAS_EXPIRED: 'TLS certificate has expired',
};
/** The same codes once the status line and headers have arrived: what broke was the body. */
const MID_BODY_TEXT = {
    UND_ERR_SOCKET: 'the engine closed the connection in the middle of the body',
    ECONNRESET: 'connection reset by the engine in the middle of the body',
    EPIPE: 'connection closed by the engine in the middle of the body',
};
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
/**
 * Classifies a thrown network error. Only the error's code and its own message are used: request
 * headers never appear in undici's errors, and the caller redacts the result anyway. `afterHeaders`:
 * the engine had answered a status and headers (the error broke off the body).
 */
function describeNetworkError(err, afterHeaders = false) {
    const code = errorCode(err);
    if (code && TIMEOUT_CODES.has(code))
        return { kind: 'timeout', message: `timed out (${code})` };
    const text = code ? ((afterHeaders ? MID_BODY_TEXT[code] : undefined) ?? CODE_TEXT[code]) : undefined;
    if (text)
        return { kind: 'connection', message: `${text} (${code})` };
    const own = err instanceof Error ? err.message : String(err);
    return { kind: 'connection', message: code ? `${own || 'network error'} (${code})` : own || 'network error' };
}
/** The first code on the error, its cause chain, or (happy-eyeballs connects) its aggregated errors. */
function errorCode(err, depth = 0) {
    if (!err || typeof err !== 'object' || depth > 4)
        return undefined;
    const e = err;
    if (typeof e.code === 'string')
        return e.code;
    if (Array.isArray(e.errors)) {
        for (const inner of e.errors) {
            const c = errorCode(inner, depth + 1);
            if (c)
                return c;
        }
    }
    return errorCode(e.cause, depth + 1);
}
function looksLikeHtml(contentType, text) {
    if (/\b(text\/html|application\/xhtml\+xml)\b/i.test(contentType))
        return true;
    return /^\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(text.slice(0, 512));
}
/**
 * A one-line, ~200-character glimpse of a body for a message. For HTML the page title (or its text
 * without tags) says far more than the markup would. Control characters are escaped (an engine must
 * not be able to write terminal escapes or NULs into CI logs), and a body that is mostly not text
 * (compressed, an image) is named as such rather than shown.
 */
function excerpt(text, contentType = '', max = 200) {
    let s = text.slice(0, 64 * 1024);
    if (looksBinary(s)) {
        return `<binary body, ${text.length} characters; starts ${escapeControls(s.slice(0, 16).replace(/\s/g, ' '))}>`;
    }
    if (looksLikeHtml(contentType, s)) {
        const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(s)?.[1];
        s = title && title.trim() ? `<title>${title}</title>` : s.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ').replace(/<[^>]*>/g, ' ');
    }
    s = s.replace(/\s+/g, ' ').trim();
    // Cut before escaping, so the cut never splits an escape; the escapes may add a few characters.
    s = s.length > max ? `${s.slice(0, max - 1)}…` : s;
    return escapeControls(s);
}
/** Many control characters or U+FFFD (bytes that were not UTF-8) in the first 256 characters. */
function looksBinary(s) {
    const head = s.slice(0, 256);
    const odd = head.match(/[\x00-\x08\x0e-\x1f\x7f\ufffd]/g)?.length ?? 0;
    return odd >= 4 && odd * 10 > head.length;
}

;// CONCATENATED MODULE: ./src/engine/http.ts








const KEEP_ALIVE_MS = 30_000;
function createHttpAdapter(opts) {
    const target = redactUrl(opts.url);
    const baseHeaders = buildBaseHeaders(opts);
    const redact = secretRedactor(baseHeaders);
    // One origin per adapter, so a Pool (not a global dispatcher): keep-alive sockets are ours to close.
    const pool = new undici/* Pool */.bC(opts.url.origin, {
        connections: opts.connections ?? null,
        keepAliveTimeout: KEEP_ALIVE_MS,
        // Our own timer covers the whole exchange; undici's are only a backstop.
        headersTimeout: opts.timeoutMs + 1_000,
        bodyTimeout: opts.timeoutMs + 1_000,
    });
    let closed = false;
    async function exchange(method, url, headers, body, signal) {
        const started = external_node_perf_hooks_.performance.now();
        const elapsed = () => external_node_perf_hooks_.performance.now() - started;
        const printable = redactUrl(url);
        if (closed)
            return { ok: false, error: { kind: 'aborted', message: 'the engine adapter is closed' }, latencyMs: 0 };
        if (signal?.aborted)
            return { ok: false, error: { kind: 'aborted', message: 'the run was cancelled' }, latencyMs: 0 };
        const ac = new AbortController();
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            ac.abort(new Error('timeout'));
        }, opts.timeoutMs);
        const onAbort = () => ac.abort(new Error('aborted'));
        signal?.addEventListener('abort', onAbort, { once: true });
        let status;
        /** Body bytes received so far (as sent, before any decoding). */
        let size = 0;
        try {
            const res = await pool.request({
                method,
                path: url.pathname + url.search,
                headers,
                body,
                signal: ac.signal,
            });
            status = res.statusCode;
            const contentType = headerString(res.headers['content-type']);
            const location = headerString(res.headers.location) || undefined;
            const encodings = contentEncodings(headerString(res.headers['content-encoding']));
            const unsupported = encodings.find((e) => !(e in DECODERS));
            if (unsupported !== undefined || encodings.length > 3) {
                discard(res.body);
                const what = excerpt(headerString(res.headers['content-encoding']), '', 60);
                return {
                    ok: false,
                    status,
                    error: {
                        kind: 'invalid_json',
                        message: `${method} ${printable}: the engine answered HTTP ${status} with content-encoding "${what}", which cannot be decoded (gzip, deflate and br can; toron-testops asks for identity)`,
                        status,
                    },
                    latencyMs: elapsed(),
                };
            }
            const declared = Number(headerString(res.headers['content-length']));
            if (Number.isFinite(declared) && declared > opts.maxResponseBytes) {
                discard(res.body);
                return {
                    ok: false,
                    status,
                    error: tooLarge(`declares ${declared} bytes (content-length)`, opts.maxResponseBytes, status),
                    latencyMs: elapsed(),
                };
            }
            const chunks = [];
            for await (const chunk of res.body) {
                const buf = chunk;
                size += buf.length;
                if (size > opts.maxResponseBytes) {
                    // Stop here: destroying the body drops the socket, so the rest is never transferred.
                    res.body.destroy();
                    return {
                        ok: false,
                        status,
                        error: tooLarge(`sent more than that (stopped reading at ${size} bytes)`, opts.maxResponseBytes, status),
                        latencyMs: elapsed(),
                    };
                }
                chunks.push(buf);
            }
            let received = Buffer.concat(chunks);
            if (encodings.length > 0) {
                const decoded = await decode(received, encodings, opts.maxResponseBytes);
                if (!decoded.ok) {
                    const error = decoded.tooLarge
                        ? tooLarge(`decodes (${encodings.join(', ')}) to more than that`, opts.maxResponseBytes, status)
                        : { kind: 'invalid_json', message: `${method} ${printable}: the engine answered HTTP ${status} with a ${encodings.join(', ')} body that does not decode: ${decoded.message}`, status };
                    return { ok: false, status, error, latencyMs: elapsed() };
                }
                received = decoded.body;
            }
            const latencyMs = elapsed();
            // undici marks the socket free (its 'drain') just after the body ends; a caller that sends its
            // next request in the same turn would otherwise open a second socket instead of reusing this one.
            await new Promise((r) => setImmediate(r));
            return { ok: true, status, contentType, text: received.toString('utf8'), latencyMs, location };
        }
        catch (err) {
            const latencyMs = elapsed();
            if (timedOut) {
                const phase = status === undefined
                    ? 'no answer'
                    : `HTTP ${status} headers arrived, but the body was incomplete (${size} bytes received)`;
                return {
                    ok: false,
                    status,
                    error: { kind: 'timeout', message: `${method} ${printable}: ${phase} within ${opts.timeoutMs} ms`, status },
                    latencyMs,
                };
            }
            if (signal?.aborted || closed) {
                return { ok: false, status, error: { kind: 'aborted', message: 'the run was cancelled' }, latencyMs };
            }
            // With the status known the engine did answer: what broke was the body.
            const net = describeNetworkError(err, status !== undefined);
            const what = status === undefined ? net.message : `HTTP ${status}, but the body was incomplete (${size} bytes received): ${net.message}`;
            return {
                ok: false,
                status,
                error: { kind: net.kind, message: redact(`${method} ${printable}: ${what}`), status },
                latencyMs,
            };
        }
        finally {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
        }
    }
    async function call(req, signal) {
        const payload = JSON.stringify({ ...(opts.body ?? {}), ...req.input });
        const headers = {
            ...baseHeaders,
            'content-type': baseHeaders['content-type'] ?? 'application/json',
            'x-toron-seed': String(req.seed),
            'x-toron-run-id': headerSafe(req.runId),
            'x-toron-case-id': headerSafe(req.caseId),
        };
        const ex = await exchange('POST', opts.url, headers, payload, signal);
        if (!ex.ok)
            return { ok: false, error: ex.error, status: ex.status, latencyMs: ex.latencyMs };
        return judgeAnswer(ex, redact);
    }
    async function health(signal) {
        const tried = [];
        const routes = [new URL('health', opts.url), new URL('version', opts.url)];
        const missing = [];
        for (const [i, url] of routes.entries()) {
            const printable = `GET ${redactUrl(url)}`;
            const ex = await exchange('GET', url, baseHeaders, undefined, signal);
            if (!ex.ok) {
                tried.push(`${printable}: ${ex.error.message.replace(`${printable}: `, '')}`);
                // The same host and port: after a refusal or a timeout the next route would only repeat it.
                return {
                    ok: false,
                    tried,
                    // `tried` carries the per-URL detail; the message stays one short line.
                    message: `engine ${target} is unreachable (${ex.error.kind === 'timeout' ? 'no answer in time' : ex.error.kind})`,
                };
            }
            tried.push(`${printable}: HTTP ${ex.status}`);
            if (ex.status === 404 || ex.status === 405) {
                missing.push(`${printable} → ${ex.status}`);
                continue;
            }
            if (ex.status === 401 || ex.status === 403) {
                return {
                    ok: false,
                    tried,
                    message: `engine ${target} refused ${printable} with HTTP ${ex.status}: check the configured engine ` +
                        `headers (values are not shown)`,
                };
            }
            if (ex.status >= 500) {
                return {
                    ok: false,
                    tried,
                    message: `engine ${target} is not healthy: ${printable} answered HTTP ${ex.status}: ${redact(excerpt(ex.text, ex.contentType))}`,
                };
            }
            if (ex.status < 200 || ex.status >= 300) {
                const to = ex.location === undefined ? '' : `, a redirect to ${redact(excerpt(ex.location, '', 300))}`;
                return {
                    ok: true,
                    tried,
                    message: `engine ${target} answers HTTP (${printable} → ${ex.status}${to}) but has no usable health route`,
                };
            }
            let version = versionOf(ex.text);
            // /health answered but without a version: /version may still say which build this is.
            if (version === undefined && i === 0) {
                const v = await exchange('GET', routes[1], baseHeaders, undefined, signal);
                if (v.ok && v.status >= 200 && v.status < 300)
                    version = versionOf(v.text);
                tried.push(`GET ${redactUrl(routes[1])}: ${v.ok ? `HTTP ${v.status}` : v.error.message}`);
            }
            return {
                ok: true,
                version,
                tried,
                message: `engine ${target} is up (${printable} → ${ex.status}${version ? `, version ${version}` : ''})`,
            };
        }
        return {
            ok: true,
            tried,
            message: `engine ${target} answers HTTP but has no health route (${missing.join(', ')}); continuing`,
        };
    }
    return {
        kind: 'http',
        target,
        health,
        call,
        async close() {
            if (closed)
                return;
            closed = true;
            // close() waits for requests in flight; they are bounded by their timeouts, but do not wait forever.
            const graceful = pool.close().then(() => true);
            const late = new Promise((r) => setTimeout(() => r(false), 2_000).unref());
            if (!(await Promise.race([graceful, late])))
                await pool.destroy();
        },
    };
}
/** Judges a finished 2xx/non-2xx exchange as an engine answer. */
function judgeAnswer(ex, redact = (s) => s) {
    const { status, contentType, text, latencyMs, location } = ex;
    const fail = (kind, message) => ({
        ok: false,
        error: { kind, message: redact(message), status },
        raw: redact(text),
        status,
        latencyMs,
    });
    if (status < 200 || status >= 300) {
        const shown = excerpt(text, contentType);
        // Redirects are not followed (a POST must not silently become a GET elsewhere): say where to.
        const to = status >= 300 && status < 400
            ? ` (a redirect to ${location === undefined ? 'nowhere: no Location header' : excerpt(location, '', 300)}; redirects are not followed, so configure the final URL as the engine)`
            : '';
        return fail('http_status', `engine answered HTTP ${status}${to}${shown ? `: ${shown}` : ' with an empty body'}`);
    }
    if (text.trim() === '')
        return fail('invalid_json', `engine answered HTTP ${status} with an empty body, not JSON`);
    if (looksLikeHtml(contentType, text)) {
        return fail('invalid_json', `engine answered HTML, not JSON (HTTP ${status}): ${excerpt(text, contentType)}`);
    }
    try {
        // A UTF-8 BOM is not JSON but is common from some servers; the raw text keeps it.
        const body = JSON.parse(text.replace(/^\uFEFF/, ''));
        return { ok: true, body, raw: text, status, latencyMs };
    }
    catch (err) {
        return fail('invalid_json', 
        // V8's message quotes the text around the error: escaped like the excerpt.
        `engine answered invalid JSON (HTTP ${status}): ${escapeControls(err.message)}; body starts: ${excerpt(text, contentType)}`);
    }
}
/** Headers every request to an HTTP engine carries (the adapter's and the load generator's). */
function buildBaseHeaders(opts) {
    // identity: a compressed answer would cost the engine CPU and blur its latency (one that compresses
    // anyway is decoded, see decode()).
    const headers = { accept: 'application/json', 'accept-encoding': 'identity' };
    // Credentials in the URL (http://user:pass@host) become Basic auth, as a browser or curl would do.
    if (opts.url.username || opts.url.password) {
        const user = decodeURIComponent(opts.url.username);
        const pass = decodeURIComponent(opts.url.password);
        headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    }
    // Lower-cased so a configured Content-Type replaces ours instead of being sent twice.
    for (const [k, v] of Object.entries(opts.headers))
        headers[k.toLowerCase()] = v;
    return headers;
}
/** Run and case ids go in headers: anything outside printable ASCII is percent-encoded. */
function headerSafe(s) {
    return /^[\x20-\x7e]*$/.test(s) ? s : encodeURIComponent(s);
}
const gunzip = (0,external_node_util_.promisify)((external_node_zlib_default()).gunzip);
const inflate = (0,external_node_util_.promisify)((external_node_zlib_default()).inflate);
const inflateRaw = (0,external_node_util_.promisify)((external_node_zlib_default()).inflateRaw);
const brotli = (0,external_node_util_.promisify)((external_node_zlib_default()).brotliDecompress);
/** Content codings we decode; "deflate" is zlib-wrapped by the RFC, but some servers send it raw. */
const DECODERS = {
    gzip: () => gunzip,
    'x-gzip': () => gunzip,
    deflate: (buf) => (buf.length >= 2 && (buf[0] & 0x0f) === 8 && ((buf[0] << 8) | buf[1]) % 31 === 0 ? inflate : inflateRaw),
    br: () => brotli,
};
/** The codings of a Content-Encoding header in the order they were applied, identity left out. */
function contentEncodings(header) {
    return header
        .split(',')
        .map((e) => e.trim().toLowerCase())
        .filter((e) => e !== '' && e !== 'identity');
}
/**
 * Undoes the content codings, last applied first. Each step stops at `cap` bytes of output (zlib's
 * maxOutputLength), so a small body that inflates to gigabytes (a zip bomb) costs at most the cap.
 */
async function decode(body, encodings, cap) {
    let out = body;
    for (const e of [...encodings].reverse()) {
        try {
            out = await DECODERS[e](out)(out, { maxOutputLength: Math.max(1, cap) });
        }
        catch (err) {
            const code = err.code;
            if (code === 'ERR_BUFFER_TOO_LARGE')
                return { ok: false, tooLarge: true, message: '' };
            return { ok: false, tooLarge: false, message: escapeControls(err.message) + (code ? ` (${code})` : '') };
        }
    }
    return { ok: true, body: out };
}
/** Drops a body we will not read; undici's abort error on it has nobody to go to. */
function discard(body) {
    body.on('error', () => { });
    body.destroy();
}
function headerString(v) {
    return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}
function tooLarge(what, cap, status) {
    return {
        kind: 'too_large',
        message: `engine answer is over the ${cap}-byte cap (maxResponseBytes): it ${what}`,
        status,
    };
}
function versionOf(text) {
    try {
        const v = JSON.parse(text)?.version;
        return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/load/http-transport.ts





const http_transport_KEEP_ALIVE_MS = 30_000;
function httpTransport(opts) {
    const base = buildBaseHeaders(opts);
    const redact = secretRedactor(base);
    const printable = redactUrl(opts.url);
    const path = opts.url.pathname + opts.url.search;
    const clientOptions = {
        pipelining: 1,
        keepAliveTimeout: http_transport_KEEP_ALIVE_MS,
        // The in-flight table's sweep times requests out: no timer of undici's per request.
        headersTimeout: 0,
        bodyTimeout: 0,
    };
    const idle = [];
    const all = new Set();
    let closed = false;
    const acquire = () => {
        const c = idle.pop();
        if (c)
            return c;
        const fresh = new undici/* Client */.Kj(opts.url.origin, clientOptions);
        all.add(fresh);
        return fresh;
    };
    // A client is free again once undici has ended its request (answered, failed or aborted).
    const release = (c) => {
        if (closed || c.closed || c.destroyed) {
            all.delete(c);
            return;
        }
        idle.push(c);
    };
    const baseFlat = [];
    for (const [k, v] of Object.entries({ ...base, 'content-type': base['content-type'] ?? 'application/json' }))
        baseFlat.push(k, v);
    const bodies = new Map();
    // The whole dispatch options object per case and repeat, built once: undici only reads it.
    const dispatchOpts = new Map();
    const bodyFor = (req) => {
        let b = bodies.get(req.caseIndex);
        if (!b)
            bodies.set(req.caseIndex, (b = Buffer.from(JSON.stringify({ ...(opts.body ?? {}), ...req.case.input }))));
        return b;
    };
    const optionsFor = (req) => {
        let perCase = dispatchOpts.get(req.caseIndex);
        if (!perCase)
            dispatchOpts.set(req.caseIndex, (perCase = []));
        return (perCase[req.repeat] ??= {
            method: 'POST',
            path,
            headers: [
                ...baseFlat,
                'x-toron-seed',
                String(req.seed),
                'x-toron-run-id',
                headerSafe(opts.runId),
                'x-toron-case-id',
                headerSafe(req.case.id),
            ],
            body: bodyFor(req),
        });
    };
    return {
        name: 'http (undici)',
        answersFromIo: true,
        start(req, sink) {
            const client = acquire();
            const h = new Handler(sink, opts.maxResponseBytes, printable, redact, client, release);
            try {
                client.dispatch(optionsFor(req), h);
            }
            catch (err) {
                h.onError(err);
            }
            return h;
        },
        async close() {
            closed = true;
            const clients = [...all];
            all.clear();
            idle.length = 0;
            const graceful = Promise.all(clients.map((c) => c.close().catch(() => undefined))).then(() => true);
            const late = new Promise((r) => setTimeout(() => r(false), 2_000).unref());
            if (!(await Promise.race([graceful, late])))
                await Promise.all(clients.map((c) => c.destroy().catch(() => undefined)));
        },
    };
}
/**
 * One request's handler, and its handle for the generator. It speaks undici's core handler protocol
 * (onConnect/onHeaders/onData/onComplete/onError: what undici's Request calls itself), not the v7
 * controller API: a v7-style handler is wrapped per request in an UnwrapHandler that also turns the raw
 * headers (and trailers) of every response into an object, and the generator needs none of that on the
 * happy path. The content type is only looked up in the raw headers when an answer is an error.
 * undici 7 marks these methods deprecated but its Client still calls exactly these (core/request.js).
 */
class Handler {
    sink;
    maxBytes;
    printable;
    redact;
    client;
    releaseClient;
    abortExchange = null;
    status = 0;
    rawHeaders = null;
    /** The body: almost always one chunk, so no array unless a second one comes. */
    first = null;
    more = null;
    size = 0;
    settled = false;
    released = false;
    constructor(sink, maxBytes, printable, redact, client, releaseClient) {
        this.sink = sink;
        this.maxBytes = maxBytes;
        this.printable = printable;
        this.redact = redact;
        this.client = client;
        this.releaseClient = releaseClient;
    }
    /** undici is done with this request: its client may take the next one. */
    free() {
        if (this.released)
            return;
        this.released = true;
        this.releaseClient(this.client);
    }
    /** Cancelled or timed out: abort the exchange and never report it. */
    cancel() {
        if (this.settled)
            return;
        this.settled = true;
        this.abortExchange?.(new Error('load request stopped'));
    }
    onConnect(abort) {
        this.abortExchange = abort;
        if (this.settled)
            abort(new Error('load request stopped'));
    }
    onHeaders(statusCode, rawHeaders) {
        this.status = statusCode;
        this.rawHeaders = rawHeaders;
        return true;
    }
    onData(chunk) {
        if (this.settled)
            return true;
        this.size += chunk.length;
        if (this.size > this.maxBytes) {
            this.fail('too_large', `engine answer is over the ${this.maxBytes}-byte cap (maxResponseBytes): it sent more than that`, this.status);
            this.abortExchange?.(new Error('response too large'));
            return true;
        }
        if (this.first === null)
            this.first = chunk;
        else
            (this.more ??= [this.first]).push(chunk);
        return true;
    }
    onComplete() {
        this.free();
        if (this.settled)
            return;
        // toString() without arguments is Buffer's direct UTF-8 path.
        const text = this.more !== null ? Buffer.concat(this.more).toString() : this.first !== null ? this.first.toString() : '';
        this.first = null;
        this.more = null;
        const status = this.status;
        if (status < 200 || status >= 300) {
            const shown = excerpt(text, this.contentType());
            return this.fail('http_status', `engine answered HTTP ${status}${shown ? `: ${shown}` : ' with an empty body'}`, status);
        }
        let body;
        try {
            // A UTF-8 BOM is not JSON but is common from some servers (the adapter accepts it too).
            body = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
        }
        catch (err) {
            const why = text.trim() === '' ? 'an empty body' : `invalid JSON (${err.message})`;
            return this.fail('invalid_json', `engine answered ${why} (HTTP ${status}): ${excerpt(text, this.contentType())}`, status);
        }
        this.settled = true;
        this.rawHeaders = null;
        this.sink.answered(body, status);
    }
    onError(err) {
        this.free();
        if (this.settled)
            return;
        const net = describeNetworkError(err);
        this.fail(net.kind, `POST ${this.printable}: ${net.message}`, this.status || undefined);
    }
    /** The response's content type from its raw headers (name, value, name, value, ...). */
    contentType() {
        const raw = this.rawHeaders;
        if (raw === null)
            return '';
        for (let i = 0; i + 1 < raw.length; i += 2) {
            if (raw[i].length === 12 && raw[i].toString('latin1').toLowerCase() === 'content-type')
                return raw[i + 1].toString('latin1');
        }
        return '';
    }
    fail(kind, message, status) {
        if (this.settled)
            return;
        this.settled = true;
        this.rawHeaders = null;
        this.sink.failed(kind, this.redact(message), status);
    }
}

;// CONCATENATED MODULE: ./src/stages/load/judge.ts


/**
 * Quality under load: each answer checked against its case's assertions (the answer field as the
 * profile reads it), tallied per case with its first failure. The load stage and bench:load use this
 * one judge, so the bench measures what a run does.
 */
function answerJudge(cases, profile) {
    const compiled = compileCaseChecks(cases);
    const perCase = new Map();
    const judge = (req, body, latencyMs) => {
        const r = compiled.check(req.case, body, latencyMs, answerPointer(body, profile));
        const passed = r.failures.length === 0;
        let q = perCase.get(req.caseIndex);
        if (!q) {
            q = { id: req.case.id, dataset: req.case.dataset, checked: 0, failed: 0, location: req.case.location };
            perCase.set(req.caseIndex, q);
        }
        q.checked++;
        if (!passed) {
            q.failed++;
            if (!q.firstFailure) {
                const f = r.failures[0];
                q.firstFailure = `${f.assertion}: ${f.message}`;
            }
        }
        return passed;
    };
    return { judge, perCase };
}

;// CONCATENATED MODULE: ./src/stages/load/builtin.ts







/**
 * The built-in generator on this run's engine: HTTP engines through the lean undici transport, `cmd:`
 * and in-process engines through their adapter, all through the same open-model scheduler. Every answer
 * is checked against its case's assertions as it arrives (quality under load).
 */
async function runBuiltin(ctx, pool, schedule, thresholds) {
    const { settings } = ctx;
    const load = settings.load;
    const transport = makeTransport(ctx);
    ctx.log('info', 'load', `built-in generator via ${transport.name}: ${describePlan(schedule, load.maxInFlight)}`);
    const { judge, perCase } = answerJudge(pool.cases, settings.engine.profile);
    // The abortOnFail threshold that stopped the load, if one did.
    let crossed = null;
    let result;
    try {
        result = await runGenerator({
            schedule,
            maxInFlight: load.maxInFlight,
            timeoutMs: load.timeoutMs,
            transport,
            requestAt: (i) => pool.requestAt(i),
            judge,
            signal: ctx.signal,
            abortWhen: abortOnFail(thresholds, (t) => (crossed = t)),
            onProgress: (p) => ctx.emit({
                type: 'progress',
                stage: 'load',
                done: p.completed,
                total: p.total,
                failures: p.failures,
                errors: p.errors,
                ratePerSec: p.sentLastSecond,
                ...(p.p95Ms !== null ? { p95Ms: p.p95Ms } : {}),
                dropped: p.dropped,
                inFlight: p.inFlight,
            }),
        });
    }
    finally {
        await transport.close().catch((err) => ctx.log('warn', 'load', `closing the load transport failed: ${err.message}`));
    }
    const rec = result.recorder;
    const evaluated = evaluateThresholds(thresholds, (name, t) => rec.valueOf(name, t.aggregation, t.percentile, result.durationMs));
    if (result.aborted) {
        ctx.log('warn', 'load', `load aborted at ${(result.aborted.atMs / 1000).toFixed(1)} s: ${result.aborted.reason}`);
        // The threshold that stopped the load failed, whatever the shortened run's final value says (k6 too
        // fails a test its abortOnFail threshold stopped).
        const t = crossed === null ? undefined : evaluated[thresholds.indexOf(crossed)];
        if (t?.passed === true) {
            t.passed = false;
            t.note = `crossed at ${(result.aborted.atMs / 1000).toFixed(1)} s: the load was aborted there (abortOnFail)`;
        }
    }
    const checks = result.metrics.checks;
    const failingCases = [...perCase.values()].filter((q) => q.failed > 0).sort((a, b) => b.failed - a.failed || (a.id < b.id ? -1 : 1));
    return {
        generator: 'builtin',
        metrics: result.metrics,
        thresholds: evaluated,
        dropped: result.metrics.dropped_iterations.count,
        lagP99Ms: rec.lag.percentile(99),
        durationMs: result.durationMs,
        sent: result.sent,
        interrupted: result.interrupted,
        maxInFlightSeen: result.maxInFlight,
        errors: result.errors,
        errorSamples: result.errorSamples,
        quality: checks
            ? { checked: checks.passes + checks.fails, passed: checks.passes, failed: checks.fails, passRate: checks.rate, failingCases }
            : null,
        timeline: result.timeline,
        histogram: result.histogram,
        transport: transport.name,
        cancelled: result.cancelled,
        aborted: result.aborted,
    };
}
/**
 * k6's abortOnFail: each second, a threshold marked so that is crossed (once its delayAbortEval has
 * passed) stops the load. A threshold with nothing to judge yet does not abort (k6 neither).
 */
function abortOnFail(thresholds, onCrossed = () => undefined) {
    const watched = thresholds.filter((t) => t.abortOnFail);
    if (watched.length === 0)
        return undefined;
    return (elapsedMs, rec) => {
        for (const t of watched) {
            if (elapsedMs < t.delayAbortEvalMs)
                continue;
            const v = rec.valueOf(t.name, t.aggregation, t.percentile, elapsedMs);
            if (v === null || !Number.isFinite(v) || compare(v, t.op, t.value))
                continue;
            onCrossed(t);
            return `${t.metric} ${t.expression} crossed (got ${Math.round(v * 1000) / 1000}) and has abortOnFail`;
        }
        return null;
    };
}
function makeTransport(ctx) {
    const { settings } = ctx;
    if (ctx.engine.kind !== 'http')
        return adapterTransport(ctx.engine, ctx.runId);
    const spec = parseEngineSpec(settings.engine.target);
    if (spec.kind !== 'http')
        return adapterTransport(ctx.engine, ctx.runId);
    return httpTransport({
        url: spec.url,
        headers: expandHeaders(settings.engine.headers, ctx.env ?? process.env),
        maxResponseBytes: settings.engine.maxResponseBytes,
        body: settings.engine.body,
        runId: ctx.runId,
        timeoutMs: settings.load.timeoutMs,
    });
}
function describePlan(schedule, maxInFlight) {
    const secs = Math.round(schedule.durationMs / 100) / 10;
    return `${schedule.executor}, ${schedule.total} request(s) over ${secs} s, at most ${maxInFlight} in flight`;
}

;// CONCATENATED MODULE: ./src/load/k6-script.ts

/**
 * The k6 script for `load.generator: k6`: the same plan (constant- or ramping-arrival-rate, k6's own
 * executors), the same requests (the SIM cases, drawn per iteration by the same hash of the run's load
 * seed and k6's iteration number), the same headers and the same thresholds as the built-in generator.
 * Secrets never enter the script: `${VAR}` header templates become `__ENV.VAR` reads (k6 passes the
 * system environment to __ENV), and URL credentials travel in an environment variable as well.
 * The summary comes back both ways: handleSummary writes k6's data to TORON_TESTOPS_K6_SUMMARY, and the
 * runner also asks for --summary-export (the one k6 keeps writing when handleSummary fails).
 */
const K6_SUMMARY_ENV = 'TORON_TESTOPS_K6_SUMMARY';
const K6_AUTH_ENV = 'TORON_TESTOPS_K6_AUTHORIZATION';
/** k6's shortest constant-arrival-rate duration (lib/executor: minDuration). */
const K6_MIN_DURATION_MS = 1000;
/** The trend stats the summary must hold (k6's default lacks p(99)). */
const K6_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];
const k6_script_VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** `Bearer ${TOKEN}` -> `"Bearer " + __ENV["TOKEN"]` (a JS expression; never the value). */
function headerExpression(template) {
    const parts = [];
    let last = 0;
    for (const m of template.matchAll(k6_script_VARIABLE)) {
        if (m.index > last)
            parts.push(JSON.stringify(template.slice(last, m.index)));
        parts.push(`__ENV[${JSON.stringify(m[1])}]`);
        last = m.index + m[0].length;
    }
    if (last < template.length || parts.length === 0)
        parts.push(JSON.stringify(template.slice(last)));
    return parts.join(' + ');
}
function ms(n) {
    return `${Math.round(n)}ms`;
}
/**
 * k6 takes arrival rates as whole iterations per timeUnit (rate, startRate and stage targets are Go
 * int64s: 0.5 makes k6 refuse the options). A rate per second with decimals is written per 10^k
 * seconds, the smallest k that makes every rate whole: 0.5/s is 5 per 10s, 2.25/s is 225 per 100s, the
 * same arrivals. Past 10^6 s the rates are rounded (a relative error of at most 1e-6/s).
 */
function arrivalUnit(ratesPerSec) {
    const whole = (x) => Math.abs(x - Math.round(x)) <= 1e-9 * Math.max(1, Math.abs(x));
    let k = 0;
    while (k < 6 && !ratesPerSec.every((r) => whole(r * 10 ** k)))
        k++;
    const factor = 10 ** k;
    return { timeUnit: `${factor}s`, perUnit: (r) => Math.round(r * factor) };
}
function buildK6Script(input) {
    const peak = Math.max(input.rate ?? 0, input.startRate ?? 0, ...(input.stages ?? []).map((s) => s.target));
    // One VU is one request in flight: at most maxInFlight, and a second's worth allocated up front.
    const maxVUs = Math.max(1, input.maxInFlight);
    const preAllocatedVUs = Math.max(1, Math.min(maxVUs, Math.ceil(peak)));
    let constant = input.schedule.executor === 'constant-arrival-rate';
    let { startRate, stages } = input;
    if (constant && (input.durationMs ?? 0) < K6_MIN_DURATION_MS) {
        // k6 refuses a constant-arrival-rate shorter than 1 s; a ramp that holds the rate is the same plan.
        constant = false;
        startRate = input.rate;
        stages = [{ durationMs: input.durationMs ?? 0, target: input.rate ?? 0 }];
    }
    const unit = arrivalUnit(constant ? [input.rate ?? 0] : [startRate ?? 0, ...(stages ?? []).map((s) => s.target)]);
    // k6 interrupts what is still in flight 30 s (gracefulStop) after the plan ends, and an interrupted
    // request is in no metric; the built-in generator waits up to load.timeoutMs for each. A slow engine's
    // last answers would otherwise drop out of http_req_duration (a p95 better than the engine's).
    const gracefulStop = ms(Math.max(30_000, input.timeoutMs + 1_000));
    const scenario = constant
        ? {
            executor: 'constant-arrival-rate',
            rate: unit.perUnit(input.rate ?? 0),
            timeUnit: unit.timeUnit,
            duration: ms(input.durationMs ?? 0),
            preAllocatedVUs,
            maxVUs,
            gracefulStop,
        }
        : {
            executor: 'ramping-arrival-rate',
            startRate: unit.perUnit(startRate ?? 0),
            timeUnit: unit.timeUnit,
            stages: (stages ?? []).map((s) => ({ duration: ms(s.durationMs), target: unit.perUnit(s.target) })),
            preAllocatedVUs,
            maxVUs,
            gracefulStop,
        };
    const options = {
        scenarios: { toron_load: scenario },
        thresholds: input.thresholds,
        summaryTrendStats: K6_TREND_STATS,
    };
    const headerLines = Object.entries(input.headers)
        .map(([k, v]) => `  ${JSON.stringify(k.toLowerCase())}: ${headerExpression(v)},`)
        .join('\n');
    const cases = input.cases.map((c) => `  { id: ${JSON.stringify(k6_script_headerSafe(c.id))}, body: ${JSON.stringify(c.body)}, seeds: ${JSON.stringify(c.seeds)} },`).join('\n');
    return `// Generated by toron-testops for run ${JSON.stringify(input.runId)}. The same requests, schedule and
// thresholds as its built-in generator; run it with: k6 run --summary-export summary-export.json script.js
import http from 'k6/http';
import exec from 'k6/execution';
import { check } from 'k6';

export const options = ${JSON.stringify(options, null, 2)};

const URL = __ENV[${JSON.stringify(input.urlEnv)}] || ${JSON.stringify(input.url)};
const RUN_ID = ${JSON.stringify(k6_script_headerSafe(input.runId))};
const SEED = ${input.seed >>> 0};
const TIMEOUT = ${JSON.stringify(ms(input.timeoutMs))};
const CASES = [
${cases}
];
const BASE_HEADERS = {
  "accept": "application/json",
  "content-type": "application/json",
${headerLines}
};
${input.hasUrlCredentials ? `if (__ENV[${JSON.stringify(K6_AUTH_ENV)}] && !BASE_HEADERS["authorization"]) BASE_HEADERS["authorization"] = __ENV[${JSON.stringify(K6_AUTH_ENV)}];\n` : ''}
// As the built-in generator: any status outside 2xx is a failed request (k6's default accepts 3xx).
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }));

${K6_DRAW_SOURCE}

function repeatsOf(c) {
  return CASES[c].seeds.length;
}

export default function () {
  const d = drawRequest(SEED, exec.scenario.iterationInTest, CASES.length, repeatsOf);
  const c = CASES[d[0]];
  const headers = Object.assign({}, BASE_HEADERS, {
    "x-toron-seed": String(c.seeds[d[1]]),
    "x-toron-run-id": RUN_ID,
    "x-toron-case-id": c.id,
  });
  const res = http.post(URL, c.body, { headers: headers, timeout: TIMEOUT });
  check(res, {
    "status is 2xx": (r) => r.status >= 200 && r.status < 300,
    "answer is JSON": (r) => {
      try {
        JSON.parse(r.body);
        return true;
      } catch (e) {
        return false;
      }
    },
  });
}

// Run by the gate, the data goes where it says. Run by hand (k6 run, k6-operator, k6 cloud) without that
// variable, a key of undefined would write a file named "undefined" and, handleSummary being defined, k6
// would print no summary at all: a short one goes to stdout instead.
export function handleSummary(data) {
  if (__ENV.${K6_SUMMARY_ENV}) return { [__ENV.${K6_SUMMARY_ENV}]: JSON.stringify(data) };
  return { stdout: summaryText(data) };
}

function summaryText(data) {
  const lines = [];
  for (const name of Object.keys(data.metrics).sort()) {
    const m = data.metrics[name];
    const v = m.values || {};
    const shown = Object.keys(v).map((k) => k + "=" + (Math.round(v[k] * 1000) / 1000)).join(" ");
    lines.push("  " + name + ": " + shown);
    for (const t of Object.keys(m.thresholds || {})) lines.push("    " + (m.thresholds[t].ok ? "ok     " : "FAILED ") + t);
  }
  return "toron-testops load (k6 end-of-test summary)\\n" + lines.join("\\n") + "\\n";
}
`;
}
function k6_script_headerSafe(s) {
    return /^[\x20-\x7e]*$/.test(s) ? s : encodeURIComponent(s);
}

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(31421);
;// CONCATENATED MODULE: ./src/engine/line-splitter.ts
/**
 * Splits a byte stream into UTF-8 lines without ever holding more than `maxLineBytes` of one line: a
 * child that writes a never-ending line must not be able to eat the runner's memory. An overlong line
 * is reported once, as soon as it crosses the cap, with its first bytes (enough to read a request id);
 * the rest of it, up to the next newline, is dropped.
 */
class BoundedLineSplitter {
    maxLineBytes;
    onLine;
    onOverflow;
    prefixBytes;
    parts = [];
    size = 0;
    overflowing = false;
    constructor(maxLineBytes, onLine, onOverflow, prefixBytes = 512) {
        this.maxLineBytes = maxLineBytes;
        this.onLine = onLine;
        this.onOverflow = onOverflow;
        this.prefixBytes = prefixBytes;
    }
    push(chunk) {
        let start = 0;
        while (start <= chunk.length) {
            const nl = chunk.indexOf(0x0a, start);
            const end = nl === -1 ? chunk.length : nl;
            this.append(chunk.subarray(start, end));
            if (nl === -1)
                return;
            this.finishLine();
            start = nl + 1;
        }
    }
    /** The stream ended: a last line without a newline still counts. */
    end() {
        if (this.size > 0 || this.parts.length > 0)
            this.finishLine();
        this.overflowing = false;
    }
    append(seg) {
        if (seg.length === 0)
            return;
        if (this.overflowing)
            return;
        this.parts.push(seg);
        this.size += seg.length;
        if (this.size > this.maxLineBytes) {
            const prefix = Buffer.concat(this.parts).subarray(0, this.prefixBytes).toString('utf8');
            this.parts = [];
            this.size = 0;
            this.overflowing = true;
            this.onOverflow(prefix);
        }
    }
    finishLine() {
        if (this.overflowing) {
            this.overflowing = false;
            return;
        }
        const line = Buffer.concat(this.parts).toString('utf8').replace(/\r$/, '');
        this.parts = [];
        this.size = 0;
        this.onLine(line);
    }
}

;// CONCATENATED MODULE: ./src/load/k6-run.ts


/** Running the user's k6 binary: never through a shell, its output relayed line by line. */
/** k6's exit codes (errext/exitcodes), for messages. */
const K6_EXIT_CODES = {
    97: 'the cloud test run failed',
    98: 'k6 could not get the cloud test progress',
    99: 'thresholds were crossed',
    100: 'setup() timed out',
    101: 'teardown() timed out',
    102: 'a timeout',
    103: 'the test was stopped through its REST API (k6 before v0.43: an engine error)',
    104: 'invalid configuration',
    105: 'the test was aborted from outside',
    106: 'the REST API could not start',
    107: 'the script threw an exception',
    108: 'the script called test.abort()',
    109: 'k6 panicked',
    110: 'the test was marked as failed',
    255: 'an error without its own exit code',
};
const K6_INSTALL_HINT = 'install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/); in GitHub Actions add the step ' +
    '"- uses: grafana/setup-k6-action@v1" before this one; or set load.k6Binary to its path, or load.generator to "builtin"';
const TAIL_LINES = 20;
const GRACE_MS = 5_000;
function spawnK6(opts) {
    return new Promise((resolve) => {
        const tail = [];
        const keep = (stream, line) => {
            tail.push(line);
            if (tail.length > TAIL_LINES)
                tail.shift();
            opts.onLine?.(stream, line);
        };
        let child;
        try {
            child = (0,external_node_child_process_.spawn)(opts.binary, opts.args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
        }
        catch (err) {
            resolve({ code: null, signal: null, spawnError: err, tail: '' });
            return;
        }
        for (const stream of ['stdout', 'stderr']) {
            const split = new BoundedLineSplitter(16 * 1024, (line) => {
                if (line.trim())
                    keep(stream, line.replace(/\r$/, ''));
            }, (prefix) => keep(stream, `${prefix}… (line cut)`), 200);
            child[stream].on('data', (chunk) => split.push(chunk));
            child[stream].on('end', () => split.end());
        }
        let killTimer;
        let hardKill;
        // k6 stops on SIGINT and still writes its summary; SIGKILL only if it does not.
        const stop = () => {
            if (child.exitCode !== null || child.signalCode !== null)
                return;
            child.kill('SIGINT');
            hardKill = setTimeout(() => child.kill('SIGKILL'), GRACE_MS);
            hardKill.unref();
        };
        opts.signal?.addEventListener('abort', stop, { once: true });
        if (opts.killAfterMs) {
            killTimer = setTimeout(stop, opts.killAfterMs);
            killTimer.unref();
        }
        let spawnError;
        child.on('error', (err) => {
            spawnError = err;
        });
        child.on('close', (code, signal) => {
            clearTimeout(killTimer);
            clearTimeout(hardKill);
            opts.signal?.removeEventListener('abort', stop);
            resolve({ code, signal, ...(spawnError ? { spawnError } : {}), tail: tail.join('\n') });
        });
    });
}
/** `k6 version` -> "v1.5.0", or why not. */
async function k6Version(binary, env, cwd, shown = binary) {
    const lines = [];
    const exit = await spawnK6({ binary, args: ['version'], cwd, env, killAfterMs: 15_000, onLine: (_s, l) => lines.push(l) });
    if (exit.spawnError) {
        const missing = exit.spawnError.code === 'ENOENT' || exit.spawnError.code === 'EACCES';
        const why = exit.spawnError.code === 'EACCES' ? 'is not executable' : 'was not found';
        return {
            ok: false,
            missing,
            message: missing ? `k6 ("${shown}") ${why}: ${K6_INSTALL_HINT}` : `k6 ("${shown}") could not start: ${exit.spawnError.message.split(binary).join(shown)}`,
        };
    }
    if (exit.code !== 0) {
        return { ok: false, missing: false, message: `"${shown} version" exited with ${exit.code ?? exit.signal}: ${exit.tail.split(binary).join(shown).slice(-500)}` };
    }
    const line = lines.find((l) => /\bv?\d+\.\d+/.test(l)) ?? lines[0] ?? '';
    const m = /\bv(\d+\.\d+\.\d+\S*)/.exec(line);
    return { ok: true, version: m ? `v${m[1]}` : line.trim(), line: line.trim() };
}
/** What k6's exit code says, for a message. */
function describeK6Exit(exit) {
    if (exit.code === null)
        return `k6 was stopped by ${exit.signal ?? 'a signal'}`;
    const meaning = K6_EXIT_CODES[exit.code];
    return `k6 exited with code ${exit.code}${meaning ? ` (${meaning})` : ''}`;
}

;// CONCATENATED MODULE: ./src/load/k6-summary.ts
/**
 * k6's end-of-test summary, in either of the shapes k6 writes (reference/k6/README.md):
 * - the data `handleSummary(data)` receives: `metrics[name] = { type, contains, values, thresholds? }`,
 *   a threshold is `{ ok: true }` when it PASSED, a Rate's rate is `values.rate`;
 * - the legacy `--summary-export` file: `metrics[name]` is the values themselves, a threshold is a
 *   boolean that is TRUE WHEN IT FAILED, and a Rate's rate is named `value`.
 * Both read into one result. A value the file does not hold is null, never 0. k6's verdict on each
 * threshold is taken as stored (k6 judges thresholds on stats the file may not even hold).
 * k6's opt-in "new machine-readable summary" carries no thresholds: it is recognised and refused.
 */
class K6SummaryError extends Error {
    constructor(message) {
        super(message);
        this.name = 'K6SummaryError';
    }
}
const isObj = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
function detectShape(d) {
    if (!isObj(d))
        return 'unknown';
    if (isObj(d.metadata) && isObj(d.results) && 'version' in d)
        return 'machine-readable';
    if (!isObj(d.metrics))
        return 'unknown';
    if ('state' in d || 'options' in d)
        return 'handle-summary';
    for (const m of Object.values(d.metrics))
        if (isObj(m) && isObj(m.values))
            return 'handle-summary';
    return 'summary-export';
}
/** Parses the text of a summary file; `source` names it in errors. */
function parseK6SummaryText(text, source) {
    let d;
    try {
        d = JSON.parse(text);
    }
    catch (err) {
        throw new K6SummaryError(`${source}: not JSON (${err.message})`);
    }
    return parseK6Summary(d, source);
}
function parseK6Summary(d, source = 'k6 summary') {
    const shape = detectShape(d);
    if (shape === 'machine-readable') {
        throw new K6SummaryError(`${source} is k6's new machine-readable summary (--new-machine-readable-summary / K6_NEW_MACHINE_READABLE_SUMMARY), ` +
            'which carries no thresholds, so no verdict can be read from it: run k6 without that option');
    }
    if (shape === 'unknown')
        throw new K6SummaryError(`${source} is not a k6 end-of-test summary (no "metrics" object)`);
    const metrics = d.metrics;
    const values = {};
    const thresholds = [];
    for (const [name, raw] of Object.entries(metrics)) {
        if (!isObj(raw))
            continue;
        const flat = shape === 'handle-summary' ? (isObj(raw.values) ? raw.values : {}) : raw;
        const v = {};
        for (const [k, x] of Object.entries(flat))
            if (typeof x === 'number' && Number.isFinite(x))
                v[k] = x;
        // The export renames a Rate's rate to `value` (a Rate has passes/fails; a Gauge has min/max).
        if (shape === 'summary-export' && 'passes' in v && 'fails' in v && 'value' in v && !('rate' in v)) {
            v.rate = v.value;
            delete v.value;
        }
        values[name] = v;
        const th = shape === 'handle-summary' ? raw.thresholds : flat.thresholds;
        if (isObj(th)) {
            for (const [expression, stored] of Object.entries(th)) {
                if (shape === 'summary-export') {
                    if (typeof stored !== 'boolean')
                        continue;
                    thresholds.push({ metric: name, expression, passed: !stored, asStored: stored });
                }
                else {
                    if (!isObj(stored) || typeof stored.ok !== 'boolean')
                        continue;
                    thresholds.push({ metric: name, expression, passed: stored.ok, asStored: { ok: stored.ok } });
                }
            }
        }
    }
    thresholds.sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
    const num = (m, k) => values[m]?.[k] ?? null;
    const counter = (m) => (values[m] ? { count: num(m, 'count'), rate: num(m, 'rate') } : null);
    const rate = (m) => (values[m] ? { rate: num(m, 'rate'), passes: num(m, 'passes'), fails: num(m, 'fails') } : null);
    const trend = (m) => values[m]
        ? {
            avg: num(m, 'avg'),
            min: num(m, 'min'),
            med: num(m, 'med'),
            max: num(m, 'max'),
            'p(90)': num(m, 'p(90)'),
            'p(95)': num(m, 'p(95)'),
            'p(99)': num(m, 'p(99)'),
        }
        : null;
    const state = d.state;
    const dur = isObj(state) && typeof state.testRunDurationMs === 'number' ? state.testRunDurationMs : null;
    const failedThresholdMetrics = [...new Set(thresholds.filter((t) => !t.passed).map((t) => t.metric))];
    return {
        shape,
        http_reqs: counter('http_reqs'),
        http_req_duration: trend('http_req_duration'),
        http_req_failed: rate('http_req_failed'),
        iterations: counter('iterations'),
        dropped_iterations: counter('dropped_iterations'),
        checks: rate('checks'),
        testRunDurationMs: dur,
        thresholds,
        thresholdsPassed: failedThresholdMetrics.length === 0,
        failedThresholdMetrics,
        expectedExitCode: failedThresholdMetrics.length === 0 ? 0 : 99,
        values,
    };
}

;// CONCATENATED MODULE: ./src/stages/load/k6.ts












/** The k6 backend could not produce a result: the stage is ERROR (a tool failure, not a verdict). */
class K6Failure extends Error {
    kind;
    constructor(kind, message) {
        super(message);
        this.kind = kind;
        this.name = 'K6Failure';
    }
}
/** Where the k6 URL comes from at run time (the script only shows the redacted form). */
const K6_URL_ENV = 'TORON_TESTOPS_K6_URL';
async function runK6Backend(ctx, pool, schedule, thresholds) {
    const { settings } = ctx;
    const load = settings.load;
    const spec = parseEngineSpec(settings.engine.target);
    if (spec.kind !== 'http') {
        throw new InputError(`load.generator "k6" sends HTTP requests, but the engine is ${spec.kind === 'command' ? 'a cmd: process' : 'the in-process reference engine'}: ` +
            'use load.generator "builtin" (it loads every kind of engine), or serve the engine over HTTP (e.g. toron-testops engine serve)', { pointer: '/load/generator' });
    }
    const env = ctx.env ?? process.env;
    // Fails now (naming the header and variable) if a secret variable is missing, as the adapter would.
    expandHeaders(settings.engine.headers, env);
    const dir = external_node_path_default().join(ctx.paths.reportDir, 'k6');
    external_node_fs_default().mkdirSync(dir, { recursive: true });
    const scriptPath = external_node_path_default().join(dir, 'script.js');
    const summaryPath = external_node_path_default().join(dir, 'summary.json');
    const exportPath = external_node_path_default().join(dir, 'summary-export.json');
    for (const f of [summaryPath, exportPath])
        external_node_fs_default().rmSync(f, { force: true });
    // k6 runs in the report folder: a k6Binary given as a path ("./tools/k6") is the user's path from
    // where the gate runs, as every other path in the settings; a bare name is looked up on PATH.
    const binary = /[\\/]/.test(load.k6Binary) ? external_node_path_default().resolve(settings.cwd, load.k6Binary) : load.k6Binary;
    // Named in messages as configured, but an absolute one as every path in a report is: relative to the
    // working folder inside it, else by its last part ("/opt/x/k6" is this machine's layout).
    const shownBinary = portablePath(load.k6Binary, settings.cwd);
    // k6's lines name the script and summaries by the absolute paths it was given (and its errors quote
    // them, and other paths of this machine): relative or portable in anything that reaches a report.
    const scrub = (text) => portableText(text.split(ctx.paths.reportDir + (external_node_path_default()).sep).join('').split(settings.cwd + (external_node_path_default()).sep).join(''), settings.cwd);
    const version = await k6Version(binary, env, dir, shownBinary);
    if (!version.ok)
        throw new K6Failure(version.missing ? 'missing' : 'failed', scrub(version.message));
    ctx.log('info', 'load', `k6 ${version.version} (${version.line})`);
    const url = new URL(spec.url.href);
    const credentials = url.username || url.password ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}` : null;
    url.username = '';
    url.password = '';
    const shownUrl = new URL(url.href);
    shownUrl.search = '';
    shownUrl.hash = '';
    const script = buildK6Script({
        runId: ctx.runId,
        url: shownUrl.href,
        urlEnv: K6_URL_ENV,
        headers: settings.engine.headers,
        hasUrlCredentials: credentials !== null,
        seed: pool.seed,
        cases: pool.cases.map((c, i) => ({ id: c.id, body: JSON.stringify({ ...settings.engine.body, ...c.input }), seeds: pool.seedsOf(i) })),
        schedule,
        ...(schedule.executor === 'constant-arrival-rate'
            ? { rate: load.rate, durationMs: parseDuration(load.duration) }
            : { startRate: load.startRate, stages: load.stages.map((s) => ({ durationMs: parseDuration(s.duration), target: s.target })) }),
        maxInFlight: load.maxInFlight,
        timeoutMs: load.timeoutMs,
        thresholds: Object.fromEntries(groupByMetric(thresholds)),
    });
    external_node_fs_default().writeFileSync(scriptPath, script);
    const childEnv = { ...env, [K6_URL_ENV]: url.href, ...(credentials ? { [K6_AUTH_ENV]: credentials } : {}) };
    const args = ['run', '--no-color', '--summary-export', exportPath, '-e', `${K6_SUMMARY_ENV}=${summaryPath}`, scriptPath];
    const shown = args.map(scrub);
    ctx.log('info', 'load', `running ${external_node_path_default().basename(load.k6Binary)} ${shown.join(' ')} (in the report folder)`);
    const started = performance.now();
    const exit = await spawnK6({
        binary,
        args,
        cwd: dir,
        env: childEnv,
        signal: ctx.signal,
        killAfterMs: schedule.durationMs + load.timeoutMs + 120_000,
        // k6's lines may name files in the report folder: relative there, as every path in a report is.
        onLine: (stream, line) => ctx.log(stream === 'stderr' && /level=(error|warning)/.test(line) ? 'warn' : 'info', 'k6', scrub(line)),
    });
    const wallMs = Math.round(performance.now() - started);
    if (exit.spawnError) {
        const missing = exit.spawnError.code === 'ENOENT';
        throw new K6Failure(missing ? 'missing' : 'failed', `k6 ("${shownBinary}") could not start: ${exit.spawnError.message.split(binary).join(shownBinary)}`);
    }
    const cancelled = ctx.signal.aborted;
    if (exit.code !== 0 && exit.code !== 99 && !cancelled) {
        throw new K6Failure('failed', `${describeK6Exit(exit)}; no verdict can be read from it. Last output:\n${scrub(exit.tail).slice(-1500)}`);
    }
    let summary;
    let source;
    try {
        if (external_node_fs_default().existsSync(summaryPath)) {
            source = summaryPath;
            summary = parseK6SummaryText(external_node_fs_default().readFileSync(summaryPath, 'utf8'), relPath(ctx.paths.reportDir, summaryPath));
        }
        else if (external_node_fs_default().existsSync(exportPath)) {
            source = exportPath;
            summary = parseK6SummaryText(external_node_fs_default().readFileSync(exportPath, 'utf8'), relPath(ctx.paths.reportDir, exportPath));
        }
        else {
            throw new K6Failure('failed', `${describeK6Exit(exit)} but wrote no end-of-test summary (neither handleSummary's nor --summary-export's). Last output:\n${scrub(exit.tail).slice(-1500)}`);
        }
    }
    catch (err) {
        if (err instanceof K6SummaryError)
            throw new K6Failure('failed', err.message);
        throw err;
    }
    if (exit.code !== null && exit.code !== summary.expectedExitCode && !cancelled) {
        ctx.log('warn', 'load', `${describeK6Exit(exit)}, but its summary says ${summary.thresholdsPassed ? 'every threshold held; the run fails on k6\'s exit code' : 'a threshold failed; the summary\'s verdicts are used'}`);
    }
    // k6 reports no progress while it runs; one line from its summary, so a live view ends on k6's counts
    // (done) rather than on nothing.
    const reqs = summary.http_reqs?.count ?? 0;
    ctx.emit({
        type: 'progress',
        stage: 'load',
        done: reqs,
        total: schedule.total,
        failures: 0,
        errors: summary.http_req_failed?.passes ?? 0,
        ratePerSec: Math.round(summary.http_reqs?.rate ?? 0),
        ...(summary.http_req_duration?.['p(95)'] != null ? { p95Ms: Math.round(summary.http_req_duration['p(95)'] * 10) / 10 } : {}),
        dropped: summary.dropped_iterations?.count ?? 0,
        inFlight: 0,
    });
    const results = k6Thresholds(thresholds, summary);
    if (exit.code === 99 && summary.thresholdsPassed && !cancelled) {
        // k6 says a threshold was crossed, yet the summary read shows none (a wrapper k6Binary that copied
        // another runner's summary, say): the gate never passes what k6 itself failed.
        results.push({
            metric: 'k6',
            expression: 'exit code 99',
            level: 'error',
            passed: false,
            actual: null,
            note: `k6 exited with code 99 (thresholds were crossed), but ${relPath(ctx.paths.reportDir, source)} shows no failed threshold`,
        });
    }
    const dropped = summary.dropped_iterations?.count ?? null;
    return {
        generator: 'k6',
        metrics: {
            http_reqs: summary.http_reqs,
            iterations: summary.iterations,
            dropped_iterations: summary.dropped_iterations,
            http_req_duration: summary.http_req_duration,
            http_req_failed: summary.http_req_failed,
            checks: summary.checks,
        },
        thresholds: results,
        dropped,
        lagP99Ms: null,
        durationMs: summary.testRunDurationMs ?? wallMs,
        quality: null,
        timeline: [],
        histogram: [],
        k6: {
            version: version.version,
            exitCode: exit.code,
            summaryShape: summary.shape,
            summary: relPath(ctx.paths.reportDir, source),
            script: relPath(ctx.paths.reportDir, scriptPath),
            testRunDurationMs: summary.testRunDurationMs,
            note: 'k6 reports latency from the actual send time (no scheduler lag is known), and answers are only checked for a 2xx status and JSON',
        },
        cancelled,
    };
}
function groupByMetric(thresholds) {
    const out = new Map();
    for (const t of thresholds) {
        const list = out.get(t.metric) ?? [];
        // abortOnFail and delayAbortEval are k6's own: k6 aborts the test itself (and exits 99).
        list.push(t.abortOnFail ? { threshold: t.expression, abortOnFail: true, ...(t.delayAbortEval !== undefined ? { delayAbortEval: t.delayAbortEval } : {}) } : t.expression);
        out.set(t.metric, list);
    }
    return out;
}
/**
 * The thresholds with k6's verdict on each, as k6 stored it. A configured threshold k6 did not report is
 * judged here from the summary's values when they hold the statistic (else it has no verdict, a breach);
 * thresholds in the summary that were not configured here (a hand-made script) keep k6's verdict.
 */
function k6Thresholds(configured, summary) {
    const used = new Set();
    const out = configured.map((t) => {
        const key = k6MetricKey(t.metric);
        const found = summary.thresholds.find((k) => k.metric === key && k.expression === t.expression);
        const v = summary.values[key]?.[t.aggregation];
        const actual = typeof v === 'number' ? v : null;
        if (found) {
            used.add(found);
            if (found.passed && unsampledRate(summary, key)) {
                // k6 passes a threshold with nothing to judge; the gate does not (as with the built-in generator).
                return { metric: t.metric, expression: t.expression, level: t.level, passed: false, actual: null, note: 'no samples to judge (k6 passed it with none)' };
            }
            return { metric: t.metric, expression: t.expression, level: t.level, passed: found.passed, actual, note: 'verdict from k6' };
        }
        if (actual !== null) {
            return { metric: t.metric, expression: t.expression, level: t.level, passed: compare(actual, t.op, t.value), actual, note: 'judged from the k6 summary (k6 did not report this threshold)' };
        }
        return { metric: t.metric, expression: t.expression, level: t.level, passed: null, actual: null, note: 'k6 did not report this threshold and its summary lacks the value' };
    });
    for (const k of summary.thresholds) {
        if (used.has(k))
            continue;
        out.push({ metric: k.metric, expression: k.expression, level: 'error', passed: k.passed, actual: statOf(summary, k), note: 'from the k6 summary (not in load.thresholds)' });
    }
    return out;
}
/**
 * The name k6 gives a sub-metric: the threshold key with the space inside its braces trimmed
 * (metrics.AddSubmetric), so "http_req_duration{ status:200 }" is reported as "...{status:200}".
 */
function k6MetricKey(metric) {
    const open = metric.indexOf('{');
    if (open < 0 || !metric.endsWith('}'))
        return metric;
    return `${metric.slice(0, open)}{${metric.slice(open + 1, -1).trim()}}`;
}
/** A Rate metric that received no sample (passes and fails both 0): its rate is not a measurement. */
function unsampledRate(summary, key) {
    const v = summary.values[key];
    return v !== undefined && v.passes === 0 && v.fails === 0;
}
/** The value a summary threshold was judged on, when the summary holds that statistic. */
function statOf(summary, k) {
    try {
        const v = summary.values[k.metric]?.[parseExpression(k.expression).aggregation];
        return typeof v === 'number' ? v : null;
    }
    catch {
        return null; // an expression of a k6 version we do not read: k6's verdict stands alone
    }
}

;// CONCATENATED MODULE: ./src/stages/load/verdict.ts
function generatorValidity(input) {
    const reasons = [];
    if (input.dropped !== null && input.dropped > 0) {
        const cap = input.generator === 'k6' ? 'k6 had no free VU (maxVUs = load.maxInFlight)' : 'load.maxInFlight requests were in flight';
        reasons.push(`${input.dropped} request(s) were due while ${cap} and were dropped (dropped_iterations)`);
    }
    if (input.lagP99Ms !== null && input.lagP99Ms > input.maxLagMs) {
        reasons.push(`the scheduler lag p99 was ${round1(input.lagP99Ms)} ms, over load.maxSchedulerLagMs (${input.maxLagMs} ms)`);
    }
    return { valid: reasons.length === 0, reasons };
}
function describeThreshold(t) {
    const got = t.actual === null ? (t.note ?? 'no value') : `got ${verdict_round3(t.actual)}`;
    return `${t.metric} ${t.expression} (${got})`;
}
function loadVerdict(thresholds, validity) {
    const broken = thresholds.filter((t) => t.passed !== true);
    const errors = broken.filter((t) => t.level === 'error');
    const warns = broken.filter((t) => t.level === 'warn');
    const parts = [];
    if (errors.length)
        parts.push(`threshold(s) crossed: ${errors.map(describeThreshold).join('; ')}`);
    if (!validity.valid)
        parts.push(`invalid run, the generator fell behind: ${validity.reasons.join('; ')}`);
    if (warns.length)
        parts.push(`warn-level threshold(s) crossed: ${warns.map(describeThreshold).join('; ')}`);
    if (errors.length)
        return { verdict: 'FAIL', reason: parts.join('; ') };
    if (parts.length)
        return { verdict: 'WARN', reason: parts.join('; ') };
    return { verdict: 'PASS', reason: `all ${thresholds.length} threshold(s) held` };
}
function round1(x) {
    return Math.round(x * 10) / 10;
}
function verdict_round3(x) {
    return Math.round(x * 1000) / 1000;
}

;// CONCATENATED MODULE: ./src/stages/load/stage.ts







/**
 * The load stage (DESIGN §3.3, §4.3): the SIM cases as open-model traffic, from the built-in generator
 * or from k6, judged by k6-style thresholds. The report's `load` entry holds the verdict, the generator,
 * the metrics under k6 names, the thresholds and a per-second timeline; load_summary.json holds the same
 * plus the plan, error samples and the cases whose answers failed under load.
 */
const loadStage = {
    name: 'load',
    async run(ctx, prior) {
        const { settings } = ctx;
        // n shard legs must not each hammer the engine at the full rate: shard 1 runs the load for all.
        if (settings.shard && settings.shard.index !== 1) {
            return { verdict: 'SKIPPED', reason: `load runs in shard 1 of ${settings.shard.total}`, report: {} };
        }
        const load = settings.load;
        const thresholds = parseThresholds(load.thresholds, load.generator);
        const schedule = scheduleFromSettings(load);
        const suite = loadSuite(settings.sim.registry, { cwd: settings.cwd, datasets: settings.sim.datasets, tags: settings.sim.tags });
        const plan = planReport(load, schedule, suite.cases.length);
        if (suite.cases.length === 0) {
            const reason = 'no SIM cases to send (the selected datasets have none)';
            return { verdict: 'SKIPPED', reason, report: { generator: load.generator, plan } };
        }
        const pool = requestPool(suite.cases, ctx.runId);
        let data;
        try {
            data = load.generator === 'k6' ? await runK6Backend(ctx, pool, schedule, thresholds) : await runBuiltin(ctx, pool, schedule, thresholds);
        }
        catch (err) {
            if (!(err instanceof K6Failure))
                throw err;
            ctx.raise({ type: err.kind === 'missing' ? 'load-k6-missing' : 'load-k6-failed', severity: 'CRITICAL', subsystem: 'load', message: err.message });
            const report = { generator: 'k6', plan, error: err.message };
            return { verdict: 'ERROR', reason: err.message, report, summary: { runId: ctx.runId, verdict: 'ERROR', reason: err.message, ...report } };
        }
        const validity = generatorValidity({ dropped: data.dropped, lagP99Ms: data.lagP99Ms, maxLagMs: load.maxSchedulerLagMs, generator: data.generator });
        // A cancelled load says so through `partial` (the runner leads the reason with "cancelled").
        const judged = loadVerdict(data.thresholds, validity);
        const { verdict } = judged;
        const reason = data.aborted ? `aborted at ${(data.aborted.atMs / 1000).toFixed(1)} s (abortOnFail): ${judged.reason}` : judged.reason;
        const simPassRate = simRate(prior);
        raiseFindings(ctx, data, validity.reasons, simPassRate);
        const quality = data.quality ? { ...data.quality, passRate: stage_round4(data.quality.passRate), simPassRate, failingCases: data.quality.failingCases.slice(0, 20) } : null;
        const report = {
            generator: data.generator,
            valid: validity.valid,
            invalidReasons: validity.reasons,
            plan,
            durationMs: data.durationMs,
            ...(data.aborted ? { aborted: data.aborted } : {}),
            metrics: data.metrics,
            thresholds: data.thresholds,
            errors: data.errors ?? null,
            quality,
            timeline: data.timeline,
            histogram: data.histogram,
            ...(data.k6 ? { k6: data.k6 } : {}),
        };
        const summary = {
            runId: ctx.runId,
            verdict,
            // load_summary.json is written as is (the runner marks only the report's entry partial), so it
            // says itself that the load was cut short, in the words the report uses.
            reason: data.cancelled ? `cancelled, partial results: ${reason}` : reason,
            ...(data.cancelled ? { cancelled: true } : {}),
            ...report,
            ...(data.transport ? { transport: data.transport } : {}),
            sent: data.sent ?? null,
            interrupted: data.interrupted ?? 0,
            maxInFlightSeen: data.maxInFlightSeen ?? null,
            errorSamples: data.errorSamples ?? {},
            quality: data.quality ? { ...quality, failingCases: data.quality.failingCases } : null,
        };
        return { verdict, reason, report, summary, ...(data.cancelled ? { partial: true } : {}) };
    },
};
function planReport(load, schedule, cases) {
    return {
        executor: schedule.executor,
        ...(schedule.executor === 'constant-arrival-rate' ? { rate: load.rate, duration: load.duration } : { startRate: load.startRate, stages: load.stages }),
        durationMs: schedule.durationMs,
        requests: schedule.total,
        cases,
        maxInFlight: load.maxInFlight,
        timeoutMs: load.timeoutMs,
        maxSchedulerLagMs: load.maxSchedulerLagMs,
    };
}
function simRate(prior) {
    const sim = prior.sim;
    if (!sim || sim.verdict === 'SKIPPED' || sim.verdict === 'ERROR')
        return null;
    const r = sim.report.passRate;
    return typeof r === 'number' ? r : null;
}
function raiseFindings(ctx, data, invalid, simPassRate) {
    // An engine process that exits under load is the same event SIM reports as engine-died: everything
    // after it is a failed request, and http_req_failed alone would not say why.
    const exits = data.errors?.process_exit ?? 0;
    if (exits > 0) {
        ctx.raise({
            type: 'engine-died',
            severity: 'CRITICAL',
            subsystem: 'engine',
            message: `engine process exited under load; ${exits} request(s) failed with it: ${data.errorSamples?.process_exit ?? 'no message'}`,
        });
    }
    if (invalid.length > 0) {
        ctx.raise({
            type: 'load-generator-behind',
            severity: 'HIGH',
            subsystem: 'load',
            message: `load run invalid (${data.generator} generator fell behind): ${invalid.join('; ')}`,
        });
    }
    for (const t of data.thresholds) {
        if (t.passed === true)
            continue;
        ctx.raise({
            type: 'load-threshold-failed',
            severity: t.level === 'error' ? 'HIGH' : 'MEDIUM',
            subsystem: 'load',
            message: `load threshold crossed (${t.level}): ${describeThreshold(t)}`,
        });
    }
    const q = data.quality;
    if (q && q.failed > 0 && (simPassRate === null || q.passRate < simPassRate)) {
        const worst = q.failingCases[0];
        const beside = simPassRate === null ? '' : ` (SIM: ${pct(simPassRate)})`;
        ctx.raise({
            type: 'load-answers-failed',
            severity: 'MEDIUM',
            subsystem: 'load',
            message: `under load ${pct(q.passRate)} of ${q.checked} answers passed their assertions${beside}` +
                (worst ? `; worst: ${worst.dataset}/${worst.id} failed ${worst.failed}/${worst.checked}${worst.firstFailure ? ` (${worst.firstFailure})` : ''}` : ''),
            ...(worst ? { caseId: worst.id, location: worst.location } : {}),
        });
    }
}
function pct(x) {
    return `${Math.round(x * 1000) / 10}%`;
}
function stage_round4(x) {
    return Math.round(x * 1e4) / 1e4;
}

;// CONCATENATED MODULE: ./src/stages/pipeline/types.ts
/** Every check of the pipeline checker, in report order. */
const CHECK_NAMES = [
    'profile-shape',
    'answer-shape',
    't1-present',
    't2-audit',
    't3-evidence',
    'tier-consistency',
    'confidence-range',
    'confidence-floor',
    'contradiction-density',
    'opus-escalations',
    'escalation-rate',
    'latency-p95',
    'latency-outliers',
];
/** Checks judged on each answer; the rest are judged over the run. */
const ANSWER_CHECKS = [
    'answer-shape',
    't1-present',
    't2-audit',
    't3-evidence',
    'tier-consistency',
    'confidence-range',
    'confidence-floor',
    'contradiction-density',
];
/**
 * Default levels. Broken tiers, a confidence off its scale, self-contradiction and runaway escalation
 * keep a build from shipping (error); SIM latency is measured under SIM's own concurrency, not a load
 * model, so it warns; single outliers are LOW events only.
 */
const DEFAULT_LEVELS = {
    'profile-shape': 'warn',
    'answer-shape': 'error',
    't1-present': 'error',
    't2-audit': 'error',
    't3-evidence': 'error',
    'tier-consistency': 'error',
    'confidence-range': 'error',
    'confidence-floor': 'error',
    'contradiction-density': 'error',
    'opus-escalations': 'error',
    'escalation-rate': 'error',
    'latency-p95': 'warn',
    'latency-outliers': 'info',
};
/** The WAR ROOM severity a failing check raises at each level. */
const LEVEL_SEVERITY = { error: 'HIGH', warn: 'MEDIUM', info: 'LOW' };
function levelOf(name, levels) {
    return levels[name] ?? DEFAULT_LEVELS[name];
}
/** The finding type of a check (key into the WAR ROOM catalogue). */
function findingType(name) {
    return `pipeline-${name}`;
}

;// CONCATENATED MODULE: ./src/stages/pipeline/data.ts

const KEEP_FAILURES = 50;
function exportPipelineData(d) {
    return {
        version: 1,
        options: d.options,
        observed: d.observed,
        engineErrors: d.engineErrors,
        checked: d.checked,
        picked: d.picked,
        pickedBy: d.pickedBy,
        unrecognisedUnchecked: d.unrecognisedUnchecked,
        unrecognisedAfterPick: d.unrecognisedAfterPick,
        switches: d.switches,
        firstSwitch: d.firstSwitch,
        forms: d.forms,
        tallies: Object.fromEntries([...d.tallies].map(([name, t]) => [name, { checked: t.checked, failed: t.failed, na: t.na, failedCases: [...t.failedCases], failures: t.failures }])),
        escalations: d.escalations,
        undeclaredEscalationCases: d.undeclaredEscalationCases,
        contradictions: d.contradictions,
        confidence: { n: d.confidence.n, sum: d.confidence.sum, min: d.confidence.n ? d.confidence.min : null, max: d.confidence.n ? d.confidence.max : null },
        latencies: d.latencies,
        latencyCase: d.latencyCase,
        engineLatencies: d.engineLatencies,
        cases: [...d.cases].map(([i, c]) => [i, { id: c.id, dataset: c.dataset, location: c.location }]),
    };
}
function importPipelineData(j) {
    if (!j || j.version !== 1)
        throw new Error('pipeline shard data: unknown version');
    const tallies = new Map();
    for (const name of ANSWER_CHECKS) {
        const t = j.tallies[name] ?? { checked: 0, failed: 0, na: 0, failedCases: [], failures: [] };
        tallies.set(name, { checked: t.checked, failed: t.failed, na: t.na, failedCases: new Set(t.failedCases), failures: [...t.failures] });
    }
    return {
        options: j.options,
        observed: j.observed,
        engineErrors: j.engineErrors,
        checked: j.checked,
        picked: j.picked,
        pickedBy: j.pickedBy,
        unrecognisedUnchecked: j.unrecognisedUnchecked,
        unrecognisedAfterPick: j.unrecognisedAfterPick,
        switches: { ...j.switches },
        firstSwitch: j.firstSwitch,
        forms: { ...j.forms },
        tallies,
        escalations: { ...j.escalations, undeclaredCases: [...j.escalations.undeclaredCases] },
        undeclaredEscalationCases: [...j.undeclaredEscalationCases],
        contradictions: { ...j.contradictions },
        confidence: { n: j.confidence.n, sum: j.confidence.sum, min: j.confidence.min ?? Infinity, max: j.confidence.max ?? -Infinity },
        latencies: [...j.latencies],
        latencyCase: [...j.latencyCase],
        engineLatencies: [...j.engineLatencies],
        cases: new Map(j.cases),
    };
}
/**
 * The union of several shards' tallies: counts add up, lists concatenate (in suite order where a list
 * names cases, as an unsharded run that answered in suite order would have them), min/max combine.
 * What depends on the arrival order of answers (which answer picked the profile) takes the shard
 * whose pick came from the earliest case.
 */
function mergePipelineData(parts) {
    if (parts.length === 0)
        throw new Error('mergePipelineData: nothing to merge');
    const sum = (f) => parts.reduce((n, d) => n + f(d), 0);
    const picks = parts.filter((d) => d.picked !== null).sort((a, b) => (a.pickedBy ?? Infinity) - (b.pickedBy ?? Infinity));
    const first = picks[0] ?? null;
    const switches = {};
    const forms = {};
    for (const d of parts) {
        for (const [k, n] of Object.entries(d.switches))
            switches[k] = (switches[k] ?? 0) + (n ?? 0);
        for (const [k, n] of Object.entries(d.forms))
            forms[k] = (forms[k] ?? 0) + n;
    }
    // A shard that picked another profile than the first pick: its answers are switches of the run.
    for (const d of picks.slice(1)) {
        if (d.picked !== first.picked)
            switches[d.picked] = (switches[d.picked] ?? 0) + 1;
    }
    const switchList = parts.map((d) => d.firstSwitch).filter((x) => x !== null);
    for (const d of picks.slice(1))
        if (d.picked !== first.picked)
            switchList.push({ caseIndex: d.pickedBy, to: d.picked });
    switchList.sort((a, b) => a.caseIndex - b.caseIndex);
    const tallies = new Map();
    for (const name of ANSWER_CHECKS) {
        const ts = parts.map((d) => d.tallies.get(name)).filter((t) => t !== undefined);
        const failedCases = [...new Set(ts.flatMap((t) => [...t.failedCases]))].sort((a, b) => a - b);
        const failures = ts.flatMap((t) => t.failures).sort((a, b) => a.caseIndex - b.caseIndex || a.repeat - b.repeat).slice(0, KEEP_FAILURES);
        tallies.set(name, {
            checked: ts.reduce((n, t) => n + t.checked, 0),
            failed: ts.reduce((n, t) => n + t.failed, 0),
            na: ts.reduce((n, t) => n + t.na, 0),
            failedCases: new Set(failedCases),
            failures,
        });
    }
    const cases = new Map();
    for (const d of parts)
        for (const [i, c] of d.cases)
            cases.set(i, c);
    const undeclared = parts.flatMap((d) => d.undeclaredEscalationCases).sort((a, b) => a - b);
    const lat = parts.flatMap((d) => d.latencies.map((ms, k) => ({ ms, c: d.latencyCase[k] })));
    return {
        options: parts[0].options,
        observed: sum((d) => d.observed),
        engineErrors: sum((d) => d.engineErrors),
        checked: sum((d) => d.checked),
        picked: first?.picked ?? null,
        pickedBy: first?.pickedBy ?? null,
        unrecognisedUnchecked: sum((d) => d.unrecognisedUnchecked),
        unrecognisedAfterPick: sum((d) => d.unrecognisedAfterPick),
        switches,
        firstSwitch: switchList[0] ?? null,
        forms,
        tallies,
        escalations: {
            answers: sum((d) => d.escalations.answers),
            escalated: sum((d) => d.escalations.escalated),
            declared: sum((d) => d.escalations.declared),
            declaredCases: sum((d) => d.escalations.declaredCases),
            undeclaredCases: undeclared.map((i) => `${cases.get(i).dataset}/${cases.get(i).id}`),
        },
        undeclaredEscalationCases: undeclared,
        contradictions: {
            measured: sum((d) => d.contradictions.measured),
            total: sum((d) => d.contradictions.total),
            max: Math.max(0, ...parts.map((d) => d.contradictions.max)),
            declaredOver: sum((d) => d.contradictions.declaredOver),
            undeclaredOver: sum((d) => d.contradictions.undeclaredOver),
            unreadable: sum((d) => d.contradictions.unreadable ?? 0),
        },
        confidence: {
            n: sum((d) => d.confidence.n),
            sum: sum((d) => d.confidence.sum),
            min: Math.min(Infinity, ...parts.map((d) => d.confidence.min)),
            max: Math.max(-Infinity, ...parts.map((d) => d.confidence.max)),
        },
        latencies: lat.map((x) => x.ms),
        latencyCase: lat.map((x) => x.c),
        engineLatencies: parts.flatMap((d) => d.engineLatencies),
        cases,
    };
}

;// CONCATENATED MODULE: ./src/stages/pipeline/answer-checks.ts
const ok = (name) => ({ name, status: 'ok' });
const na = (name) => ({ name, status: 'na' });
const fail = (name, message) => ({ name, status: 'fail', message });
function answer_checks_text(v) {
    return typeof v === 'string' && v.trim() !== '';
}
function checkT1(v, p, minModels) {
    const name = 't1-present';
    if (p.exposes.t1 === false)
        return na(name);
    const t1 = v.t1;
    if (!t1)
        return fail(name, `tier 1 is missing (${p.where.t1} absent)`);
    if (t1.malformed)
        return fail(name, `tier 1 is malformed: ${t1.malformed}`);
    if (t1.outputs) {
        const bad = [];
        const models = new Set();
        t1.outputs.forEach((o, i) => {
            const missing = [answer_checks_text(o.model) ? null : 'model', answer_checks_text(o.output) ? null : 'output'].filter(Boolean);
            if (missing.length)
                bad.push(`${t1.pointer}/${i} has no ${missing.join(' and no ')}`);
            else
                models.add(o.model);
        });
        if (bad.length)
            return fail(name, `tier 1 is malformed: ${bad.slice(0, 3).join('; ')}${bad.length > 3 ? `; +${bad.length - 3} more` : ''}`);
        if (models.size < minModels)
            return fail(name, `tier 1 has outputs from ${models.size} model(s), fewer than ${minModels}`);
        return ok(name);
    }
    if (t1.responders === null)
        return fail(name, `tier 1 reports no responder count (${t1.pointer})`);
    if (t1.responders < minModels)
        return fail(name, `tier 1 has ${t1.responders} responder(s), fewer than ${minModels}`);
    const r = t1.representative;
    if (r && (!answer_checks_text(r.model) || !answer_checks_text(r.output)))
        return fail(name, `the consensus names no ${!answer_checks_text(r.model) ? 'model' : 'output'}`);
    return ok(name);
}
function checkT2(v, p) {
    const name = 't2-audit';
    if (!p.exposes.t2Audit)
        return na(name);
    // Without a tier path the audit is expected whenever the profile has one.
    const ran = v.tierPath ? v.tierPath.includes('T2') : true;
    if (!ran)
        return ok(name);
    if (!v.t2)
        return fail(name, `the tier path says T2 ran, but its audit is missing or empty (${p.where.t2})`);
    if (v.t2.malformed)
        return fail(name, `the T2 audit is malformed: ${v.t2.malformed}`);
    return ok(name);
}
function checkT3(v, p) {
    const name = 't3-evidence';
    if (!p.exposes.t3Evidence)
        return na(name);
    const t3 = v.t3;
    if (!t3)
        return fail(name, `the evidence tier is missing (${p.where.t3} absent)`);
    if (t3.items + t3.sources > 0 || (t3.summary !== undefined && answer_checks_text(t3.summary)))
        return ok(name);
    return fail(name, `the evidence tier holds no items and no sources (${t3.pointer})`);
}
function checkTierConsistency(v, p) {
    const name = 'tier-consistency';
    if (!p.exposes.tierConsistency)
        return na(name);
    const opus = v.opusEscalated;
    if (opus === null)
        return fail(name, `the answer does not say whether Opus ran (${p.where.opusEscalated} is not a known value)`);
    const why = [];
    if (v.judicial !== null && v.judicial !== opus) {
        why.push(opus ? `Opus was used but there is no judicial (tier-4) result (${p.where.judicial} empty)` : `a judicial (tier-4) result is present (${p.where.judicial}) but Opus was not used`);
    }
    if (v.tierPathHasT4 !== null && v.tierPathHasT4 !== opus) {
        why.push(opus ? `Opus was used but the tier path has no T4 (${JSON.stringify(v.tierPath)})` : `the tier path has T4 (${JSON.stringify(v.tierPath)}) but Opus was not used`);
    }
    const a = v.agreement;
    if (a && a.share < a.arbitrateBelow && !opus) {
        why.push(`agreement ${a.text} (${a.pointer}) is below ${a.arbitrateBelow}, but the answer was not arbitrated (tier 4 did not run)`);
    }
    return why.length ? fail(name, why.join('; ')) : ok(name);
}
function scaleText(scale) {
    return scale === 100 ? '0-100' : '0..1';
}
/** confidence-range, then confidence-floor (only judged when the value is a number on its scale). */
function checkConfidence(v, p, minConfidence) {
    if (!p.exposes.confidence)
        return [na('confidence-range'), na('confidence-floor')];
    if (v.confidenceRaw === undefined)
        return [fail('confidence-range', `the confidence is missing (${v.confidencePointer} absent)`)];
    if (v.confidence === null)
        return [fail('confidence-range', `the confidence ${v.confidencePointer} is not a number (${JSON.stringify(v.confidenceRaw)})`)];
    const c = v.confidence;
    if (c < 0 || c > 1) {
        return [
            fail('confidence-range', `confidence ${String(v.confidenceRaw)} on the declared ${scaleText(v.confidenceScale)} scale is ${round(c)} after normalisation, outside [0, 1]`),
        ];
    }
    const floor = c < minConfidence ? fail('confidence-floor', `confidence ${round(c)} (${String(v.confidenceRaw)} on ${scaleText(v.confidenceScale)}) is below the floor ${minConfidence}`) : ok('confidence-floor');
    return [ok('confidence-range'), floor];
}
function checkContradictions(v, p, max, declared) {
    const name = 'contradiction-density';
    if (!p.exposes.contradictions)
        return na(name);
    if (v.contradictionsProblem)
        return fail(name, v.contradictionsProblem);
    if (v.contradictions === null)
        return na(name);
    if (v.contradictions < max || declared)
        return ok(name);
    return fail(name, `${v.contradictions} contradictions in one answer (limit: fewer than ${max}; the case's dataset does not declare them)`);
}
/** Every per-answer check, in report order. */
function checkAnswer(v, p, t, declared) {
    if (v.shapeProblems.length > 0) {
        return [fail('answer-shape', `not a ${v.profile} answer: ${v.shapeProblems.join('; ')}`)];
    }
    return [
        ok('answer-shape'),
        checkT1(v, p, t.minT1Models),
        checkT2(v, p),
        checkT3(v, p),
        checkTierConsistency(v, p),
        ...checkConfidence(v, p, t.minConfidence),
        checkContradictions(v, p, t.maxContradictions, declared.contradictions),
    ];
}
function round(x) {
    return Math.round(x * 1e4) / 1e4;
}

;// CONCATENATED MODULE: ./src/stages/pipeline/declared.ts



/** The case's pins: error-level, not negated `equals` assertions with a path. */
function casePins(c) {
    const out = [];
    for (const a of c.assert) {
        if (a.type !== 'equals' || a.level === 'warn' || typeof a.path !== 'string' || a.value === undefined)
            continue;
        try {
            out.push({ pointer: a.path, segments: json_source_pointerToSegments(a.path), value: a.value });
        }
        catch {
            // a malformed pointer is SIM's error to report
        }
    }
    return out;
}
/**
 * The parts of `body` that the pins hold, in a body of their own: every pin the answer matches puts
 * the answer's value at its pointer, inside fresh containers of the answer's kinds (a list stays a
 * list, so index pins land where the profile looks). Nothing else of the answer is there. Null when
 * no pin holds. The answer's own values are referenced, never written to.
 */
function pinnedPart(pins, body) {
    // A pin on the whole answer ("path": "") holds all of it.
    if (pins.some((p) => p.segments.length === 0 && jsonEqual(body, p.value)))
        return body;
    // Shallow pins first: a deeper pin under a placed value is already inside it.
    const held = pins.filter((p) => p.segments.length > 0 && jsonEqual(at(body, p.pointer), p.value)).sort((a, b) => a.segments.length - b.segments.length);
    if (held.length === 0)
        return null;
    const placed = new Set();
    const root = Array.isArray(body) ? [] : {};
    for (const pin of held) {
        let mine = root;
        let theirs = body;
        const last = pin.segments.length - 1;
        for (let i = 0; i <= last; i++) {
            const seg = pin.segments[i];
            const next = Array.isArray(theirs) ? theirs[seg] : theirs[String(seg)];
            const existing = Array.isArray(mine) ? mine[seg] : mine[String(seg)];
            if (placed.has(existing))
                break; // an ancestor was pinned whole
            if (i === last) {
                put(mine, seg, next);
                placed.add(next);
                break;
            }
            let child = existing;
            if (child === undefined)
                put(mine, seg, (child = Array.isArray(next) ? [] : {}));
            mine = child;
            theirs = next;
        }
    }
    return root;
}
function put(container, seg, value) {
    if (Array.isArray(container))
        container[seg] = value;
    else
        container[String(seg)] = value;
}
function expectsEscalation(c) {
    const e = c.expected;
    return !!e && (e.opus_used === true || e.opusEscalated === true);
}
/** `expected.contradictions` when it is a number. */
function expectedContradictions(c) {
    const n = c.expected?.contradictions;
    return typeof n === 'number' && Number.isFinite(n) ? n : null;
}
/** An escalation as any part of a view shows it: the flag, the judicial result, a tier 4 on the path. */
function showsEscalation(v) {
    return v.opusEscalated === true || v.judicial === true || v.tierPathHasT4 === true;
}
/** What this answer's case declares, judged against this answer (`view`: the profile's view of it). */
function declaredFor(c, pins, profile, body, view) {
    const expectedN = expectedContradictions(c);
    const byExpected = { escalation: expectsEscalation(c), contradictions: expectedN !== null && view.contradictions !== null && view.contradictions <= expectedN };
    if ((byExpected.escalation && byExpected.contradictions) || pins.length === 0)
        return byExpected;
    const part = pinnedPart(pins, body);
    if (part === null || (isRecord(part) && Object.keys(part).length === 0))
        return byExpected;
    let pinned;
    try {
        pinned = profile.view(part);
    }
    catch {
        return byExpected; // a view that cannot read a partial body declares nothing
    }
    const shown = pinned.contradictions;
    return {
        escalation: byExpected.escalation || showsEscalation(pinned),
        contradictions: byExpected.contradictions || (shown !== null && shown > 0 && view.contradictions !== null && view.contradictions <= shown),
    };
}

;// CONCATENATED MODULE: ./src/stages/pipeline/collector.ts




/**
 * Watches every SIM answer as it arrives (an AnswerObserver), maps it through its profile, runs the
 * per-answer checks at once and keeps only tallies and a bounded list of failures: never the bodies,
 * so a 100k-answer run costs a few numbers per answer.
 */
/** Failures kept per check (for findings and the summary); the counts stay exact beyond it. */
const collector_KEEP_FAILURES = 50;
class PipelineCollector {
    name = 'pipeline';
    options;
    observed = 0;
    engineErrors = 0;
    /** Answers run through the per-answer checks. */
    checked = 0;
    /** auto: the profile the first recognised answer picked, and where. */
    picked = null;
    pickedBy = null;
    /** auto: answers before any recognised one (not checked: no profile to read them with). */
    unrecognisedUnchecked = 0;
    /** auto: later answers of no known shape (checked with the picked profile). */
    unrecognisedAfterPick = 0;
    /** auto: answers of another known shape than the picked one, by shape; and the first one. */
    switches = {};
    firstSwitch = null;
    forms = {};
    tallies = new Map(ANSWER_CHECKS.map((n) => [n, { checked: 0, failed: 0, na: 0, failedCases: new Set(), failures: [] }]));
    escalations = { answers: 0, escalated: 0, declared: 0, undeclaredCases: [], declaredCases: 0 };
    /** Case indices of `escalations.undeclaredCases`, same order. */
    undeclaredEscalationCases = [];
    undeclaredSeen = new Set();
    declaredSeen = new Set();
    contradictions = { measured: 0, total: 0, max: 0, declaredOver: 0, undeclaredOver: 0, unreadable: 0 };
    confidence = { n: 0, sum: 0, min: Infinity, max: -Infinity };
    /** Client-side latencies of the answers that came back, and each one's case. */
    latencies = [];
    latencyCase = [];
    engineLatencies = [];
    /** Every case seen (SIM holds these objects anyway), for labels and dataset locations. */
    cases = new Map();
    pins = new Map();
    constructor(options) {
        this.options = options;
    }
    observe(o) {
        this.observed++;
        this.cases.set(o.caseIndex, o.case);
        if (!o.result.ok) {
            this.engineErrors++;
            return;
        }
        this.latencies.push(o.result.latencyMs);
        this.latencyCase.push(o.caseIndex);
        const body = o.result.body;
        const profile = this.profileOf(body, o.caseIndex);
        if (!profile)
            return;
        this.check(profile, body, o);
    }
    /** Which profile reads this answer; null when none can (auto, before any known shape). */
    profileOf(body, caseIndex) {
        const { profile, custom } = this.options;
        if (profile !== 'auto')
            return profileFor(profile, body, custom);
        const detected = detectProfile(body);
        if (this.picked === null) {
            if (!detected) {
                this.unrecognisedUnchecked++;
                return null;
            }
            this.picked = detected;
            this.pickedBy = caseIndex;
            return PROFILES[detected];
        }
        if (detected === null) {
            // Checked as the picked generation: its answer-shape check says what is missing.
            this.unrecognisedAfterPick++;
            return PROFILES[this.picked];
        }
        if (detected !== this.picked) {
            this.switches[detected] = (this.switches[detected] ?? 0) + 1;
            this.firstSwitch ??= { caseIndex, to: detected };
        }
        return PROFILES[detected];
    }
    check(profile, body, o) {
        this.checked++;
        const { thresholds } = this.options;
        const view = profile.view(body);
        if (view.form)
            this.forms[view.form] = (this.forms[view.form] ?? 0) + 1;
        let pins = this.pins.get(o.caseIndex);
        if (!pins)
            this.pins.set(o.caseIndex, (pins = casePins(o.case)));
        const declared = declaredFor(o.case, pins, profile, body, view);
        for (const r of checkAnswer(view, profile, thresholds, declared)) {
            const t = this.tallies.get(r.name);
            if (r.status === 'na') {
                t.na++;
                continue;
            }
            t.checked++;
            if (r.status === 'fail') {
                t.failed++;
                t.failedCases.add(o.caseIndex);
                if (t.failures.length < collector_KEEP_FAILURES)
                    t.failures.push({ caseIndex: o.caseIndex, repeat: o.repeat, message: r.message });
            }
        }
        if (view.shapeProblems.length > 0)
            return;
        if (view.opusEscalated !== null) {
            const e = this.escalations;
            e.answers++;
            if (view.opusEscalated) {
                e.escalated++;
                if (declared.escalation) {
                    e.declared++;
                    if (!this.declaredSeen.has(o.caseIndex)) {
                        this.declaredSeen.add(o.caseIndex);
                        e.declaredCases++;
                    }
                }
                else if (!this.undeclaredSeen.has(o.caseIndex)) {
                    this.undeclaredSeen.add(o.caseIndex);
                    this.undeclaredEscalationCases.push(o.caseIndex);
                    e.undeclaredCases.push(labelOf(o.case));
                }
            }
        }
        if (profile.exposes.contradictions && view.contradictionsProblem)
            this.contradictions.unreadable++;
        else if (profile.exposes.contradictions && view.contradictions !== null) {
            const c = this.contradictions;
            c.measured++;
            c.total += view.contradictions;
            c.max = Math.max(c.max, view.contradictions);
            if (view.contradictions >= thresholds.maxContradictions) {
                if (declared.contradictions)
                    c.declaredOver++;
                else
                    c.undeclaredOver++;
            }
        }
        if (view.confidence !== null) {
            const k = this.confidence;
            k.n++;
            k.sum += view.confidence;
            k.min = Math.min(k.min, view.confidence);
            k.max = Math.max(k.max, view.confidence);
        }
        if (view.engineLatencyMs !== null)
            this.engineLatencies.push(view.engineLatencyMs);
    }
}
function labelOf(c) {
    return `${c.dataset}/${c.id}`;
}

;// CONCATENATED MODULE: ./src/stages/pipeline/stats.ts
/** Order statistics for the latency checks (plain arrays: a SIM run holds at most a few 100k numbers). */
function stats_sortedCopy(values) {
    return Float64Array.from(values).sort();
}
/** Nearest-rank quantile of sorted values (q in [0, 1]): never below the real q-th value. NaN when empty. */
function quantileSorted(sorted, q) {
    const n = sorted.length;
    if (n === 0)
        return NaN;
    const rank = Math.min(n, Math.max(1, Math.ceil(q * n)));
    return sorted[rank - 1];
}
function medianSorted(sorted) {
    const n = sorted.length;
    if (n === 0)
        return NaN;
    const mid = n >> 1;
    return n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
/** Median absolute deviation around the median (unscaled). */
function madSorted(sorted, median) {
    const dev = new Float64Array(sorted.length);
    for (let i = 0; i < sorted.length; i++)
        dev[i] = Math.abs(sorted[i] - median);
    return medianSorted(dev.sort());
}

;// CONCATENATED MODULE: ./src/stages/pipeline/run-checks.ts

function undeclaredAnswers(t) {
    return t.escalated - t.declared;
}
/** Answers the rate is taken over: those whose case does not declare the escalation they made. */
function rateBase(t) {
    return t.answers - t.declared;
}
function escalationRate(t) {
    const base = rateBase(t);
    return base > 0 ? undeclaredAnswers(t) / base : null;
}
const list = (cases, n = 5) => cases.slice(0, n).join(', ') + (cases.length > n ? `, +${cases.length - n} more` : '');
function checkOpusEscalations(t, max) {
    const n = t.undeclaredCases.length;
    const declared = t.declared > 0 ? `; ${t.declared} escalated answer(s) in ${t.declaredCases} case(s) declared by their datasets, not counted` : '';
    const base = { checked: t.answers, failed: n, cases: t.undeclaredCases.slice(0, 10) };
    if (n > max) {
        return { ok: false, ...base, detail: `${n} cases escalated to Opus without their dataset declaring it, more than ${max}: ${list(t.undeclaredCases)}${declared}` };
    }
    return { ok: true, ...base, detail: `${n} undeclared Opus escalation(s) (limit ${max})${n ? `: ${list(t.undeclaredCases)}` : ''}${declared}` };
}
function checkEscalationRate(t, ceiling, minAnswers) {
    const base = rateBase(t);
    const rate = escalationRate(t);
    const u = undeclaredAnswers(t);
    const shown = rate === null ? 'n/a' : `${run_checks_round(rate * 100, 2)}%`;
    if (base < minAnswers) {
        return { ok: true, na: true, checked: base, failed: u, detail: `${u}/${base} undeclared escalations (${shown}): fewer than ${minAnswers} answers, the rate is not gated (the count limit applies)` };
    }
    const ok = (rate ?? 0) <= ceiling;
    return {
        ok,
        checked: base,
        failed: u,
        detail: `${u}/${base} answers escalated to Opus undeclared (${shown}), ceiling ${run_checks_round(ceiling * 100, 2)}%`,
    };
}
function contradictionSummary(t, limit) {
    const mean = t.measured > 0 ? t.total / t.measured : null;
    const unreadable = t.unreadable ?? 0; // shard data written before the field
    const unreadableText = unreadable > 0 ? `${unreadable} answer(s) with no readable contradiction count (missing or not a number)` : '';
    if (mean === null) {
        if (unreadable > 0)
            return { ok: false, mean, checked: unreadable, failed: unreadable, detail: unreadableText };
        return { ok: true, na: true, mean, checked: 0, failed: 0, detail: 'not applicable: the answers report no contradiction count' };
    }
    const meanText = `mean ${run_checks_round(mean, 3)} per answer, max ${t.max}`;
    const declared = t.declaredOver > 0 ? `; ${t.declaredOver} answer(s) at or over it declared by their datasets` : '';
    return {
        ok: t.undeclaredOver === 0 && unreadable === 0,
        mean,
        checked: t.measured + unreadable,
        failed: t.undeclaredOver + unreadable,
        detail: `${meanText}; ${t.undeclaredOver} answer(s) with ${limit} or more (limit: fewer than ${limit})${declared}${unreadableText ? `; ${unreadableText}` : ''}`,
    };
}
function summariseLatency(latencies, t) {
    const s = stats_sortedCopy(latencies);
    if (s.length === 0)
        return { count: 0, p50: null, p95: null, max: null, median: null, mad: null, outlierAboveMs: null };
    const median = medianSorted(s);
    const mad = madSorted(s, median);
    return {
        count: s.length,
        p50: run_checks_round(quantileSorted(s, 0.5), 3),
        p95: run_checks_round(quantileSorted(s, 0.95), 3),
        max: run_checks_round(s[s.length - 1], 3),
        median: run_checks_round(median, 3),
        mad: run_checks_round(mad, 3),
        // k x MAD alone flags sub-millisecond jitter of a local engine (and anything at all when MAD is 0).
        outlierAboveMs: run_checks_round(median + Math.max(t.latencyOutlierK * mad, t.latencyOutlierMinMs), 3),
    };
}
function checkLatencyP95(l, limitMs) {
    if (l.p95 === null)
        return { ok: true, na: true, checked: 0, detail: 'no SIM latencies to judge' };
    const ok = l.p95 <= limitMs;
    return { ok, checked: l.count, detail: `p95 of ${l.count} SIM latencies ${l.p95} ms (p50 ${l.p50}, max ${l.max}); limit ${limitMs} ms` };
}
/** Fewer answers than this and a median/MAD says nothing about single outliers. */
const MIN_OUTLIER_SAMPLE = 8;
function findOutliers(latencies, l) {
    if (l.outlierAboveMs === null || latencies.length < MIN_OUTLIER_SAMPLE)
        return [];
    const out = [];
    for (let i = 0; i < latencies.length; i++)
        if (latencies[i] > l.outlierAboveMs)
            out.push({ index: i, latencyMs: latencies[i] });
    return out;
}
function run_checks_round(x, digits) {
    const f = 10 ** digits;
    return Math.round(x * f) / f;
}

;// CONCATENATED MODULE: ./src/stages/pipeline/stage.ts




/**
 * The pipeline checker (DESIGN §3.3, §3.5): structural invariants of every SIM answer, read through its
 * Toron generation's profile, plus run-level budgets (Opus escalations, contradiction density, latency).
 * It judges what SIM streamed to its observer; it sends no requests of its own.
 */
/** Findings raised per check at most; the check's detail and the summary keep the full counts. */
const MAX_FINDINGS_PER_CHECK = 10;
function thresholdsOf(p) {
    return {
        maxOpusEscalations: p.maxOpusEscalations,
        maxContradictions: p.maxContradictions,
        minConfidence: p.minConfidence,
        latencyP95Ms: p.latencyP95Ms,
        maxEscalationRate: p.maxEscalationRate,
        escalationRateMinAnswers: p.escalationRateMinAnswers,
        minT1Models: p.minT1Models,
        latencyOutlierK: p.latencyOutlierK,
        latencyOutlierMinMs: p.latencyOutlierMinMs,
    };
}
/** pipeline.profile wins; its `auto` follows the engine's profile (itself `auto`: detect by shape). */
function effectiveProfile(settings) {
    return settings.pipeline.profile !== 'auto' ? settings.pipeline.profile : settings.engine.profile;
}
const pipelineStage = {
    name: 'pipeline',
    observeAnswers(ctx) {
        const { settings } = ctx;
        return new PipelineCollector({ profile: effectiveProfile(settings), custom: settings.pipeline.custom, thresholds: thresholdsOf(settings.pipeline) });
    },
    async run(ctx) {
        const { settings } = ctx;
        if (!settings.stages.includes('sim')) {
            return skipped('the pipeline checker judges the answers SIM gets: add sim to --stages');
        }
        const collector = ctx.answerObservers.find((o) => o instanceof PipelineCollector);
        if (!collector)
            return skipped('no answers were observed');
        const why = pipelineSkipReason(collector);
        if (why !== null) {
            ctx.log('warn', 'pipeline', `pipeline checks skipped: ${why}`);
            // Answers came, but none could be read: the structural gate did not run, and a PR should hear it
            // (no answers, or only engine errors, are SIM's findings already).
            if (collector.checked === 0 && collector.observed > collector.engineErrors) {
                ctx.raise({ type: 'pipeline-unchecked', severity: 'MEDIUM', subsystem: 'pipeline', message: `pipeline checks did not run: ${why}` });
            }
            const s = skipped(why);
            // merge judges a sharded run's budgets on all shards' answers: even an empty shard hands its tallies on.
            if (ctx.settings.shard)
                s.summary = { runId: ctx.runId, ...s.report, shardData: exportPipelineData(collector) };
            return s;
        }
        const { result, findings } = judgePipeline(collector, { runId: ctx.runId, settings: ctx.settings });
        for (const f of findings)
            ctx.raise(f);
        if (ctx.settings.shard)
            result.summary = { ...result.summary, shardData: exportPipelineData(collector) };
        return result;
    },
};
/** Why there is nothing to judge (null: there is). */
function pipelineSkipReason(c) {
    if (c.checked > 0)
        return null;
    return c.observed === 0
        ? 'SIM produced no answers'
        : c.observed === c.engineErrors
            ? `all ${c.observed} SIM attempts were engine errors`
            : `none of the ${c.observed - c.engineErrors} answers has a known Toron shape; set pipeline.profile (or "custom" with pipeline.custom pointers) to check this engine`;
}
function skipped(reason) {
    return { verdict: 'SKIPPED', reason, report: { verdict: 'SKIPPED', reason } };
}
/** The checker's verdict, report, summary and findings from its tallies. Pure (merge calls it on the union of shards). */
function judgePipeline(c, env) {
    const p = env.settings.pipeline;
    const findings = [];
    const t = c.options.thresholds;
    const caseOf = (i) => c.cases.get(i);
    const judged = [];
    judged.push(profileShape(c, caseOf));
    for (const name of CHECK_NAMES) {
        const tally = c.tallies.get(name);
        if (!tally || name === 'contradiction-density')
            continue;
        judged.push(answerCheck(name, tally, c, caseOf));
    }
    const density = contradictionSummary(c.contradictions, t.maxContradictions);
    const densityTally = c.tallies.get('contradiction-density');
    judged.push({
        name: 'contradiction-density',
        result: { ...density, cases: [...densityTally.failedCases].slice(0, 10).map((i) => labelOf(caseOf(i))) },
        findings: caseFindings(densityTally, caseOf),
        total: densityTally.failedCases.size,
    });
    const escalations = checkOpusEscalations(c.escalations, t.maxOpusEscalations);
    judged.push({
        name: 'opus-escalations',
        result: escalations,
        findings: c.undeclaredEscalationCases.map((i) => ({
            case: caseOf(i),
            message: `${labelOf(caseOf(i))} escalated to Opus without its dataset declaring it (${c.escalations.undeclaredCases.length} such cases, limit ${t.maxOpusEscalations}); pin it (an equals assertion on the escalation) or set expected.opus_used if it is meant to`,
        })),
    });
    const rate = checkEscalationRate(c.escalations, t.maxEscalationRate, t.escalationRateMinAnswers);
    judged.push({ name: 'escalation-rate', result: rate, findings: [{ message: `Opus escalation rate too high: ${rate.detail}` }] });
    const latency = summariseLatency(c.latencies, t);
    const p95 = checkLatencyP95(latency, t.latencyP95Ms);
    const slowest = slowestCase(c);
    judged.push({
        name: 'latency-p95',
        result: p95,
        findings: [{ message: `SIM latency too high: ${p95.detail}${slowest ? `; slowest: ${labelOf(slowest.case)} ${slowest.ms} ms` : ''}`, case: slowest?.case }],
    });
    const outliers = findOutliers(c.latencies, latency);
    const outlierCases = new Map(); // case -> worst latency
    for (const o of outliers) {
        const ci = c.latencyCase[o.index];
        outlierCases.set(ci, Math.max(outlierCases.get(ci) ?? 0, o.latencyMs));
    }
    judged.push({
        name: 'latency-outliers',
        result: {
            ok: outliers.length === 0,
            na: latency.outlierAboveMs === null,
            checked: latency.count,
            failed: outliers.length,
            cases: [...outlierCases.keys()].slice(0, 10).map((i) => labelOf(caseOf(i))),
            detail: latency.outlierAboveMs === null
                ? 'no SIM latencies'
                : `${outliers.length} answer(s) in ${outlierCases.size} case(s) above ${latency.outlierAboveMs} ms (median ${latency.median} + max(${t.latencyOutlierK} x MAD ${latency.mad}, ${t.latencyOutlierMinMs}))`,
        },
        findings: [...outlierCases].map(([i, ms]) => ({
            case: caseOf(i),
            message: `${labelOf(caseOf(i))} took ${stage_round(ms, 1)} ms, an outlier (median ${latency.median} ms, threshold ${latency.outlierAboveMs} ms)`,
        })),
    });
    // Levels, findings, verdict.
    const checks = [];
    let verdict = 'PASS';
    const failedNames = [];
    const order = new Map(CHECK_NAMES.map((n, i) => [n, i]));
    judged.sort((a, b) => order.get(a.name) - order.get(b.name));
    for (const j of judged) {
        const level = levelOf(j.name, p.levels);
        const severity = level === 'off' ? 'OFF' : LEVEL_SEVERITY[level];
        const ok = level === 'off' ? true : j.result.ok;
        checks.push({
            name: j.name,
            ok,
            severity,
            level,
            detail: level === 'off' ? `turned off (pipeline.levels); ${j.result.detail}` : j.result.detail,
            ...(j.result.na ? { applicable: false } : {}),
            ...(j.result.checked !== undefined ? { checked: j.result.checked } : {}),
            ...(j.result.failed !== undefined ? { failed: j.result.failed } : {}),
            ...(j.result.cases && j.result.cases.length ? { cases: j.result.cases } : {}),
        });
        if (ok || level === 'off')
            continue;
        failedNames.push(j.name);
        if (level === 'error')
            verdict = 'FAIL';
        else if (level === 'warn' && verdict === 'PASS')
            verdict = 'WARN';
        findings.push(...judgedFindings(j, severity));
    }
    const profile = {
        configured: effectiveProfile(env.settings),
        used: c.options.profile === 'auto' ? c.picked : c.options.profile,
        ...(c.options.profile === 'auto' && c.pickedBy !== null ? { detectedFrom: labelOf(caseOf(c.pickedBy)) } : {}),
        ...(Object.keys(c.forms).length ? { forms: c.forms } : {}),
        switches: c.switches,
        unrecognised: c.unrecognisedUnchecked + c.unrecognisedAfterPick,
    };
    const confidence = c.confidence.n
        ? { min: stage_round(c.confidence.min, 4), max: stage_round(c.confidence.max, 4), mean: stage_round(c.confidence.sum / c.confidence.n, 4), floor: t.minConfidence }
        : null;
    const engineLatency = summariseLatency(c.engineLatencies, t);
    const judgedChecks = checks.filter((x) => x.level !== 'off' && x.applicable !== false).length;
    const notApplicable = checks.length - judgedChecks;
    const reason = failedNames.length === 0
        ? `${judgedChecks} checks passed${notApplicable ? ` (${notApplicable} off or not applicable)` : ''} over ${c.checked} answers (${profile.used})`
        : `${failedNames.length} check(s) failed: ${failedNames.join(', ')} (${c.checked} answers, ${profile.used})`;
    const report = {
        verdict,
        reason,
        profile,
        answers: { observed: c.observed, checked: c.checked, engineErrors: c.engineErrors, unchecked: c.observed - c.engineErrors - c.checked },
        checks,
        escalations: {
            answers: c.escalations.answers,
            escalated: c.escalations.escalated,
            declared: c.escalations.declared,
            declaredCases: c.escalations.declaredCases,
            undeclared: undeclaredAnswers(c.escalations),
            undeclaredCases: c.escalations.undeclaredCases.length,
            rate: nullableRound(escalationRate(c.escalations), 4),
            limit: t.maxOpusEscalations,
            rateCeiling: t.maxEscalationRate,
        },
        contradictions: {
            measured: c.contradictions.measured,
            meanPerAnswer: nullableRound(density.mean, 4),
            max: c.contradictions.measured ? c.contradictions.max : null,
            limit: t.maxContradictions,
            overLimitDeclared: c.contradictions.declaredOver,
            overLimitUndeclared: c.contradictions.undeclaredOver,
        },
        confidence,
        latency: { ...latency, limitP95Ms: t.latencyP95Ms, outliers: outliers.length, engineReportedP95Ms: engineLatency.p95 },
    };
    const failures = Object.fromEntries([...c.tallies].filter(([, tally]) => tally.failures.length > 0).map(([name, tally]) => [
        name,
        tally.failures.map((f) => ({ case: labelOf(caseOf(f.caseIndex)), repeat: f.repeat, message: f.message, location: caseOf(f.caseIndex).location })),
    ]));
    return { result: { verdict, reason, report, summary: { runId: env.runId, ...report, failures } }, findings };
}
function profileShape(c, caseOf) {
    if (c.options.profile !== 'auto') {
        return { name: 'profile-shape', result: { ok: true, detail: `profile set by config: ${c.options.profile}` }, findings: [] };
    }
    const switched = Object.values(c.switches).reduce((a, b) => a + (b ?? 0), 0);
    const parts = [`detected ${c.picked}${c.pickedBy !== null ? ` from the first answer (${labelOf(caseOf(c.pickedBy))})` : ''}`];
    if (switched) {
        const to = Object.entries(c.switches).map(([k, n]) => `${n} as ${k}`).join(', ');
        parts.push(`${switched} answer(s) switched shape mid-run (${to}; first: ${labelOf(caseOf(c.firstSwitch.caseIndex))}), checked as their own shape`);
    }
    if (c.unrecognisedUnchecked)
        parts.push(`${c.unrecognisedUnchecked} answer(s) before it had no known shape and were not checked`);
    if (c.unrecognisedAfterPick)
        parts.push(`${c.unrecognisedAfterPick} later answer(s) had no known shape (checked as ${c.picked})`);
    const ok = switched === 0 && c.unrecognisedUnchecked === 0;
    const first = c.firstSwitch ? caseOf(c.firstSwitch.caseIndex) : undefined;
    return {
        name: 'profile-shape',
        result: { ok, checked: c.checked + c.unrecognisedUnchecked, failed: switched + c.unrecognisedUnchecked, detail: parts.join('; ') },
        findings: [{ message: `answer shapes changed or were unknown: ${parts.join('; ')}`, case: first }],
    };
}
function answerCheck(name, tally, c, caseOf) {
    const cases = [...tally.failedCases].slice(0, 10).map((i) => labelOf(caseOf(i)));
    let detail;
    if (tally.checked === 0 && tally.na > 0)
        detail = `not applicable: ${c.options.profile === 'auto' ? c.picked : c.options.profile} does not expose it`;
    else if (tally.failed === 0)
        detail = `${tally.checked} answer(s) ok${tally.na ? `, ${tally.na} not applicable` : ''}`;
    else
        detail = `${tally.failed}/${tally.checked} answer(s) in ${tally.failedCases.size} case(s) failed; first: ${labelOf(caseOf(tally.failures[0].caseIndex))}: ${tally.failures[0].message}`;
    return {
        name,
        result: { ok: tally.failed === 0, na: tally.checked === 0, checked: tally.checked, failed: tally.failed, cases, detail },
        findings: caseFindings(tally, caseOf),
        total: tally.failedCases.size,
    };
}
/** One finding per failing case (its first failure), for PR annotations at the case's line. */
function caseFindings(tally, caseOf) {
    const seen = new Set();
    const out = [];
    for (const f of tally.failures) {
        if (seen.has(f.caseIndex))
            continue;
        seen.add(f.caseIndex);
        const k = caseOf(f.caseIndex);
        out.push({ case: k, message: `${labelOf(k)}${f.repeat > 0 ? ` (repeat ${f.repeat + 1})` : ''}: ${f.message}` });
    }
    return out;
}
function judgedFindings(j, severity) {
    const out = [];
    const ctx = { raise: (f) => void out.push(f) };
    const list = j.findings.length ? j.findings : [{ message: j.result.detail }];
    const shown = list.slice(0, MAX_FINDINGS_PER_CHECK);
    const rest = Math.max(list.length, j.total ?? 0) - shown.length;
    for (const f of shown) {
        ctx.raise({
            type: findingType(j.name),
            severity,
            subsystem: 'pipeline',
            message: `${j.name}: ${f.message}`,
            ...(f.case ? { caseId: f.case.id, location: f.case.location } : {}),
        });
    }
    if (rest > 0) {
        ctx.raise({ type: findingType(j.name), severity, subsystem: 'pipeline', message: `${j.name}: ${rest} more case(s) with this finding (see pipeline_summary.json)` });
    }
    return out;
}
function slowestCase(c) {
    let best = -1;
    for (let i = 0; i < c.latencies.length; i++)
        if (best < 0 || c.latencies[i] > c.latencies[best])
            best = i;
    return best < 0 ? null : { case: c.cases.get(c.latencyCase[best]), ms: stage_round(c.latencies[best], 1) };
}
function stage_round(x, digits) {
    const f = 10 ** digits;
    return Math.round(x * f) / f;
}
function nullableRound(x, digits) {
    return x === null ? null : stage_round(x, digits);
}

;// CONCATENATED MODULE: ./src/github/zip.ts



/**
 * A small, strict ZIP reader for what the action downloads (an artifact, and the bundle inside it).
 * Downloads are untrusted: every entry name is checked before anything is written, and an archive
 * with one entry that would land outside the target folder is refused as a whole.
 */
class ZipError extends Error {
    constructor(message) {
        super(message);
        this.name = 'ZipError';
    }
}
const DEFAULT_LIMITS = { maxEntries: 10_000, maxTotalBytes: 1024 * 1024 * 1024 };
const EOCD = 0x06054b50;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
function listZip(buf, limits = DEFAULT_LIMITS) {
    const eocd = findEocd(buf);
    let count = buf.readUInt16LE(eocd + 10);
    let cdSize = buf.readUInt32LE(eocd + 12);
    let cdOffset = buf.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
        const loc = eocd - 20;
        if (loc < 0 || buf.readUInt32LE(loc) !== ZIP64_LOCATOR)
            throw new ZipError('ZIP64 archive without its locator');
        const z = num64(buf, loc + 8);
        if (z + 56 > buf.length || buf.readUInt32LE(z) !== ZIP64_EOCD)
            throw new ZipError('ZIP64 end record not found');
        count = num64(buf, z + 32);
        cdSize = num64(buf, z + 40);
        cdOffset = num64(buf, z + 48);
    }
    if (count > limits.maxEntries)
        throw new ZipError(`too many entries (${count} > ${limits.maxEntries})`);
    if (cdOffset + cdSize > buf.length)
        throw new ZipError('central directory lies outside the file (truncated download?)');
    const entries = [];
    let p = cdOffset;
    let total = 0;
    for (let i = 0; i < count; i++) {
        if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL)
            throw new ZipError(`central directory entry ${i + 1} is damaged`);
        const madeBy = buf.readUInt16LE(p + 4);
        const flags = buf.readUInt16LE(p + 8);
        const method = buf.readUInt16LE(p + 10);
        const crc32 = buf.readUInt32LE(p + 16);
        let compressedSize = buf.readUInt32LE(p + 20);
        let size = buf.readUInt32LE(p + 24);
        const nameLen = buf.readUInt16LE(p + 28);
        const extraLen = buf.readUInt16LE(p + 30);
        const commentLen = buf.readUInt16LE(p + 32);
        const external = buf.readUInt32LE(p + 38);
        let localOffset = buf.readUInt32LE(p + 42);
        const nameBytes = buf.subarray(p + 46, p + 46 + nameLen);
        const name = flags & 0x800 ? nameBytes.toString('utf8') : nameBytes.toString('latin1');
        // ZIP64 extra field: the 32-bit fields that are 0xffffffff follow in this order.
        let e = p + 46 + nameLen;
        const extraEnd = e + extraLen;
        while (e + 4 <= extraEnd) {
            const id = buf.readUInt16LE(e);
            const len = buf.readUInt16LE(e + 2);
            if (id === 0x0001) {
                let q = e + 4;
                if (size === 0xffffffff)
                    (size = num64(buf, q)), (q += 8);
                if (compressedSize === 0xffffffff)
                    (compressedSize = num64(buf, q)), (q += 8);
                if (localOffset === 0xffffffff)
                    localOffset = num64(buf, q);
            }
            e += 4 + len;
        }
        const unixMode = madeBy >> 8 === 3 ? external >>> 16 : 0;
        total += size;
        if (total > limits.maxTotalBytes)
            throw new ZipError(`uncompressed contents exceed ${limits.maxTotalBytes} bytes`);
        entries.push({
            name,
            method,
            flags,
            crc32,
            compressedSize,
            size,
            localOffset,
            isDirectory: name.endsWith('/') || name.endsWith('\\'),
            isSymlink: (unixMode & 0o170000) === 0o120000,
        });
        p = extraEnd + commentLen;
    }
    return entries;
}
function findEocd(buf) {
    const min = Math.max(0, buf.length - 22 - 0xffff);
    for (let i = buf.length - 22; i >= min; i--)
        if (buf.readUInt32LE(i) === EOCD)
            return i;
    throw new ZipError('not a ZIP archive (no end of central directory)');
}
function num64(buf, at) {
    const v = buf.readBigUInt64LE(at);
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
        throw new ZipError('ZIP64 value out of range');
    return Number(v);
}
/** One entry's bytes, inflated and checked against its CRC and size. */
function readEntry(buf, entry) {
    if (entry.flags & 0x1)
        throw new ZipError(`${entry.name}: encrypted entries are not supported`);
    const p = entry.localOffset;
    if (p + 30 > buf.length || buf.readUInt32LE(p) !== LOCAL)
        throw new ZipError(`${entry.name}: local header is damaged`);
    const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
    const end = start + entry.compressedSize;
    if (end > buf.length)
        throw new ZipError(`${entry.name}: data lies outside the file`);
    const raw = buf.subarray(start, end);
    let data;
    if (entry.method === 0)
        data = Buffer.from(raw);
    else if (entry.method === 8) {
        try {
            // maxOutputLength: a forged size in the directory cannot make this inflate without bound.
            data = external_node_zlib_default().inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
        }
        catch (err) {
            throw new ZipError(`${entry.name}: cannot inflate (${err.message})`);
        }
    }
    else
        throw new ZipError(`${entry.name}: compression method ${entry.method} is not supported`);
    if (data.length !== entry.size)
        throw new ZipError(`${entry.name}: size ${data.length} does not match the directory's ${entry.size}`);
    if (external_node_zlib_default().crc32(data) >>> 0 !== entry.crc32 >>> 0)
        throw new ZipError(`${entry.name}: CRC mismatch`);
    return data;
}
/**
 * Where an entry would land under `target`, or why it may not: absolute names, drive letters, `..`
 * segments, backslash tricks, NUL bytes and anything that resolves outside the folder are refused.
 */
function entryTarget(target, name) {
    if (name === '' || name.includes('\0'))
        return { reason: 'empty name or NUL byte' };
    const norm = name.replace(/\\/g, '/');
    if (norm.startsWith('/') || /^[A-Za-z]:/.test(norm) || norm.startsWith('//'))
        return { reason: 'absolute path' };
    const segments = norm.split('/');
    if (segments.some((s) => s === '..'))
        return { reason: '".." segment' };
    const root = external_node_path_default().resolve(target);
    const dest = external_node_path_default().resolve(root, ...segments.filter((s) => s !== '' && s !== '.'));
    if (dest !== root && !dest.startsWith(root + (external_node_path_default()).sep))
        return { reason: 'resolves outside the target folder' };
    if (dest === root)
        return { reason: 'names the target folder itself' };
    return { path: dest };
}
/** Every unsafe entry of an archive, checked before anything is written. */
function unsafeEntries(entries, target) {
    const bad = [];
    for (const e of entries) {
        if (e.isSymlink)
            bad.push({ name: e.name, reason: 'symbolic link' });
        else if (!e.isDirectory) {
            const t = entryTarget(target, e.name);
            if ('reason' in t)
                bad.push({ name: e.name, reason: t.reason });
        }
        else {
            const t = entryTarget(target, e.name.replace(/[\\/]+$/, '') || '.');
            if ('reason' in t && t.reason !== 'names the target folder itself')
                bad.push({ name: e.name, reason: t.reason });
        }
    }
    return bad;
}
/** Extracts every file entry into `target`, or refuses the whole archive (nothing written) if any entry is unsafe. */
function extractZip(buf, target, limits = DEFAULT_LIMITS) {
    const entries = listZip(buf, limits);
    const bad = unsafeEntries(entries, target);
    if (bad.length > 0) {
        const first = bad[0];
        throw new ZipError(`refused: entry ${JSON.stringify(first.name)} would not stay inside the target folder (${first.reason})${bad.length > 1 ? ` and ${bad.length - 1} more` : ''}`);
    }
    const written = [];
    external_node_fs_default().mkdirSync(target, { recursive: true });
    for (const e of entries) {
        if (e.isDirectory)
            continue;
        const dest = entryTarget(target, e.name).path;
        const data = readEntry(buf, e);
        external_node_fs_default().mkdirSync(external_node_path_default().dirname(dest), { recursive: true });
        // 'wx': an entry listed twice, or a file planted beforehand, is an error rather than an overwrite.
        external_node_fs_default().writeFileSync(dest, data, { flag: 'wx', mode: 0o644 });
        written.push(external_node_path_default().relative(target, dest).split((external_node_path_default()).sep).join('/'));
    }
    return written;
}
/** One named file from an archive, without writing anything. */
function readZipFile(buf, name, limits = DEFAULT_LIMITS) {
    const entry = listZip(buf, limits).find((e) => !e.isDirectory && e.name.replace(/\\/g, '/') === name);
    return entry ? readEntry(buf, entry) : null;
}

;// CONCATENATED MODULE: ./src/snapshot/layout.ts
/**
 * The line layout of a snapshot file: one case a line, the header on the last line.
 *
 *   {"cases":[
 *   {"dataset":"...","id":"...",...,"answer":{...}},
 *   ...
 *   ],"schemaVersion":1,"kind":"toron-testops.snapshot",...header...,"caseCount":86}
 *
 * The header goes last because it holds what is only known at the end (metrics, case count): with it
 * last, a run whose answers came in case order has its spool file become the snapshot by a rename,
 * instead of a 700 MB copy at 100k cases. Snapshots written header first (toron-testops up to 2.0.0)
 * are read as well.
 */
const CASES_OPENING = '{"cases":[\n';
/** Before each case line but the first. */
const CASE_SEPARATOR = ',\n';
/** The end of the file: the header's members after the case list. */
function casesClosing(header) {
    return `\n],${JSON.stringify(header).slice(1)}\n`;
}
/** The first line of a snapshot (without its newline) in the header-last layout. */
function opensCases(firstLine) {
    return firstLine === CASES_OPENING.slice(0, -1);
}
/** The header of a closing line (`],"schemaVersion":...}`), or null when the line is not one. */
function headerOfClosing(line) {
    if (!line.startsWith('],'))
        return null;
    try {
        return JSON.parse(`{${line.slice(2)}`);
    }
    catch {
        return null;
    }
}
const LEGACY_OPENING_END = ',"cases":[';
/** The header of a header-first snapshot's first line (`{...header...,"cases":[`), or null. */
function headerOfLegacyOpening(line) {
    if (!line.startsWith('{') || !line.endsWith(LEGACY_OPENING_END))
        return null;
    try {
        return JSON.parse(`${line.slice(0, -LEGACY_OPENING_END.length)}}`);
    }
    catch {
        return null;
    }
}
/** The closing line of a header-first snapshot. */
const LEGACY_CLOSING = ']}';
/** A case line's JSON text without its separating comma. */
function caseText(line) {
    return line.endsWith(',') ? line.slice(0, -1) : line;
}

;// CONCATENATED MODULE: ./src/snapshot/types.ts
/**
 * A snapshot (DESIGN §3.2, issue 4): what the engine answered in one run, per case, in canonical form,
 * so that a later replay (same run, another build, another machine) can ask again and compare.
 *
 * The file is plain JSON, laid out one case per line (header last, see layout.ts) so a reader can
 * index a snapshot of 100k cases without holding it whole.
 *
 * Nothing in it is an absolute path or a secret: engine targets are redacted, paths are relative.
 */
const SNAPSHOT_KIND = 'toron-testops.snapshot';
const SNAPSHOT_SCHEMA_VERSION = 1;

;// CONCATENATED MODULE: ./src/snapshot/reader.ts





/** Whole-file parsing (pretty-printed or hand-edited snapshots) is refused above this size. */
const MAX_WHOLE_PARSE_BYTES = 256 * 1024 * 1024;
/**
 * Opens a snapshot. The layout the writer makes (one case per line) is indexed line by line, keeping
 * only each line's offset, so a snapshot of 100k answers costs memory for its metadata alone. Any
 * other valid JSON layout (after `jq .`, say) is parsed whole. Every problem is an InputError naming
 * the file and line.
 */
function openSnapshot(file, shownAs = file) {
    let fd;
    try {
        fd = external_node_fs_default().openSync(file, 'r');
    }
    catch (err) {
        const code = err.code;
        throw new InputError(code === 'ENOENT' ? 'snapshot file not found' : `cannot read the snapshot: ${err.message}`, { file: shownAs });
    }
    try {
        if (external_node_fs_default().fstatSync(fd).isDirectory())
            throw new InputError('is a folder, not a snapshot file', { file: shownAs });
        const lined = tryLineLayout(fd, shownAs);
        if (lined)
            return lined;
        const whole = wholeFile(fd, shownAs);
        external_node_fs_default().closeSync(fd);
        return whole;
    }
    catch (err) {
        external_node_fs_default().closeSync(fd);
        throw err;
    }
}
/** Lines of a file with their byte offsets, read in chunks (a line may be megabytes long). */
function* lines(fd) {
    const chunk = Buffer.alloc(1 << 20);
    let carry = [];
    let carryBytes = 0;
    let position = 0;
    let lineStart = 0;
    let no = 0;
    for (;;) {
        const n = external_node_fs_default().readSync(fd, chunk, 0, chunk.length, position);
        if (n === 0)
            break;
        let from = 0;
        for (let i = 0; i < n; i++) {
            if (chunk[i] !== 10)
                continue;
            const piece = chunk.subarray(from, i);
            const whole = carryBytes ? Buffer.concat([...carry, piece]) : piece;
            no++;
            yield { text: whole.toString('utf8'), offset: lineStart, length: whole.length + 1, no };
            carry = [];
            carryBytes = 0;
            lineStart = position + i + 1;
            from = i + 1;
        }
        if (from < n) {
            carry.push(Buffer.from(chunk.subarray(from, n)));
            carryBytes += n - from;
        }
        position += n;
    }
    if (carryBytes) {
        no++;
        const whole = Buffer.concat(carry);
        yield { text: whole.toString('utf8'), offset: lineStart, length: whole.length, no };
    }
}
/**
 * The layout the writer makes (src/snapshot/layout.ts: header last, or header first as written up to
 * 2.0.0), indexed line by line; null when the file is laid out otherwise.
 */
function tryLineLayout(fd, shownAs) {
    const it = lines(fd);
    const first = it.next();
    if (first.done)
        return null;
    const headerFirst = opensCases(first.value.text) ? null : headerOfLegacyOpening(first.value.text);
    if (!opensCases(first.value.text) && headerFirst === null)
        return null;
    if (headerFirst !== null)
        checkHeader(headerFirst, shownAs, () => 1);
    let header = headerFirst;
    const entries = [];
    const where = [];
    let closed = false;
    for (const line of it) {
        if (closed) {
            if (line.text.trim() !== '')
                return null;
            continue;
        }
        if (headerFirst !== null ? line.text === LEGACY_CLOSING : line.text.startsWith('],')) {
            if (headerFirst === null) {
                const h = headerOfClosing(line.text);
                if (h === null)
                    return null;
                checkHeader(h, shownAs, () => line.no);
                header = h;
            }
            closed = true;
            continue;
        }
        const text = caseText(line.text);
        let value;
        try {
            value = JSON.parse(text);
        }
        catch (err) {
            // The layout is ours, so this line is a damaged case (a truncated copy, a bad edit).
            throw new InputError(`case ${entries.length + 1} is not valid JSON (the file is damaged or was edited): ${err.message}`, {
                file: shownAs,
                line: line.no,
                pointer: `/cases/${entries.length}`,
            });
        }
        entries.push(checkCase(value, entries.length, shownAs, line.no));
        where.push({ offset: line.offset, length: line.length, line: line.no });
    }
    if (!closed || header === null) {
        // Our opening line but no closing one: cut short (a copy that did not finish, a full disk).
        if (headerFirst === null)
            throw new InputError('the snapshot ends before its header (the file is truncated)', { file: shownAs, pointer: '/kind' });
        return null;
    }
    checkCount(header, entries.length, shownAs);
    return {
        shownAs,
        header,
        entries,
        readAnswer(i) {
            const w = where[i];
            const buf = Buffer.alloc(w.length);
            external_node_fs_default().readSync(fd, buf, 0, w.length, w.offset);
            return JSON.parse(caseText(buf.toString('utf8').trimEnd())).answer;
        },
        lineOf: (i) => where[i].line,
        close() {
            external_node_fs_default().closeSync(fd);
        },
    };
}
function wholeFile(fd, shownAs) {
    const size = external_node_fs_default().fstatSync(fd).size;
    if (size > MAX_WHOLE_PARSE_BYTES) {
        throw new InputError(`the snapshot is ${Math.round(size / 2 ** 20)} MiB and not in the one-case-a-line layout toron-testops writes; ` +
            `files of this size are only read in that layout (re-create it with toron-testops, or keep the original file)`, { file: shownAs });
    }
    const text = external_node_fs_default().readFileSync(fd, 'utf8');
    const src = parseJsonSource(text, shownAs);
    const root = src.value;
    if (!root || typeof root !== 'object' || Array.isArray(root)) {
        throw new InputError('a snapshot is a JSON object (with "kind": "toron-testops.snapshot")', { file: shownAs, line: 1 });
    }
    const header = { ...root };
    delete header.cases;
    checkHeader(header, shownAs, (p) => src.lineOf(p));
    const cases = root.cases;
    if (!Array.isArray(cases))
        throw new InputError('"cases" must be an array', { file: shownAs, line: src.lineOf('/cases'), pointer: '/cases' });
    const entries = cases.map((c, i) => checkCase(c, i, shownAs, src.lineOf(`/cases/${i}`)));
    checkCount(header, entries.length, shownAs);
    return {
        shownAs,
        header,
        entries,
        readAnswer: (i) => cases[i].answer,
        lineOf: (i) => src.lineOf(`/cases/${i}`),
        close() { },
    };
}
function checkHeader(h, shownAs, lineOf) {
    const bad = (message, pointer) => {
        throw new InputError(message, { file: shownAs, line: lineOf(pointer), pointer });
    };
    if (!h || typeof h !== 'object' || h.kind !== SNAPSHOT_KIND) {
        bad(`not a toron-testops snapshot ("kind" must be "${SNAPSHOT_KIND}"; give a snapshot file, a report folder, its report.json or a bundle.zip)`, '/kind');
    }
    if (typeof h.schemaVersion !== 'number' || h.schemaVersion > SNAPSHOT_SCHEMA_VERSION) {
        bad(`snapshot schemaVersion ${JSON.stringify(h.schemaVersion)} is not one this toron-testops reads (up to ${SNAPSHOT_SCHEMA_VERSION}): use a newer toron-testops`, '/schemaVersion');
    }
    if (typeof h.runId !== 'string' || h.runId === '')
        bad('"runId" must be a non-empty string', '/runId');
    const ip = h.canonical?.ignorePaths;
    if (!Array.isArray(ip) || ip.some((p) => typeof p !== 'string'))
        bad('"canonical.ignorePaths" must be a list of JSON Pointers', '/canonical');
    if (!h.engine || typeof h.engine !== 'object')
        bad('"engine" must be an object', '/engine');
}
function checkCase(v, i, shownAs, line) {
    const at = `/cases/${i}`;
    const bad = (message, field = '') => {
        throw new InputError(message, { file: shownAs, line, pointer: at + field });
    };
    if (!v || typeof v !== 'object' || Array.isArray(v))
        bad('a snapshot case must be an object');
    const c = v;
    if (typeof c.dataset !== 'string' || typeof c.id !== 'string')
        bad('a snapshot case needs "dataset" and "id" strings');
    const where = { file: shownAs, line, pointer: at, caseId: c.id };
    if (typeof c.seed !== 'number' || !Number.isFinite(c.seed))
        throw new InputError('"seed" must be a number', where);
    if (!c.input || typeof c.input !== 'object' || Array.isArray(c.input))
        throw new InputError('"input" must be an object', where);
    if (!Array.isArray(c.ignorePaths) || c.ignorePaths.some((p) => typeof p !== 'string'))
        throw new InputError('"ignorePaths" must be a list of JSON Pointers', where);
    if (c.status !== 'ok' && c.status !== 'error')
        throw new InputError('"status" must be "ok" or "error"', where);
    if (c.status === 'ok' && (typeof c.hash !== 'string' || !('answer' in c)))
        throw new InputError('an "ok" case needs "hash" and "answer"', where);
    const { answer: _answer, ...entry } = c;
    return entry;
}
function checkCount(h, n, shownAs) {
    if (typeof h.caseCount === 'number' && h.caseCount !== n) {
        throw new InputError(`the snapshot says it holds ${h.caseCount} cases but has ${n}: the file is truncated or was edited`, { file: shownAs, pointer: '/caseCount' });
    }
}

;// CONCATENATED MODULE: ./src/util/real-path.ts


/**
 * `p` with its symbolic links resolved as far as it exists, the rest appended: two names of one file
 * (a link to a leg, a link to a snapshot) compare equal, also for a file a run is about to write.
 */
function realPath(p) {
    try {
        return external_node_fs_default().realpathSync(p);
    }
    catch {
        const parent = external_node_path_default().dirname(p);
        return parent === p ? p : external_node_path_default().join(realPath(parent), external_node_path_default().basename(p));
    }
}
/** Whether `p` is `dir` or lies in it, both by their real paths. */
function isInside(p, dir) {
    const real = realPath(p);
    const realDir = realPath(dir);
    return real === realDir || real.startsWith(realDir + (external_node_path_default()).sep);
}

;// CONCATENATED MODULE: ./src/baseline/load.ts








function loadBaseline(spec, cwd) {
    const abs = external_node_path_default().resolve(cwd, spec);
    const shown = (p) => shownPath(cwd, p);
    const label = shown(abs);
    let stat;
    try {
        stat = external_node_fs_default().statSync(abs);
    }
    catch {
        throw new InputError('baseline not found (--baseline takes a snapshot .json, a report folder or a bundle.zip)', { file: label });
    }
    if (!stat.isDirectory() && /\.zip$/i.test(abs))
        return snapshotOfBundle(abs, label);
    const file = stat.isDirectory() ? snapshotOfFolder(abs, shown) : snapshotOfFile(abs, shown);
    return { label, snapshotFile: shown(file), snapshot: openSnapshot(file, shown(file)) };
}
/**
 * Why `--baseline` cannot be read by this run, or null. A run starts by emptying its report folder and
 * ends SIM by writing `<out>/snapshots/<run_id>.json`: a baseline that is that snapshot would be
 * overwritten with this run's own answers before the replay reads it, so every stable case would be
 * "unchanged" and the gate would pass whatever the engine now answers (and the baseline is lost); one
 * inside the report folder (its report.json, its bundle.zip) would be deleted before it is read.
 */
function baselineClash(spec, cwd, run) {
    const abs = external_node_path_default().resolve(cwd, spec);
    // By real paths: a symbolic link to the snapshot (or into the report folder) is overwritten all the same.
    const own = realPath(abs) === realPath(run.snapshot);
    if (!own && !isInside(abs, run.reportDir))
        return null;
    return (`--baseline ${shownPath(cwd, abs)} is ${own ? "this run's own snapshot" : "in this run's own report folder"} (run id ${run.runId}): ` +
        `the run would overwrite it before comparing with it; give this run another --run-id or --out, or copy the baseline elsewhere`);
}
/**
 * A baseline as reports name it: relative to the working directory, also when it lies outside it
 * (`../baselines/bundle.zip`). The label and the file go into report.json, summary.md, run.log and the
 * bundle, which must never carry a path of the machine (DESIGN §3.3): a baseline downloaded to the
 * runner's temp folder would otherwise print `/home/runner/work/_temp/...` into every report.
 */
function shownPath(cwd, p) {
    return external_node_path_default().relative(cwd, p).split((external_node_path_default()).sep).join('/') || '.';
}
/**
 * A bundle.zip (DESIGN §3.8) holds its run's snapshot as `snapshot.json`. It is copied out to a
 * temporary file (the reader indexes a file by offsets) that goes away when the snapshot is closed.
 */
function snapshotOfBundle(zip, label) {
    const shownAs = `${label}!snapshot.json`;
    let data;
    try {
        data = readZipFile(external_node_fs_default().readFileSync(zip), 'snapshot.json');
    }
    catch (err) {
        throw new InputError(`cannot read the bundle: ${err.message}`, { file: label });
    }
    if (!data) {
        throw new InputError('this bundle has no snapshot.json (its run wrote no snapshot: SIM did not complete, or it was cancelled)', { file: label });
    }
    const tmp = external_node_path_default().join(external_node_os_default().tmpdir(), `toron-testops-baseline-${process.pid}-${(0,external_node_crypto_.randomBytes)(4).toString('hex')}.json`);
    external_node_fs_default().writeFileSync(tmp, data);
    let snapshot;
    try {
        snapshot = openSnapshot(tmp, shownAs);
    }
    catch (err) {
        external_node_fs_default().rmSync(tmp, { force: true });
        throw err;
    }
    const close = snapshot.close.bind(snapshot);
    snapshot.close = () => {
        close();
        external_node_fs_default().rmSync(tmp, { force: true });
    };
    return { label, snapshotFile: shownAs, snapshot };
}
function snapshotOfFolder(dir, shown) {
    const beside = external_node_path_default().join(dir, 'snapshot.json');
    if (external_node_fs_default().existsSync(beside))
        return beside;
    const report = external_node_path_default().join(dir, 'report.json');
    if (external_node_fs_default().existsSync(report))
        return snapshotOfReport(report, shown);
    throw new InputError('this folder has neither report.json nor snapshot.json: pass a report folder (<out>/reports/<run_id>) or a snapshot file', {
        file: shown(dir),
    });
}
function snapshotOfFile(file, shown) {
    if (external_node_path_default().basename(file) === 'report.json')
        return snapshotOfReport(file, shown);
    return file;
}
/** A report's `artifacts.snapshot` is relative to the report folder (DESIGN §3.3). */
function snapshotOfReport(reportFile, shown) {
    let report;
    try {
        report = JSON.parse(external_node_fs_default().readFileSync(reportFile, 'utf8'));
    }
    catch (err) {
        throw new InputError(`cannot read the baseline report: ${err.message}`, { file: shown(reportFile) });
    }
    const rel = report?.artifacts?.snapshot;
    if (typeof rel !== 'string' || rel === '') {
        throw new InputError(`the baseline run${typeof report?.runId === 'string' ? ` ${report.runId}` : ''} has no snapshot (artifacts.snapshot is empty: its SIM did not complete, or it was cancelled)`, { file: shown(reportFile), pointer: '/artifacts/snapshot' });
    }
    const file = external_node_path_default().resolve(external_node_path_default().dirname(reportFile), rel);
    if (!external_node_fs_default().existsSync(file)) {
        throw new InputError(`the baseline report names its snapshot ${rel}, which is not there (${shown(file)}); a report folder copied alone lacks it: pass the snapshot or the bundle's folder`, { file: shown(reportFile), pointer: '/artifacts/snapshot' });
    }
    return file;
}

;// CONCATENATED MODULE: ./src/engine/reference/shapes/common.ts
/** A prompt the engine refuses, the way the real one does (toron-3's empty prompt): an HTTP 500. */
class ShapeRejection extends Error {
    status;
    constructor(message, status = 500) {
        super(message);
        this.name = 'ShapeRejection';
        this.status = status;
    }
}
function shuffled(items, rnd) {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
        const j = rnd.int(0, i);
        const t = out[i];
        out[i] = out[j];
        out[j] = t;
    }
    return out;
}
/** `k` distinct indices below `n`, ascending (a partial Fisher-Yates). */
function pickIndices(n, k, rnd) {
    const pool = Array.from({ length: n }, (_, i) => i);
    const m = Math.max(0, Math.min(k, n));
    for (let i = 0; i < m; i++) {
        const j = rnd.int(i, n - 1);
        const t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
    }
    return pool.slice(0, m).sort((a, b) => a - b);
}
function common_round(x, digits) {
    const f = 10 ** digits;
    return Math.round(x * f) / f;
}
function clamp01(x) {
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

;// CONCATENATED MODULE: ./src/engine/reference/shapes/toron25hFamily.ts

/**
 * The parts that toron-2.5h and its stability patch share (their `state_snapshot` members), built the
 * way the real engines build them (see /work/shared/reference/toron-samples): texts quote the cleaned
 * prompt, tier-1 hypotheses are "<model> hypothesis on: <clean[:120]>", facts are
 * "Fact from layer N: <clean[:100]>", tokens are max(24, floor(len(clean) / 4)).
 */
const T1_MODELS = [
    'Claude-Sonnet-4.5',
    'GPT-5.1',
    'Mistral-Large',
    'Gemini-Pro',
    'Qwen 72B',
    'Llama 3.1 70B',
    'Grok',
    'Perplexity Sonar',
];
const OPUS_MODEL = 'Opus';
const BASE_LAYERS = [1, 2, 4, 9];
/** Layers added, in this order, one per URL cited in the prompt. */
const URL_LAYERS = [3, 5, 6, 7];
const ANSWER_PREFIX = 'Here is a clear, empathetic explanation grounded in the verified facts while preserving every objective element: ';
const ANSWER_SUFFIX = ' (Tone: calm, inclusive, safety-checked.)';
const GOVERNANCE = 'Applied tone, safety, and consent refinements.';
const toron25hFamily_LONG_PROMPT_WORDS = 120;
/** Confidence points lost per contradiction, for at most CONFIDENCE_PENALTY_CAP contradictions. */
const CONFIDENCE_PENALTY = 5;
const CONFIDENCE_PENALTY_CAP = 4;
const LOGIC_CHAIN = ['Parse prompt', 'Generate reasoning', 'Deliver hypothesis'];
const IMPLICIT_ASSUMPTIONS = ['Citations may be required', 'User intent requires clarity'];
// The kit of the prompt being answered (asked for several times per answer). Not a WeakMap keyed by
// the facts: V8's young-generation collector keeps a WeakMap's values alive, so with all-new prompts
// every kit reached the old generation (heap sampling of a 100k-case SIM run: 190 MB promoted).
let lastFacts = null;
let lastKit = null;
const CLAIM_NODES = T1_MODELS.map((_, i) => `claim_${i + 1}`);
function kitOf(f) {
    if (f === lastFacts && lastKit)
        return lastKit;
    const layers = [...BASE_LAYERS, ...URL_LAYERS.slice(0, f.urls.length)].sort((a, b) => a - b);
    const fact = f.clean.slice(0, 100);
    const facts = [];
    const clusterKeys = [];
    const clusterValues = [];
    const trust = [];
    for (const layer of layers) {
        const urlAt = URL_LAYERS.indexOf(layer);
        clusterKeys.push(`layer_${layer}`);
        if (urlAt < 0) {
            facts.push(`Fact from layer ${layer}: ${fact}`);
            clusterValues.push([`source_${layer}_a`, `source_${layer}_b`]);
            trust.push(0.85);
        }
        else {
            const url = f.urls[urlAt];
            facts.push(`Fact from layer ${layer}: ${url}`);
            clusterValues.push([url]);
            trust.push(trustOf(url));
        }
    }
    const head = f.clean.slice(0, 120);
    const kit = {
        tokens: Math.max(24, Math.floor(f.clean.length / 4)),
        layers,
        sources: clusterKeys.slice(),
        hypotheses: T1_MODELS.map((m) => `${m} hypothesis on: ${head}`),
        facts,
        clusterKeys,
        clusterValues,
        trust,
    };
    lastFacts = f;
    lastKit = kit;
    return kit;
}
function tokensFor(f) {
    return kitOf(f).tokens;
}
function confidencePenalty(f) {
    return CONFIDENCE_PENALTY * Math.min(f.contradictions.length, CONFIDENCE_PENALTY_CAP);
}
function executionPlan(f, useOpus) {
    const long = f.words > toron25hFamily_LONG_PROMPT_WORDS;
    return {
        domain: long ? 'specialized' : 'general',
        complexity: long ? 'high' : 'medium',
        contradiction_likelihood: f.hasNot || f.contradictions.length > 0 ? 'elevated' : 'baseline',
        emotional_volatility: 'low',
        evidence_scarcity: f.words > 12 || f.urls.length > 0 ? 'low' : 'medium',
        latency_target_ms: long ? 3200 : 2000,
        use_opus: useOpus,
        tier1_models: T1_MODELS.slice(),
        mmre_layers: kitOf(f).layers.slice(),
        synthesis_depth: long ? 'deep' : 'standard',
    };
}
/**
 * Which contradictions each tier-1 model reports: every contradiction is seen by 3 to 6 of the 8
 * models (seeded), so per-model lists vary by seed while their union is the prompt's contradictions.
 */
function assignContradictions(f, rnd) {
    const per = T1_MODELS.map(() => []);
    for (const c of f.contradictions) {
        for (const i of pickIndices(T1_MODELS.length, rnd.int(3, 6), rnd))
            per[i].push(c);
    }
    return per;
}
function t1Raw(f, latencyMs, perModel) {
    const kit = kitOf(f);
    const tokens = kit.tokens;
    return T1_MODELS.map((model, i) => ({
        model,
        hypothesis: kit.hypotheses[i],
        logic_chain: LOGIC_CHAIN.slice(),
        contradictions: perModel[i].slice(),
        missing_premises: [],
        latency_ms: latencyMs,
        tokens_used: tokens,
    }));
}
/** The shared conclusions in the engine's set order: seeded here, a hash-seed order in the real one. */
function sharedConclusions(f, rnd) {
    return shuffled(kitOf(f).hypotheses, rnd);
}
function t1Summary(f, shared, perModel, stability) {
    const divergent = T1_MODELS.filter((_, i) => perModel[i].length > 0);
    let map;
    if (stability)
        map = { count: f.contradictions.length };
    else {
        map = {};
        for (const c of f.contradictions)
            map[c] = T1_MODELS.filter((_, i) => perModel[i].includes(c));
    }
    return {
        shared_conclusions: shared.slice(),
        divergent_branches: divergent,
        missing_premises: [],
        contradiction_map: map,
        implicit_assumptions: IMPLICIT_ASSUMPTIONS.slice(),
    };
}
function cdgStructure(f) {
    const edges = [];
    for (let i = 1; i < CLAIM_NODES.length; i++)
        edges.push({ from: CLAIM_NODES[i - 1], to: CLAIM_NODES[i], weight: 0.8 });
    return {
        nodes: CLAIM_NODES.slice(),
        edges,
        cycles: false,
        paradoxes: f.contradictions.slice(),
        missing_parents: [],
        invalid_chains: [],
    };
}
function trustOf(url) {
    let host = '';
    try {
        host = new URL(url).hostname;
    }
    catch {
        return 0.6;
    }
    if (/\.(gov|edu)$/i.test(host))
        return 0.95;
    return url.toLowerCase().startsWith('https:') ? 0.8 : 0.6;
}
function realityPacket(f) {
    const kit = kitOf(f);
    const clusters = {};
    const trust = {};
    for (let i = 0; i < kit.clusterKeys.length; i++) {
        clusters[kit.clusterKeys[i]] = kit.clusterValues[i].slice();
        trust[kit.clusterKeys[i]] = kit.trust[i];
    }
    return {
        verified_facts: kit.facts.slice(),
        source_clusters: clusters,
        trust_scores: trust,
        conflicts_detected: f.numericConflicts.slice(),
        // Written the way the engine's arithmetic rounds (4 layers: 0.6000000000000001), at most 1.
        evidence_density: Math.min(1, 0.2 + 0.1 * kit.facts.length),
        escalation_required: f.numericConflicts.length > 0,
    };
}
function sourcesUsed(f) {
    return kitOf(f).sources.slice();
}
function finalAnswer(f, shared) {
    const body = shared.join(' ') + ' ' + kitOf(f).facts.join(' ');
    return ANSWER_PREFIX + body.trim() + ANSWER_SUFFIX;
}
function heavyAudit() {
    return {
        models: ['DeepSeek R1 (Heavy)', 'Kimi K2 (Heavy)'],
        findings: ['No adversarial contradictions detected.'],
    };
}
function rwlResult(witness, f) {
    return {
        model: witness,
        challenge: 'Challenge issued: validate logic chains and biases.',
        dissent_score: Math.round((0.15 + 0.1 * Math.min(f.contradictions.length, 8)) * 100) / 100,
    };
}
function aloePolicy(f) {
    return {
        tone: 'professional',
        detail: 'comprehensive',
        consent_depth: 'standard',
        emotional_safety: 'stable',
        risk_classification: 'medium',
        allowed_transformations: ['summarize', 'analyze', 'classify'],
        disallowed_transformations: ['generate_disallowed_content'],
        prompt_signature: f.signature,
    };
}

;// CONCATENATED MODULE: ./src/engine/reference/prompt.ts

const MAX_CONTRADICTIONS = 8;
const MAX_URLS = 4;
const CONTRAST = /\b(but|however|although|though|whereas|nevertheless|nonetheless)\b/gi;
const SENTENCE_END = /[.!?;\n]/;
const CLAIM_CHARS = 60;
const UNIT_PATTERN = /(\$\s?(-?\d+(?:\.\d+)?))|(-?\d+(?:\.\d+)?)\s?(degrees?\s+celsius|degrees?\s+fahrenheit|%|percent|°\s?c|°\s?f|celsius|fahrenheit|degrees?|kilomet(?:er|re)s?|km|miles?|met(?:er|re)s?|m|kilograms?|kg|grams?|g|lbs?|pounds?|years?|months?|weeks?|days?|hours?|minutes?|seconds?|dollars?|euros?|people|c|f)(?![\p{L}\p{N}])/giu;
const UNIT_CANON = [
    [/^degrees?\s+celsius$|^°\s?c$|^celsius$|^c$/i, '°C'],
    [/^degrees?\s+fahrenheit$|^°\s?f$|^fahrenheit$|^f$/i, '°F'],
    [/^%$|^percent$/i, '%'],
    [/^degrees?$/i, 'degrees'],
    [/^kilomet(?:er|re)s?$|^km$/i, 'km'],
    [/^miles?$/i, 'miles'],
    [/^met(?:er|re)s?$|^m$/i, 'm'],
    [/^kilograms?$|^kg$/i, 'kg'],
    [/^grams?$|^g$/i, 'g'],
    [/^lbs?$|^pounds?$/i, 'lb'],
    [/^years?$/i, 'years'],
    [/^months?$/i, 'months'],
    [/^weeks?$/i, 'weeks'],
    [/^days?$/i, 'days'],
    [/^hours?$/i, 'hours'],
    [/^minutes?$/i, 'minutes'],
    [/^seconds?$/i, 'seconds'],
    [/^dollars?$/i, 'dollars'],
    [/^euros?$/i, 'euros'],
    [/^people$/i, 'people'],
];
const URL_PATTERN = /https?:\/\/[^\s"'<>()[\]{}]+/gi;
/** Python's str.split() word count. */
function countWords(text) {
    let n = 0;
    let inWord = false;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        const space = c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(text[i]));
        if (space)
            inWord = false;
        else if (!inWord) {
            inWord = true;
            n++;
        }
    }
    return n;
}
function cleanPrompt(prompt) {
    const parts = [];
    for (const piece of prompt.split('.')) {
        const t = piece.trim();
        if (t)
            parts.push(t);
    }
    return parts.join(' ');
}
function tidyClaim(s) {
    const t = s.replace(/\s+/g, ' ').trim().replace(/^[,:;\-–—\s]+|[,:;\-–—\s]+$/g, '');
    return t.length > CLAIM_CHARS ? t.slice(0, CLAIM_CHARS).trimEnd() : t;
}
function claimBefore(text) {
    const pieces = text.split(SENTENCE_END);
    for (let i = pieces.length - 1; i >= 0; i--) {
        const t = tidyClaim(pieces[i]);
        if (t)
            return t.length >= CLAIM_CHARS ? t : tidyClaim(pieces[i].slice(-CLAIM_CHARS));
    }
    return '';
}
function claimAfter(text) {
    return tidyClaim(text.split(SENTENCE_END)[0] ?? '');
}
function contrastContradictions(prompt) {
    const out = [];
    for (const m of prompt.matchAll(CONTRAST)) {
        const at = m.index ?? 0;
        const before = claimBefore(prompt.slice(Math.max(0, at - 400), at));
        const after = claimAfter(prompt.slice(at + m[0].length, at + m[0].length + 400));
        out.push(`"${before}" conflicts with "${after}" (${m[0].toLowerCase()})`);
        if (out.length >= MAX_CONTRADICTIONS)
            break;
    }
    return out;
}
function canonicalUnit(raw) {
    const u = raw.replace(/\s+/g, ' ').trim();
    for (const [re, name] of UNIT_CANON)
        if (re.test(u))
            return name;
    return u.toLowerCase();
}
function numericConflicts(prompt) {
    const byUnit = new Map();
    for (const m of prompt.matchAll(UNIT_PATTERN)) {
        const value = m[2] ?? m[3];
        const unit = m[1] !== undefined ? 'dollars' : canonicalUnit(m[4]);
        const n = String(Number(value));
        const seen = byUnit.get(unit);
        if (!seen)
            byUnit.set(unit, [n]);
        else if (!seen.includes(n))
            seen.push(n);
    }
    const out = [];
    for (const [unit, values] of byUnit) {
        if (values.length > 1)
            out.push(`conflicting values for ${unit}: ${values.join(' vs ')}`);
    }
    return out;
}
function findUrls(prompt) {
    const out = [];
    for (const m of prompt.matchAll(URL_PATTERN)) {
        const url = m[0].replace(/[.,;:!?]+$/, '');
        if (!out.includes(url))
            out.push(url);
        if (out.length >= MAX_URLS)
            break;
    }
    return out;
}
function analyzePrompt(prompt) {
    const clean = cleanPrompt(prompt);
    const numeric = numericConflicts(prompt);
    const contradictions = [...contrastContradictions(prompt), ...numeric].slice(0, MAX_CONTRADICTIONS);
    const lower = prompt.toLowerCase();
    return {
        prompt,
        lower,
        clean,
        words: countWords(prompt),
        hasNot: lower.includes('not'),
        contradictions,
        numericConflicts: numeric.slice(0, MAX_CONTRADICTIONS),
        urls: findUrls(prompt),
        // One-shot hashes: a Hash object per prompt costs more than the hashing of a short text.
        signature: (0,external_node_crypto_.hash)('sha256', clean, 'hex'),
        promptHash: (0,external_node_crypto_.hash)('sha256', prompt, 'hex').slice(0, 16),
    };
}
// Load tests and SIM repeats send the same few prompts over and over: analysing each once keeps the
// per-call cost of the reference engine to building the answer object. A prompt is cached the second
// time it comes: a suite of 100k different prompts would otherwise keep each one's facts (and the
// answer kit built from them) alive through 256 more calls, long enough to reach the old generation.
const CACHE_MAX = 256;
const CACHE_PROMPT_CHARS = 20_000;
const SEEN_MAX = 4096;
const prompt_cache = new Map();
const seenOnce = new Set();
/** analyzePrompt, memoised (the result is shared: treat it as read-only). */
function prompt_promptFacts(prompt) {
    const hit = prompt_cache.get(prompt);
    if (hit)
        return hit;
    const facts = analyzePrompt(prompt);
    if (prompt.length <= CACHE_PROMPT_CHARS) {
        if (seenOnce.has(prompt)) {
            if (prompt_cache.size >= CACHE_MAX)
                prompt_cache.clear();
            prompt_cache.set(prompt, facts);
        }
        else {
            if (seenOnce.size >= SEEN_MAX)
                seenOnce.clear();
            seenOnce.add(prompt);
        }
    }
    return facts;
}

;// CONCATENATED MODULE: ./src/engine/reference/shapes/toron3.ts
/**
 * toron-3 (ToronEngineV31Enhanced: tiers 1-8, evidence gatekeeper, Opus arbitration) as the reference
 * engine answers it, in one of two forms (ShapeOptions.toron3Form, default "query"):
 *
 * - "query", as its HTTP `/query` answers:
 *   `{ consensus: { output, model, confidence, calibrated_confidence, source_weighted_confidence,
 *      agreement: "a/b", quality, grade, evidence_strength, arbitration_source, arbitration_model,
 *      uncertainty_flags[] },
 *      metrics: { request_id, latency_ms, providers_called, providers_failed, cache_hit, tier_retries,
 *      tier_timeouts, degradation_level, tier4_failsafe_triggered } }`
 * - "full", the engine's (consensus, metrics) result:
 *   `{ consensus: { representative_output, representative_model, agreement_count, total_responses,
 *      avg_confidence, consensus_quality, semantic_diversity, fingerprint, contributing_models[],
 *      timestamp, output_grade, uncertainty_flags[], source_weighted_confidence, calibrated_confidence,
 *      evidence_strength, arbitration_source, arbitration_model, gatekeeper_passed, gatekeeper_issues[],
 *      tier4_repair_invoked },
 *      metrics: { request_id, prompt_hash, total_latency_ms, provider_latencies{model: ms},
 *      cache_hits, cache_misses, providers_called, providers_failed, consensus_quality, timestamp,
 *      tier_timeouts, tier_retries, degradation_level, output_grade, tier4_arbitration_invoked,
 *      tier4_arbitration_model, tier2_invoked, tier4_failsafe_triggered, gatekeeper_validation_ms,
 *      tier4_repair_invoked, tier4_repair_latency_ms } }`
 *   (query `output`/`model`/`confidence`/`agreement`/`quality`/`grade`/`latency_ms` are the full
 *   form's `representative_output`/`representative_model`/`avg_confidence`/
 *   `agreement_count/total_responses`/`consensus_quality`/`output_grade`/`total_latency_ms`.)
 *
 * Rules a dataset can rely on ("words", "clean", "contradictions" N as in ../prompt.ts; keyword tests
 * are lower-case SUBSTRING tests, as in the real engine, so "know" contains "now"):
 * - An empty prompt (or one over 50000 characters) is refused: HTTP 500
 *   "Query failed: Invalid prompt length: <n>".
 * - Volatile, per call: `request_id` (12 hex) and both `timestamp`s (epoch seconds) change on every
 *   call (they come from the engine's call counter and knob seed); everything else is a function of
 *   the prompt and the request seed. Ignore `/metrics/request_id`, `/metrics/timestamp` and
 *   `/consensus/timestamp` when comparing replays.
 * - Tier 1: 9 models (Grok-4.1, Claude-Sonnet-4.5, ChatGPT-5.2, Gemini-3, Mistral-Large 3,
 *   Cohere-Command R+, Meta-Llama-4 Maverick, Qwen 3, Perplexity-Sonar). Over 400 words one of them
 *   (seeded) times out: providers_failed 1, tier_timeouts 1, tier_retries 2, degradation "degraded";
 *   otherwise 0 / 0 / 0 / "none".
 * - Dissent: 3 tier-1 models per contradiction (seeded which; at most all but one) disagree.
 * - Tier 2 (DeepSeek-R1, Kimi-K2-Thinking; `tier2_invoked`): when the prompt contains at least 2 of
 *   "calculate, solve, prove, analyze, compare, evaluate, step by step, reasoning, logic, mathematical,
 *   equation, algorithm, optimize, derive, explain why, how does", or tier-1 agreement < 0.6
 *   (i.e. N >= 2).
 * - Tier 3 sources (first that applies; domain = the one of medical / legal / financial with the most
 *   keyword hits, ties in that order, keywords as in the real engine's gatekeeper):
 *   medical -> PubMed-API, CDC-API, WHO-API, ClinicalTrials-API; legal -> Government-Data-API,
 *   EU-Legislation-API, Britannica-API; financial -> SEC-EDGAR, FinancialTimes-API,
 *   Government-Data-API; code words (code, python, javascript, typescript, function, program, compile,
 *   bug) -> StackOverflow-API, MDN-Web-Docs, GitHub-Code-Search; real-time context (trending, now,
 *   today, current, latest, breaking, recent, update) -> NewsAPI, GDELT, Google-Search; else
 *   Wikipedia-API, Britannica-API, Google-Search. Prompts under 3 words get only the first source. Each
 *   distinct URL in the prompt (at most 3) adds "Cited-Source-<i>". Two or more sources = verified.
 * - Agreement = (all responses - dissenters) / all responses over tiers 1+2+3. Below 0.7 -> Opus
 *   arbitration (tier 4): `tier4_arbitration_invoked`, arbitration_source "opus_primary",
 *   arbitration_model "Claude-Opus-4.5". Over 300 words Opus times out and the tier-2 failsafe answers:
 *   "tier2_failsafe", "DeepSeek-R1 (failsafe)", `tier4_failsafe_triggered`, one more timeout and 2 more
 *   retries. Without arbitration: "consensus_only", null. The arbiter joins the majority.
 *   In practice: arbitration happens exactly when N >= 2.
 * - agreement "a/b" / agreement_count, total_responses: a = b - dissenters, b = tier-1 answers + tier 2
 *   (0 or 2) + tier-3 sources + arbiter (0 or 1). quality: ratio >= 0.9 "high", >= 0.7 "medium",
 *   >= 0.5 "low", else "critical" (N = 0 -> high, N = 1 -> medium, N >= 2 -> low or critical).
 *   grade: "A+" (ratio 1, high, verified), "A" (>= 0.89, high), "B+" (>= 0.78, verified), "B" (>= 0.67),
 *   "C" (>= 0.44), "D" (>= 0.33), else "F". semantic_diversity = 1 - ratio.
 * - Confidence (all 0..1, 4 decimals): each tier-1 model 0.80-0.95 (seeded) minus 0.05 per
 *   contradiction (at most 4), dissenters 0.45-0.65; tier 2 0.85-0.95 minus the same; sources their
 *   reliability; Opus 0.92, failsafe 0.88. `confidence`/avg_confidence = mean over the majority;
 *   calibrated = avg x (0.6 + 0.4 x ratio); source_weighted = reliability-weighted mean over all
 *   responses.
 * - Gatekeeper (tier 3.5): when one domain has >= 2 keyword hits. Then the model is
 *   "Evidence-Gatekeeper", the output ends with that domain's disclaimer ("... is not medical advice
 *   ..."), and with N > 0 `gatekeeper_passed` is false, `gatekeeper_issues` is
 *   ["validation_warning: contradiction"] and the flags hold "Evidence validation issues: 1".
 * - uncertainty_flags, in this order: "Evidence validation issues: <k>" (gatekeeper failed),
 *   "Low model agreement" (final ratio < 0.7, i.e. N >= 2), "Limited external verification" (fewer
 *   than 2 sources).
 * - evidence_strength: "strong" (>= 9 distinct responders, ratio >= 0.8, >= 3 sources), "moderate"
 *   (>= 6, >= 0.6, >= 2), else "weak".
 * - output: "Consensus answer: <clean[:240]>", plus " Caution: the question makes N conflicting
 *   claim(s)." when N > 0, plus the gatekeeper disclaimer. The model is the most confident majority
 *   tier-1 model (seeded) unless the gatekeeper ran.
 * - Latency (seeded): tier-1 models 350-1800 ms each, tier 2 1500-4000, Opus 2000-5000; the total is
 *   the slowest tier-1 answer (5000 with a timeout) + tier 2 + sources 80-240 + gatekeeper 300-900 +
 *   arbitration + synthesis 10-60, with a fraction. `provider_latencies` has every answering tier-1/2
 *   model and the arbiter. providers_called = b (the real engine counts sources as providers).
 *   cache_hit false.
 */



const T1_MODELS_3 = [
    'Grok-4.1',
    'Claude-Sonnet-4.5',
    'ChatGPT-5.2',
    'Gemini-3',
    'Mistral-Large 3',
    'Cohere-Command R+',
    'Meta-Llama-4 Maverick',
    'Qwen 3',
    'Perplexity-Sonar',
];
const T2_MODELS_3 = ['DeepSeek-R1', 'Kimi-K2-Thinking'];
const OPUS_MODEL_3 = 'Claude-Opus-4.5';
const FAILSAFE_MODEL_3 = 'DeepSeek-R1 (failsafe)';
const ANSWER_LEAD_3 = 'Consensus answer: ';
const MAX_PROMPT_CHARS = 50_000;
const MAX_CITED = 3;
const TIER_TIMEOUT_MS = 5000;
/** The engine's notion of "now" for request 0: 2026-01-01T00:00:00Z. */
const EPOCH_BASE_S = 1_767_225_600;
const WEIGHTS = {
    'Britannica-API': 1.0,
    'WHO-API': 0.96,
    'CDC-API': 0.95,
    'Wikipedia-API': 0.85,
    'Google-Search': 0.75,
    'PubMed-API': 0.94,
    'ClinicalTrials-API': 0.92,
    'StackOverflow-API': 0.82,
    'MDN-Web-Docs': 0.9,
    'Government-Data-API': 0.91,
    'EU-Legislation-API': 0.93,
    NewsAPI: 0.78,
    GDELT: 0.83,
    'FinancialTimes-API': 0.87,
    'SEC-EDGAR': 0.97,
    'GitHub-Code-Search': 0.79,
    'Kimi-K2-Thinking': 0.9,
    'DeepSeek-R1': 0.88,
    'Grok-4.1': 0.86,
    'Claude-Sonnet-4.5': 0.85,
    'ChatGPT-5.2': 0.83,
    'Gemini-3': 0.82,
    'Mistral-Large 3': 0.8,
    'Cohere-Command R+': 0.8,
    'Meta-Llama-4 Maverick': 0.78,
    'Qwen 3': 0.75,
    'Perplexity-Sonar': 0.85,
    'Claude-Opus-4.5': 0.92,
};
const DEFAULT_WEIGHT = 0.7;
const FORMAL = ['research', 'study', 'academic', 'medical', 'legal', 'clinical', 'patient', 'regulation', 'compliance'];
const REAL_TIME = ['trending', 'now', 'today', 'current', 'latest', 'breaking', 'recent', 'update'];
const GROK_MULTIPLIER = { formal: 0.85, 'real-time': 1.1, casual: 1.0 };
const DOMAINS = [
    ['medical', ['health', 'disease', 'symptom', 'treatment', 'diagnosis', 'medicine', 'doctor', 'patient', 'clinical', 'medical', 'drug', 'medication', 'therapy', 'surgery', 'vaccine']],
    ['legal', ['law', 'legal', 'court', 'attorney', 'lawyer', 'regulation', 'statute', 'contract', 'jurisdiction', 'lawsuit', 'litigation', 'rights', 'liability', 'compliance', 'legislation']],
    ['financial', ['invest', 'stock', 'finance', 'trading', 'money', 'loan', 'mortgage', 'credit', 'bank', 'portfolio', 'fund', 'bond', 'market', 'dividend', 'interest', 'tax', 'insurance']],
];
const CODE_WORDS = ['code', 'python', 'javascript', 'typescript', 'function', 'program', 'compile', 'bug'];
const REASONING = ['calculate', 'solve', 'prove', 'analyze', 'compare', 'evaluate', 'step by step', 'reasoning', 'logic', 'mathematical', 'equation', 'algorithm', 'optimize', 'derive', 'explain why', 'how does'];
const SOURCES = {
    medical: ['PubMed-API', 'CDC-API', 'WHO-API', 'ClinicalTrials-API'],
    legal: ['Government-Data-API', 'EU-Legislation-API', 'Britannica-API'],
    financial: ['SEC-EDGAR', 'FinancialTimes-API', 'Government-Data-API'],
    code: ['StackOverflow-API', 'MDN-Web-Docs', 'GitHub-Code-Search'],
    'real-time': ['NewsAPI', 'GDELT', 'Google-Search'],
    general: ['Wikipedia-API', 'Britannica-API', 'Google-Search'],
};
const DISCLAIMERS = {
    medical: 'Medical Disclaimer: This information is for educational purposes only and is not medical advice. Always consult a qualified healthcare provider for diagnosis and treatment.',
    legal: 'Legal Disclaimer: This information is for general educational purposes only and is not legal advice. Consult a licensed attorney for advice specific to your jurisdiction and situation.',
    financial: 'Financial Disclaimer: This information is for educational purposes only and is not financial advice. Past performance does not guarantee future results. Consult a qualified financial advisor before making investment decisions.',
};
function countHits(lower, words) {
    let n = 0;
    for (const w of words)
        if (lower.includes(w))
            n++;
    return n;
}
function contextOf(lower) {
    if (countHits(lower, FORMAL) > 0)
        return 'formal';
    if (countHits(lower, REAL_TIME) > 0)
        return 'real-time';
    return 'casual';
}
function domainOf(lower) {
    let best = null;
    let hits = 0;
    for (const [d, words] of DOMAINS) {
        const n = countHits(lower, words);
        if (n > hits) {
            best = d;
            hits = n;
        }
    }
    return { domain: best, hits };
}
function toron3_trustOf(url) {
    try {
        if (/\.(gov|edu)$/i.test(new URL(url).hostname))
            return 0.95;
    }
    catch {
        return 0.6;
    }
    return url.toLowerCase().startsWith('https:') ? 0.8 : 0.6;
}
function sourcesFor(f, context, domain) {
    let names;
    if (domain)
        names = SOURCES[domain];
    else if (countHits(f.lower, CODE_WORDS) > 0)
        names = SOURCES.code;
    else if (context === 'real-time')
        names = SOURCES['real-time'];
    else
        names = SOURCES.general;
    if (f.words < 3)
        names = names.slice(0, 1);
    const out = names.map((model) => ({ model, confidence: WEIGHTS[model] ?? DEFAULT_WEIGHT, agrees: true }));
    f.urls.slice(0, MAX_CITED).forEach((url, i) => out.push({ model: `Cited-Source-${i + 1}`, confidence: toron3_trustOf(url), agrees: true }));
    return out;
}
function weightOf(model, context) {
    const w = WEIGHTS[model] ?? DEFAULT_WEIGHT;
    return model === 'Grok-4.1' ? Math.min(1, w * (GROK_MULTIPLIER[context] ?? 1)) : w;
}
function gradeOf(ratio, quality, verified) {
    if (ratio === 1 && quality === 'high' && verified)
        return 'A+';
    if (ratio >= 0.89 && quality === 'high')
        return 'A';
    if (ratio >= 0.78 && verified)
        return 'B+';
    if (ratio >= 0.67)
        return 'B';
    if (ratio >= 0.44)
        return 'C';
    if (ratio >= 0.33)
        return 'D';
    return 'F';
}
function qualityOf(ratio) {
    if (ratio >= 0.9)
        return 'high';
    if (ratio >= 0.7)
        return 'medium';
    if (ratio >= 0.5)
        return 'low';
    return 'critical';
}
function toron3(prompt, rnd, opts = {}) {
    if (prompt.length === 0 || prompt.length > MAX_PROMPT_CHARS) {
        throw new ShapeRejection(`Query failed: Invalid prompt length: ${prompt.length}`, 500);
    }
    const f = prompt_promptFacts(prompt);
    const n = f.contradictions.length;
    const penalty = 0.05 * Math.min(n, 4);
    const context = contextOf(f.lower);
    const { domain, hits } = domainOf(f.lower);
    // Tier 1.
    let tierTimeouts = 0;
    let tierRetries = 0;
    const failedAt = f.words > 400 ? rnd.int(0, T1_MODELS_3.length - 1) : -1;
    if (failedAt >= 0) {
        tierTimeouts++;
        tierRetries += 2;
    }
    const t1Names = T1_MODELS_3.filter((_, i) => i !== failedAt);
    const dissent = new Set(pickIndices(t1Names.length, Math.min(t1Names.length - 1, 3 * n), rnd));
    const latencies = {};
    const t1 = [];
    let t1Slowest = failedAt >= 0 ? TIER_TIMEOUT_MS : 0;
    t1Names.forEach((model, i) => {
        const ms = rnd.int(350, 1800);
        latencies[model] = ms;
        t1Slowest = Math.max(t1Slowest, ms);
        const agrees = !dissent.has(i);
        const confidence = agrees ? 0.8 + 0.15 * rnd.next() - penalty : 0.45 + 0.2 * rnd.next();
        t1.push({ model, confidence: common_round(Math.max(0, confidence), 4), agrees });
    });
    // Tier 2.
    const t1Agreement = (t1.length - dissent.size) / t1.length;
    const tier2 = countHits(f.lower, REASONING) >= 2 || t1Agreement < 0.6;
    const t2 = [];
    let t2Slowest = 0;
    if (tier2) {
        for (const model of T2_MODELS_3) {
            const ms = rnd.int(1500, 4000);
            latencies[model] = ms;
            t2Slowest = Math.max(t2Slowest, ms);
            t2.push({ model, confidence: common_round(Math.max(0, 0.85 + 0.1 * rnd.next() - penalty), 4), agrees: true });
        }
    }
    // Tier 3 and the gatekeeper.
    const t3 = sourcesFor(f, context, domain);
    const verified = t3.length >= 2;
    const sourcesMs = rnd.int(80, 240);
    const gatekeeper = domain !== null && hits >= 2;
    const gatekeeperMs = gatekeeper ? common_round(300 + 600 * rnd.next(), 3) : 0;
    const gatekeeperIssues = gatekeeper && n > 0 ? ['validation_warning: contradiction'] : [];
    // Tier 4.
    let pool = [...t1, ...t2, ...t3];
    const preRatio = pool.filter((r) => r.agrees).length / pool.length;
    const arbitration = preRatio < 0.7;
    const failsafe = arbitration && f.words > 300;
    let arbiter = null;
    let arbitrationMs = 0;
    if (arbitration) {
        arbiter = failsafe ? FAILSAFE_MODEL_3 : OPUS_MODEL_3;
        arbitrationMs = rnd.int(2000, 5000);
        if (failsafe) {
            tierTimeouts++;
            tierRetries += 2;
            arbitrationMs += TIER_TIMEOUT_MS;
        }
        latencies[arbiter] = arbitrationMs;
        pool = [...pool, { model: arbiter, confidence: failsafe ? 0.88 : 0.92, agrees: true }];
    }
    const synthMs = rnd.int(10, 60);
    const totalLatency = common_round(t1Slowest + t2Slowest + sourcesMs + gatekeeperMs + arbitrationMs + synthMs + rnd.next(), 3);
    // Consensus.
    const majority = pool.filter((r) => r.agrees);
    const agreementCount = majority.length;
    const total = pool.length;
    const ratio = agreementCount / total;
    const quality = qualityOf(ratio);
    const grade = gradeOf(ratio, quality, verified);
    const avg = common_round(majority.reduce((s, r) => s + r.confidence, 0) / majority.length, 4);
    let wSum = 0;
    let wConf = 0;
    for (const r of pool) {
        const w = weightOf(r.model, context);
        wSum += w;
        wConf += w * r.confidence;
    }
    const sourceWeighted = common_round(wSum > 0 ? wConf / wSum : 0, 4);
    const calibrated = common_round(avg * (0.6 + 0.4 * ratio), 4);
    let representative = t1.filter((r) => r.agrees).reduce((a, b) => (b.confidence > a.confidence ? b : a)).model;
    let output = (ANSWER_LEAD_3 + f.clean.slice(0, 240)).trimEnd();
    if (n > 0)
        output += ` Caution: the question makes ${n} conflicting claim(s).`;
    if (gatekeeper && domain) {
        output += ` ${DISCLAIMERS[domain]}`;
        representative = 'Evidence-Gatekeeper';
    }
    const flags = [];
    if (gatekeeperIssues.length > 0)
        flags.push(`Evidence validation issues: ${gatekeeperIssues.length}`);
    if (ratio < 0.7)
        flags.push('Low model agreement');
    if (!verified)
        flags.push('Limited external verification');
    const uniqueModels = new Set(pool.map((r) => r.model)).size;
    const evidence = uniqueModels >= 9 && ratio >= 0.8 && t3.length >= 3
        ? 'strong'
        : uniqueModels >= 6 && ratio >= 0.6 && t3.length >= 2
            ? 'moderate'
            : 'weak';
    const arbitrationSource = !arbitration ? 'consensus_only' : failsafe ? 'tier2_failsafe' : 'opus_primary';
    const degradation = failedAt >= 0 || failsafe ? 'degraded' : 'none';
    // Volatile per call, like the real engine's clock: the counter and knob seed, never the request seed.
    const callIndex = opts.callIndex ?? 0;
    const knobSeed = opts.knobSeed ?? 0;
    const requestId = (0,external_node_crypto_.createHash)('sha256').update(`toron3:${knobSeed}:${callIndex}`).digest('hex').slice(0, 12);
    const started = EPOCH_BASE_S + (Math.abs(knobSeed) % 100_000) + callIndex * 2.5;
    const metricsAt = common_round(started + totalLatency / 1000, 6);
    const consensusAt = common_round(metricsAt - synthMs / 1000, 6);
    if ((opts.toron3Form ?? 'query') === 'query') {
        return {
            consensus: {
                output,
                model: representative,
                confidence: avg,
                calibrated_confidence: calibrated,
                source_weighted_confidence: sourceWeighted,
                agreement: `${agreementCount}/${total}`,
                quality,
                grade,
                evidence_strength: evidence,
                arbitration_source: arbitrationSource,
                arbitration_model: arbiter,
                uncertainty_flags: flags,
            },
            metrics: {
                request_id: requestId,
                latency_ms: totalLatency,
                providers_called: total,
                providers_failed: failedAt >= 0 ? 1 : 0,
                cache_hit: false,
                tier_retries: tierRetries,
                tier_timeouts: tierTimeouts,
                degradation_level: degradation,
                tier4_failsafe_triggered: failsafe,
            },
        };
    }
    return {
        consensus: {
            representative_output: output,
            representative_model: representative,
            agreement_count: agreementCount,
            total_responses: total,
            avg_confidence: avg,
            consensus_quality: quality,
            semantic_diversity: common_round(1 - ratio, 4),
            fingerprint: (0,external_node_crypto_.createHash)('sha256').update(output.trim().toLowerCase().split(/\s+/).join(' ')).digest('hex').slice(0, 16),
            contributing_models: majority.map((r) => r.model),
            timestamp: consensusAt,
            output_grade: grade,
            uncertainty_flags: flags,
            source_weighted_confidence: sourceWeighted,
            calibrated_confidence: calibrated,
            evidence_strength: evidence,
            arbitration_source: arbitrationSource,
            arbitration_model: arbiter,
            gatekeeper_passed: gatekeeperIssues.length === 0,
            gatekeeper_issues: gatekeeperIssues,
            tier4_repair_invoked: false,
        },
        metrics: {
            request_id: requestId,
            prompt_hash: f.promptHash,
            total_latency_ms: totalLatency,
            provider_latencies: latencies,
            cache_hits: 0,
            cache_misses: 1,
            providers_called: total,
            providers_failed: failedAt >= 0 ? 1 : 0,
            consensus_quality: quality,
            timestamp: metricsAt,
            tier_timeouts: tierTimeouts,
            tier_retries: tierRetries,
            degradation_level: degradation,
            output_grade: grade,
            tier4_arbitration_invoked: arbitration,
            tier4_arbitration_model: arbiter,
            tier2_invoked: tier2,
            tier4_failsafe_triggered: failsafe,
            gatekeeper_validation_ms: gatekeeperMs,
            tier4_repair_invoked: false,
            tier4_repair_latency_ms: 0,
        },
    };
}

;// CONCATENATED MODULE: ./src/engine/reference/perturb.ts


/**
 * The nondeterminism knob's damage: one meaningful change to an answer, chosen by the knob stream.
 * Every perturbation makes the answer differ from the unperturbed one (a replay test counting
 * differences then measures exactly the knob's rate):
 * - 2.5h / 2.5h-stability: a word of `final_answer` changes ("a clear, empathetic" -> "a concise, ..."
 *   or similar), or `models_used` is rotated.
 * - toron-3: the answer's lead changes ("Consensus answer:" -> "Consensus reply:" or similar), or the
 *   representative model changes (query form) / `contributing_models` is rotated (full form).
 */
const PREFIX_WORD = 'a clear, empathetic';
const PREFIX_SWAPS = ['a concise, empathetic', 'a careful, empathetic', 'a clear, measured'];
const LEAD_SWAPS = ['Consensus reply: ', 'Agreed answer: ', 'Consensus view: '];
function rotate(list, rnd) {
    const k = rnd.int(1, list.length - 1);
    return [...list.slice(k), ...list.slice(0, k)];
}
function perturb25h(body, rnd) {
    const models = body.models_used;
    if (rnd.next() < 0.5 && Array.isArray(models) && models.length > 1) {
        body.models_used = rotate(models, rnd);
        return;
    }
    const answer = String(body.final_answer ?? '');
    const swap = PREFIX_SWAPS[rnd.int(0, PREFIX_SWAPS.length - 1)];
    body.final_answer = answer.startsWith(ANSWER_PREFIX)
        ? answer.replace(PREFIX_WORD, swap)
        : `${answer} (${swap})`;
}
function perturb3(body, rnd) {
    const consensus = body.consensus;
    if (!consensus)
        return;
    const textKey = 'output' in consensus ? 'output' : 'representative_output';
    if (rnd.next() < 0.5) {
        if (textKey === 'output') {
            const current = consensus.model;
            const others = T1_MODELS_3.filter((m) => m !== current);
            consensus.model = others[rnd.int(0, others.length - 1)];
            return;
        }
        const contributing = consensus.contributing_models;
        if (Array.isArray(contributing) && contributing.length > 1) {
            consensus.contributing_models = rotate(contributing, rnd);
            return;
        }
    }
    const text = String(consensus[textKey] ?? '');
    const swap = LEAD_SWAPS[rnd.int(0, LEAD_SWAPS.length - 1)];
    consensus[textKey] = text.startsWith(ANSWER_LEAD_3) ? swap + text.slice(ANSWER_LEAD_3.length) : `${swap}${text}`;
}
function perturbAnswer(generation, body, rnd) {
    if (generation === '3')
        perturb3(body, rnd);
    else
        perturb25h(body, rnd);
}

;// CONCATENATED MODULE: ./src/engine/reference/shapes/toron25h.ts


const TIER_PATH_25H = 'T1->T1_SUMMARY->CDG->T2->MMRE->SYNTH->JUDICIAL->RWL->CONSENSUS->ALOE';
const T1_LATENCY_MS = 420;
function usesOpus25h(prompt) {
    const f = promptFacts(prompt);
    return f.words > LONG_PROMPT_WORDS || f.hasNot;
}
function toron25h(prompt, rnd, opts = {}) {
    const f = prompt_promptFacts(prompt);
    const useOpus = f.words > toron25hFamily_LONG_PROMPT_WORDS || f.hasNot;
    const witnessAt = typeof opts.now === 'number' && Number.isFinite(opts.now)
        ? ((Math.floor(opts.now) % T1_MODELS.length) + T1_MODELS.length) % T1_MODELS.length
        : rnd.int(0, T1_MODELS.length - 1);
    const witness = T1_MODELS[witnessAt];
    const shared = sharedConclusions(f, rnd);
    const perModel = assignContradictions(f, rnd);
    const packet = realityPacket(f);
    const confidence = (useOpus ? 68 : 58) - confidencePenalty(f);
    const n = f.contradictions.length;
    const flags = n > 0 ? ['contradictions_detected'] : [];
    const critiques = [
        'DeepSeek R1 (Light) notes potential gaps in evidence density.',
        'Kimi K2 (Light) suggests clarifying assumptions in shared conclusions.',
    ];
    if (n > 0)
        critiques.push(`DeepSeek R1 (Light) flags ${n} contradiction(s) between tier-1 hypotheses.`);
    const judicial = useOpus
        ? {
            opus_result: {
                result: `Opus processed: ${f.clean.slice(0, 256)}`,
                latency_ms: T1_LATENCY_MS,
                tokens_used: tokensFor(f),
            },
            opus_reasoning_chain: ['Opus evaluated synthesis', 'Stress-tested assumptions'],
            heavy_audit: heavyAudit(),
            revision_applied: false,
        }
        : {};
    const models = T1_MODELS.slice();
    if (useOpus)
        models.push(OPUS_MODEL);
    return {
        final_answer: finalAnswer(f, shared),
        confidence_score: confidence,
        sources_used: sourcesUsed(f),
        models_used: models,
        tier_path: TIER_PATH_25H,
        opus_used: useOpus,
        random_witness: witness,
        governance_adjustments: GOVERNANCE,
        meta_surveillance_flags: flags,
        state_snapshot: {
            CLEAN_PROMPT: f.clean,
            EXECUTION_PLAN: executionPlan(f, useOpus),
            T1_RAW: t1Raw(f, T1_LATENCY_MS, perModel),
            T1_SUMMARY: t1Summary(f, shared, perModel, false),
            CDG_STRUCTURE: cdgStructure(f),
            T2_AUDIT_REPORT: {
                models: ['DeepSeek R1 (Light)', 'Kimi K2 (Light)'],
                critiques,
                cdg_valid: n === 0,
                missing_steps: [],
            },
            REALITY_PACKET: packet,
            JUDICIAL_RESULT: judicial,
            RWL_RESULT: rwlResult(witness, f),
            CONFIDENCE_SCORE: confidence,
            ALOE_POLICY: aloePolicy(f),
            MSL_FLAGS: flags.slice(),
        },
    };
}

;// CONCATENATED MODULE: ./src/engine/reference/shapes/toron25hStability.ts


const SNAPSHOT_KEYS = [
    't1_raw',
    't1_summary',
    'cdg_structure',
    't2_audit_report',
    'reality_packet',
    'judicial_result',
    'rwl_result',
    'confidence_score',
    'aloe_policy',
    'meta_flags',
];
function usesOpusStability(prompt) {
    return promptFacts(prompt).words > LONG_PROMPT_WORDS;
}
function toron25hStability(prompt, rnd, _opts = {}) {
    const f = prompt_promptFacts(prompt);
    const useOpus = f.words > toron25hFamily_LONG_PROMPT_WORDS;
    const latency = rnd.int(300, 340);
    const t2Latency = rnd.int(300, 340);
    const witness = T1_MODELS[rnd.int(0, T1_MODELS.length - 1)];
    const shared = sharedConclusions(f, rnd);
    const perModel = assignContradictions(f, rnd);
    const n = f.contradictions.length;
    const confidence = (useOpus ? 77 : 82) - confidencePenalty(f);
    const tierPath = useOpus ? ['T1', 'T2', 'T3', 'T4'] : ['T1', 'T2', 'T3'];
    const flags = [];
    if (useOpus)
        flags.push('opus_escalation');
    if (n > 0)
        flags.push('contradictions_detected');
    const opusNumber = useOpus ? rnd.int(1000, 9999) : 0;
    // Consumers may edit an answer in place (dropping ignored paths, say); a parsed HTTP answer never
    // shares objects between its members, so neither does this one: each copy is built afresh.
    const members = () => ({
        raw: t1Raw(f, latency, perModel),
        summary: t1Summary(f, shared, perModel, true),
        cdg: cdgStructure(f),
        t2: {
            models: ['DeepSeek R1 (Light)', 'Kimi K2 (Light)'],
            critiques: [
                n > 0 ? `R1: structural integrity weakened by ${n} contradiction(s)` : 'R1: structural integrity acceptable',
                'K2: no major logical gaps',
            ],
            cdg_valid: n === 0,
            missing_steps: [],
            latency_ms: t2Latency,
        },
        packet: { ...realityPacket(f), latency_ms: latency },
        judicial: useOpus
            ? {
                opus_result: { result: `OpusResolution:${opusNumber}`, latency_ms: latency, tokens_used: tokensFor(f) },
                opus_reasoning_chain: ['Opus evaluated synthesis', 'Stress-tested assumptions'],
                heavy_audit: heavyAudit(),
                revision_applied: false,
            }
            : {},
        rwl: rwlResult(witness, f),
        aloe: aloePolicy(f),
    });
    const snapshotOf = () => {
        const m = members();
        return {
            t1_raw: m.raw,
            t1_summary: m.summary,
            cdg_structure: m.cdg,
            t2_audit_report: m.t2,
            reality_packet: m.packet,
            judicial_result: m.judicial,
            rwl_result: m.rwl,
            confidence_score: confidence,
            aloe_policy: m.aloe,
            // The real patch writes an empty flag list as {} in its snapshot only.
            meta_flags: flags.length > 0 ? flags.slice() : {},
        };
    };
    const top = members();
    const emptySnapshot = {};
    for (const k of SNAPSHOT_KEYS)
        emptySnapshot[k] = {};
    const models = T1_MODELS.slice();
    if (useOpus)
        models.push(OPUS_MODEL);
    return {
        final_answer: finalAnswer(f, shared),
        confidence_score: confidence,
        sources_used: sourcesUsed(f),
        models_used: models,
        tier_path: tierPath,
        opus_used: useOpus,
        random_witness: witness,
        governance_adjustments: GOVERNANCE,
        meta_surveillance_flags: flags,
        latency_ms: latency,
        contradictions: n,
        snapshot: snapshotOf(),
        state_snapshot: {
            CLEAN_PROMPT: f.clean,
            EXECUTION_PLAN: {
                ...executionPlan(f, useOpus),
                latency_ms: latency,
                // The patch plans T4 by the old 2.5h rule ("not" included) but escalates by length only.
                tier_path: useOpus || f.hasNot ? ['T1', 'T2', 'T3', 'T4'] : ['T1', 'T2', 'T3'],
                snapshot: emptySnapshot,
            },
            T1_RAW: top.raw,
            T1_SUMMARY: top.summary,
            CDG_STRUCTURE: top.cdg,
            T2_AUDIT_REPORT: top.t2,
            REALITY_PACKET: top.packet,
            JUDICIAL_RESULT: top.judicial,
            RWL_RESULT: top.rwl,
            CONFIDENCE_SCORE: confidence,
            ALOE_POLICY: top.aloe,
            MSL_FLAGS: flags.slice(),
            LATENCY_MS: latency,
            CONTRADICTIONS: n,
            NORMALIZED_SNAPSHOT: snapshotOf(),
        },
    };
}

;// CONCATENATED MODULE: ./src/engine/reference/shapes/index.ts







const SHAPES = {
    '2.5h': toron25h,
    '2.5h-stability': toron25hStability,
    '3': toron3,
};

;// CONCATENATED MODULE: ./src/engine/reference/engine.ts





/**
 * The reference engine: answers like a real Toron generation (shapes/), deterministic for a request
 * seed, with faults switched on by knobs (DESIGN §3.1). Every knob draws from its own stream derived
 * from `knobs.seed`, so turning one knob on never changes what another one does:
 * - latencyMs: mean added delay; each request waits mean x (0.5 + 0.5 x Exp(1)) (never below half the
 *   mean, a long right tail like a real engine's).
 * - errorRate: that fraction of requests is answered with an engine error (HTTP 500 in server mode).
 * - nondeterminism: that fraction of answers is perturbed (see perturb.ts). The draw comes from the
 *   knob stream, not the request seed: the same request replayed gets a different answer with that
 *   probability.
 * - crashAfter N: the engine answers N requests (`/run` or `run`, not health), then is dead: later
 *   calls fail in process; the server and stdio modes exit or close (server.ts, stdio.ts).
 * - stallMs: every 1.5-2.5 s (seeded) the engine freezes for stallMs. In process ("delay" mode) a
 *   request arriving in a freeze waits for its end; the server and stdio modes ("busy" mode) block the
 *   event loop for real, so nothing at all is answered meanwhile.
 */
const REFERENCE_ENGINE_VERSION = '2.0.0';
const GENERATIONS = ['2.5h', '2.5h-stability', '3'];
const STALL_PERIOD_MIN_MS = 1500;
const STALL_PERIOD_MAX_MS = 2500;
function referenceVersion(generation) {
    return `reference-${generation}/${REFERENCE_ENGINE_VERSION}`;
}
/** Throws InputError naming the flag of the first bad knob. */
function checkKnobs(k) {
    const bad = (flag, why, v) => {
        throw new InputError(`reference engine: --${flag} ${why} (got ${JSON.stringify(v) ?? String(v)})`);
    };
    const nonNeg = (flag, v) => {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
            bad(flag, 'must be a number >= 0', v);
    };
    const fraction = (flag, v) => {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1)
            bad(flag, 'must be a number from 0 to 1', v);
    };
    nonNeg('latency-ms', k.latencyMs);
    fraction('error-rate', k.errorRate);
    fraction('nondeterminism', k.nondeterminism);
    nonNeg('crash-after', k.crashAfter);
    if (!Number.isInteger(k.crashAfter))
        bad('crash-after', 'must be a whole number of requests', k.crashAfter);
    nonNeg('stall-ms', k.stallMs);
    if (!GENERATIONS.includes(k.generation))
        bad('generation', `must be one of ${GENERATIONS.join(', ')}`, k.generation);
    if (!Number.isSafeInteger(k.seed))
        bad('seed', 'must be an integer', k.seed);
}
/** Busy-waits: freezes the whole event loop, which is the point of a stall in server/stdio mode. */
function freezeEventLoop(ms) {
    const end = external_node_perf_hooks_.performance.now() + ms;
    while (external_node_perf_hooks_.performance.now() < end) {
        // spin
    }
}
function sleep(ms, signal) {
    if (signal?.aborted)
        return Promise.resolve(false);
    return new Promise((resolve) => {
        const onAbort = () => {
            clearTimeout(timer);
            resolve(false);
        };
        const timer = setTimeout(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve(true);
        }, ms);
        signal?.addEventListener('abort', onAbort, { once: true });
    });
}
class ReferenceEngine {
    knobs;
    version;
    toron3Form;
    /** Run requests accepted so far (health checks do not count). */
    requests = 0;
    /** True once crashAfter requests were accepted: every later one fails. */
    crashed = false;
    /** Answers the nondeterminism knob changed (for tests and logs). */
    perturbed = 0;
    latencyRnd;
    errorRnd;
    ndRnd;
    stallRnd;
    stallMode;
    started = external_node_perf_hooks_.performance.now();
    nextStallAt = 0;
    stallTimer;
    closed = false;
    constructor(knobs, options = {}) {
        checkKnobs(knobs);
        this.knobs = { ...knobs };
        this.version = referenceVersion(knobs.generation);
        this.toron3Form = options.toron3Form ?? 'query';
        if (this.toron3Form !== 'query' && this.toron3Form !== 'full') {
            throw new InputError(`reference engine: --toron3-form must be query or full (got ${JSON.stringify(this.toron3Form)})`);
        }
        this.latencyRnd = seededRandom(deriveSeed(knobs.seed, 'latency'));
        this.errorRnd = seededRandom(deriveSeed(knobs.seed, 'error'));
        this.ndRnd = seededRandom(deriveSeed(knobs.seed, 'nondeterminism'));
        this.stallRnd = seededRandom(deriveSeed(knobs.seed, 'stall'));
        this.stallMode = options.stallMode ?? 'delay';
        if (knobs.stallMs > 0) {
            this.nextStallAt = this.stallPeriod();
            if (this.stallMode === 'busy')
                this.scheduleBusyStall();
        }
    }
    get generation() {
        return this.knobs.generation;
    }
    /** One answer. Never throws; never waits when latency and stalls are off. */
    answer(req, signal) {
        if (this.crashed)
            return Promise.resolve(this.crashedAnswer());
        this.requests++;
        const index = this.requests;
        if (this.knobs.crashAfter > 0 && index >= this.knobs.crashAfter)
            this.crashed = true;
        const wait = this.stallWait() + this.latencyDraw();
        if (wait <= 0)
            return Promise.resolve(this.respond(req, index));
        return sleep(wait, signal).then((done) => done ? this.respond(req, index) : { ok: false, status: 499, error: 'the request was aborted', reason: 'aborted', index });
    }
    /** True for the answer after which a crash-after engine dies (its server or process then goes). */
    isLastAnswer(a) {
        return this.knobs.crashAfter > 0 && a.index === this.knobs.crashAfter;
    }
    /** Stops the stall timer (busy mode); the engine still answers. */
    close() {
        this.closed = true;
        if (this.stallTimer)
            clearTimeout(this.stallTimer);
        this.stallTimer = undefined;
    }
    crashedAnswer() {
        return {
            ok: false,
            status: 503,
            error: `reference engine crashed after ${this.knobs.crashAfter} request(s) (crash-after)`,
            reason: 'crashed',
        };
    }
    respond(req, index) {
        const k = this.knobs;
        if (k.errorRate > 0 && this.errorRnd.next() < k.errorRate) {
            return { ok: false, status: 500, error: `reference engine: injected engine error (error-rate ${k.errorRate})`, reason: 'injected', index };
        }
        const input = req.input;
        const prompt = input?.prompt;
        if (typeof prompt !== 'string') {
            return { ok: false, status: 422, error: 'input.prompt must be a string', reason: 'bad_request', index };
        }
        const seed = Number.isFinite(req.seed) ? req.seed : deriveSeed('prompt', prompt);
        const now = typeof input?.now === 'number' ? input.now : undefined;
        let body;
        try {
            body = SHAPES[k.generation](prompt, seededRandom(seed), {
                now,
                callIndex: index,
                knobSeed: k.seed,
                toron3Form: this.toron3Form,
            });
        }
        catch (err) {
            if (err instanceof ShapeRejection)
                return { ok: false, status: err.status, error: err.message, reason: 'rejected', index };
            return { ok: false, status: 500, error: `reference engine bug: ${err.message}`, reason: 'rejected', index };
        }
        if (k.nondeterminism > 0 && this.ndRnd.next() < k.nondeterminism) {
            perturbAnswer(k.generation, body, this.ndRnd);
            this.perturbed++;
        }
        return { ok: true, body, index };
    }
    latencyDraw() {
        const mean = this.knobs.latencyMs;
        if (mean <= 0)
            return 0;
        const u = this.latencyRnd.next();
        return mean * (0.5 - 0.5 * Math.log(1 - u));
    }
    stallPeriod() {
        return this.stallRnd.int(STALL_PERIOD_MIN_MS, STALL_PERIOD_MAX_MS);
    }
    /** In delay mode: how long a request arriving now waits for the current freeze to end. */
    stallWait() {
        const ms = this.knobs.stallMs;
        if (ms <= 0 || this.stallMode !== 'delay')
            return 0;
        const t = external_node_perf_hooks_.performance.now() - this.started;
        while (t >= this.nextStallAt + ms)
            this.nextStallAt += this.stallPeriod();
        return t >= this.nextStallAt ? this.nextStallAt + ms - t : 0;
    }
    scheduleBusyStall() {
        if (this.closed)
            return;
        const delay = Math.max(0, this.nextStallAt - (external_node_perf_hooks_.performance.now() - this.started));
        this.stallTimer = setTimeout(() => {
            freezeEventLoop(this.knobs.stallMs);
            this.nextStallAt = external_node_perf_hooks_.performance.now() - this.started + this.stallPeriod();
            this.scheduleBusyStall();
        }, delay);
        // A stall must not keep a finished process alive.
        this.stallTimer.unref();
    }
}

;// CONCATENATED MODULE: ./src/engine/reference/adapter.ts


/**
 * The in-process reference engine behind the adapter contract. Hot path for the SIM benchmark: one
 * shape build per call, no timers unless a knob asks; the `raw` bytes are serialised only when read
 * (replay and snapshots read them, SIM does not), which was two thirds of a call's cost.
 * A crashed engine's failures are `process_exit` (what the same engine gives as a child process);
 * injected and refused answers are `engine_error` with the HTTP status the server would send.
 */
function createReferenceAdapter(knobs, options = {}) {
    const engine = new ReferenceEngine(knobs, options);
    let closed = false;
    return {
        kind: 'reference',
        target: 'reference',
        engine,
        async health() {
            const tried = [`reference (${engine.version})`];
            if (engine.crashed) {
                return {
                    ok: false,
                    version: engine.version,
                    tried,
                    message: `reference engine ${engine.version} crashed after ${engine.requests} request(s) (crash-after)`,
                };
            }
            return { ok: true, version: engine.version, tried, message: `reference engine ${engine.version} is up` };
        },
        async call(req, signal) {
            const t0 = external_node_perf_hooks_.performance.now();
            if (closed || signal?.aborted) {
                const message = closed ? 'the engine adapter is closed' : 'the run was cancelled';
                return { ok: false, error: { kind: 'aborted', message }, latencyMs: 0 };
            }
            const a = await engine.answer(req, signal);
            const latencyMs = external_node_perf_hooks_.performance.now() - t0;
            if (a.ok)
                return new InProcessAnswer(a.body, latencyMs);
            if (a.reason === 'crashed')
                return { ok: false, error: { kind: 'process_exit', message: a.error }, latencyMs };
            if (a.reason === 'aborted')
                return { ok: false, error: { kind: 'aborted', message: a.error }, latencyMs };
            return { ok: false, error: { kind: 'engine_error', message: a.error, status: a.status }, status: a.status, latencyMs };
        },
        async close() {
            closed = true;
            engine.close();
        },
    };
}
/** A successful in-process answer whose raw bytes are the JSON text of the body, made on first read. */
class InProcessAnswer {
    body;
    latencyMs;
    ok = true;
    status = 200;
    rawText;
    constructor(body, latencyMs) {
        this.body = body;
        this.latencyMs = latencyMs;
    }
    get raw() {
        return (this.rawText ??= JSON.stringify(this.body));
    }
}

;// CONCATENATED MODULE: ./src/engine/stderr-log.ts

const STDERR_LIMITS = { consoleLines: 20, logLines: 10_000, logBytes: 4 * 1024 * 1024 };
/**
 * Where a `cmd:` engine's stderr lines go. The first few are warnings (console and run.log); then
 * debug lines (run.log only, the console shows them with --verbose); past the run.log bound they are
 * only counted, and `flush()` (the process has gone) logs one note saying how many were dropped.
 * An engine that floods stderr thus costs a counter per line, not a console write and a log write.
 * One per adapter, so a restarted engine does not get a fresh console allowance.
 */
class StderrLog {
    log;
    limits;
    lines = 0;
    bytes = 0;
    droppedLines = 0;
    droppedBytes = 0;
    constructor(log, limits = STDERR_LIMITS) {
        this.log = log;
        this.limits = limits;
    }
    line(text) {
        const size = Buffer.byteLength(text) + 1;
        if (this.lines >= this.limits.logLines || this.bytes + size > this.limits.logBytes) {
            if (this.droppedLines === 0) {
                this.log('debug', `engine stderr: run.log keeps ${this.limits.logLines} lines or ${mb(this.limits.logBytes)} of it; ` +
                    'later lines are only counted (a note says how many when the engine process ends)');
            }
            this.droppedLines++;
            this.droppedBytes += size;
            return;
        }
        this.lines++;
        this.bytes += size;
        const message = `engine stderr: ${escapeControls(text)}`;
        if (this.lines <= this.limits.consoleLines) {
            this.log('warn', message);
            return;
        }
        if (this.lines === this.limits.consoleLines + 1) {
            this.log('warn', `engine stderr: more than ${this.limits.consoleLines} lines; further engine stderr goes only to run.log`);
        }
        this.log('debug', message);
    }
    /** Logs the lines dropped since the last note, with the last ones the engine wrote, if any. */
    flush(tail = []) {
        if (this.droppedLines === 0)
            return;
        const last = tail.length > 0 ? `; the last: ${tail.map(escapeControls).join(' | ')}` : '';
        this.log('warn', `engine stderr: ${this.droppedLines} more line(s) (${this.droppedBytes} bytes) were not logged ` +
            `(run.log keeps ${this.limits.logLines} lines or ${mb(this.limits.logBytes)})${last}`);
        this.droppedLines = 0;
        this.droppedBytes = 0;
    }
}
function mb(bytes) {
    return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : `${bytes} bytes`;
}

;// CONCATENATED MODULE: ./src/engine/command.ts
/**
 * `cmd:` engines: one long-lived child process (no shell) speaking JSON lines.
 *
 *   request  {"id":"7","method":"run","params":{"runId","caseId","seed","input"}}
 *            {"id":"8","method":"health"}
 *   answer   {"id":"7","result":<the engine's answer>}   or   {"id":"7","error":{"message":"..."}}
 *
 * One line each way per request; answers may come in any order and are matched by id. Anything else
 * on stdout is logged and ignored; stderr goes to run.log (bounded: stderr-log.ts). The process is
 * started on first use and ends when stdin closes (or on SIGTERM, then SIGKILL). Once it has exited,
 * its pipes get a short grace period for their last bytes and are then destroyed: a helper it started
 * (`worker &` in a wrapper script) may hold them open, and must not keep our process alive.
 */








const STDERR_TAIL_LINES = 5;
const STDERR_LINE_BYTES = 8 * 1024;
const LATE_IDS_KEPT = 1_000;
/** After the process exits: how long its pipes may still deliver what it wrote just before. */
const EXIT_GRACE_MS = 250;
function createCommandAdapter(opts) {
    if (opts.argv.length === 0 || opts.argv[0] === '')
        throw new Error('createCommandAdapter: empty argv');
    const outer = opts.printable;
    const target = outer ? outer(`cmd:${(0,shell_quote.quote)(opts.argv)}`) : `cmd:${(0,shell_quote.quote)(opts.argv)}`;
    // The engine's own text (stderr, stack traces, its error messages) names files of its own, not only
    // those of its command line: every absolute path in it is made portable before the runner's scrubber.
    const enginePathsBase = opts.cwd ?? process.cwd();
    const printable = outer ? (text) => outer(portableText(text, enginePathsBase)) : (text) => text;
    const log = (level, message) => opts.log(level, printable(message));
    const sessionOpts = { ...opts, log };
    let session;
    let closed = false;
    let nextId = 0;
    const stderrLog = new StderrLog(log);
    function current() {
        session ??= new Session(sessionOpts, target, stderrLog);
        return session;
    }
    function send(method, params, timeoutMs, signal) {
        if (closed)
            return Promise.resolve(failReply('aborted', 'the engine adapter is closed'));
        if (signal?.aborted)
            return Promise.resolve(failReply('aborted', 'the run was cancelled'));
        const id = String(++nextId);
        return current().request(id, method, params, timeoutMs, signal);
    }
    return {
        kind: 'command',
        target,
        get pid() {
            return session?.pid;
        },
        async call(req, signal) {
            const params = {
                runId: req.runId,
                caseId: req.caseId,
                seed: req.seed,
                input: { ...(opts.body ?? {}), ...req.input },
            };
            const r = await send('run', params, opts.timeoutMs, signal);
            return r.ok
                ? { ok: true, body: r.result, raw: r.raw, latencyMs: r.latencyMs }
                : { ok: false, error: { ...r.error, message: printable(r.error.message) }, latencyMs: r.latencyMs };
        },
        async health(signal) {
            const r = await send('health', undefined, opts.timeoutMs, signal);
            const pid = session?.pid;
            const who = pid === undefined ? target : `${target} (pid ${pid})`;
            if (r.ok) {
                const v = r.result?.version;
                const version = typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
                return {
                    ok: true,
                    version,
                    tried: [`${target}: health answered`],
                    message: `engine ${who} is up${version ? ` (version ${version})` : ''}`,
                };
            }
            const { kind } = r.error;
            const message = printable(r.error.message);
            // An engine without a health method still proved it reads and answers JSON lines.
            if (kind === 'engine_error' || kind === 'too_large' || kind === 'protocol') {
                return {
                    ok: true,
                    tried: [`${target}: health answered with an error`],
                    message: `engine ${who} answers, but not to "health" (${message}); continuing`,
                };
            }
            const outcome = kind === 'timeout' ? `no answer to the health request within ${opts.timeoutMs} ms` : message;
            // `tried` carries the detail (exit code, stderr); the message stays one short line.
            const short = kind === 'timeout' ? 'did not answer the health check in time' : `is not usable (${kind})`;
            return { ok: false, tried: [`${target}: ${outcome}`], message: `engine ${who} ${short}` };
        },
        async restart() {
            const s = session;
            session = undefined;
            await s?.stop('the engine process was restarted');
        },
        async close() {
            closed = true;
            const s = session;
            session = undefined;
            await s?.stop('the engine adapter is closed');
        },
    };
}
/** One engine process and the requests in flight to it. */
class Session {
    opts;
    target;
    stderrLog;
    child;
    pending = new Map();
    /** Ids that timed out, so a late answer is logged as late rather than unknown. */
    late = new Set();
    /** Ids answered lately, so an answer sent twice is logged as a duplicate rather than unknown. */
    done = new Set();
    stderrTail = [];
    answered = 0;
    /** Set once the process is gone: every later request fails with it. */
    dead;
    stopping;
    exitInfo;
    exited;
    markExited;
    finalizeTimer;
    /** Resolves once finalize() has run: the process is gone and its pipes are let go. */
    finished;
    markFinished;
    released = false;
    stdout;
    stderr;
    constructor(opts, target, stderrLog) {
        this.opts = opts;
        this.target = target;
        this.stderrLog = stderrLog;
        this.exited = new Promise((r) => (this.markExited = r));
        this.finished = new Promise((r) => (this.markFinished = r));
        this.stdout = new BoundedLineSplitter(opts.maxResponseBytes, (line) => this.onLine(line), (prefix) => this.onOverlong(prefix));
        const stderr = (this.stderr = new BoundedLineSplitter(STDERR_LINE_BYTES, (line) => this.onStderr(line), (prefix) => this.onStderr(`${prefix}… (line cut at ${STDERR_LINE_BYTES} bytes)`)));
        const [file, ...args] = opts.argv;
        let child;
        try {
            // No shell, ever: the argv was split by us (spec.ts), and nothing in it is interpreted.
            child = (0,external_node_child_process_.spawn)(file, args, {
                cwd: opts.cwd,
                env: opts.env ?? process.env,
                shell: false,
                stdio: ['pipe', 'pipe', 'pipe'],
                windowsHide: true,
            });
        }
        catch (err) {
            this.die(`could not start engine ${target}: ${err.message}`);
            this.markExited();
            this.markFinished();
            return;
        }
        this.child = child;
        child.stdout.on('data', (c) => this.stdout.push(c));
        child.stderr.on('data', (c) => stderr.push(c));
        child.stderr.on('end', () => stderr.end());
        // EPIPE after the child died: the exit handler reports the death, with its code.
        child.stdin.on('error', () => { });
        child.on('error', (err) => {
            if (child.pid === undefined) {
                const message = `could not start engine ${target}: ${spawnErrorText(err, file)}`;
                opts.log('error', message);
                this.die(message);
                this.markExited();
            }
            else {
                opts.log('warn', `engine ${target}: ${err.message}`);
            }
        });
        child.on('exit', (code, signal) => {
            this.exitInfo = { code, signal };
            this.markExited();
            // Normally 'close' follows once the pipes are drained; a grandchild holding them open must not
            // keep pending requests waiting (nor, once the pipes are destroyed, our process alive).
            this.finalizeTimer = setTimeout(() => this.finalize(), EXIT_GRACE_MS);
            this.finalizeTimer.unref();
        });
        child.on('close', () => this.finalize());
    }
    get pid() {
        return this.child?.pid;
    }
    request(id, method, params, timeoutMs, signal) {
        if (this.dead)
            return Promise.resolve({ ok: false, error: this.dead, latencyMs: 0 });
        const line = `${JSON.stringify(params === undefined ? { id, method } : { id, method, params })}\n`;
        return new Promise((resolve) => {
            const started = external_node_perf_hooks_.performance.now();
            const onAbort = () => settle(failReply('aborted', 'the run was cancelled', external_node_perf_hooks_.performance.now() - started));
            const settle = (r) => {
                if (!this.pending.delete(id))
                    return;
                clearTimeout(timer);
                signal?.removeEventListener('abort', onAbort);
                resolve(r);
            };
            const timer = setTimeout(() => {
                this.rememberLate(id);
                settle(failReply('timeout', `engine ${this.target} did not answer request ${id} (${method}) within ${timeoutMs} ms`, external_node_perf_hooks_.performance.now() - started));
            }, timeoutMs);
            this.pending.set(id, { method, started, timer, settle });
            signal?.addEventListener('abort', onAbort, { once: true });
            this.child.stdin.write(line);
        });
    }
    /**
     * Ends stdin (a well-behaved engine exits on EOF), then escalates to signals; then lets go of the
     * pipes, after the grace period for the last output.
     */
    async stop(reason) {
        this.stopping = reason;
        this.failAll({ kind: 'aborted', message: reason });
        const child = this.child;
        if (!child || child.pid === undefined)
            return this.release();
        if (!this.exitInfo)
            await this.end(child);
        await settlesWithin(this.finished, EXIT_GRACE_MS + 250);
        // Finalized by now, unless the process would not die even of SIGKILL: let go of it all the same.
        this.release();
    }
    async end(child) {
        child.stdin.end();
        if (await settlesWithin(this.exited, 1_000))
            return;
        child.kill('SIGTERM');
        if (await settlesWithin(this.exited, 1_000))
            return;
        child.kill('SIGKILL');
        if (await settlesWithin(this.exited, 1_000))
            return;
        child.unref();
    }
    onLine(line) {
        if (line.trim() === '')
            return;
        let msg;
        try {
            msg = JSON.parse(line);
        }
        catch {
            this.opts.log('warn', `engine ${this.target} wrote a line that is not JSON (ignored): ${excerpt(line)}`);
            return;
        }
        const rawId = msg?.id;
        if (typeof msg !== 'object' || msg === null || Array.isArray(msg) || (typeof rawId !== 'string' && typeof rawId !== 'number')) {
            this.opts.log('warn', `engine ${this.target} wrote a JSON line without an "id" (ignored): ${excerpt(line)}`);
            return;
        }
        const id = String(rawId);
        const p = this.pending.get(id);
        if (!p) {
            const shown = `"${excerpt(id, '', 40)}"`;
            const what = this.late.delete(id)
                ? `request ${shown} after its timeout`
                : this.done.has(id)
                    ? `request ${shown} again (a duplicate: it was already answered)`
                    : `for an unknown request id ${shown}`;
            this.opts.log('warn', `engine ${this.target} answered ${what} (ignored)`);
            return;
        }
        this.remember(this.done, id);
        const latencyMs = external_node_perf_hooks_.performance.now() - p.started;
        this.answered++;
        const m = msg;
        if ('error' in m && m.error !== undefined && m.error !== null) {
            p.settle(failReply('engine_error', `engine reported an error: ${engineErrorText(m.error)}`, latencyMs));
        }
        else if ('result' in m) {
            // The answer's own text, without the envelope: what an HTTP engine's body would be.
            p.settle({ ok: true, result: m.result, raw: JSON.stringify(m.result) ?? 'null', latencyMs });
        }
        else {
            p.settle(failReply('protocol', `engine answer for request ${id} has neither "result" nor "error"`, latencyMs));
        }
    }
    onOverlong(prefix) {
        const sniffed = /^\s*\{\s*"id"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|(\d+))/.exec(prefix);
        const id = sniffed ? (sniffed[1] ?? sniffed[2]) : this.pending.size === 1 ? [...this.pending.keys()][0] : undefined;
        const what = `an answer line over the ${this.opts.maxResponseBytes}-byte cap (maxResponseBytes)`;
        const p = id === undefined ? undefined : this.pending.get(id);
        if (!p) {
            this.opts.log('warn', `engine ${this.target} wrote ${what} for no pending request (ignored): ${excerpt(prefix, '', 80)}`);
            return;
        }
        this.answered++;
        this.remember(this.done, id);
        p.settle(failReply('too_large', `engine ${this.target} wrote ${what}; the rest of it was dropped`, external_node_perf_hooks_.performance.now() - p.started));
    }
    onStderr(line) {
        if (line.trim() === '')
            return;
        this.stderrTail.push(line.length > 300 ? `${line.slice(0, 299)}…` : line);
        if (this.stderrTail.length > STDERR_TAIL_LINES)
            this.stderrTail.shift();
        this.stderrLog.line(line);
    }
    /**
     * Destroys the pipes (a grandchild may hold their other ends open for as long as it likes), reads
     * out the last partial lines and notes the stderr lines that were not logged. Idempotent.
     */
    release() {
        if (this.released)
            return;
        this.released = true;
        const child = this.child;
        if (child) {
            child.stdin.destroy();
            child.stdout.destroy();
            child.stderr.destroy();
        }
        this.stdout.end();
        this.stderr.end();
        this.stderrLog.flush(this.stderrTail);
    }
    finalize() {
        clearTimeout(this.finalizeTimer);
        this.release();
        this.markFinished();
        if (this.dead)
            return;
        const info = this.exitInfo;
        const how = !info
            ? 'closed its output'
            : info.signal
                ? `was killed by signal ${info.signal}`
                : `exited with code ${info.code}`;
        const pid = this.child?.pid;
        let message = `engine process ${this.target}${pid === undefined ? '' : ` (pid ${pid})`} ${how} after ${this.answered} answer(s)`;
        if (this.stderrTail.length > 0)
            message += `; last stderr: ${escapeControls(this.stderrTail.join(' | '))}`;
        if (this.stopping) {
            this.dead = { kind: 'aborted', message: this.stopping };
        }
        else {
            this.opts.log('error', message);
            this.die(message);
        }
        this.failAll(this.dead);
    }
    die(message) {
        this.dead ??= { kind: 'process_exit', message };
        this.failAll(this.dead);
    }
    failAll(error) {
        for (const p of [...this.pending.values()]) {
            p.settle({ ok: false, error, latencyMs: external_node_perf_hooks_.performance.now() - p.started });
        }
    }
    rememberLate(id) {
        this.remember(this.late, id);
    }
    remember(ids, id) {
        ids.add(id);
        if (ids.size > LATE_IDS_KEPT)
            ids.delete(ids.values().next().value);
    }
}
function failReply(kind, message, latencyMs = 0) {
    return { ok: false, error: { kind, message }, latencyMs };
}
function engineErrorText(error) {
    const m = error?.message;
    if (typeof m === 'string')
        return excerpt(m, '', 300);
    return excerpt(typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error)), '', 300);
}
function spawnErrorText(err, file) {
    if (err.code === 'ENOENT')
        return `"${file}" was not found (ENOENT): check the program name and PATH, or the working directory`;
    if (err.code === 'EACCES')
        return `"${file}" is not executable (EACCES)`;
    return err.code ? `${err.message} (${err.code})` : err.message;
}
function settlesWithin(p, ms) {
    return new Promise((resolve) => {
        const t = setTimeout(() => resolve(false), ms);
        void p.then(() => {
            clearTimeout(t);
            resolve(true);
        });
    });
}

;// CONCATENATED MODULE: ./src/engine/create.ts





/**
 * The one place a SPEC becomes an adapter. Bad specs and missing secret variables throw InputError
 * here, before anything starts.
 */
function createEngine(engine, knobs, deps) {
    const spec = parseEngineSpec(engine.target);
    if (spec.kind !== 'http' && Object.keys(engine.headers).length > 0) {
        deps.log('warn', `engine headers are only sent to http(s) engines; ignored for a ${spec.kind} engine`);
    }
    switch (spec.kind) {
        case 'reference':
            return createReferenceAdapter(knobs);
        case 'http':
            return createHttpAdapter({
                url: spec.url,
                headers: expandHeaders(engine.headers, deps.env),
                timeoutMs: engine.timeoutMs,
                maxResponseBytes: engine.maxResponseBytes,
                body: engine.body,
            });
        case 'command':
            return createCommandAdapter({
                argv: spec.argv,
                cwd: deps.cwd,
                env: deps.env,
                timeoutMs: engine.timeoutMs,
                maxResponseBytes: engine.maxResponseBytes,
                log: deps.log,
                body: engine.body,
                printable: deps.printable,
            });
    }
}
/** An adapter whose engine can be restarted in a fresh process (replay rounds with freshProcess). */
function isRestartable(adapter) {
    return typeof adapter.restart === 'function';
}

;// CONCATENATED MODULE: ./src/replay/similarity.ts

/**
 * Above this many cells (length x length after the common prefix and suffix are cut) the distance is
 * not computed: fastest-levenshtein is O(n*m/32), and two 200 KB texts that differ everywhere would
 * take seconds per pair. The similarity is then null ("not computed"), never a guess.
 */
const MAX_SIMILARITY_CELLS = 4e9;
/**
 * Normalized Levenshtein similarity, 1 - distance / max(length), in [0, 1], 4 decimals; 1 for two
 * equal texts (two empty texts included). Common prefix and suffix are cut first: they cost nothing
 * in distance, and replayed answers usually differ in one place.
 */
function textSimilarity(a, b) {
    if (a === b)
        return 1;
    const max = Math.max(a.length, b.length);
    let start = 0;
    const shorter = Math.min(a.length, b.length);
    while (start < shorter && a.charCodeAt(start) === b.charCodeAt(start))
        start++;
    let endA = a.length;
    let endB = b.length;
    while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
        endA--;
        endB--;
    }
    const midA = a.slice(start, endA);
    const midB = b.slice(start, endB);
    if (midA.length * midB.length > MAX_SIMILARITY_CELLS)
        return null;
    const d = midA.length === 0 ? midB.length : midB.length === 0 ? midA.length : (0,mod/* distance */.Io)(midA, midB);
    return Math.round((1 - d / max) * 1e4) / 1e4;
}
/** Index of the first UTF-16 unit where two texts differ (the shorter length when one is a prefix). */
function firstDifferingChar(a, b) {
    const n = Math.min(a.length, b.length);
    let i = 0;
    while (i < n && a.charCodeAt(i) === b.charCodeAt(i))
        i++;
    return i;
}

;// CONCATENATED MODULE: ./src/replay/divergence.ts


function kindOf(v) {
    if (v === null)
        return 'null';
    if (Array.isArray(v))
        return 'array';
    const t = typeof v;
    return t === 'object' || t === 'string' || t === 'number' || t === 'boolean' ? t : 'other';
}
/** The first divergence between two parsed answers, or null when they are equal. */
function firstDivergence(a, b) {
    return diverge(a, b, []);
}
function diverge(a, b, at) {
    const ka = kindOf(a);
    if (ka !== kindOf(b))
        return { pointer: segmentsToPointer(at) };
    switch (ka) {
        case 'string':
            return a === b ? null : { pointer: segmentsToPointer(at), charIndex: firstDifferingChar(a, b) };
        case 'array': {
            const x = a;
            const y = b;
            const n = Math.min(x.length, y.length);
            for (let i = 0; i < n; i++) {
                at.push(i);
                const d = diverge(x[i], y[i], at);
                at.pop();
                if (d)
                    return d;
            }
            return x.length === y.length ? null : { pointer: segmentsToPointer([...at, n]) };
        }
        case 'object': {
            const x = a;
            const y = b;
            for (const k of mergedKeys(x, y)) {
                if (!Object.hasOwn(x, k) || !Object.hasOwn(y, k))
                    return { pointer: segmentsToPointer([...at, k]) };
                at.push(k);
                const d = diverge(x[k], y[k], at);
                at.pop();
                if (d)
                    return d;
            }
            return null;
        }
        default:
            return Object.is(a, b) || a === b ? null : { pointer: segmentsToPointer(at) };
    }
}
function mergedKeys(x, y) {
    return [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
}
/**
 * Every differing leaf, in canonical order, at most `limit` of them (`total` counts them all). Arrays
 * are compared item by item: a rotated list shows as one change per moved item, which is what a reader
 * of a replay diff wants to see.
 */
function diffValues(a, b, opts = {}) {
    const limit = opts.limit ?? 20;
    const chars = opts.previewChars ?? 160;
    const diffs = [];
    let total = 0;
    const add = (d) => {
        total++;
        if (diffs.length < limit)
            diffs.push(d);
    };
    const walk = (x, y, at) => {
        const kx = kindOf(x);
        const ky = kindOf(y);
        if (kx === ky && kx === 'array') {
            const xa = x;
            const ya = y;
            for (let i = 0; i < Math.max(xa.length, ya.length); i++) {
                if (i >= xa.length)
                    add({ pointer: segmentsToPointer([...at, i]), kind: 'added', right: preview(ya[i], chars) });
                else if (i >= ya.length)
                    add({ pointer: segmentsToPointer([...at, i]), kind: 'removed', left: preview(xa[i], chars) });
                else {
                    at.push(i);
                    walk(xa[i], ya[i], at);
                    at.pop();
                }
            }
            return;
        }
        if (kx === ky && kx === 'object') {
            const xo = x;
            const yo = y;
            for (const k of mergedKeys(xo, yo)) {
                if (!Object.hasOwn(yo, k))
                    add({ pointer: segmentsToPointer([...at, k]), kind: 'removed', left: preview(xo[k], chars) });
                else if (!Object.hasOwn(xo, k))
                    add({ pointer: segmentsToPointer([...at, k]), kind: 'added', right: preview(yo[k], chars) });
                else {
                    at.push(k);
                    walk(xo[k], yo[k], at);
                    at.pop();
                }
            }
            return;
        }
        if (kx === ky && (x === y || Object.is(x, y)))
            return;
        const pointer = segmentsToPointer(at);
        if (kx === 'string' && ky === 'string') {
            const charIndex = firstDifferingChar(x, y);
            add({
                pointer,
                kind: 'changed',
                left: divergence_excerpt(x, charIndex, chars),
                right: divergence_excerpt(y, charIndex, chars),
                charIndex,
                similarity: textSimilarity(x, y),
            });
            return;
        }
        add({ pointer, kind: 'changed', left: preview(x, chars), right: preview(y, chars) });
    };
    walk(a, b, []);
    return { diffs, total };
}
/** A value as a diff shows it: itself when short, else its JSON text cut to `chars` with an ellipsis. */
function preview(v, chars = 160) {
    if (typeof v === 'string')
        return divergence_excerpt(v, 0, chars);
    if (v === null || typeof v !== 'object')
        return v;
    const text = JSON.stringify(v);
    return text.length <= chars ? v : `${text.slice(0, chars)}…`;
}
/** A long text around `at`: some context before, the rest after, with ellipses where cut. */
function divergence_excerpt(s, at, chars = 160) {
    if (s.length <= chars)
        return s;
    const before = Math.min(at, Math.floor(chars / 4));
    const start = at - before;
    const end = Math.min(s.length, start + chars);
    return `${start > 0 ? '…' : ''}${s.slice(start, end)}${end < s.length ? '…' : ''}`;
}

;// CONCATENATED MODULE: ./src/replay/drift.ts
function driftStatus(f) {
    if (!f.inRun)
        return 'removed';
    if (!f.inBaseline || !f.sameInput)
        return 'new';
    if (!f.stable)
        return 'noise';
    return f.sameAnswer ? 'unchanged' : 'changed';
}
function countDrift(statuses) {
    const c = { unchanged: 0, changed: 0, new: 0, removed: 0, noise: 0 };
    for (const s of statuses)
        c[s]++;
    return c;
}
/**
 * No case of this run is in the baseline (same id, same input): drift was not measured at all, and a
 * rate of 0 would read as "nothing changed" (a baseline of another suite, or of a renamed one).
 */
function noCaseInCommon(c) {
    return c.new > 0 && c.unchanged + c.changed + c.noise === 0;
}
/** Changed over the stable cases both runs have (0 when there is none). */
function driftRate(c) {
    const compared = c.unchanged + c.changed;
    return compared > 0 ? c.changed / compared : 0;
}
/**
 * WARN when the rate is above `warnRate` (default 0: any stable case that changed), FAIL above
 * `failRate`.
 */
function driftVerdict(rate, changed, t) {
    if (changed > 0 && rate > t.failRate)
        return 'FAIL';
    if (changed > 0 && rate > t.warnRate)
        return 'WARN';
    return 'PASS';
}

;// CONCATENATED MODULE: ./src/replay/tar.ts
/**
 * Replay agreement metrics (DESIGN §4.1). Inputs are output identities (hashes of canonical or raw
 * answers), so these stay small and pure. Only answers are identities: a replay that got no answer (an
 * engine error) is left out by the caller, and whether its case is scored at all is decided there
 * (src/stages/replay/report.ts, isScored).
 */
function caseAgreement(snapshot, replays) {
    const counts = new Map([[snapshot, 1]]);
    for (const r of replays)
        counts.set(r, (counts.get(r) ?? 0) + 1);
    let modal = 0;
    for (const c of counts.values())
        modal = Math.max(modal, c);
    return {
        agreed: counts.size === 1,
        uniqueOutputs: counts.size,
        modalAgreement: tar_round4(modal / (replays.length + 1)),
        replaysAgree: replays.every((r) => r === replays[0]),
    };
}
/** TAR@N: the share of cases whose snapshot answer and N replays agree (0 when there is no case). */
function tarAtN(agreedCases, totalCases) {
    return totalCases > 0 ? agreedCases / totalCases : 0;
}
/**
 * 100 x TAR@N, 2 decimals, rounded down: the number the gate reads, never above what was measured.
 * Rounded to nearest, 89,996 agreeing cases of 100,000 (89.996) showed as 90 and PASSed the >= 90 line.
 * The 1e-7 absorbs float error only: k/n x 1e4 is an integer or at least 1/n away from one.
 */
function determinismScore(tar) {
    return Math.floor(tar * 1e4 + 1e-7) / 100;
}
/**
 * A TAR as report.json gives it: 4 decimals, rounded down like the score, so tarCanonical never reads
 * above the score beside it (449 of 499 is 0.8997, not 0.8998).
 */
function tarShare(tar) {
    return Math.floor(tar * 1e4 + 1e-7) / 1e4;
}
/** PASS at or above `pass`, WARN at or above `warn`, FAIL below (DESIGN §4.1: 90 / 70 by default). */
function determinismVerdict(score, t) {
    if (score >= t.pass)
        return 'PASS';
    if (score >= t.warn)
        return 'WARN';
    return 'FAIL';
}
function tar_round4(x) {
    return Math.round(x * 1e4) / 1e4;
}

;// CONCATENATED MODULE: ./src/stages/replay/call.ts

const call_YIELD_EVERY_MS = 20;
/**
 * Runs `job(i)` for i in [0, n) with at most `concurrency` in flight; stops starting new ones when the
 * signal aborts. In-process engines answer in microtasks only, so the loop yields to the event loop
 * now and then (progress timers and cancellation must still run).
 */
async function pool(n, concurrency, signal, job) {
    let next = 0;
    let lastTurn = external_node_perf_hooks_.performance.now();
    const worker = async () => {
        while (next < n && !signal.aborted) {
            if (external_node_perf_hooks_.performance.now() - lastTurn > call_YIELD_EVERY_MS) {
                lastTurn = external_node_perf_hooks_.performance.now();
                await new Promise((r) => setImmediate(r));
                continue;
            }
            await job(next++);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, worker));
}

;// CONCATENATED MODULE: ./src/stages/replay/replay.ts









const key = (dataset, id) => `${dataset}\u0000${id}`;
/** Same set of paths (`sorted` is sorted already, `other` may not be). */
function samePaths(sorted, other) {
    if (sorted.length !== other.length)
        return false;
    const o = [...other].sort();
    return sorted.every((p, i) => p === o[i]);
}
/**
 * A snapshot case's stored answer, held to its hash. Replay and drift compare hashes, so an answer
 * edited by hand (or damaged) under an unchanged hash would be invisible: a case would "agree" with
 * an answer the file no longer holds. The stored answer is canonical already (its ignorePaths left
 * out), so its canonical text must hash to `hash`.
 */
function storedAnswer(snapshot, index) {
    const entry = snapshot.entries[index];
    const answer = snapshot.readAnswer(index);
    if (canonicalHash(answer).hash !== entry.hash) {
        throw new InputError(`the stored answer (dataset ${entry.dataset}) does not match its hash, the sha256 of its canonical form: the snapshot was edited or is damaged ` +
            '(answers are compared by their hashes, so an edited answer would go unseen; to make another answer the baseline, run the engine that gives it: its run writes a new snapshot)', { file: snapshot.shownAs, line: snapshot.lineOf(index), pointer: `/cases/${index}/answer`, caseId: entry.id });
    }
    return answer;
}
/**
 * The drift cases no replay answer decides (pure): this run's cases that got no answer (engine error)
 * and the baseline's cases this run no longer has (within `scope`: a shard answers for its slice only).
 * Also for a run with nothing to replay (a shard whose slice is empty, a snapshot of engine errors
 * only): the baseline's cases of its slice are still removed, or a merge of the legs would lose them.
 */
function driftWithoutAnswers(entries, baseline, scope) {
    const out = [];
    const answered = new Set(baseline.entries.filter((e) => e.status === 'ok').map((e) => key(e.dataset, e.id)));
    for (const e of entries) {
        if (e.status === 'ok')
            continue;
        out.push({
            id: e.id,
            dataset: e.dataset,
            status: answered.has(key(e.dataset, e.id)) ? 'noise' : 'new',
            note: 'no answer in this run (engine error)',
            ...(e.location ? { location: e.location } : {}),
        });
    }
    const inRun = new Set(entries.map((e) => key(e.dataset, e.id)));
    for (const e of baseline.entries) {
        if (!inRun.has(key(e.dataset, e.id)) && (scope?.(e) ?? true))
            out.push({ id: e.id, dataset: e.dataset, status: 'removed' });
    }
    return out;
}
async function replaySnapshot(o) {
    const { snapshot } = o;
    const trees = new Map();
    const ignoreFor = (paths, where) => {
        const k = paths.join('\u0000');
        if (!trees.has(k)) {
            try {
                trees.set(k, compileIgnorePaths(paths));
            }
            catch (err) {
                throw new InputError(err.message, { file: snapshot.shownAs, caseId: where.id });
            }
        }
        return { paths, tree: trees.get(k) };
    };
    /**
     * A stored answer (canonical: its entry's ignorePaths already left out) under `paths`: only the paths
     * it has not left out yet are applied. Applying one again is not harmless: `/items/0` would remove
     * the item that moved up into its place, and the answers compared would not be the answers given.
     */
    const storedUnder = (answer, where, paths) => JSON.parse(canonicalJson(answer, ignoreFor(paths.filter((p) => !where.ignorePaths.includes(p)), where).tree));
    // The baseline by case, and which cases need a probe.
    const base = o.baseline;
    const baseIndex = new Map();
    if (base)
        base.snapshot.entries.forEach((e, i) => baseIndex.set(key(e.dataset, e.id), i));
    const trackers = [];
    const notReplayed = [];
    snapshot.entries.forEach((entry, index) => {
        if (entry.status !== 'ok') {
            notReplayed.push({ id: entry.id, dataset: entry.dataset, reason: `no answer in the snapshot (${entry.error?.kind ?? 'error'}: ${entry.error?.message ?? ''})` });
            return;
        }
        const ignore = ignoreFor(unionPaths(o.configIgnorePaths, snapshot.header.canonical.ignorePaths, entry.ignorePaths), entry);
        const stored = storedAnswer(snapshot, index);
        // Paths the snapshot did not leave out yet are taken out of its answer now.
        const snapshotHash = samePaths(ignore.paths, entry.ignorePaths) ? entry.hash : canonicalHash(storedUnder(stored, entry, ignore.paths)).hash;
        let probe = null;
        if (base && base.snapshot !== snapshot) {
            const bi = baseIndex.get(key(entry.dataset, entry.id));
            const b = bi === undefined ? undefined : base.snapshot.entries[bi];
            if (b && b.status === 'ok' && b.seed !== entry.seed && canonicalJson(b.input) === canonicalJson(entry.input)) {
                probe = { seed: b.seed, hashes: [], errored: false };
            }
        }
        trackers.push({
            index,
            entry,
            ignore,
            snapshotHash,
            rawHash: entry.rawHash ?? '',
            hashes: [],
            rawHashes: [],
            asked: 0,
            errors: [],
            divergence: null,
            diffs: [],
            diffCount: 0,
            probe,
        });
    });
    const restartable = isRestartable(o.engine);
    const freshProcess = !o.freshProcess ? 'off' : restartable ? 'per-round' : 'not-restartable';
    if (freshProcess === 'not-restartable') {
        o.log?.('warn', `replay.freshProcess applies to cmd: engines only; the ${o.engine.kind} engine answers every round in the same process`);
    }
    const jobs = [];
    for (const t of trackers) {
        jobs.push({ t, probe: false });
        if (t.probe)
            jobs.push({ t, probe: true });
    }
    const total = jobs.length * o.rounds;
    let done = 0;
    let calls = 0;
    let roundsDone = 0;
    const results = [];
    const driftCases = [];
    const diffLimit = o.diffLimit ?? 20;
    const runId = snapshot.header.runId;
    for (let round = 1; round <= o.rounds && !o.signal.aborted; round++) {
        if (freshProcess === 'per-round' && isRestartable(o.engine))
            await o.engine.restart();
        const last = round === o.rounds;
        await pool(jobs.length, o.concurrency, o.signal, async (j) => {
            const { t, probe } = jobs[j];
            // A probe repeats the baseline's request exactly: its run id and seed.
            const req = probe
                ? { runId: base.snapshot.header.runId, caseId: t.entry.id, seed: t.probe.seed, input: t.entry.input }
                : { runId, caseId: t.entry.id, seed: t.entry.seed, input: t.entry.input };
            const res = await callEngine(o.engine, req, o.timeoutMs, o.signal);
            if (!res.ok && res.error.kind === 'aborted' && o.signal.aborted)
                return;
            calls++;
            if (probe)
                recordProbe(t, res, last);
            else
                recordReplay(t, res, round, last);
            done++;
            o.onProgress?.(done, total);
            // A case is judged once its last round and its probe are both in.
            if (last && t.asked === o.rounds && (!t.probe || t.probe.hashes.length === o.rounds)) {
                const r = judge(t);
                results.push(r);
                if (base)
                    driftCases.push(driftOf(t, r));
                t.last = undefined;
                if (t.probe)
                    t.probe.last = undefined;
                o.onCase?.(r);
            }
        });
        if (!o.signal.aborted)
            roundsDone = round;
    }
    function recordReplay(t, res, round, last) {
        t.asked++;
        if (!res.ok) {
            // No answer: nothing to compare (the case may end up unscored, see ReplayCaseResult.scored).
            t.errors.push({ round, kind: res.error.kind, message: res.error.message });
            return;
        }
        const { canonical, hash } = canonicalHash(res.body, t.ignore.tree);
        t.hashes.push(hash);
        t.rawHashes.push(sha256Hex(res.raw));
        if (last)
            t.last = res.body;
        if (hash !== t.snapshotHash && !t.divergence) {
            const before = snapshotAnswer(t);
            const after = JSON.parse(canonical);
            const d = firstDivergence(before, after);
            t.divergence = { ...(d ?? { pointer: '' }), round };
            const { diffs, total: count } = diffValues(before, after, { limit: diffLimit });
            t.diffs = diffs.map(({ left, right, ...rest }) => ({ ...rest, ...(left !== undefined ? { snapshot: left } : {}), ...(right !== undefined ? { replay: right } : {}) }));
            t.diffCount = count;
        }
    }
    function recordProbe(t, res, last) {
        const p = t.probe;
        if (!res.ok) {
            p.errored = true;
            p.hashes.push(`error:${res.error.kind}`);
            return;
        }
        p.hashes.push(canonicalHash(res.body, t.ignore.tree).hash);
        if (last)
            p.last = res.body;
    }
    /** The snapshot's answer with this replay's ignorePaths applied. */
    function snapshotAnswer(t) {
        return storedUnder(snapshot.readAnswer(t.index), t.entry, t.ignore.paths);
    }
    function judge(t) {
        // Over the replays that answered: an engine error is no answer, so neither agrees nor differs.
        const a = caseAgreement(t.snapshotHash, t.hashes);
        const raw = caseAgreement(t.rawHash, t.rawHashes);
        const errored = t.errors.length > 0;
        return {
            id: t.entry.id,
            dataset: t.entry.dataset,
            scored: !errored || !a.agreed,
            agreed: !errored && a.agreed,
            rawAgreed: !errored && raw.agreed,
            uniqueOutputs: a.uniqueOutputs,
            modalAgreement: a.modalAgreement,
            stable: a.replaysAgree && !errored,
            rounds: t.asked,
            errors: t.errors,
            firstDivergence: t.divergence,
            diffs: t.diffs,
            diffCount: t.diffCount,
            ...(t.entry.location ? { location: t.entry.location } : {}),
        };
    }
    function driftOf(t, r) {
        const b = base;
        const where = { id: t.entry.id, dataset: t.entry.dataset, ...(t.entry.location ? { location: t.entry.location } : {}) };
        const bi = baseIndex.get(key(t.entry.dataset, t.entry.id));
        const be = bi === undefined ? undefined : b.snapshot.entries[bi];
        const inBaseline = be !== undefined && be.status === 'ok';
        const sameInput = inBaseline && canonicalJson(be.input) === canonicalJson(t.entry.input);
        // Which answer of this run stands for the case, and whether it is stable.
        let stable;
        let currentHash;
        /** This run's answer in canonical form under `ignore` (a stored one, or an engine's body). */
        let current;
        if (t.probe) {
            stable = !t.probe.errored && t.probe.hashes.every((h) => h === t.probe.hashes[0]);
            currentHash = t.probe.hashes[0];
            const body = t.probe.last;
            current = (ignore) => JSON.parse(canonicalJson(body, ignore.tree));
        }
        else if (o.mode === 'in-run') {
            stable = r.agreed;
            currentHash = t.snapshotHash;
            current = (ignore) => storedUnder(snapshot.readAnswer(t.index), t.entry, ignore.paths);
        }
        else {
            stable = r.stable;
            currentHash = t.hashes[0];
            const body = t.last;
            current = (ignore) => JSON.parse(canonicalJson(body, ignore.tree));
        }
        let sameAnswer = false;
        let diff;
        let diffCount;
        if (inBaseline && sameInput && stable) {
            const ownBaseline = b.snapshot === snapshot;
            const baselineAnswer = ownBaseline ? snapshot.readAnswer(bi) : storedAnswer(b.snapshot, bi);
            const sameIgnore = ownBaseline || samePaths(t.ignore.paths, be.ignorePaths);
            // Hashes compare when both sides left out the same paths (the snapshot's, re-hashed, is under ours).
            if (sameIgnore)
                sameAnswer = (ownBaseline ? t.snapshotHash : be.hash) === currentHash;
            if (!sameAnswer) {
                // Compare under the paths either side left out, so an ignore list that grew is not drift.
                const ignore = sameIgnore ? t.ignore : ignoreFor(unionPaths(be.ignorePaths, t.ignore.paths), t.entry);
                const before = storedUnder(baselineAnswer, be, ignore.paths);
                const after = current(ignore);
                const d = diffValues(before, after, { limit: 10 });
                sameAnswer = d.total === 0;
                if (!sameAnswer) {
                    diff = d.diffs.map(({ left, right, ...rest }) => ({ ...rest, ...(left !== undefined ? { baseline: left } : {}), ...(right !== undefined ? { current: right } : {}) }));
                    diffCount = d.total;
                }
            }
        }
        const status = driftStatus({ inBaseline, inRun: true, sameInput, stable, sameAnswer });
        const note = status === 'new' && inBaseline && !sameInput
            ? 'the input changed since the baseline'
            : status === 'noise'
                ? t.probe
                    ? t.probe.errored
                        ? 'engine errors when the baseline request was asked again'
                        : 'answers to the baseline request differ between rounds'
                    : r.errors.length > 0
                        ? 'engine errors in its replays (no answer to compare)'
                        : r.stable
                            ? // in-run: the replays agree with each other, not with the answer SIM got (and stored)
                                "its replays agree with each other but not with this run's SIM answer"
                            : 'answers differ between replays'
                : undefined;
        return { ...where, status, ...(note ? { note } : {}), ...(status === 'changed' ? { diff, diffCount } : {}) };
    }
    let drift = null;
    if (base) {
        driftCases.push(...driftWithoutAnswers(snapshot.entries, base.snapshot, o.baselineScope));
        drift = {
            baseline: base.label,
            baselineRunId: base.snapshot.header.runId,
            probed: trackers.filter((t) => t.probe).length,
            cases: driftCases,
        };
    }
    // Completion order is arbitrary; reports list cases as the snapshot does.
    const order = new Map(snapshot.entries.map((e, i) => [key(e.dataset, e.id), i]));
    const byOrder = (a, b) => (order.get(key(a.dataset, a.id)) ?? Infinity) - (order.get(key(b.dataset, b.id)) ?? Infinity);
    results.sort(byOrder);
    drift?.cases.sort(byOrder);
    return { cases: results, notReplayed, drift, freshProcess, roundsDone, cancelled: o.signal.aborted, calls };
}

;// CONCATENATED MODULE: ./src/runner/verdict.ts
const RANK = { SKIPPED: 0, PASS: 1, WARN: 2, FAIL: 3, ERROR: 4 };
/** The worst of several verdicts; SKIPPED stages do not count. An empty list is PASS. */
function worstVerdict(verdicts) {
    let worst = 'PASS';
    for (const v of verdicts)
        if (RANK[v] > RANK[worst])
            worst = v;
    return worst === 'SKIPPED' ? 'PASS' : worst;
}
/** DESIGN §3.1: 0 PASS or WARN (1 on WARN with fail-on warn), 1 FAIL, 2 ERROR. */
function exitCodeFor(verdict, failOn) {
    if (verdict === 'ERROR')
        return 2;
    if (failOn === 'never')
        return 0;
    if (verdict === 'FAIL')
        return 1;
    if (verdict === 'WARN' && failOn === 'warn')
        return 1;
    return 0;
}

;// CONCATENATED MODULE: ./src/stages/replay/report.ts



/**
 * Whether a case counts in TAR@N: it has no engine error among its replays, or an answered replay
 * differs from the snapshot (a difference seen is a difference, whatever else failed). A reported case
 * read back without `scored` (merge) says the same through its fields: an errored case has a first
 * divergence only when an answer differed.
 */
function isScored(c) {
    return c.scored ?? (c.errors.length === 0 || c.firstDivergence !== null);
}
function replayTotals(cases, t) {
    let n = 0;
    let agreed = 0;
    let rawAgreed = 0;
    let stable = 0;
    let unique = 0;
    let uniqueMax = 0;
    let modal = 0;
    let errors = 0;
    for (const c of cases) {
        errors += c.errors.length;
        if (!isScored(c))
            continue;
        n++;
        if (c.agreed)
            agreed++;
        if (c.rawAgreed)
            rawAgreed++;
        if (c.stable)
            stable++;
        unique += c.uniqueOutputs;
        uniqueMax = Math.max(uniqueMax, c.uniqueOutputs);
        modal += c.modalAgreement;
    }
    const score = n ? determinismScore(tarAtN(agreed, n)) : null;
    return {
        replayed: n,
        agreed,
        rawAgreed,
        stable,
        unscored: cases.length - n,
        tarCanonical: n ? tarShare(tarAtN(agreed, n)) : null,
        tarRaw: n ? tarShare(tarAtN(rawAgreed, n)) : null,
        determinismScore: score,
        determinismVerdict: score === null ? null : determinismVerdict(score, t),
        uniqueOutputs: n ? report_round4(unique / n) : null,
        uniqueOutputsMax: uniqueMax,
        modalAgreement: n ? report_round4(modal / n) : null,
        replayErrors: errors,
    };
}
function driftTotals(cases, t) {
    const counts = countDrift(cases.map((c) => c.status));
    const rate = driftRate(counts);
    // A baseline sharing no case with the run gates nothing: WARN, never a silent PASS.
    return { counts, rate: report_round4(rate), verdict: noCaseInCommon(counts) ? 'WARN' : driftVerdict(rate, counts.changed, t) };
}
/** The least deterministic cases first: fewest answers in the modal group, then most distinct outputs. */
function worstCases(cases, n = 5) {
    return cases
        .filter((c) => isScored(c) && !c.agreed)
        .sort((a, b) => a.modalAgreement - b.modalAgreement || b.uniqueOutputs - a.uniqueOutputs)
        .slice(0, n);
}
/**
 * The stage's verdict, the worse gate. With no scored case there is no determinism figure: a cancelled
 * replay is ERROR (the run's, not the engine's doing); one whose replays all failed is FAIL, as engine
 * errors are in SIM (engine behaviour: a dead or refusing engine fails the gate, it does not break the tool).
 */
function stageVerdict(det, drift, cancelled, answered = null) {
    if (det === null)
        return cancelled ? 'ERROR' : 'FAIL';
    return worstVerdict([det, ...(drift ? [drift] : []), ...(answered ? [answered] : [])]);
}
/**
 * The cases left out for engine errors, judged as SIM judges engine errors (sim.passRate): the share of
 * replayed cases that could be scored below `fail` is FAIL, below `warn` WARN. Otherwise an engine that
 * died in the last round, or refused 90% of replays, would PASS on the few cases it still answered.
 * Null when no case was left out.
 */
function answeredVerdict(t, passRate) {
    const n = t.replayed + t.unscored;
    if (t.unscored === 0 || n === 0)
        return null;
    const share = t.replayed / n;
    return share < passRate.fail ? 'FAIL' : share < passRate.warn ? 'WARN' : 'PASS';
}
/** One scored case as report.json lists it (diffs trimmed; replay_summary.json has them all). */
function report_reportCase(c, diffs = 5) {
    return {
        id: c.id,
        dataset: c.dataset,
        agreed: c.agreed,
        rawAgreed: c.rawAgreed,
        stable: c.stable,
        uniqueOutputs: c.uniqueOutputs,
        modalAgreement: c.modalAgreement,
        firstDivergence: c.firstDivergence,
        diffs: c.diffs.slice(0, diffs),
        ...(c.diffCount > diffs ? { diffCount: c.diffCount } : {}),
        ...(c.errors.length ? { errors: c.errors.slice(0, 5) } : {}),
        // merge counts replay errors over shards from it when errors were cut to 5
        ...(c.errors.length > 5 ? { errorCount: c.errors.length } : {}),
        ...(c.location ? { location: c.location } : {}),
    };
}
/** A case left out of TAR@N (some replays got no answer, the others agreed), as reports list it apart. */
function reportUnscoredCase(c, errors = 5) {
    return {
        id: c.id,
        dataset: c.dataset,
        rounds: c.rounds,
        answered: c.rounds - c.errors.length,
        errors: c.errors.slice(0, errors),
        ...(c.errors.length > errors ? { errorCount: c.errors.length } : {}),
        ...(c.location ? { location: c.location } : {}),
    };
}
function reportDriftCase(c, diffs = 5) {
    return c.diff ? { ...c, diff: c.diff.slice(0, diffs) } : c;
}
/** "ds/id" as people name a case. */
function caseName(c) {
    return `${c.dataset}/${c.id}`;
}
function describeDivergence(c) {
    const d = c.firstDivergence;
    if (!d)
        return c.errors.length ? `no answer to compare: engine error in round ${c.errors[0].round} (${c.errors[0].kind})` : 'no divergence';
    return `first divergence at ${d.pointer === '' ? '(root)' : d.pointer}${d.charIndex !== undefined ? ` char ${d.charIndex}` : ''} in round ${d.round}`;
}
function report_round4(x) {
    return Math.round(x * 1e4) / 1e4;
}
/**
 * The replay stage's one-line reason (a run's and a merge's alike). A cancelled replay says so first
 * (its numbers are partial); with no scored case there is no determinism figure to give.
 */
function replayReason(t, drift, o) {
    const parts = [];
    const cancelled = `cancelled: ${o.roundsDone} of ${o.rounds} replay round(s) done`;
    if (t.replayed === 0) {
        if (o.cancelled)
            parts.push(`${cancelled}, no case scored (a case is scored once its last round is in), so there is no determinism figure`);
        else
            parts.push(`no usable replay answers (engine errors): none of ${t.unscored} case(s) could be scored, so there is no determinism figure`);
    }
    else {
        parts.push(`${o.cancelled ? `${cancelled}, partial: ` : ''}determinism ${t.determinismScore} (${t.agreed}/${t.replayed} case(s) answered the same in ${o.rounds} replay round(s))`);
    }
    if (t.unscored && (t.replayed > 0 || o.cancelled))
        parts.push(`${t.unscored} case(s) left out: engine errors, no answer to compare`);
    if (t.replayErrors)
        parts.push(`${t.replayErrors} replay(s) got no answer (engine errors)`);
    if (drift && noCaseInCommon(drift.counts)) {
        parts.push(`drift not measured: no case in common with ${o.baseline} (${drift.counts.new} new, ${drift.counts.removed} removed)`);
    }
    else if (drift) {
        parts.push(`drift ${report_pct(drift.rate)} (${drift.counts.changed} stable case(s) changed, ${drift.counts.noise} noise) vs ${o.baseline}`);
    }
    if (o.notReplayed)
        parts.push(`${o.notReplayed} case(s) had no answer to replay`);
    return parts.join('; ');
}
/** The replay report's head, in its field order, before `cases` and `drift`: the same for a run and a merge. */
function replayReportHead(t, o) {
    return {
        verdict: o.verdict,
        reason: o.reason,
        mode: o.mode,
        snapshot: o.snapshot,
        determinismScore: t.determinismScore,
        determinismVerdict: t.determinismVerdict,
        rounds: o.rounds,
        roundsDone: o.roundsDone,
        freshProcess: o.freshProcess,
        replayed: t.replayed,
        agreed: t.agreed,
        unscored: t.unscored,
        notReplayed: o.notReplayed,
        tarCanonical: t.tarCanonical,
        tarRaw: t.tarRaw,
        uniqueOutputs: t.uniqueOutputs,
        uniqueOutputsMax: t.uniqueOutputsMax,
        modalAgreement: t.modalAgreement,
        stable: t.stable,
        replayErrors: t.replayErrors,
        calls: o.calls,
        thresholds: o.thresholds,
        ignorePaths: o.ignorePaths,
    };
}
/** A rate as a percentage with two decimals at most (0.1234 → "12.34%"). */
function report_pct(x) {
    return `${Math.round(x * 1e4) / 100}%`;
}

;// CONCATENATED MODULE: ./src/stages/replay/stage.ts










const stage_PROGRESS_EVERY_MS = 1000;
/** Per-case drift findings beyond this many are counted in the summary finding instead. */
const DRIFT_FINDINGS_MAX = 50;
function createReplayStage(opts = {}) {
    return {
        name: 'replay',
        run: (ctx, prior) => runReplay(ctx, prior, opts),
    };
}
/** The in-run replay: this run's snapshot (SIM's answers), asked again. */
const replayStage = createReplayStage();
async function runReplay(ctx, prior, opts) {
    const { settings } = ctx;
    const mode = opts.snapshotFile ? 'staging' : 'in-run';
    const file = opts.snapshotFile ? external_node_path_default().resolve(settings.cwd, opts.snapshotFile) : ctx.paths.snapshot;
    let shown = relPath(settings.cwd, file);
    const status = ctx.snapshotStatus?.();
    if (mode === 'in-run' && status?.failure) {
        // The tool could not keep SIM's answers (disk, permissions): the replay asked for cannot run.
        const reason = `${status.failure}: nothing to replay`;
        return { verdict: 'ERROR', reason, report: {}, summary: { runId: ctx.runId, verdict: 'ERROR', reason } };
    }
    // One an earlier run of this run id left behind is not this run's answers.
    if (mode === 'in-run' && (!external_node_fs_default().existsSync(file) || status?.written === false)) {
        const sim = prior.sim;
        // A shard whose slice is empty still answers for its slice of the baseline: those cases are removed.
        const emptySlice = settings.shard !== null && sim?.report?.shard?.cases === 0;
        const reason = emptySlice
            ? `shard ${settings.shard.index}/${settings.shard.total} holds no case: nothing to replay`
            : !sim || sim.verdict === 'SKIPPED'
                ? 'SIM did not run, so there is no snapshot to replay (replay a stored one with: toron-testops replay SNAPSHOT --engine SPEC)'
                : 'no snapshot was written (SIM did not complete)';
        return skippedWithDrift(ctx, reason, emptySlice ? [] : null);
    }
    // A stored run is given as --baseline is (a snapshot, a report folder or its report.json, a bundle.zip).
    const stored = opts.snapshotFile && isRunFolderOrBundle(file) ? loadBaseline(opts.snapshotFile, settings.cwd) : null;
    if (stored)
        shown = stored.snapshotFile;
    const snapshot = stored ? stored.snapshot : openSnapshot(file, shown);
    let baseline = null;
    try {
        if (settings.baseline) {
            const b = loadBaseline(settings.baseline, settings.cwd);
            baseline = { label: b.label, snapshot: b.snapshot, file: b.snapshotFile };
        }
        else if (mode === 'staging') {
            // Staging asks "does it answer as the snapshot did?": the snapshot is the baseline.
            baseline = { label: shown, snapshot, file: shown };
        }
        return await replayWith(ctx, snapshot, baseline, mode, shown);
    }
    finally {
        snapshot.close();
        if (baseline && baseline.snapshot !== snapshot)
            baseline.snapshot.close();
    }
}
/**
 * What `replay SNAPSHOT` reads through the baseline loader: a folder, a bundle.zip, a report.json. A
 * bundle given to the snapshot reader failed as "invalid JSON at 1:1", though the same bundle is a
 * valid --baseline.
 */
function isRunFolderOrBundle(file) {
    try {
        return external_node_fs_default().statSync(file).isDirectory() || /\.zip$/i.test(file) || external_node_path_default().basename(file) === 'report.json';
    }
    catch {
        return false;
    }
}
/** The report's and the summary's `drift` block (field order fixed), from the drift cases and their totals. */
function driftBlock(d, totals, thresholds, diffs) {
    return {
        baseline: d.baseline,
        baselineRunId: d.baselineRunId,
        snapshot: d.snapshot,
        verdict: totals.verdict,
        rate: totals.rate,
        ...totals.counts,
        thresholds,
        probed: d.probed,
        cases: d.cases.map((c) => reportDriftCase(c, diffs)),
    };
}
/**
 * A replay with nothing to replay, SKIPPED; with a baseline and `entries` (this run's cases, none
 * answered), its drift still lists what no answer decides: the baseline's cases this run (this shard's
 * slice) no longer has are removed, its unanswered cases noise or new. Merge adds the legs' drift up,
 * so without this a leg with an empty slice would drop its slice's removed cases from the merged run.
 */
function skippedWithDrift(ctx, reason, entries) {
    const { settings } = ctx;
    if (!settings.baseline || entries === null)
        return { verdict: 'SKIPPED', reason, report: {} };
    const b = loadBaseline(settings.baseline, settings.cwd);
    try {
        const scope = settings.shard ? (c) => inShard(c, settings.shard) : undefined;
        const cases = driftWithoutAnswers(entries, b.snapshot, scope);
        const totals = driftTotals(cases, settings.replay.drift);
        const drift = (diffs) => driftBlock({ baseline: b.label, baselineRunId: b.snapshot.header.runId, snapshot: b.snapshotFile, probed: 0, cases }, totals, settings.replay.drift, diffs);
        return { verdict: 'SKIPPED', reason, report: { drift: drift(5) }, summary: { runId: ctx.runId, verdict: 'SKIPPED', reason, drift: drift(10) } };
    }
    finally {
        b.snapshot.close();
    }
}
async function replayWith(ctx, snapshot, baseline, mode, shown) {
    const { settings } = ctx;
    const r = settings.replay;
    const answered = snapshot.entries.filter((e) => e.status === 'ok').length;
    if (answered === 0) {
        const reason = `the snapshot ${shown} has no answered case to replay (${snapshot.entries.length} case(s), all engine errors)`;
        if (mode === 'staging')
            throw new InputError(reason);
        return skippedWithDrift(ctx, reason, snapshot.entries);
    }
    ctx.log('info', 'replay', `replaying ${answered} case(s) of ${shown} (run ${snapshot.header.runId}) ${r.rounds} round(s)` +
        `${r.freshProcess ? ', a fresh engine process per round' : ''}${baseline ? `; baseline ${baseline.label}` : ''}`);
    let done = 0;
    let total = 0;
    const started = performance.now();
    const progress = () => ctx.emit({ type: 'progress', stage: 'replay', done, total, failures: 0, errors: 0, ratePerSec: Math.round(done / Math.max(1e-3, (performance.now() - started) / 1000)) });
    const ticker = setInterval(progress, stage_PROGRESS_EVERY_MS);
    ticker.unref();
    let outcome;
    try {
        outcome = await replaySnapshot({
            snapshot,
            engine: ctx.engine,
            rounds: r.rounds,
            freshProcess: r.freshProcess,
            configIgnorePaths: r.ignorePaths,
            concurrency: settings.sim.concurrency,
            timeoutMs: settings.sim.timeoutMs,
            signal: ctx.signal,
            mode,
            baseline,
            // A shard's snapshot holds its slice only: baseline cases of other shards are not "removed".
            ...(mode === 'in-run' && settings.shard ? { baselineScope: (c) => inShard(c, settings.shard) } : {}),
            onProgress: (d, t) => {
                done = d;
                total = t;
            },
            onCase: (c) => {
                ctx.emit({
                    type: 'case',
                    stage: 'replay',
                    caseId: c.id,
                    dataset: c.dataset,
                    repeat: 0,
                    passed: c.agreed,
                    latencyMs: 0,
                    ...(c.agreed ? {} : { error: describeDivergence(c), errorKind: isScored(c) ? 'divergence' : 'engine' }),
                    ...(c.location ? { location: c.location } : {}),
                });
            },
            log: (level, message) => ctx.log(level, 'replay', message),
        });
    }
    finally {
        clearInterval(ticker);
        progress();
    }
    const totals = replayTotals(outcome.cases, r.thresholds);
    const drift = outcome.drift ? driftTotals(outcome.drift.cases, r.drift) : null;
    const verdict = stageVerdict(totals.determinismVerdict, drift?.verdict ?? null, outcome.cancelled, answeredVerdict(totals, ctx.settings.sim.passRate));
    const reason = replayReason(totals, drift, {
        rounds: r.rounds,
        roundsDone: outcome.roundsDone,
        cancelled: outcome.cancelled,
        notReplayed: outcome.notReplayed.length,
        baseline: outcome.drift?.baseline ?? '',
    });
    for (const f of replayFindings(totals, outcome.cases, drift, outcome.drift?.cases ?? [], outcome.drift?.baselineRunId ?? '', r))
        ctx.raise(f);
    const died = engineDied(outcome.cases);
    if (died)
        ctx.raise(died);
    // Cases whose replays got no answer (and whose answers did not differ) are reported apart: no verdict.
    const scored = outcome.cases.filter((c) => isScored(c));
    const unscored = outcome.cases.filter((c) => !isScored(c));
    const header = snapshot.header;
    const common = replayReportHead(totals, {
        verdict,
        reason,
        mode,
        snapshot: { file: shown, runId: header.runId, createdAt: header.createdAt, engine: header.engine, settingsHash: header.settingsHash },
        rounds: r.rounds,
        roundsDone: outcome.roundsDone,
        freshProcess: outcome.freshProcess,
        notReplayed: outcome.notReplayed.length,
        calls: outcome.calls,
        thresholds: r.thresholds,
        ignorePaths: r.ignorePaths,
    });
    const driftReport = (diffs) => outcome.drift && drift ? driftBlock({ ...outcome.drift, snapshot: baseline?.file ?? null }, drift, r.drift, diffs) : null;
    const partial = outcome.cancelled ? { cancelled: true } : {};
    return {
        verdict,
        reason,
        report: { ...common, ...partial, cases: scored.map((c) => report_reportCase(c)), unscoredCases: unscored.map((c) => reportUnscoredCase(c)), drift: driftReport(5) },
        summary: {
            runId: ctx.runId,
            ...common,
            ...partial,
            cases: scored.map((c) => report_reportCase(c, 20)),
            unscoredCases: unscored.map((c) => reportUnscoredCase(c, 20)),
            notReplayedCases: outcome.notReplayed,
            drift: driftReport(10),
        },
    };
}
/**
 * An engine process that exited during the replay, as the CRITICAL engine-died SIM and load raise (once):
 * replay-engine-errors alone says answers were missing, not that the engine died. Apart from
 * replayFindings and of subsystem engine, as theirs: a merge keeps it from its leg and judges only the
 * replay's own findings anew, so it is neither lost nor raised twice there.
 */
function engineDied(cases) {
    let first = null;
    let n = 0;
    for (const c of cases) {
        for (const e of c.errors) {
            if (e.kind !== 'process_exit')
                continue;
            n++;
            if (!first || e.round < first.e.round)
                first = { c, e };
        }
    }
    if (!first)
        return null;
    return {
        type: 'engine-died',
        severity: 'CRITICAL',
        subsystem: 'engine',
        message: `engine process exited during replay (round ${first.e.round}); ${n} replay answer(s) failed with it: ${first.e.message}`,
        caseId: first.c.id,
        ...(first.c.location ? { location: first.c.location } : {}),
    };
}
/** The replay's WAR ROOM findings, from its numbers (pure: merge judges the union of shards with it). */
function replayFindings(t, cases, drift, driftCases, baselineRunId, r) {
    const out = [];
    const ctx = { raise: (f) => void out.push(f) };
    // No scored case, no determinism figure: nothing to call nondeterministic (the stage is ERROR).
    if (t.determinismVerdict !== null && t.determinismVerdict !== 'PASS') {
        const worst = worstCases(cases);
        const fail = t.determinismVerdict === 'FAIL';
        ctx.raise({
            type: 'replay-nondeterministic',
            severity: fail ? 'CRITICAL' : 'HIGH',
            subsystem: 'replay',
            message: `determinism score ${t.determinismScore} (${fail ? `< ${r.thresholds.warn}` : `< ${r.thresholds.pass}`}): ` +
                `${t.replayed - t.agreed} of ${t.replayed} case(s) answered differently across ${r.rounds} replay(s)` +
                `${t.unscored ? ` (${t.unscored} case(s) with engine errors left out)` : ''}; worst: ` +
                worst.map((c) => `${caseName(c)} (${c.uniqueOutputs} outputs, ${describeDivergence(c)})`).join('; '),
            ...(worst[0] ? { caseId: worst[0].id, ...(worst[0].location ? { location: worst[0].location } : {}) } : {}),
        });
    }
    if (t.replayErrors > 0) {
        const kinds = new Map();
        for (const c of cases)
            for (const e of c.errors)
                kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
        const left = cases.filter((c) => !isScored(c));
        const named = left.slice(0, 5).map((c) => caseName(c)).join(', ');
        ctx.raise({
            type: 'replay-engine-errors',
            severity: 'HIGH',
            subsystem: 'replay',
            message: `${t.replayErrors} replay answer(s) were engine errors (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}); a replay with no answer is not compared: ` +
                (t.unscored
                    ? `${t.unscored} case(s) left out of the determinism score${named ? ` (${named}${left.length > 5 ? `, ${left.length - 5} more` : ''})` : ''}` +
                        `${t.replayed === 0 ? '; no usable replay answers, so there is no determinism score' : ''}`
                    : 'every case with one also had an answer that differed, and counts as not agreeing'),
            ...(left[0] ? { caseId: left[0].id, ...(left[0].location ? { location: left[0].location } : {}) } : {}),
        });
    }
    if (!drift)
        return out;
    const changed = driftCases.filter((c) => c.status === 'changed');
    for (const c of changed.slice(0, DRIFT_FINDINGS_MAX)) {
        const d = c.diff?.[0];
        const what = d
            ? `${d.pointer || '(root)'}: ${stage_show(d.baseline)} -> ${stage_show(d.current)}${typeof d.similarity === 'number' ? ` (similarity ${d.similarity})` : ''}` +
                `${(c.diffCount ?? 1) > 1 ? `; ${c.diffCount - 1} more difference(s)` : ''}`
            : 'the answer differs';
        ctx.raise({
            type: 'replay-drift-case',
            severity: 'MEDIUM',
            subsystem: 'replay',
            message: `${caseName(c)} drifted since baseline run ${baselineRunId}: ${what}`,
            caseId: c.id,
            ...(c.location ? { location: c.location } : {}),
        });
    }
    if (noCaseInCommon(drift.counts)) {
        ctx.raise({
            type: 'replay-drift-unmeasured',
            severity: 'HIGH',
            subsystem: 'replay',
            message: `baseline run ${baselineRunId} has none of this run's cases (same id and input): drift was not measured ` +
                `(${drift.counts.new} case(s) new, ${drift.counts.removed} of the baseline's removed)`,
        });
    }
    else if (drift.verdict !== 'PASS') {
        const more = changed.length > DRIFT_FINDINGS_MAX ? ` (the first ${DRIFT_FINDINGS_MAX} have their own event; all are in replay_summary.json)` : '';
        ctx.raise({
            type: 'replay-drift',
            severity: drift.verdict === 'FAIL' ? 'CRITICAL' : 'HIGH',
            subsystem: 'replay',
            message: `${drift.counts.changed} stable case(s) answer differently than baseline run ${baselineRunId}: drift ${report_pct(drift.rate)} ` +
                `(${drift.verdict === 'FAIL' ? `above failRate ${report_pct(r.drift.failRate)}` : `above warnRate ${report_pct(r.drift.warnRate)}`}); ` +
                `${drift.counts.noise} unstable case(s) not counted (noise)${more}`,
        });
    }
    return out;
}
function stage_show(v) {
    const s = typeof v === 'string' ? JSON.stringify(v) : v === undefined ? '(absent)' : JSON.stringify(v);
    return s.length > 90 ? `${s.slice(0, 87)}...` : s;
}

;// CONCATENATED MODULE: ./src/stages/index.ts




/** The stage registry: adding a subsystem means adding a stage here, nothing else. */
const STAGES = {
    sim: simStage,
    load: loadStage,
    pipeline: pipelineStage,
    replay: replayStage,
};

;// CONCATENATED MODULE: ./src/warroom/finding.ts
const SEVERITY_SCORE = { CRITICAL: 100, HIGH: 75, MEDIUM: 40, LOW: 10, INFO: 0 };

// EXTERNAL MODULE: ./node_modules/d3-scale/dist/d3-scale.mjs + 4 modules
var d3_scale = __webpack_require__(25602);
;// CONCATENATED MODULE: ./src/report/charts.ts

const W = 640;
const H = 260;
const M = { top: 24, right: 56, bottom: 40, left: 56 };
function charts_frame(title, size = { w: W, h: H, m: M }) {
    const { w, h, m } = size;
    return {
        title,
        width: w,
        height: h,
        plot: { x: m.left, y: m.top, w: w - m.left - m.right, h: h - m.top - m.bottom },
        xTicks: [],
        yTicks: [],
        y2Ticks: [],
        xLabel: '',
        yLabel: '',
        y2Label: '',
        series: [],
        bars: [],
        rules: [],
    };
}
/** Round to 0.1 px: enough for a screen and keeps the HTML small. */
function r(n) {
    return Math.round(n * 10) / 10;
}
/**
 * `v` with `digits` decimals, rounded down: a share under a gate line (89.97 against 90) must not show
 * as the line. The 1e-6 absorbs float error only (0.29 x 100 is 28.999999999999996).
 */
function fixedDown(v, digits) {
    const k = 10 ** digits;
    return (Math.floor(v * k + 1e-6) / k).toFixed(digits);
}
function finite(n) {
    return typeof n === 'number' && Number.isFinite(n);
}
/**
 * An SVG path through the points; a gap (non-finite y) starts a new segment. A segment of one point
 * (a one-second load run, a run between two gaps) becomes a short dash, so it is still drawn.
 */
function linePath(points) {
    const segments = [];
    let current = null;
    for (const p of points) {
        if (p.y === null || !Number.isFinite(p.y) || !Number.isFinite(p.x)) {
            current = null;
            continue;
        }
        if (!current)
            segments.push((current = []));
        current.push({ x: p.x, y: p.y });
    }
    return segments
        .map((seg) => seg.length === 1
        ? `M${r(seg[0].x - 3)},${r(seg[0].y)}L${r(seg[0].x + 3)},${r(seg[0].y)}`
        : seg.map((p, i) => `${i ? 'L' : 'M'}${r(p.x)},${r(p.y)}`).join(''))
        .join('');
}
function formatMs(ms) {
    if (ms >= 10_000)
        return `${r(ms / 1000)} s`;
    if (ms >= 100)
        return `${Math.round(ms)} ms`;
    if (ms >= 1)
        return `${Math.round(ms * 10) / 10} ms`;
    return `${Math.round(ms * 100) / 100} ms`;
}
/** Latency histogram: one bar per bin on a linear latency axis, count on y. */
function histogramChart(bins, opts = {}) {
    const clean = bins.filter((b) => finite(b.from) && finite(b.to) && finite(b.count) && b.to >= b.from && b.count >= 0);
    if (clean.length === 0)
        return null;
    const c = charts_frame(opts.title ?? 'Latency histogram');
    const lo = Math.min(...clean.map((b) => b.from));
    const hi = Math.max(...clean.map((b) => b.to));
    const x = (0,d3_scale/* scaleLinear */.m4)().domain([lo, hi > lo ? hi : lo + 1]).range([c.plot.x, c.plot.x + c.plot.w]).nice();
    const maxCount = Math.max(1, ...clean.map((b) => b.count));
    const y = (0,d3_scale/* scaleLinear */.m4)().domain([0, maxCount]).range([c.plot.y + c.plot.h, c.plot.y]).nice();
    c.xTicks = x.ticks(6).map((t) => ({ pos: r(x(t)), label: formatMs(t) }));
    c.yTicks = y.ticks(5).filter(Number.isInteger).map((t) => ({ pos: r(y(t)), label: compactCount(t) }));
    c.xLabel = 'latency';
    c.yLabel = 'requests';
    c.bars = clean.map((b) => {
        const x0 = x(b.from);
        const x1 = Math.max(x(b.to), x0 + 1);
        return {
            x: r(x0),
            y: r(y(b.count)),
            w: r(Math.max(1, x1 - x0 - 0.5)),
            h: r(y(0) - y(b.count)),
            cls: 'bar',
            title: `${formatMs(b.from)}–${formatMs(b.to)}: ${b.count}`,
        };
    });
    // The outline of the bars as a path too: the chart has a non-empty path even for one bin.
    c.series = [{ d: outlinePath(c.bars, y(0)), cls: 'outline', label: 'requests' }];
    for (const rule of opts.rules ?? []) {
        if (!finite(rule.ms) || rule.ms < x.domain()[0] || rule.ms > x.domain()[1])
            continue;
        c.rules.push({ orient: 'v', pos: r(x(rule.ms)), cls: 'marker', label: rule.label });
    }
    return c;
}
function outlinePath(bars, base) {
    if (bars.length === 0)
        return '';
    let d = `M${bars[0].x},${r(base)}`;
    for (const b of bars)
        d += `L${b.x},${b.y}L${r(b.x + b.w)},${b.y}`;
    const last = bars[bars.length - 1];
    return d + `L${r(last.x + last.w)},${r(base)}`;
}
function compactCount(n) {
    if (Math.abs(n) >= 1e6)
        return `${Math.round(n / 1e5) / 10}M`;
    if (Math.abs(n) >= 1e4)
        return `${Math.round(n / 1e2) / 10}k`;
    return String(Math.round(n * 100) / 100);
}
/**
 * The load timeline: p50/p95/p99 latency per second on the left axis, requests per second (bars) on
 * the right axis, errors per second as red bars on the same right axis.
 */
function timelineChart(points, opts = {}) {
    const pts = points.filter((p) => finite(p.t)).sort((a, b) => a.t - b.t);
    if (pts.length === 0)
        return null;
    const c = charts_frame('Latency and rate per second');
    const t0 = pts[0].t;
    const t1 = pts[pts.length - 1].t;
    const x = (0,d3_scale/* scaleLinear */.m4)().domain([t0, t1 > t0 ? t1 + 1 : t0 + 1]).range([c.plot.x, c.plot.x + c.plot.w]);
    const lat = pts.flatMap((p) => [p.p50, p.p95, p.p99]).filter(finite);
    const top = Math.max(1, ...lat);
    // The p95 limit joins the axis only when it is near the data: a 450 ms limit above 10 ms latencies
    // would flatten every line onto the floor, so it is named in the title instead.
    const limit = finite(opts.thresholdMs) ? opts.thresholdMs : null;
    const limitShown = limit !== null && limit <= top * 2;
    const maxLat = limitShown ? Math.max(top, limit) : top;
    const y = (0,d3_scale/* scaleLinear */.m4)().domain([0, maxLat]).range([c.plot.y + c.plot.h, c.plot.y]).nice();
    const maxRate = Math.max(1, ...pts.map((p) => (finite(p.rate) ? p.rate : 0)));
    // Rate bars use the lower 60% of the plot, so the latency lines stay readable above them.
    const y2 = (0,d3_scale/* scaleLinear */.m4)().domain([0, maxRate / 0.6]).range([c.plot.y + c.plot.h, c.plot.y]).nice();
    c.xTicks = x.ticks(8).filter(Number.isInteger).map((t) => ({ pos: r(x(t)), label: `${t}s` }));
    c.yTicks = y.ticks(5).map((t) => ({ pos: r(y(t)), label: formatMs(t) }));
    c.y2Ticks = y2.ticks(5).map((t) => ({ pos: r(y2(t)), label: `${compactCount(t)}/s` }));
    c.xLabel = 'seconds since start';
    c.yLabel = 'latency';
    c.y2Label = 'requests/s';
    const slot = Math.max(1, (x(t0 + 1) - x(t0)) * 0.8);
    for (const p of pts) {
        if (finite(p.rate) && p.rate > 0) {
            c.bars.push({ x: r(x(p.t)), y: r(y2(p.rate)), w: r(slot), h: r(y2(0) - y2(p.rate)), cls: 'rate', title: `${p.t}s: ${compactCount(p.rate)} req/s` });
        }
        if (finite(p.errors) && p.errors > 0) {
            c.bars.push({ x: r(x(p.t)), y: r(y2(p.errors)), w: r(slot), h: r(y2(0) - y2(p.errors)), cls: 'errors', title: `${p.t}s: ${p.errors} errors` });
        }
    }
    const mid = (p) => x(p.t) + slot / 2;
    for (const [key, cls, label] of [
        ['p50', 'p50', 'p50'],
        ['p95', 'p95', 'p95'],
        ['p99', 'p99', 'p99'],
    ]) {
        const d = linePath(pts.map((p) => ({ x: mid(p), y: finite(p[key]) ? y(p[key]) : null })));
        if (d)
            c.series.push({ d, cls, label });
    }
    if (limit !== null && limitShown)
        c.rules.push({ orient: 'h', pos: r(y(limit)), cls: 'threshold', label: `p95 limit ${formatMs(limit)}` });
    else if (limit !== null)
        c.title += ` (p95 limit ${formatMs(limit)}, above this range)`;
    return c;
}
/** A metric over the last runs (oldest first); null when fewer than two runs have the metric. */
function trendChart(title, points, opts) {
    if (points.filter((p) => finite(p.value)).length < 2)
        return null;
    // Small multiples: drawn at the size they are shown, so their labels stay legible.
    const c = charts_frame(title, { w: 380, h: 180, m: { top: 16, right: 16, bottom: 36, left: 48 } });
    const x = (0,d3_scale/* scaleLinear */.m4)().domain([0, Math.max(1, points.length - 1)]).range([c.plot.x, c.plot.x + c.plot.w]);
    const values = points.map((p) => p.value).filter(finite);
    const fixed = opts.unit === 'pct' || opts.unit === 'score';
    const y = (0,d3_scale/* scaleLinear */.m4)()
        .domain(fixed ? [0, 100] : [0, Math.max(1, ...values)])
        .range([c.plot.y + c.plot.h, c.plot.y])
        .nice();
    const fmt = (v) => (opts.unit === 'ms' ? formatMs(v) : opts.unit === 'pct' ? `${Math.round(v * 10) / 10}%` : String(Math.round(v * 10) / 10));
    c.yTicks = y.ticks(4).map((t) => ({ pos: r(y(t)), label: fmt(t) }));
    const step = Math.max(1, Math.ceil(points.length / 8));
    c.xTicks = points.flatMap((p, i) => i % step === 0 || i === points.length - 1
        ? [{ pos: r(x(i)), label: i === points.length - 1 && p.current ? 'this run' : `#${i + 1}`, anchor: i === points.length - 1 ? 'end' : i === 0 ? 'start' : 'middle' }]
        : []);
    c.xLabel = `last ${points.length} runs`;
    const pts = points.map((p, i) => ({ x: x(i), y: finite(p.value) ? y(p.value) : null }));
    c.series = [
        {
            d: linePath(pts),
            cls: 'trend',
            label: title,
            points: points.flatMap((p, i) => (finite(p.value) ? [{ x: r(x(i)), y: r(y(p.value)), title: `${p.runId} (${p.startedAt}): ${fmt(p.value)}` }] : [])),
        },
    ];
    for (const rule of opts.rules ?? [])
        c.rules.push({ orient: 'h', pos: r(y(rule.value)), cls: rule.cls, label: rule.label });
    return c;
}
/** The determinism score on 0..100 with the FAIL, WARN and PASS bands (by default <70, 70-89, >=90). */
function scoreBar(score, bands = { warn: 70, pass: 90 }) {
    const width = 640;
    const x = (0,d3_scale/* scaleLinear */.m4)().domain([0, 100]).range([8, width - 8]).clamp(true);
    // Lines may be any numbers (92.5), and equal (no WARN at all): bounds are said as "below", never as pass - 1.
    const warnBand = bands.pass > bands.warn;
    return {
        width,
        height: 54,
        bands: [
            { x: r(x(0)), w: r(x(bands.warn) - x(0)), cls: 'band-fail', label: `FAIL < ${bands.warn}` },
            ...(warnBand ? [{ x: r(x(bands.warn)), w: r(x(bands.pass) - x(bands.warn)), cls: 'band-warn', label: `WARN < ${bands.pass}` }] : []),
            { x: r(x(bands.pass)), w: r(x(100) - x(bands.pass)), cls: 'band-pass', label: `PASS ≥ ${bands.pass}` },
        ],
        marker: finite(score) ? { x: r(x(score)), label: String(Number(fixedDown(score, 1))) } : null,
        ticks: [0, bands.warn, bands.pass, 100].map((t) => ({ pos: r(x(t)), label: String(t), anchor: t === 0 ? 'start' : t === 100 ? 'end' : 'middle' })),
        legend: `FAIL below ${bands.warn}, ${warnBand ? `WARN ${bands.warn} to below ${bands.pass}, ` : ''}PASS ${bands.pass} and above`,
    };
}
/** A small horizontal bar for a rate in 0..1 (pass rates in tables). */
function rateBar(rate) {
    if (!finite(rate))
        return { w: 0, cls: 'rate-none' };
    const clamped = Math.max(0, Math.min(1, rate));
    return { w: r(clamped * 100), cls: clamped >= 1 ? 'rate-full' : clamped >= 0.95 ? 'rate-high' : 'rate-low' };
}

;// CONCATENATED MODULE: ./src/report/diff.ts
const MAX_TEXT = 2000;
const MAX_TOKENS = 600;
/** Words and the whitespace between them, so that joining the tokens gives the text back. */
function tokenize(s) {
    return s.match(/\s+|[^\s]+/g) ?? [];
}
/** Myers' O((N+M)D) diff of two token lists, as runs of equal / deleted / inserted tokens. */
function diffTokens(a, b) {
    const n = a.length;
    const m = b.length;
    const max = n + m;
    const v = new Int32Array(2 * max + 2);
    const trace = [];
    let found = false;
    for (let d = 0; d <= max && !found; d++) {
        trace.push(v.slice());
        for (let k = -d; k <= d; k += 2) {
            const i = k + max;
            let x = k === -d || (k !== d && v[i - 1] < v[i + 1]) ? v[i + 1] : v[i - 1] + 1;
            let y = x - k;
            while (x < n && y < m && a[x] === b[y]) {
                x++;
                y++;
            }
            v[i] = x;
            if (x >= n && y >= m) {
                found = true;
                break;
            }
        }
    }
    // Walk back through the saved frontiers to recover the edit script.
    const ops = [];
    let x = n;
    let y = m;
    for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
        const vd = trace[d];
        const k = x - y;
        const i = k + max;
        const prevK = k === -d || (k !== d && vd[i - 1] < vd[i + 1]) ? k + 1 : k - 1;
        const prevX = vd[prevK + max];
        const prevY = prevX - prevK;
        while (x > prevX && y > prevY) {
            ops.push({ op: 'eq', token: a[x - 1] });
            x--;
            y--;
        }
        if (d === 0)
            break;
        if (x === prevX)
            ops.push({ op: 'ins', token: b[y - 1] });
        else
            ops.push({ op: 'del', token: a[x - 1] });
        x = prevX;
        y = prevY;
    }
    while (x > 0 && y > 0) {
        ops.push({ op: 'eq', token: a[x - 1] });
        x--;
        y--;
    }
    ops.reverse();
    const runs = [];
    for (const o of ops) {
        const last = runs[runs.length - 1];
        if (last && last.op === o.op)
            last.tokens.push(o.token);
        else
            runs.push({ op: o.op, tokens: [o.token] });
    }
    return runs;
}
function cut(s) {
    return s.length > MAX_TEXT ? { text: s.slice(0, MAX_TEXT), cut: true } : { text: s, cut: false };
}
function expectedActual(expectedIn, actualIn) {
    const e = cut(expectedIn);
    const a = cut(actualIn);
    let ta = tokenize(e.text);
    let tb = tokenize(a.text);
    let wasCut = e.cut || a.cut;
    if (ta.length > MAX_TOKENS || tb.length > MAX_TOKENS) {
        ta = ta.slice(0, MAX_TOKENS);
        tb = tb.slice(0, MAX_TOKENS);
        wasCut = true;
    }
    const expected = ta.join('');
    const actual = tb.join('');
    const runs = diffTokens(ta, tb).map((r) => ({ op: r.op, text: r.tokens.join('') }));
    // Two unrelated texts share words like "a" and spaces: marking those as equal reads as noise, so
    // below a third of the shorter text in common, the whole of each side is shown as changed.
    const common = runs.reduce((n, r) => n + (r.op === 'eq' ? r.text.trim().length : 0), 0);
    const related = common >= 0.3 * Math.max(1, Math.min(expected.trim().length, actual.trim().length));
    const expectedParts = [];
    const actualParts = [];
    const push = (list, op, text) => {
        const last = list[list.length - 1];
        if (last && last.op === op)
            last.text += text;
        else if (text !== '')
            list.push({ op, text });
    };
    runs.forEach((run, i) => {
        // An equal run of a space or a short word between two changes belongs to the change around it.
        const islet = run.op === 'eq' && i > 0 && i < runs.length - 1 && run.text.trim().length <= 2;
        if (run.op === 'eq' && related && !islet) {
            push(expectedParts, 'eq', run.text);
            push(actualParts, 'eq', run.text);
            return;
        }
        if (run.op !== 'ins')
            push(expectedParts, 'del', run.text);
        if (run.op !== 'del')
            push(actualParts, 'ins', run.text);
    });
    return { expected, actual, expectedParts, actualParts, cut: wasCut };
}
const VALUE_PHRASES = /^(?:not )?to (?:equal|start with|contain|be within edit distance \d+ of) (.*)$/s;
/**
 * SIM's failure messages read `expected <subject> <phrase>; got <value>` (src/stages/sim/assertions.ts).
 * Returns null for other messages (missing fields, checks that could not run).
 */
function parseFailureMessage(message) {
    const m = /^expected (.+?) ((?:not )?to .*?); got (.*)$/s.exec(message);
    if (!m)
        return null;
    const [, subject, phrase, gotRaw] = m;
    let got = gotRaw;
    const shortened = /… \(\d+ chars\)(?: \(.*\))?$/s.exec(got);
    // A note in parentheses after the value belongs to the message, not to the value.
    if (shortened)
        got = got.slice(0, shortened.index);
    const vm = VALUE_PHRASES.exec(phrase);
    return { subject, phrase, value: vm ? unquote(vm[1]) : null, got: unquote(got), gotShortened: Boolean(shortened) };
}
/** A JSON string literal as its text; anything else as written. */
function unquote(s) {
    const t = s.trim();
    if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) {
        try {
            const v = JSON.parse(t);
            if (typeof v === 'string')
                return v;
        }
        catch {
            // SIM shortens long strings with "…", which leaves the literal unterminated
        }
        return t.slice(1, -1);
    }
    if (t.startsWith('"'))
        return t.slice(1);
    return t;
}
/**
 * Expected and actual text for a failing case's first failure: the expected value when the message
 * names one (otherwise the whole expectation), against the answer excerpt SIM kept (when the message
 * had to shorten it) or the value the message shows.
 */
function failureDiff(message, actualExcerpt) {
    const p = parseFailureMessage(message);
    if (!p)
        return null;
    const expected = p.value ?? `${p.subject} ${p.phrase}`;
    // The excerpt is the answer field; use it only when it is the value the message had to shorten.
    const actual = p.gotShortened && actualExcerpt !== undefined && actualExcerpt.startsWith(p.got) ? actualExcerpt : p.got;
    return expectedActual(expected, actual);
}

;// CONCATENATED MODULE: ./src/report/view-model.ts






/**
 * report.json → what report.html shows. Pure: reads any stage shape defensively (stages written by
 * other modules may lack fields), bounds every list so a 100k-case run renders in the same time as a
 * small one, and leaves all escaping to the template.
 */
const LIMITS = {
    casesPerPage: 50,
    maxCaseDetails: 500,
    warroomPerPage: 100,
    maxWarroomRows: 1000,
    maxReplayRows: 200,
    maxDriftRows: 200,
    maxChecks: 500,
    maxTrendRuns: 30,
    /** Longest message or answer text shown in one cell. */
    maxText: 2000,
};
function paginate(all, opts) {
    const shownItems = all.slice(0, opts.max);
    const pages = [];
    for (let i = 0; i < shownItems.length; i += opts.perPage) {
        const n = pages.length + 1;
        pages.push({ id: `${opts.idPrefix}-p${n}`, n, items: shownItems.slice(i, i + opts.perPage) });
    }
    return { pages, total: all.length, shown: shownItems.length, more: all.length - shownItems.length };
}
function view_model_isObj(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function num(v) {
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function str(v) {
    return typeof v === 'string' ? v : null;
}
function arr(v) {
    return Array.isArray(v) ? v : [];
}
/**
 * The first `max` UTF-16 units of a string, one fewer when the cut would split a surrogate pair: half
 * an emoji is written to a UTF-8 file as U+FFFD, a character the engine never sent.
 */
function cutText(s, max) {
    if (s.length <= max)
        return s;
    const end = max > 0 && /[\ud800-\udbff]/.test(s[max - 1]) ? max - 1 : max;
    return s.slice(0, end);
}
/** Any value as bounded text (objects as compact JSON). */
function view_model_text(v, max = LIMITS.maxText) {
    let s;
    if (typeof v === 'string')
        s = v;
    else if (v === undefined)
        s = '';
    else {
        try {
            s = JSON.stringify(v) ?? String(v);
        }
        catch {
            s = String(v);
        }
    }
    // Controls and bidi overrides shown as \\xNN / \\uNNNN: a right-to-left override would reorder the page's text.
    const cut = s.length > max ? `${cutText(s, max)}… (${s.length} chars)` : s;
    return escapeControls(cut);
}
function verdictCls(v) {
    const s = typeof v === 'string' ? v.toLowerCase() : 'unknown';
    return ['pass', 'warn', 'fail', 'error', 'skipped'].includes(s) ? s : 'unknown';
}
function view_model_location(v) {
    if (!view_model_isObj(v))
        return null;
    const file = str(v.file);
    if (!file)
        return null;
    const line = num(v.line);
    return line !== null ? `${file}:${line}` : file;
}
function stageHeadline(name, s) {
    if (s.verdict === 'SKIPPED')
        return 'skipped';
    switch (name) {
        case 'sim': {
            const total = num(s.total);
            const passed = num(s.passed);
            const rate = num(s.passRate);
            return total !== null ? `${passed ?? 0}/${total} passed${rate !== null ? ` (${(rate * 100).toFixed(2)}%)` : ''}` : '';
        }
        case 'load': {
            const p95 = num(view_model_isObj(s.metrics) && view_model_isObj(s.metrics.http_req_duration) ? s.metrics.http_req_duration['p(95)'] : null);
            return p95 !== null ? `p95 ${formatMs(p95)}` : '';
        }
        case 'replay': {
            const d = num(s.determinismScore);
            return d !== null ? `determinism ${Math.round(d * 10) / 10}` : '';
        }
        case 'pipeline': {
            const checks = arr(s.checks).filter(view_model_isObj);
            return checks.length ? `${checks.filter((c) => c.ok === true).length}/${checks.length} checks ok` : '';
        }
        default:
            return '';
    }
}
const STATUS_ORDER = { failed: 0, errored: 1, flaky: 2, warned: 3 };
function simCaseView(c) {
    const failures = arr(c.failures).filter(view_model_isObj).map((f) => ({ assertion: view_model_text(f.assertion, 100), message: view_model_text(f.message) }));
    const warnings = arr(c.warnings).filter(view_model_isObj).map((f) => ({ assertion: view_model_text(f.assertion, 100), message: view_model_text(f.message) }));
    const engineErrors = arr(c.engineErrors).filter(view_model_isObj).map((e) => ({ kind: view_model_text(e.kind, 100), message: view_model_text(e.message) }));
    const actualRaw = str(c.actual) ?? undefined;
    const first = failures[0] ?? warnings[0];
    const diff = first ? failureDiff(first.message, actualRaw) : null;
    const status = str(c.status) ?? (c.passed === true ? 'passed' : 'failed');
    const shownStatus = status === 'passed' && warnings.length ? 'warned' : status;
    const wilson = Array.isArray(c.wilson) && c.wilson.length === 2 ? `${c.wilson[0]}–${c.wilson[1]}` : null;
    const id = view_model_text(c.id, 300);
    const dataset = view_model_text(c.dataset, 300);
    const loc = view_model_location(c.location);
    return {
        id,
        dataset,
        status: shownStatus,
        cls: shownStatus === 'failed' || shownStatus === 'errored' ? 'fail' : 'warn',
        location: loc,
        passes: num(c.passes),
        repeats: num(c.repeats),
        passRate: num(c.passRate),
        wilson,
        latencyMs: num(c.latencyMs),
        failures,
        warnings,
        engineErrors,
        diff,
        actual: diff ? null : actualRaw !== undefined ? view_model_text(actualRaw) : null,
        search: `${dataset}/${id} ${loc ?? ''} ${shownStatus} ${failures.map((f) => f.assertion).join(' ')}`.toLowerCase(),
    };
}
function simView(s) {
    const cases = arr(s.cases).filter(view_model_isObj);
    const problems = [];
    for (const c of cases) {
        const status = str(c.status);
        const hasWarn = arr(c.warnings).length > 0;
        if (status === 'passed' || (status === null && c.passed === true)) {
            if (hasWarn)
                problems.push(c);
        }
        else
            problems.push(c);
    }
    const rank = (c) => STATUS_ORDER[str(c.status) === 'passed' ? 'warned' : (str(c.status) ?? 'failed')] ?? 4;
    // Stable sort: within a status, dataset order as run.
    const ordered = problems.map((c, i) => ({ c, i, k: rank(c) })).sort((a, b) => a.k - b.k || a.i - b.i);
    const views = ordered.slice(0, LIMITS.maxCaseDetails).map((o) => simCaseView(o.c));
    const paged = paginate(views, { perPage: LIMITS.casesPerPage, max: LIMITS.maxCaseDetails, idPrefix: 'sim-cases' });
    paged.total = problems.length;
    paged.more = problems.length - paged.shown;
    const engineErrors = view_model_isObj(s.engineErrors)
        ? Object.entries(s.engineErrors).flatMap(([kind, count]) => (num(count) !== null ? [{ kind, count: count }] : []))
        : [];
    return {
        verdict: view_model_text(s.verdict, 20),
        cls: verdictCls(s.verdict),
        reason: view_model_text(s.reason ?? ''),
        totals: {
            total: num(s.total),
            passed: num(s.passed),
            failed: num(s.failed),
            errored: num(s.errored),
            flaky: num(s.flaky),
            warned: num(s.warned),
            notRun: num(s.notRun),
            passRate: num(s.passRate),
            attempts: num(s.attempts),
        },
        datasets: arr(s.datasets)
            .filter(view_model_isObj)
            .map((d) => ({
            name: view_model_text(d.name, 300),
            file: view_model_text(d.file, 500),
            total: num(d.total),
            passed: num(d.passed),
            failed: num(d.failed),
            errored: num(d.errored),
            flaky: num(d.flaky),
            passRate: num(d.passRate),
            bar: rateBar(num(d.passRate)),
        })),
        problems: paged,
        engineErrors,
    };
}
const METRIC_ORDER = ['http_reqs', 'http_req_duration', 'http_req_failed', 'iterations', 'dropped_iterations', 'scheduler_lag_ms'];
const DURATION_KEYS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];
const RATE_METRICS = new Set(['http_req_failed', 'checks']);
function metricValue(name, key, v) {
    const n = num(v);
    if (n === null)
        return view_model_text(v, 200);
    if (key === 'rate' && RATE_METRICS.has(name))
        return `${(n * 100).toFixed(2)}%`;
    if (name.includes('duration') || name.endsWith('_ms') || DURATION_KEYS.includes(key))
        return formatMs(n);
    return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
function loadMetrics(m) {
    if (!view_model_isObj(m))
        return [];
    const names = Object.keys(m).sort((a, b) => {
        const ia = METRIC_ORDER.indexOf(a);
        const ib = METRIC_ORDER.indexOf(b);
        return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
    });
    return names.map((name) => {
        const v = m[name];
        if (view_model_isObj(v)) {
            const keys = Object.keys(v).sort((a, b) => {
                const ia = DURATION_KEYS.indexOf(a);
                const ib = DURATION_KEYS.indexOf(b);
                return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
            });
            return { name: view_model_text(name, 200), values: keys.map((k) => ({ key: view_model_text(k, 100), value: metricValue(name, k, v[k]) })) };
        }
        return { name: view_model_text(name, 200), values: [{ key: 'value', value: metricValue(name, 'value', v) }] };
    });
}
/** Thresholds as a list `[{metric, expression, ok, actual}]` or as k6 writes them in options, `{metric: [expr]}`. */
function loadThresholds(t) {
    if (Array.isArray(t)) {
        return t.filter(view_model_isObj).map((x) => {
            const ok = typeof x.ok === 'boolean' ? x.ok : typeof x.passed === 'boolean' ? x.passed : typeof x.failed === 'boolean' ? !x.failed : null;
            const metric = view_model_text(x.metric ?? x.name ?? '', 200);
            const actual = x.actual ?? x.value;
            const note = typeof x.note === 'string' ? ` (${view_model_text(x.note, 200)})` : '';
            const level = x.level === 'warn' ? ' [warn]' : '';
            return {
                metric,
                expression: view_model_text(x.expression ?? x.threshold ?? x.expr ?? x.source ?? '', 300) + level,
                ok,
                actual: (actual === undefined || actual === null ? '' : metricValue(metric.replace(/\{.*$/, ''), RATE_METRICS.has(metric.replace(/\{.*$/, '')) ? 'rate' : 'value', actual)) + note,
            };
        });
    }
    if (view_model_isObj(t)) {
        return Object.entries(t).flatMap(([metric, list]) => arr(list).map((e) => (view_model_isObj(e) ? { metric, expression: view_model_text(e.threshold ?? e.expression ?? '', 300), ok: typeof e.ok === 'boolean' ? e.ok : null, actual: '' } : { metric, expression: view_model_text(e, 300), ok: null, actual: '' })));
    }
    return [];
}
/** Histogram bins as `[{from,to,count}]`, `[{lo,hi,count}]`, `[{min,max,count}]` or `{ bins: [...] }`. */
function histogramBins(h) {
    const list = view_model_isObj(h) ? arr(h.bins ?? h.buckets) : arr(h);
    const out = [];
    let prev = 0;
    for (const b of list) {
        if (!view_model_isObj(b))
            continue;
        const count = num(b.count);
        const to = num(b.to ?? b.hi ?? b.max ?? b.le);
        const from = num(b.from ?? b.lo ?? b.min) ?? prev;
        if (count === null || to === null)
            continue;
        out.push({ from, to, count });
        prev = to;
    }
    return out;
}
function timelinePoints(t) {
    return arr(t)
        .filter(view_model_isObj)
        .flatMap((p) => {
        // `{ t, p50, p95, p99, rate, errors }`, or the load recorder's rows `{ second, completed, p50Ms, ... }`.
        const tt = num(p.t ?? p.second);
        if (tt === null)
            return [];
        return [{ t: tt, p50: num(p.p50 ?? p.p50Ms), p95: num(p.p95 ?? p.p95Ms), p99: num(p.p99 ?? p.p99Ms), rate: num(p.rate ?? p.completed), errors: num(p.errors) }];
    });
}
function p95Limit(thresholds) {
    for (const t of thresholds) {
        if (t.metric !== 'http_req_duration')
            continue;
        const m = /^p\(95\)\s*<=?\s*([\d.]+)(?:\s|$)/.exec(t.expression.replace(/\s+/g, ' ').trim());
        if (m)
            return Number(m[1]);
    }
    return null;
}
function loadView(s) {
    const thresholds = loadThresholds(s.thresholds);
    const limit = p95Limit(thresholds);
    const dur = view_model_isObj(s.metrics) && view_model_isObj(s.metrics.http_req_duration) ? s.metrics.http_req_duration : {};
    const markers = ['p(50)', 'med', 'p(95)', 'p(99)'].flatMap((k) => (num(dur[k]) !== null ? [{ ms: num(dur[k]), label: k === 'med' ? 'p50' : k.replace(/[()]/g, '') }] : []));
    const reasons = arr(s.invalidReasons).map((x) => view_model_text(x, 300));
    const invalid = s.valid === false
        ? reasons.length
            ? reasons.join('; ')
            : view_model_text(s.invalidReason ?? s.reason ?? 'the generator fell behind', 500)
        : typeof s.invalid === 'string'
            ? view_model_text(s.invalid, 500)
            : null;
    const q = view_model_isObj(s.quality) ? s.quality : null;
    const quality = q
        ? {
            checked: num(q.checked),
            failed: num(q.failed),
            passRate: num(q.passRate),
            simPassRate: num(q.simPassRate),
            failing: arr(q.failingCases)
                .filter(view_model_isObj)
                .slice(0, 20)
                .map((c) => ({ id: `${view_model_text(c.dataset ?? '', 300)}/${view_model_text(c.id, 300)}`, location: view_model_location(c.location), failed: `${fmtNum(c.failed, 0)}/${fmtNum(c.checked, 0)}`, first: view_model_text(c.firstFailure ?? '', 600) })),
        }
        : null;
    const errors = view_model_isObj(s.errors) ? Object.entries(s.errors).flatMap(([kind, count]) => (num(count) !== null && count > 0 ? [{ kind: view_model_text(kind, 100), count: count }] : [])) : [];
    return {
        verdict: view_model_text(s.verdict, 20),
        cls: verdictCls(s.verdict),
        reason: view_model_text(s.reason ?? ''),
        generator: str(s.generator),
        invalid,
        quality,
        errors,
        metrics: loadMetrics(s.metrics),
        thresholds,
        histogram: histogramChart(histogramBins(s.histogram ?? s.latencyHistogram), { rules: markers }),
        timeline: timelineChart(timelinePoints(s.timeline), { thresholdMs: limit }),
    };
}
/** A replay/drift difference (`{ pointer, kind, left, right, charIndex?, similarity? }`) as one readable line. */
function diffText(x) {
    if (Array.isArray(x))
        return x.slice(0, 5).map(diffText).join('\n');
    if (!view_model_isObj(x) || typeof x.pointer !== 'string')
        return view_model_text(x, 600);
    const where = x.pointer === '' ? '(root)' : x.pointer;
    const at = num(x.charIndex) !== null ? ` at character ${x.charIndex}` : '';
    const sim = num(x.similarity) !== null ? ` (similarity ${x.similarity.toFixed(2)})` : '';
    const side = (v) => (v === undefined ? '(absent)' : view_model_text(v, 240));
    return `${where} ${view_model_text(x.kind ?? 'changed', 20)}${at}: ${side(x.left)} → ${side(x.right)}${sim}`;
}
function fmtNum(v, digits = 2) {
    const n = num(v);
    return n === null ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits });
}
function driftView(d) {
    if (!view_model_isObj(d))
        return null;
    const cases = arr(d.cases).filter(view_model_isObj);
    const counts = new Map();
    for (const c of cases) {
        const st = view_model_text(c.status ?? 'unknown', 50);
        counts.set(st, (counts.get(st) ?? 0) + 1);
    }
    const changed = cases
        .filter((c) => c.status !== 'unchanged' && c.status !== 'noise')
        .map((c) => ({ id: view_model_text(c.id, 300), status: view_model_text(c.status, 50), diff: c.diff === undefined ? '' : diffText(c.diff) }));
    const noiseAll = cases.filter((c) => c.status === 'noise');
    const noise = noiseAll.slice(0, 50).map((c) => ({ id: view_model_text(c.id, 300), diff: c.diff === undefined ? '' : diffText(c.diff) }));
    const unmeasured = noCaseInCommon(driftCounts(d, counts));
    return {
        baseline: view_model_text(d.baseline ?? '(none)', 500),
        rate: unmeasured ? null : num(d.rate),
        unmeasured,
        counts: [...counts.entries()].map(([status, count]) => ({ status, count })),
        changed: paginate(changed, { perPage: LIMITS.maxDriftRows, max: LIMITS.maxDriftRows, idPrefix: 'drift' }),
        noise,
        noiseMore: noiseAll.length - noise.length,
    };
}
/** The drift counts report.json gives beside the rate; from the listed cases when it has none (older reports). */
function driftCounts(d, fromCases) {
    const pick = (k) => num(d[k]) ?? fromCases.get(k) ?? 0;
    return { unchanged: pick('unchanged'), changed: pick('changed'), new: pick('new'), removed: pick('removed'), noise: pick('noise') };
}
/** The replay stage's PASS and WARN lines (DESIGN §4.1: 90 and 70 unless the config moves them). */
function replayBands(s) {
    const th = s && view_model_isObj(s.thresholds) ? s.thresholds : {};
    return { warn: num(th.warn) ?? 70, pass: num(th.pass) ?? 90 };
}
function replayView(s) {
    const score = num(s.determinismScore);
    const bands = replayBands(s);
    const cases = arr(s.cases).filter(view_model_isObj);
    const diverged = cases
        .filter((c) => c.agreed !== true)
        .sort((a, b) => (num(b.uniqueOutputs) ?? 0) - (num(a.uniqueOutputs) ?? 0))
        .map((c) => {
        const fd = view_model_isObj(c.firstDivergence) ? c.firstDivergence : null;
        const id = view_model_text(c.id, 300);
        const pointer = fd ? view_model_text(fd.pointer ?? '', 500) : null;
        return {
            id,
            uniqueOutputs: fmtNum(c.uniqueOutputs, 0),
            modalAgreement: num(c.modalAgreement) !== null ? `${(c.modalAgreement <= 1 ? c.modalAgreement * 100 : c.modalAgreement).toFixed(1)}%` : '–',
            pointer: pointer === '' ? '(root)' : pointer,
            charIndex: fd ? num(fd.charIndex) : null,
            dataset: c.dataset !== undefined ? view_model_text(c.dataset, 300) : null,
            location: view_model_location(c.location),
            diffs: arr(c.diffs).slice(0, 3).map((x) => diffText(x)),
            search: `${view_model_text(c.dataset ?? '', 300)}/${id} ${pointer ?? ''}`.toLowerCase(),
        };
    });
    return {
        verdict: view_model_text(s.verdict, 20),
        cls: verdictCls(s.verdict),
        reason: view_model_text(s.reason ?? ''),
        score,
        scoreText: score !== null ? fixedDown(score, 1) : '–',
        bar: scoreBar(score, bands),
        stats: [
            { label: 'rounds', value: fmtNum(s.rounds, 0) },
            // Rounded down, as the determinism score is: 449 of 499 agreeing is 89.97, not 'TAR 90.0%' beside a WARN.
            { label: 'TAR (canonical)', value: num(s.tarCanonical) !== null ? `${fixedDown(s.tarCanonical * 100, 1)}%` : '–' },
            { label: 'TAR (raw bytes)', value: num(s.tarRaw) !== null ? `${fixedDown(s.tarRaw * 100, 1)}%` : '–' },
            { label: 'unique outputs', value: fmtNum(s.uniqueOutputs) },
        ],
        divergences: paginate(diverged, { perPage: LIMITS.maxReplayRows, max: LIMITS.maxReplayRows, idPrefix: 'replay' }),
        agreedCount: cases.length - diverged.length,
        caseCount: cases.length,
        drift: driftView(s.drift),
    };
}
function pipelineView(s) {
    const all = arr(s.checks)
        .filter(view_model_isObj)
        .map((c, i) => {
        const severity = view_model_text(c.severity ?? '', 20);
        return { i, name: view_model_text(c.name, 300), ok: typeof c.ok === 'boolean' ? c.ok : null, severity, sevCls: severity.toLowerCase(), detail: view_model_text(c.detail ?? '') };
    });
    const sev = (x) => SEVERITY_SCORE[x] ?? -1;
    all.sort((a, b) => Number(a.ok === true) - Number(b.ok === true) || sev(b.severity) - sev(a.severity) || a.i - b.i);
    return {
        verdict: view_model_text(s.verdict, 20),
        cls: verdictCls(s.verdict),
        reason: view_model_text(s.reason ?? ''),
        checks: all.slice(0, LIMITS.maxChecks).map(({ i: _i, ...c }) => c),
        failing: all.filter((c) => c.ok === false).length,
        more: Math.max(0, all.length - LIMITS.maxChecks),
    };
}
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];
/** Most severe first (by score), then in the order raised. */
function sortFindings(findings) {
    return findings
        .map((f, i) => ({ f, i, s: typeof f.score === 'number' ? f.score : (SEVERITY_SCORE[f.severity] ?? 0) }))
        .sort((a, b) => b.s - a.s || SEVERITIES.indexOf(a.f.severity) - SEVERITIES.indexOf(b.f.severity) || a.i - b.i)
        .map((x) => x.f);
}
function warroomView(findings) {
    const sorted = sortFindings(findings);
    const rows = sorted.slice(0, LIMITS.maxWarroomRows).map((f) => {
        const message = view_model_text(f.message);
        const caseId = f.caseId !== undefined ? view_model_text(f.caseId, 300) : null;
        const loc = view_model_location(f.location);
        return {
            severity: view_model_text(f.severity, 20),
            cls: `sev-${view_model_text(f.severity, 20).toLowerCase()}`,
            score: typeof f.score === 'number' ? f.score : 0,
            subsystem: view_model_text(f.subsystem, 100),
            type: view_model_text(f.type, 100),
            message,
            caseId,
            location: loc,
            remediation: view_model_text(f.remediation),
            timestamp: view_model_text(f.timestamp, 40),
            search: `${f.severity} ${f.subsystem} ${f.type} ${caseId ?? ''} ${loc ?? ''} ${message}`.toLowerCase().slice(0, 600),
        };
    });
    const paged = paginate(rows, { perPage: LIMITS.warroomPerPage, max: LIMITS.maxWarroomRows, idPrefix: 'warroom' });
    paged.total = findings.length;
    paged.more = findings.length - paged.shown;
    return {
        counts: SEVERITIES.map((s) => ({ severity: s, cls: `sev-${s.toLowerCase()}`, count: findings.filter((f) => f.severity === s).length })),
        rows: paged,
    };
}
function trendsView(report, history) {
    const sim = report.stages.sim;
    const replay = report.stages.replay;
    const load = report.stages.load;
    const dur = load && view_model_isObj(load.metrics) && view_model_isObj(load.metrics.http_req_duration) ? load.metrics.http_req_duration : {};
    const current = {
        runId: report.runId,
        startedAt: report.startedAt,
        simPassRate: sim && sim.verdict !== 'SKIPPED' ? num(sim.passRate) : null,
        determinismScore: replay ? num(replay.determinismScore) : null,
        p95Ms: num(dur['p(95)']),
    };
    // This run's replay lines (as its score bar draws them), not the defaults: a gate at 95 drawn at 90 misleads.
    const bands = replayBands(replay);
    const past = history.filter((h) => h.runId !== report.runId).slice(-(LIMITS.maxTrendRuns - 1));
    const series = [...past.map((h) => ({ ...h, current: false })), { ...current, current: true }];
    const pick = (get) => series.map((p) => ({ runId: p.runId, startedAt: p.startedAt, value: get(p), current: p.current }));
    const charts = [
        trendChart('SIM pass rate', pick((p) => (p.simPassRate === null ? null : p.simPassRate * 100)), { unit: 'pct' }),
        trendChart('Determinism score', pick((p) => p.determinismScore), {
            unit: 'score',
            rules: [
                { value: bands.pass, cls: 'band-pass-line', label: `PASS ${bands.pass}` },
                { value: bands.warn, cls: 'band-fail-line', label: `FAIL below ${bands.warn}` },
            ],
        }),
        trendChart('Load p95 latency', pick((p) => p.p95Ms), { unit: 'ms' }),
    ].filter((c) => c !== null);
    return { runs: series.length, charts };
}
function buildHtmlView(report, opts = {}) {
    const stages = (report.stages ?? {});
    const names = [...STAGE_ORDER.filter((n) => n in stages), ...Object.keys(stages).filter((n) => !STAGE_ORDER.includes(n))];
    const ran = (n) => view_model_isObj(stages[n]) && stages[n].verdict !== 'SKIPPED';
    const cards = names.map((n) => {
        const s = view_model_isObj(stages[n]) ? stages[n] : {};
        return {
            name: n,
            verdict: view_model_text(s.verdict ?? 'UNKNOWN', 20),
            cls: verdictCls(s.verdict),
            reason: view_model_text(s.reason ?? ''),
            headline: stageHeadline(n, s),
            anchor: ran(n) ? `stage-${n}` : null,
        };
    });
    const artifacts = Object.entries(report.artifacts ?? {})
        .filter(([, v]) => typeof v === 'string' && v !== '')
        .map(([k, v]) => ({ label: k, href: v }))
        // Only relative paths inside the report folder are links (a report never names a machine path).
        .filter((a) => !a.href.startsWith('/') && !/^[a-z][a-z0-9+.-]*:/i.test(a.href));
    return {
        title: `toron-testops ${report.verdict}: run ${report.runId}`,
        runId: report.runId,
        verdict: report.verdict,
        verdictCls: verdictCls(report.verdict),
        reason: view_model_text(report.reason ?? ''),
        error: report.error ? { kind: view_model_text(report.error.kind, 100), message: view_model_text(report.error.message) } : null,
        cancelled: report.cancelled === true,
        engine: {
            kind: view_model_text(report.engine?.kind ?? '', 100),
            target: view_model_text(report.engine?.target ?? '', 500),
            version: view_model_text(report.engine?.version ?? '–', 200),
            profile: view_model_text(report.engine?.profile ?? '', 100),
        },
        startedAt: report.startedAt,
        finishedAt: report.finishedAt,
        durationMs: num(report.durationMs),
        settings: {
            configFile: view_model_text(report.settings?.configFile ?? 'defaults', 500),
            stages: arr(report.settings?.stages).join(', '),
            failOn: view_model_text(report.settings?.failOn ?? '', 20),
            shard: view_model_text(report.settings?.shard ?? '–', 20),
        },
        cards,
        stages: cards.map((c) => ({ name: c.name, verdict: c.verdict, cls: c.cls, reason: c.reason })),
        sim: ran('sim') ? simView(stages.sim) : null,
        load: ran('load') ? loadView(stages.load) : null,
        replay: ran('replay') ? replayView(stages.replay) : null,
        pipeline: ran('pipeline') ? pipelineView(stages.pipeline) : null,
        others: names
            .filter((n) => !STAGE_ORDER.includes(n) && ran(n))
            .map((n) => ({ name: n, verdict: view_model_text(stages[n].verdict, 20), cls: verdictCls(stages[n].verdict), reason: view_model_text(stages[n].reason ?? ''), json: view_model_text(stages[n], 20_000) })),
        warroom: warroomView(report.warroom ?? []),
        trends: trendsView(report, opts.history ?? []),
        artifacts,
    };
}

;// CONCATENATED MODULE: ./src/github/annotations.ts



const PER_LEVEL_LIMIT = 10;
const SEVERITY_ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];
const MESSAGE_LIMIT = 4000;
function annotations_levelOf(severity) {
    if (severity === 'CRITICAL' || severity === 'HIGH')
        return 'error';
    if (severity === 'MEDIUM')
        return 'warning';
    return 'notice';
}
/**
 * A finding's file (relative to the run's working directory) as a repository path; undefined when it
 * lies outside the workspace or is absolute on another machine.
 */
function repoPath(file, cwd, workspace) {
    if (!file || external_node_path_default().isAbsolute(file) || /^[A-Za-z]:/.test(file))
        return undefined;
    const rel = external_node_path_default().relative(workspace, external_node_path_default().resolve(cwd, file));
    if (rel === '' || rel.startsWith('..') || external_node_path_default().isAbsolute(rel))
        return undefined;
    return rel.split((external_node_path_default()).sep).join('/');
}
function toAnnotation(f, place) {
    const file = f.location ? place(f.location.file) : undefined;
    const where = f.caseId ? ` (case ${f.caseId})` : '';
    let message = `${f.message}${where}`;
    if (f.remediation)
        message += `\nFix: ${f.remediation}`;
    // Cut at a character: half an emoji would reach the annotation as U+FFFD, a character the engine never sent.
    if (message.length > MESSAGE_LIMIT)
        message = cutText(message, MESSAGE_LIMIT - 1) + '…';
    return {
        level: annotations_levelOf(f.severity),
        severity: f.severity,
        title: `toron-testops ${f.severity}: ${f.type}`,
        message,
        ...(file ? { file, line: Math.max(1, Math.trunc(f.location.line) || 1) } : {}),
    };
}
/** Most severe first; within a severity, changed files first; then by file and line; stable otherwise. */
function orderAnnotations(items, changedFiles) {
    const rank = (a) => SEVERITY_ORDER.indexOf(a.severity);
    const changed = (a) => (a.file && changedFiles.has(a.file) ? 0 : 1);
    return items
        .map((a, i) => ({ a, i }))
        .sort((x, y) => rank(x.a) - rank(y.a) ||
        changed(x.a) - changed(y.a) ||
        (x.a.file ?? '\uffff').localeCompare(y.a.file ?? '\uffff') ||
        (x.a.line ?? 0) - (y.a.line ?? 0) ||
        x.i - y.i)
        .map((x) => x.a);
}
function dedupe(items) {
    const seen = new Set();
    return items.filter((a) => {
        const key = `${a.level}\0${a.file ?? ''}\0${a.line ?? 0}\0${a.title}\0${a.message}`;
        if (seen.has(key))
            return false;
        seen.add(key);
        return true;
    });
}
/**
 * Workflow-command annotations within the per-level room left (`room`, after the action's own warnings
 * and the final verdict line) and `maxTotal`; one notice slot is kept for the "N more" line when not
 * everything fits.
 */
function planWorkflowAnnotations(findings, opts) {
    const all = orderAnnotations(dedupe(findings.map((f) => toAnnotation(f, opts.place))), opts.changedFiles);
    const pick = (room, total) => {
        const left = { ...room };
        const items = [];
        for (const a of all) {
            if (items.length >= total)
                break;
            if (left[a.level] <= 0)
                continue;
            left[a.level]--;
            items.push(a);
        }
        return items;
    };
    let items = pick(opts.room, opts.maxTotal);
    if (items.length < all.length && opts.maxTotal > 0 && opts.room.notice > 0) {
        items = pick({ ...opts.room, notice: opts.room.notice - 1 }, opts.maxTotal - 1);
    }
    const overflow = all.length - items.length;
    const noticeFits = opts.maxTotal > 0 && opts.room.notice > 0;
    return {
        items,
        overflow,
        overflowNotice: overflow > 0 && noticeFits ? overflowText(overflow, items.length) : null,
    };
}
function overflowText(more, shown) {
    return `${more} more WAR ROOM finding${more === 1 ? ' is' : 's are'} not shown as annotation${more === 1 ? '' : 's'} (${shown} shown; the platform keeps ${PER_LEVEL_LIMIT} per level): see the job summary and report.json.`;
}
function workflowCommandLines(plan) {
    const lines = plan.items.map((a) => annotationCommand(a.level, a.message, { title: a.title, file: a.file, line: a.line }));
    if (plan.overflowNotice)
        lines.push(annotationCommand('notice', plan.overflowNotice, { title: 'toron-testops: more findings' }));
    return lines;
}
/** Check-run annotations: only findings with a place in the repository can be one. */
function planCheckAnnotations(findings, opts) {
    const all = orderAnnotations(dedupe(findings.map((f) => toAnnotation(f, opts.place))), opts.changedFiles);
    const located = all.filter((a) => a.file !== undefined);
    const items = located.slice(0, opts.maxTotal);
    return { items, overflow: all.length - items.length };
}
function toCheckAnnotation(a) {
    return {
        path: a.file,
        start_line: a.line ?? 1,
        end_line: a.line ?? 1,
        annotation_level: a.level === 'error' ? 'failure' : a.level,
        title: cutText(a.title, 255),
        message: a.message,
    };
}

// EXTERNAL MODULE: ./node_modules/crc-32/crc32.js
var crc32 = __webpack_require__(84891);
var crc32_default = /*#__PURE__*/__webpack_require__.n(crc32);
;// CONCATENATED MODULE: ./src/util/native-crc32.ts


/**
 * archiver checksums every byte of a zip through crc-32 (crc32-stream and compress-commons call its
 * `buf`), a CRC written in JavaScript: 1.1 s of a 100k-case bundle, whose snapshot is 710 MB. zlib's
 * crc32 (node:zlib, Node >= 22.2) is the same CRC-32 in C, about 17x faster. Both dependants look `buf`
 * up on crc-32's exports at each call, so setting it there once reaches them (and @actions/artifact's
 * own zip streams). Same values: crc-32 returns the CRC as a signed 32-bit integer and takes the seed
 * in either form; anything that is not a byte array still goes to crc-32's own code.
 */
function useNativeCrc32() {
    if (installed || typeof (external_node_zlib_default()).crc32 !== 'function')
        return;
    installed = true;
    const original = (crc32_default()).buf;
    (crc32_default()).buf = function zlibCrc32(data, seed) {
        return data instanceof Uint8Array ? external_node_zlib_default().crc32(data, seed === undefined ? 0 : seed >>> 0) | 0 : original(data, seed);
    };
}
let installed = false;

;// CONCATENATED MODULE: ./src/github/artifact.ts






/** Why artifacts cannot be uploaded from here, or null when the Actions runtime is present. */
function artifactServiceProblem(env) {
    const missing = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'].filter((k) => !env[k]);
    return missing.length ? `the Actions runtime is not available (${missing.join(', ')} not set): not running in GitHub Actions?` : null;
}
let loaded = null;
function artifactModule() {
    // The client zips what it uploads with archiver too.
    useNativeCrc32();
    loaded ??= Promise.all(/* import() */[__webpack_require__.e(351), __webpack_require__.e(690)]).then(__webpack_require__.bind(__webpack_require__, 35690));
    return loaded;
}
const MAX_NAME_ATTEMPTS = 6;
function isNameConflict(err) {
    return /\(409\)|already exists|Conflict/i.test(errorMessage(err));
}
/** The first of name, name-2, name-3... not yet used in this run (best effort: listing may fail). */
function freeName(name, taken, start = 1) {
    for (let n = start;; n++) {
        const candidate = suffixedName(name, n);
        if (!taken.has(candidate))
            return { name: candidate, n };
    }
}
async function takenNames() {
    const { DefaultArtifactClient } = await artifactModule();
    try {
        const { artifacts } = await new DefaultArtifactClient().listArtifacts();
        return new Set(artifacts.map((a) => a.name));
    }
    catch {
        return new Set();
    }
}
/** The bundle (or, without one, the report files) zipped by the service under a unique name. */
async function uploadFiles(opts) {
    const { DefaultArtifactClient } = await artifactModule();
    const client = new DefaultArtifactClient();
    const taken = opts.taken ?? (await takenNames());
    let n = 1;
    for (let attempt = 1;; attempt++) {
        const pick = freeName(opts.name, taken, n);
        try {
            const r = await client.uploadArtifact(pick.name, opts.files, opts.rootDirectory, {
                retentionDays: opts.retentionDays || undefined,
                compressionLevel: opts.compressionLevel,
            });
            if (r.id === undefined)
                throw new Error('the artifact service returned no artifact id');
            return { id: r.id, name: pick.name, size: r.size ?? null, digest: r.digest ?? null };
        }
        catch (err) {
            if (!isNameConflict(err) || attempt >= MAX_NAME_ATTEMPTS)
                throw err;
            taken.add(pick.name);
            n = pick.n + 1;
        }
    }
}
/**
 * One file uploaded as itself (no zip), so it opens in the browser from the run page. The service
 * names such an artifact after the file, so the file is copied under the name wanted first.
 */
async function uploadSingleFile(opts) {
    const { DefaultArtifactClient } = await artifactModule();
    const dir = external_node_fs_default().mkdtempSync(external_node_path_default().join(external_node_os_default().tmpdir(), 'toron-testops-artifact-'));
    try {
        const copy = external_node_path_default().join(dir, opts.name);
        external_node_fs_default().copyFileSync(opts.file, copy);
        const r = await new DefaultArtifactClient().uploadArtifact(opts.name, [copy], dir, {
            retentionDays: opts.retentionDays || undefined,
            skipArchive: true,
        });
        if (r.id === undefined)
            throw new Error('the artifact service returned no artifact id');
        return { id: r.id, name: opts.name, size: r.size ?? null, digest: r.digest ?? null };
    }
    finally {
        external_node_fs_default().rmSync(dir, { recursive: true, force: true });
    }
}

;// CONCATENATED MODULE: ./src/github/octokit.ts
/**
 * Octokit from @actions/github (proxy-aware), loaded on first use: the module is large, and the
 * action prints its first line before anything heavy is loaded. `baseUrl` is passed explicitly so
 * GITHUB_API_URL is honoured whenever the module was first imported.
 */
async function createOctokit(token, baseUrl) {
    const { getOctokit } = await __webpack_require__.e(/* import() */ 351).then(__webpack_require__.bind(__webpack_require__, 61351));
    return getOctokit(token, { baseUrl });
}
/** The HTTP status of an Octokit error, if it has one. */
function httpStatus(err) {
    const s = err?.status;
    return typeof s === 'number' ? s : undefined;
}
/** 401/403/404 from a write: the token may not do it (fork PRs, read-only default permissions). */
function isPermissionError(err) {
    const s = httpStatus(err);
    return s === 401 || s === 403 || s === 404;
}
/** A short reason for a log line: status and the API's message, never the token or headers. */
function describeHttpError(err) {
    const status = httpStatus(err);
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return status ? `HTTP ${status}: ${message.replace(/ - https:\/\/docs\.github\.com\S*/, '')}` : message;
}

;// CONCATENATED MODULE: ./src/github/baseline.ts






/**
 * `baseline: auto`: the snapshot of the newest successful run of this workflow on the base branch
 * (the PR's base, or the default branch), from that run's artifact. Anything short of a usable
 * snapshot is a reason for a WARN, never an error: the gate still runs, without drift.
 */
const BASELINE_MAX_AGE_DAYS = 30;
/** Successful runs looked at, newest first, for one that still has the artifact. */
const BASELINE_CANDIDATES = 5;
/** Runs of the base branch that can stand for it: pushes and schedules of this repository, not PRs. */
function eligibleRuns(runs, q) {
    const full = `${q.owner}/${q.repo}`;
    return runs
        .filter((r) => r.id !== q.runId)
        .filter((r) => r.head_branch === q.branch)
        .filter((r) => r.event !== 'pull_request' && r.event !== 'pull_request_target')
        .filter((r) => !r.head_repository?.full_name || r.head_repository.full_name === full)
        .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
}
function ageDays(createdAt, now) {
    return (now.getTime() - Date.parse(createdAt)) / 86_400_000;
}
async function findBaseline(octokit, q) {
    const log = q.log ?? (() => { });
    const now = q.now ?? new Date();
    const request = { signal: q.signal };
    let branch = q.branch;
    let workflowId;
    try {
        if (!branch) {
            const { data } = await octokit.request('GET /repos/{owner}/{repo}', { owner: q.owner, repo: q.repo, request });
            branch = data.default_branch;
        }
        const { data: run } = await octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', {
            owner: q.owner,
            repo: q.repo,
            run_id: q.runId,
            request,
        });
        workflowId = run.workflow_id;
    }
    catch (err) {
        return { ok: false, reason: `cannot look up this workflow run (${describeHttpError(err)}; the token needs actions: read)` };
    }
    let runs;
    try {
        const { data } = await octokit.request('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', {
            owner: q.owner,
            repo: q.repo,
            workflow_id: workflowId,
            branch,
            status: 'success',
            per_page: 20,
            request,
        });
        runs = eligibleRuns(data.workflow_runs, { ...q, branch });
    }
    catch (err) {
        return { ok: false, reason: `cannot list the runs of this workflow on ${branch} (${describeHttpError(err)})` };
    }
    if (runs.length === 0)
        return { ok: false, reason: `no successful run of this workflow on ${branch} yet` };
    const newest = runs[0];
    if (ageDays(newest.created_at, now) > BASELINE_MAX_AGE_DAYS) {
        return {
            ok: false,
            reason: `the newest successful run on ${branch} (${newest.id}) is ${Math.floor(ageDays(newest.created_at, now))} days old (stale: over ${BASELINE_MAX_AGE_DAYS})`,
        };
    }
    const { DefaultArtifactClient } = await artifactModule();
    const client = new DefaultArtifactClient();
    const misses = [];
    for (const run of runs.slice(0, BASELINE_CANDIDATES)) {
        if (ageDays(run.created_at, now) > BASELINE_MAX_AGE_DAYS)
            break;
        const findBy = { token: q.token, workflowRunId: run.id, repositoryOwner: q.owner, repositoryName: q.repo };
        let artifactId;
        try {
            const { artifact } = await client.getArtifact(q.artifactName, { findBy });
            artifactId = artifact.id;
        }
        catch (err) {
            misses.push(`run ${run.id}: ${/not found/i.test(errorMessage(err)) ? `no artifact named "${q.artifactName}"` : errorMessage(err).split('\n')[0]}`);
            continue;
        }
        log(`baseline: run ${run.id} on ${branch} (${run.created_at}), artifact ${q.artifactName} (${artifactId})`);
        const target = external_node_path_default().join(q.dir, String(run.id));
        const got = await downloadAndUnpack(client, artifactId, findBy, target);
        if (!got.ok)
            return { ok: false, reason: `the artifact of run ${run.id} is not usable: ${got.reason}` };
        return { ok: true, snapshot: got.snapshot, runId: run.id, runUrl: run.html_url ?? null, createdAt: run.created_at, artifactId, branch };
    }
    return { ok: false, reason: `no usable artifact in the newest successful runs on ${branch} (${misses.join('; ')})` };
}
/**
 * The artifact is fetched as the raw zip (no extraction by the library), then unpacked here with every
 * entry checked: the artifact first, then the bundle.zip inside it.
 */
async function downloadAndUnpack(client, artifactId, findBy, target) {
    external_node_fs_default().rmSync(target, { recursive: true, force: true });
    const download = external_node_path_default().join(target, 'download');
    const unpacked = external_node_path_default().join(target, 'artifact');
    const bundleDir = external_node_path_default().join(target, 'bundle');
    try {
        await client.downloadArtifact(artifactId, { path: download, findBy, skipDecompress: true });
    }
    catch (err) {
        return { ok: false, reason: `download failed (${errorMessage(err).split('\n')[0]})` };
    }
    try {
        const files = external_node_fs_default().readdirSync(download);
        if (files.length !== 1)
            return { ok: false, reason: `expected one downloaded file, found ${files.length}` };
        const outer = external_node_fs_default().readFileSync(external_node_path_default().join(download, files[0]));
        const names = extractZip(outer, unpacked);
        let dir = unpacked;
        if (names.includes('bundle.zip')) {
            extractZip(external_node_fs_default().readFileSync(external_node_path_default().join(unpacked, 'bundle.zip')), bundleDir);
            dir = bundleDir;
        }
        const snapshot = external_node_path_default().join(dir, 'snapshot.json');
        if (!external_node_fs_default().existsSync(snapshot))
            return { ok: false, reason: 'it holds no snapshot.json (the run that made it wrote none)' };
        return { ok: true, snapshot };
    }
    catch (err) {
        return { ok: false, reason: err instanceof ZipError ? `unsafe or damaged archive: ${err.message}` : errorMessage(err) };
    }
}

;// CONCATENATED MODULE: ./src/action/baseline-notice.ts
const BASELINE_FINDING = 'baseline-unavailable';
/**
 * `baseline: auto` that found nothing usable makes the run a WARN with the reason, never an ERROR: the
 * replay stage runs as usual (no drift), a finding says why, and a PASS becomes a WARN. Done by
 * wrapping the stage, so the reason lands in report.json, summary.md and the bundle like any other.
 */
function withBaselineNotice(stage, reason) {
    return {
        name: stage.name,
        ...(stage.observeAnswers ? { observeAnswers: (ctx) => stage.observeAnswers(ctx) } : {}),
        async run(ctx, prior) {
            ctx.raise({
                type: BASELINE_FINDING,
                severity: 'MEDIUM',
                subsystem: stage.name,
                message: `baseline: auto found no usable baseline, so drift was not measured: ${reason}`,
            });
            const r = await stage.run(ctx, prior);
            if (r.verdict !== 'PASS')
                return r;
            return { ...r, verdict: 'WARN', reason: [r.reason, `no baseline (${reason})`].filter(Boolean).join('; ') };
        },
    };
}

;// CONCATENATED MODULE: ./src/action/prepare.ts













const BASELINE_TIMEOUT_MS = 120_000;
/** Inputs → settings (the same resolver as the CLI) → the baseline for `auto`. Never throws. */
async function prepare(ctx) {
    const { gh, log } = ctx;
    let inputs = null;
    const base = (failed) => ({
        inputs,
        settings: null,
        failed,
        artifactName: inputs?.artifactName ?? defaultArtifactName(gh.job),
        baseline: { kind: 'none' },
        stages: STAGES,
    });
    try {
        inputs = readInputs(ctx.env);
    }
    catch (err) {
        return base(errorOutcome(errorMessage(err)));
    }
    if (inputs.mode === 'publish') {
        // Publishing reads another run's data: no settings, no engine, nothing of the workspace is run.
        log.info(`toron-testops: mode: publish${inputs.artifactName ? `, artifact ${inputs.artifactName}` : ''}`);
        return { inputs, settings: null, failed: null, artifactName: inputs.artifactName ?? '', baseline: { kind: 'none' }, stages: STAGES };
    }
    let settings;
    try {
        settings = settingsFromInputs(inputs, gh.workspace, ctx.env);
    }
    catch (err) {
        const message = errorMessage(err).replace(/flag --([a-z-]+)/g, 'input $1');
        const loc = err instanceof InputError && err.file ? repoPath(err.file, cwdOf(inputs, gh.workspace), gh.workspace) : undefined;
        return base(errorOutcome(message, { errorLocation: loc ? { file: loc, line: err.line ?? 1 } : null }));
    }
    const artifactName = legName(inputs.artifactName ?? defaultArtifactName(gh.job), settings.shard);
    log.info(`toron-testops: run ${settings.runId}, engine ${redactTarget(settings.engine.target)}, stages ${settings.stages.join(',')}`);
    let baseline = inputs.baseline.kind === 'path' ? { kind: 'path', path: inputs.baseline.path } : { kind: 'none' };
    let stages = STAGES;
    if (inputs.mode === 'compare') {
        const problem = inputs.engine === null ? 'mode: compare needs engine (the candidate: an engine spec or an engine-map version)' : inputs.baseline.kind === 'none' ? 'mode: compare needs baseline (an engine spec, an engine-map version, a snapshot, or auto)' : null;
        if (problem)
            return { ...base(errorOutcome(problem)), settings, artifactName };
    }
    if (inputs.baseline.kind === 'auto' && inputs.mode === 'compare') {
        // The baseline of a comparison must exist: no usable snapshot is an ERROR, not a WARN.
        baseline = await autoBaseline(ctx, inputs, { ...settings, stages: [...new Set([...settings.stages, 'replay'])] }, artifactName);
        if (baseline.kind === 'auto-found')
            log.info(`toron-testops: compare baseline: the snapshot of run ${baseline.runId} on ${baseline.branch} (${baseline.createdAt})`);
        else
            return { ...base(errorOutcome(`mode: compare, baseline: auto: ${'reason' in baseline ? baseline.reason : 'no baseline'}`)), settings, artifactName, baseline };
    }
    else if (inputs.baseline.kind === 'auto' && inputs.mode === 'run') {
        baseline = await autoBaseline(ctx, inputs, settings, artifactName);
        if (baseline.kind === 'auto-found') {
            settings = { ...settings, baseline: baseline.snapshot };
            log.info(`toron-testops: baseline from run ${baseline.runId} on ${baseline.branch} (${baseline.createdAt})`);
        }
        else if (baseline.kind === 'auto-missing') {
            log.warning(`baseline: auto: ${baseline.reason}; the run goes on without drift (WARN)`, { title: 'toron-testops baseline' });
            if (STAGES.replay)
                stages = { ...STAGES, replay: withBaselineNotice(STAGES.replay, baseline.reason) };
        }
        else if (baseline.kind === 'auto-not-needed') {
            log.info(`toron-testops: baseline: auto: ${baseline.reason}`);
        }
    }
    return { inputs, settings, failed: null, artifactName, baseline, stages };
}
/** A shard leg's artifact: `<name>-shard-<i>-of-<n>`, so `mode: merge` finds every leg by its prefix. */
function legName(name, shard) {
    return shard ? `${shardPrefix(name)}${shard.index}-of-${shard.total}` : name;
}
function shardPrefix(name) {
    return `${name}-shard-`;
}
function cwdOf(inputs, workspace) {
    return inputs.workingDirectory ? external_node_path_default().resolve(workspace, inputs.workingDirectory) : workspace;
}
function settingsFromInputs(inputs, workspace, env) {
    const cwd = cwdOf(inputs, workspace);
    const problem = workingDirectoryProblem(inputs.workingDirectory, workspace, Boolean(env.GITHUB_WORKSPACE));
    if (problem)
        throw new InputError(problem);
    return resolveSettings({ cwd, configPath: inputs.config ?? undefined, flags: settingsFlags(inputs), env });
}
async function autoBaseline(ctx, inputs, settings, artifactName) {
    const { gh } = ctx;
    if (!settings.stages.includes('replay'))
        return { kind: 'auto-not-needed', reason: 'the replay stage is not among the stages, so no baseline is needed' };
    if (!STAGES.replay)
        return { kind: 'auto-not-needed', reason: 'the replay stage is not available in this version, so no baseline is needed' };
    if (!gh.repo || gh.runId === null)
        return { kind: 'auto-missing', reason: 'not running in GitHub Actions (GITHUB_REPOSITORY / GITHUB_RUN_ID not set)' };
    if (!inputs.githubToken)
        return { kind: 'auto-missing', reason: 'github-token is empty (needs actions: read)' };
    const timeout = ctx.cancel.budget(BASELINE_TIMEOUT_MS);
    const signal = AbortSignal.any([ctx.cancel.signal, AbortSignal.timeout(Math.max(1, timeout))]);
    const lookup = (async () => {
        try {
            const octokit = await createOctokit(inputs.githubToken, gh.apiUrl);
            return await findBaseline(octokit, {
                owner: gh.repo.owner,
                repo: gh.repo.repo,
                runId: gh.runId,
                branch: gh.pr?.baseRef ?? gh.defaultBranch,
                artifactName,
                token: inputs.githubToken,
                dir: external_node_path_default().join(external_node_path_default().resolve(settings.cwd, settings.out), 'baseline'),
                signal,
                log: (m) => ctx.log.info(`toron-testops: ${m}`),
            });
        }
        catch (err) {
            return { ok: false, reason: `lookup failed: ${errorMessage(err).split('\n')[0]}` };
        }
    })();
    const r = await withDeadline(lookup, timeout, () => ({ ok: false, reason: `lookup took over ${Math.round(timeout / 1000)} s` }));
    if (r.ok)
        return { kind: 'auto-found', snapshot: r.snapshot, runId: r.runId, runUrl: r.runUrl, createdAt: r.createdAt, branch: r.branch };
    return { kind: 'auto-missing', reason: ctx.cancel.signal.aborted ? 'the job was cancelled during the lookup' : r.reason };
}

;// CONCATENATED MODULE: ./src/stages/pipeline/engine-version.ts
/**
 * The engine map (DESIGN §3.5) picks a build by version (`--engine-version`, `engineVersion`); the
 * engine says which build it is (GET /health or /version, a command engine's health answer). They
 * must agree, or the gate is judging another build than the one asked for.
 *
 * Version strings are written many ways ("3.1.0", "v3.1.0", "reference-2.5h/2.0.0", "toron-3.1.0+abc"),
 * so the one asked for matches when, after trimming, lower-casing and dropping a leading "v",
 * - it equals the reported one, or
 * - its segments (split on space / @ : + , ; ( ) _) appear in a row among the reported one's, where a
 *   segment matches when the reported one ends with it, dash-part by dash-part, the last part equal
 *   or a dotted prefix: "2.5h" matches "reference-2.5h/2.0.0" but not "reference-2.5h-stability/2.0.0";
 *   "3.1" matches "3.1.4" and "toron-v3.1.4" but not "3.10.0".
 */
const SPLIT = /[\s/@:+,;()_]+/;
function stripV(t) {
    return t.replace(/^v(?=\d)/, '');
}
function norm(v) {
    return stripV(v.trim().toLowerCase());
}
function segments(v) {
    return norm(v)
        .split(SPLIT)
        .filter((t) => t !== '');
}
function segmentMatches(asked, reported) {
    const a = asked.split('-').map(stripV);
    const r = reported.split('-').map(stripV);
    if (a.length > r.length)
        return false;
    const off = r.length - a.length;
    return a.every((part, i) => {
        const got = r[off + i];
        return got === part || (i === a.length - 1 && got.startsWith(`${part}.`));
    });
}
function versionMatches(asked, reported) {
    if (norm(asked) === norm(reported))
        return true;
    const a = segments(asked);
    const r = segments(reported);
    if (a.length === 0)
        return false;
    for (let i = 0; i + a.length <= r.length; i++) {
        if (a.every((t, k) => segmentMatches(t, r[i + k])))
            return true;
    }
    return false;
}
/** The finding for an engine that reports another version than the one asked for (null: fine). */
function engineVersionFinding(asked, reported) {
    if (asked === null)
        return null;
    if (reported === undefined || reported === null || reported.trim() === '') {
        return {
            type: 'engine-version-unknown',
            severity: 'MEDIUM',
            subsystem: 'engine',
            message: `engine version ${JSON.stringify(asked)} was asked for (--engine-version / engineVersion), but the engine reports no version, so the build under test is unverified`,
        };
    }
    if (versionMatches(asked, reported))
        return null;
    return {
        type: 'engine-version-mismatch',
        severity: 'HIGH',
        subsystem: 'engine',
        message: `engine version mismatch: asked for ${JSON.stringify(asked)} (--engine-version / engineVersion), the engine reports ${JSON.stringify(reported)}`,
    };
}

;// CONCATENATED MODULE: ./src/warroom/catalogue.ts
const CATALOGUE = {
    'merge-shard-missing': {
        severity: 'CRITICAL',
        remediation: 'A shard of the run was not among the merge inputs (its job failed, was cancelled, or its artifact expired or was named differently): re-run the missing shard leg with the same run id, then merge again.',
    },
    'merge-shard-error': {
        severity: 'CRITICAL',
        remediation: 'A shard ended in ERROR (wiring, config or tool failure, not a test verdict): read that shard\'s run.log and report reason, fix it and re-run that leg with the same run id.',
    },
    'merge-input-rejected': {
        severity: 'CRITICAL',
        remediation: 'An input could not be merged: it is unreadable, unsafe (a bundle entry that would leave its folder, a link, or over the size cap), or belongs to another run (other run id, shard count or settings fingerprint). Merge only the shard artifacts of one run, made with the same config.',
    },
    'engine-misrouted': {
        severity: 'CRITICAL',
        remediation: 'The engine answers GET /health but refuses every case request with the same kind of status: point --engine / engine.target at the route that answers POST with a JSON body (for Toron, /run), use the scheme the engine serves (redirects are not followed), and put the token the route needs in engine.headers (as "${ENV_VAR}").',
    },
    'engine-unreachable': {
        severity: 'CRITICAL',
        remediation: 'Start the engine before the gate runs (or fix the engine spec/URL), and make sure GET /health answers 200. For cmd: engines, run the command by hand and check it speaks JSON lines on stdin/stdout.',
    },
    'engine-died': {
        severity: 'CRITICAL',
        remediation: 'The engine process exited during the run: read the stderr lines in run.log, reproduce with the same case input and seed, and fix the crash.',
    },
    'sim-case-failed': {
        severity: 'HIGH',
        remediation: 'Reproduce with the same --run-id to get the same seed, compare the expected and actual values shown, and fix the engine (or, if the behaviour change is intended, update the case in its dataset).',
    },
    'sim-case-flaky': {
        severity: 'MEDIUM',
        remediation: 'The case passes on some repeats and fails on others: look for unseeded randomness, clock- or order-dependent logic (dict/set iteration, parallel tiers finishing in different orders) in the engine path this prompt takes.',
    },
    'sim-case-errored': {
        severity: 'HIGH',
        remediation: 'The engine answered this case with an error (timeout, non-2xx, invalid JSON or too large). Check the engine log for this request, its latency budget, and that it always answers JSON.',
    },
    'sim-case-warning': {
        severity: 'LOW',
        remediation: 'A warn-level assertion failed: review whether the engine change is intended and tighten or update the case.',
    },
    'sim-dataset-unregistered': {
        severity: 'INFO',
        remediation: 'Register the file in sim/sim_dataset.json (or move it out of sim/) so it is either run or clearly excluded.',
    },
    'store-unavailable': {
        severity: 'HIGH',
        remediation: 'The run history database could not be opened, so this run is not in the history (the verdict is unaffected). Check that the output folder is writable and not on a network share that breaks SQLite locking.',
    },
    'warroom-log-unavailable': {
        severity: 'HIGH',
        remediation: 'The WAR ROOM log shared by all runs (<out>/warroom/warroom.log) could not be opened, so this run is missing from it (the verdict is unaffected; its findings are in its own report folder). Check that the output folder is writable and that nothing else (a file named warroom) sits where the warroom folder belongs.',
    },
    'run-cancelled': {
        severity: 'HIGH',
        remediation: 'The run was cancelled before it finished: results are partial. Re-run the job for a full verdict.',
    },
    'baseline-unavailable': {
        severity: 'MEDIUM',
        remediation: 'baseline: auto takes the snapshot from the newest successful run of this workflow on the base branch. Make sure that workflow runs on pushes to the base branch with upload-artifact on and the same artifact-name, that the token has actions: read, and that the run is recent (30 days); or pass a baseline path.',
    },
    'run-error': {
        severity: 'CRITICAL',
        remediation: 'The gate could not run to the end because of the error shown. Fix the configuration, dataset or wiring it names; this is not a verdict on the engine.',
    },
    'load-threshold-failed': {
        severity: 'HIGH',
        remediation: 'The engine missed a load threshold at the planned rate. Read the per-second timeline in load_summary.json to see when latency or errors rose (from the start: capacity; in bursts: stalls such as GC or a blocked event loop; late: leaks or queues), reproduce with the same rate locally, and profile the slowest path.',
    },
    'load-generator-behind': {
        severity: 'HIGH',
        remediation: 'The load generator could not keep its schedule (dropped requests or scheduler lag), so the latencies are not valid measurements of the engine: raise load.maxInFlight if requests were dropped, give the generator its own CPU (a runner with more cores, or the engine on another machine), lower the rate, or use load.generator "k6" (with k6-operator or k6 cloud for several machines).',
    },
    'load-answers-failed': {
        severity: 'MEDIUM',
        remediation: 'Answers that pass in SIM fail under load: look for timeouts inside the engine that return partial answers, shared state between concurrent requests, caches or rate limits of upstream models that change answers under pressure. Reproduce with the same --run-id and the named case.',
    },
    'load-k6-missing': {
        severity: 'CRITICAL',
        remediation: 'load.generator is "k6" but no k6 binary was found: install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/), in GitHub Actions add "- uses: grafana/setup-k6-action@v1" before this step, set load.k6Binary to its path, or use load.generator "builtin".',
    },
    'load-k6-failed': {
        severity: 'CRITICAL',
        remediation: 'k6 ran but gave no usable result (see its exit code and last output in run.log; the generated script is in the report folder under k6/script.js). Run that script by hand with the same k6 to see the error.',
    },
    'replay-nondeterministic': {
        severity: 'CRITICAL',
        remediation: 'The same request (same input, same seed) got different answers. Open replay_summary.json at the named cases: the first divergence points at the field. Fields that are meant to change per call (request ids, timestamps, a clock-driven witness) go into replay.ignorePaths or the dataset\'s ignorePaths; anything else is unseeded randomness, order that depends on the process (hash seeds, set/dict iteration, tiers finishing in parallel) or sampling temperature in the engine path: sort or seed it.',
    },
    'replay-engine-errors': {
        severity: 'HIGH',
        remediation: 'The engine failed some replay requests that it had answered before (timeouts, crashes, errors). Check run.log for the engine\'s stderr around the replay stage, and its capacity: replay sends every case again, `rounds` times.',
    },
    'replay-drift': {
        severity: 'HIGH',
        remediation: 'Answers that are stable in this build differ from the baseline run. If the change is intended (a new model, a prompt change), make this run the new baseline; if not, bisect the changes since the baseline with the drifted cases listed in replay_summary.json.',
    },
    'snapshot-not-written': {
        severity: 'HIGH',
        remediation: 'SIM ran, but its answers could not be kept as <out>/snapshots/<run_id>.json (see the message: usually a full disk, a read-only folder, or something else at that path). Without it this run cannot be replayed, nor be a later run\'s baseline. Free the space or fix the folder\'s permissions and run again.',
    },
    'replay-drift-unmeasured': {
        severity: 'HIGH',
        remediation: 'The baseline shares no case with this run: no case id with the same input is in both, so nothing could drift. Check that the baseline is a run of this suite (not of another registry or an old version of it); after renaming cases or editing every prompt, make a run of the new suite the baseline.',
    },
    'replay-drift-case': {
        severity: 'MEDIUM',
        remediation: 'This case answers stably, but not as it did in the baseline run: the diff shows the first fields that changed. Confirm the change is intended, or find the commit that changed it.',
    },
    // The pipeline checker (src/stages/pipeline), one per check, and the engine map's version check.
    'engine-version-mismatch': {
        severity: 'HIGH',
        remediation: 'The engine reports another build than --engine-version / engineVersion asked for: point the engine map entry (engines.<version>.target) at the right build, or deploy the expected build, before trusting this verdict.',
    },
    'engine-version-unknown': {
        severity: 'MEDIUM',
        remediation: 'Make the engine report its version (a "version" field in GET /health or GET /version, or in a command engine\'s health answer) so the gate can verify the build it tests.',
    },
    'pipeline-profile-shape': {
        severity: 'MEDIUM',
        remediation: 'Answers changed shape mid-run (or had no known shape): a build mixing generations, a fallback path answering in an older format, or error bodies served with 200. Pin pipeline.profile (or engine.profile) to the generation you ship and find the code path that answers differently.',
    },
    'pipeline-unchecked': {
        severity: 'MEDIUM',
        remediation: 'No answer had a known Toron shape, so no structural check ran (T1/T2/T3, escalations, contradictions, confidence). Name the generation (pipeline.profile: toron-2.5h, toron-2.5h-stability or toron-3), map your engine\'s shape with pipeline.profile "custom" and pipeline.custom pointers, or leave pipeline out of stages if this engine has no tiers to check.',
    },
    'pipeline-answer-shape': {
        severity: 'HIGH',
        remediation: 'The answer is not a well-formed answer of its generation (its anchor object or answer text is missing): check the serialiser of the engine response and that error paths do not return partial bodies with HTTP 200.',
    },
    'pipeline-t1-present': {
        severity: 'HIGH',
        remediation: 'Tier 1 is missing, malformed or has too few models: check that every tier-1 model call returns (timeouts and provider failures dropping models), and that each output keeps its model name and text. Lower pipeline.minT1Models only if fewer models are intended.',
    },
    'pipeline-t2-audit': {
        severity: 'HIGH',
        remediation: 'The tier path says T2 ran but its audit report is missing or empty: make the T2 audit (DeepSeek/Kimi critiques) write its report, or stop listing T2 in the tier path when it is skipped.',
    },
    'pipeline-t3-evidence': {
        severity: 'HIGH',
        remediation: 'The evidence tier returned no items and no sources: check the retrieval layers (MMRE / reality packet, or toron-3 source providers) and their timeouts; an answer without evidence should not be synthesised silently.',
    },
    'pipeline-tier-consistency': {
        severity: 'HIGH',
        remediation: 'Opus use and the tier-4 / judicial trace disagree: when Opus (or the tier-4 arbiter) runs, its result and the T4 tier-path entry must be recorded; when it does not, neither may appear. Check the escalation branch and the code that builds tier_path and JUDICIAL_RESULT.',
    },
    'pipeline-confidence-range': {
        severity: 'HIGH',
        remediation: 'The confidence score is missing, not a number, or off its declared scale (0-100 for 2.5h, 0..1 for toron-3): check the score arithmetic (penalties and bonuses clamped to the scale) and that the profile matches the generation.',
    },
    'pipeline-confidence-floor': {
        severity: 'HIGH',
        remediation: 'Confidence fell below pipeline.minConfidence: find what lowers it (contradictions, failed sources, disagreement) for the cases named, or adjust the floor if the new calibration is intended.',
    },
    'pipeline-contradiction-density': {
        severity: 'HIGH',
        remediation: 'An answer carries too many contradictions between tier-1 hypotheses: check the contradiction detector for false positives and the prompts named. If a case is contradiction-heavy on purpose, declare it in its dataset (pin the contradictions with an equals assertion, or set expected.contradictions).',
    },
    'pipeline-opus-escalations': {
        severity: 'HIGH',
        remediation: 'Opus escalated on more prompts than allowed: check the escalation trigger (2.5h escalates on any "not" substring, "another" and "note" included; toron-3 on low agreement). If a case is meant to escalate, declare it (an equals assertion on /opus_used true, or expected.opus_used: true).',
    },
    'pipeline-escalation-rate': {
        severity: 'HIGH',
        remediation: 'Too large a share of answers escalates to Opus (cost and latency): tighten the escalation trigger, or raise pipeline.maxEscalationRate if the new rate is intended.',
    },
    'pipeline-latency-p95': {
        severity: 'MEDIUM',
        remediation: 'The 95th percentile of SIM latencies is over pipeline.latencyP95Ms: profile the slowest cases named (tier timeouts, retries, Opus arbitration) and compare with the load stage under a controlled rate.',
    },
    'pipeline-latency-outliers': {
        severity: 'LOW',
        remediation: 'A single answer was far slower than the rest (median + k x MAD): look for a stall, a retry or a cold cache on that case; repeat it to see whether it is the prompt or the moment.',
    }, 'compare-regressions': {
        severity: 'HIGH',
        remediation: 'Cases that passed on the baseline fail on the candidate: open comparison.md for the list (file:line), reproduce each with the same --run-id against the candidate, and fix the build before promoting it (or update the case if the new behaviour is intended).',
    },
    'compare-case-regressed': {
        severity: 'HIGH',
        remediation: 'This case passed on the baseline and fails on the candidate: run it against both engines with the same --run-id (same seed) and compare the answers shown in the candidate report.',
    },
    'compare-pass-rate-drop': {
        severity: 'MEDIUM',
        remediation: "The candidate's SIM pass rate is lower than the baseline's: look at the regressed and new failing cases in comparison.md, or raise compare.rules.passRateDrop.max if the drop is accepted.",
    },
    'compare-p95-increase': {
        severity: 'MEDIUM',
        remediation: "The candidate's load p95 latency is higher than the baseline's by more than allowed: profile the new build under the same rate (tier timeouts, retries, Opus arbitration), and make sure both were measured on a quiet machine, one after the other.",
    },
    'compare-error-rate-increase': {
        severity: 'MEDIUM',
        remediation: 'More requests fail under load on the candidate than on the baseline: read the load errors by kind in the candidate report (timeouts, 5xx) and fix the build before promoting it.',
    },
    'compare-determinism-drop': {
        severity: 'MEDIUM',
        remediation: "The candidate answers less reproducibly than the baseline: see the candidate's replay cases (first divergence) for unseeded randomness, clock- or order-dependent logic introduced by the new build.",
    },
    'compare-answers-changed': {
        severity: 'MEDIUM',
        remediation: 'More answers changed against the baseline than allowed: review the changed cases in comparison.md (first differing field, text similarity); if the change is intended, promote by hand or raise compare.rules.changedAnswers.max.',
    },
    'compare-cases-removed': {
        severity: 'MEDIUM',
        remediation: 'Cases of the baseline are missing from the candidate run (a dataset disabled, a filter, a shard): run the same datasets on both sides so the comparison covers every case.',
    },
    'compare-side-error': {
        severity: 'CRITICAL',
        remediation: 'One side of the comparison could not be run or read (engine down, bad baseline file): read the error, start the engine or fix the baseline path, and compare again. Nothing is promoted without a comparison.',
    },
};
function catalogueEntry(type) {
    return (CATALOGUE[type] ?? {
        severity: 'MEDIUM',
        remediation: 'See the message and the case it names; reproduce with the same --run-id.',
    });
}

;// CONCATENATED MODULE: ./src/runner/event-bus.ts
let lastMs = -1;
let lastIso = '';
/** The ISO time of now, made once per millisecond: a SIM run emits tens of thousands of events a second. */
function nowIso() {
    const ms = Date.now();
    if (ms !== lastMs) {
        lastMs = ms;
        lastIso = new Date(ms).toISOString();
    }
    return lastIso;
}
/** Stamps events (run id, sequence, time) and hands them to every sink. A failing sink never stops a run. */
class EventBus {
    runId;
    seq = 0;
    sinks = [];
    sinkErrors = new Set();
    constructor(runId) {
        this.runId = runId;
    }
    add(sink) {
        this.sinks.push(sink);
    }
    emit(body) {
        const event = { ...body, runId: this.runId, seq: ++this.seq, time: nowIso() };
        for (const s of this.sinks) {
            try {
                s.handle(event);
            }
            catch (err) {
                // Reported once per sink on stderr: the sink may be the log itself.
                if (!this.sinkErrors.has(s.name)) {
                    this.sinkErrors.add(s.name);
                    process.stderr.write(`toron-testops: sink ${s.name} failed: ${err.message}\n`);
                }
            }
        }
        return event;
    }
    async close() {
        for (const s of this.sinks) {
            try {
                await s.close?.();
            }
            catch (err) {
                process.stderr.write(`toron-testops: closing sink ${s.name} failed: ${err.message}\n`);
            }
        }
    }
}

;// CONCATENATED MODULE: ./src/runner/sinks/runlog.ts


/**
 * run.log, written as the run goes: one line per event that a person reading the log wants (passing
 * case attempts are left out; they are in sim_summary.json). Synchronous appends on an open descriptor
 * so that a killed process keeps every line already logged.
 */
class RunLogSink {
    scrub;
    name = 'run.log';
    fd;
    /** `scrub` takes machine paths out of a line: run.log goes into the bundle, which must hold none. */
    constructor(file, scrub = (l) => l) {
        this.scrub = scrub;
        this.fd = external_node_fs_default().openSync(file, 'a');
    }
    handle(e) {
        const line = formatLogLine(e);
        if (line === null || this.fd === null)
            return;
        try {
            // Escaped as on the console: run.log is read with cat and in CI log viewers.
            external_node_fs_default().writeSync(this.fd, escapeControls(this.scrub(line)) + '\n');
        }
        catch {
            // A full disk must not take the run down with it; the console still has the lines.
        }
    }
    close() {
        if (this.fd !== null)
            external_node_fs_default().closeSync(this.fd);
        this.fd = null;
    }
}
function formatLogLine(e) {
    const t = e.time;
    switch (e.type) {
        case 'log':
            return `${t} ${e.level.toUpperCase().padEnd(5)} [${e.source}] ${e.message}`;
        case 'subsystem':
            return `${t} INFO  [${e.stage}] ${e.state}${e.verdict ? ` ${e.verdict}` : ''}${e.reason ? `: ${e.reason}` : ''}`;
        case 'progress':
            return `${t} INFO  [${e.stage}] progress ${e.done}/${e.total} ${e.ratePerSec}/s failures=${e.failures} errors=${e.errors}${e.p95Ms !== undefined ? ` p95=${e.p95Ms}ms` : ''}${e.dropped !== undefined ? ` dropped=${e.dropped}` : ''}${e.inFlight !== undefined ? ` inFlight=${e.inFlight}` : ''}`;
        case 'case':
            return e.passed ? null : `${t} WARN  [${e.stage}] case ${e.dataset}/${e.caseId}#${e.repeat} failed: ${e.error ?? ''}`;
        case 'warroom':
            return `${t} ${e.finding.severity.padEnd(5)} [warroom:${e.finding.subsystem}] ${e.finding.message}${e.finding.location ? ` (${e.finding.location.file}:${e.finding.location.line})` : ''}`;
        case 'status':
            return `${t} INFO  [runner] status ${e.status}`;
        case 'done':
            return `${t} INFO  [runner] done: ${e.verdict} (exit ${e.exitCode})`;
    }
}

// EXTERNAL MODULE: external "node:sqlite"
var external_node_sqlite_ = __webpack_require__(80099);
;// CONCATENATED MODULE: ./src/store/migrations.ts
/**
 * Schema versions by `PRAGMA user_version`. `schema.sql` is the current schema (SCHEMA_VERSION) and is
 * applied whole to a new database; an older database is brought up through the ordered steps below.
 * Steps are frozen history: never edit one that has shipped, add the next one (and bump schema.sql).
 */
const SCHEMA_VERSION = 2;
const V2_TEST_RUNS = `
CREATE TABLE test_runs_v2 (
  run_id            TEXT PRIMARY KEY,
  status            TEXT NOT NULL CHECK (status IN ('RUNNING', 'PASS', 'WARN', 'FAIL', 'ERROR', 'ABORTED')),
  verdict           TEXT CHECK (verdict IS NULL OR verdict IN ('PASS', 'WARN', 'FAIL', 'ERROR')),
  started_at        TEXT NOT NULL,
  finished_at       TEXT,
  duration_ms       INTEGER,
  engine_kind       TEXT,
  engine_target     TEXT,
  engine_version    TEXT,
  profile           TEXT,
  pid               INTEGER,
  host              TEXT,
  result_path       TEXT,
  report_path       TEXT,
  bundle_path       TEXT,
  sim_pass_rate     REAL,
  sim_total         INTEGER,
  determinism_score REAL,
  p95_ms            REAL,
  warroom_critical  INTEGER NOT NULL DEFAULT 0,
  warroom_high      INTEGER NOT NULL DEFAULT 0,
  reason            TEXT
);
INSERT INTO test_runs_v2 (run_id, status, verdict, started_at, finished_at, duration_ms, engine_kind, engine_target,
                          result_path, report_path, sim_pass_rate, sim_total)
  SELECT run_id, status, CASE WHEN verdict IN ('PASS', 'WARN', 'FAIL', 'ERROR') THEN verdict END, started_at, finished_at,
         duration_ms, engine_kind, engine_target, result_path, report_path, sim_pass_rate, sim_total
  FROM test_runs;
DROP TABLE test_runs;
ALTER TABLE test_runs_v2 RENAME TO test_runs;
CREATE INDEX test_runs_started ON test_runs (started_at DESC);
CREATE INDEX test_runs_status ON test_runs (status, started_at);
`;
// v1 had no score, remediation or location on findings, and kept severities unchecked.
const V2_WARROOM = `
CREATE TABLE warroom_events_v2 (
  id          TEXT PRIMARY KEY,
  run_id      TEXT NOT NULL REFERENCES test_runs (run_id) ON DELETE CASCADE,
  seq         INTEGER,
  type        TEXT NOT NULL,
  severity    TEXT NOT NULL CHECK (severity IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO')),
  score       INTEGER NOT NULL,
  subsystem   TEXT NOT NULL,
  message     TEXT NOT NULL,
  remediation TEXT,
  case_id     TEXT,
  file        TEXT,
  line        INTEGER,
  timestamp   TEXT NOT NULL
);
INSERT INTO warroom_events_v2 (id, run_id, seq, type, severity, score, subsystem, message, case_id, timestamp)
  SELECT id, run_id, seq, type, sev,
         CASE sev WHEN 'CRITICAL' THEN 100 WHEN 'HIGH' THEN 75 WHEN 'MEDIUM' THEN 40 WHEN 'LOW' THEN 10 ELSE 0 END,
         subsystem, message, case_id, timestamp
  FROM (SELECT *, CASE WHEN upper(severity) IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO') THEN upper(severity) ELSE 'INFO' END AS sev
        FROM warroom_events);
DROP TABLE warroom_events;
ALTER TABLE warroom_events_v2 RENAME TO warroom_events;
CREATE INDEX warroom_events_run ON warroom_events (run_id, seq);
CREATE INDEX warroom_events_severity ON warroom_events (severity, timestamp DESC);
`;
const V2_SIM = `
CREATE TABLE sim_results_v2 (
  run_id     TEXT NOT NULL REFERENCES test_runs (run_id) ON DELETE CASCADE,
  dataset    TEXT NOT NULL,
  case_id    TEXT NOT NULL,
  repeat     INTEGER NOT NULL,
  passed     INTEGER NOT NULL CHECK (passed IN (0, 1)),
  latency_ms REAL,
  error_kind TEXT,
  message    TEXT,
  file       TEXT,
  line       INTEGER,
  PRIMARY KEY (run_id, dataset, case_id, repeat)
);
INSERT INTO sim_results_v2 (run_id, dataset, case_id, repeat, passed, latency_ms, message)
  SELECT run_id, dataset, case_id, repeat, CASE WHEN passed THEN 1 ELSE 0 END, latency_ms, message FROM sim_results;
DROP TABLE sim_results;
ALTER TABLE sim_results_v2 RENAME TO sim_results;
CREATE INDEX sim_results_case ON sim_results (dataset, case_id);
`;
const V2_SNAPSHOTS = `
CREATE TABLE snapshots (
  run_id        TEXT NOT NULL REFERENCES test_runs (run_id) ON DELETE CASCADE,
  path          TEXT NOT NULL,
  sha256        TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  cases         INTEGER NOT NULL DEFAULT 0,
  settings_hash TEXT,
  PRIMARY KEY (run_id, path)
);
CREATE INDEX snapshots_created ON snapshots (created_at DESC);
`;
const MIGRATIONS = [
    {
        from: 1,
        to: 2,
        description: 'ABORTED status; engine version/profile, owner pid/host, bundle path, determinism/p95/WAR ROOM headline metrics and reason on runs; score, remediation and location on findings; error kind and location on case results; snapshots table; cascading deletes',
        // Tables are rebuilt (SQLite cannot alter a CHECK or a foreign key in place); rows are copied.
        sql: V2_TEST_RUNS + V2_WARROOM + V2_SIM + V2_SNAPSHOTS,
    },
];
/** The steps from `from` to `to`, in order; throws when the chain has a gap. */
function migrationPath(from, to = SCHEMA_VERSION, steps = MIGRATIONS) {
    const path = [];
    let v = from;
    while (v < to) {
        const next = steps.find((m) => m.from === v);
        if (!next)
            throw new UnknownSchemaVersionError(`no migration from schema version ${v} (this toron-testops knows versions ${knownVersions(steps).join(', ')})`);
        path.push(next);
        v = next.to;
    }
    return path;
}
function knownVersions(steps) {
    return [...new Set(steps.flatMap((m) => [m.from, m.to]))].sort((a, b) => a - b);
}
/** The version schema.sql declares (its `PRAGMA user_version = N`). */
function declaredVersion(schemaSql) {
    const m = /PRAGMA\s+user_version\s*=\s*(\d+)/i.exec(schemaSql);
    return m ? Number(m[1]) : null;
}
class UnknownSchemaVersionError extends Error {
    constructor(message) {
        super(message);
        this.name = 'UnknownSchemaVersionError';
    }
}
/** The database holds tables but no version: it is not one of ours (or lost its header). */
class UnrecognizedDatabaseError extends Error {
    constructor(objects) {
        super(`the database has ${objects} schema object(s) but no schema version: it was not made by toron-testops`);
        this.name = 'UnrecognizedDatabaseError';
    }
}
function userVersion(db) {
    const row = db.prepare('PRAGMA user_version').get();
    return Number(row.user_version);
}
/**
 * Brings the database to SCHEMA_VERSION in one IMMEDIATE transaction (all steps or none). The version
 * is read again under the write lock, so two processes opening one old database at once migrate it once.
 */
function migrate(db, schemaSql) {
    const declared = declaredVersion(schemaSql);
    if (declared !== SCHEMA_VERSION) {
        throw new Error(`schema.sql declares version ${declared ?? '(none)'} but the migrations end at ${SCHEMA_VERSION}`);
    }
    const seen = userVersion(db);
    if (seen === SCHEMA_VERSION)
        return { from: seen, to: seen, applied: [], newer: false };
    if (seen > SCHEMA_VERSION)
        return { from: seen, to: seen, applied: [], newer: true };
    // Rebuilding a table that others reference needs foreign keys off, which only works outside a transaction.
    db.exec('PRAGMA foreign_keys = OFF');
    try {
        db.exec('BEGIN IMMEDIATE');
        try {
            const from = userVersion(db);
            const applied = [];
            if (from >= SCHEMA_VERSION) {
                db.exec('COMMIT');
                return { from, to: from, applied, newer: from > SCHEMA_VERSION };
            }
            if (from === 0) {
                const { n } = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").get();
                if (n > 0)
                    throw new UnrecognizedDatabaseError(n);
                db.exec(schemaSql);
                applied.push(`schema.sql (version ${SCHEMA_VERSION})`);
            }
            else {
                for (const step of migrationPath(from)) {
                    db.exec(step.sql);
                    db.exec(`PRAGMA user_version = ${step.to}`);
                    applied.push(`${step.from}→${step.to}: ${step.description}`);
                }
            }
            const to = userVersion(db);
            if (to !== SCHEMA_VERSION)
                throw new Error(`after migrating, the schema version is ${to}, expected ${SCHEMA_VERSION}`);
            db.exec('COMMIT');
            return { from, to, applied, newer: false };
        }
        catch (err) {
            if (db.isTransaction)
                db.exec('ROLLBACK');
            throw err;
        }
    }
    finally {
        db.exec('PRAGMA foreign_keys = ON');
    }
}

;// CONCATENATED MODULE: ./src/store/move-aside.ts

/** `20250102T030405Z`: sortable, and valid in file names on every OS (no colons). */
function compactStamp(d) {
    return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}
/**
 * Renames a database that cannot be used to `<name>.corrupt-<timestamp>` (never deletes it), with its
 * -wal/-shm/-journal companions, so a fresh database cannot pick up a stale write-ahead log.
 * Returns the new path of the main file.
 */
function moveAside(dbPath, when) {
    const base = `${dbPath}.corrupt-${compactStamp(when)}`;
    let target = base;
    for (let i = 1; external_node_fs_default().existsSync(target); i++)
        target = `${base}-${i}`;
    external_node_fs_default().renameSync(dbPath, target);
    for (const suffix of ['-wal', '-shm', '-journal']) {
        if (external_node_fs_default().existsSync(dbPath + suffix))
            external_node_fs_default().renameSync(dbPath + suffix, target + suffix);
    }
    return target;
}
/** Identity of the file at a path (to see that nobody replaced it between checking and moving). */
function fileIdentity(p) {
    try {
        const s = external_node_fs_default().statSync(p);
        return `${s.dev}:${s.ino}`;
    }
    catch {
        return null;
    }
}

;// CONCATENATED MODULE: ./src/store/owner.ts
/** Why the row's owner is gone (a phrase for the notice), or null while it may still be running. */
function abandonedBecause(row, probe) {
    const alive = probe.isAlive ?? pidAlive;
    if (row.pid !== null && row.host === probe.host) {
        return alive(row.pid) ? null : `its process (pid ${row.pid} on ${row.host}) is gone`;
    }
    const started = Date.parse(row.startedAt);
    const ageMs = probe.nowMs - started;
    if (Number.isFinite(started) && ageMs <= probe.staleAfterMs)
        return null;
    const where = row.host ? `on host ${row.host}` : 'by an unknown process';
    const age = Number.isFinite(started) ? `${Math.round(ageMs / 3_600_000)} h ago` : 'at an unreadable time';
    return `it was started ${where} ${age} and never finished`;
}
/** Signal 0 checks existence without touching the process; EPERM means it exists but is not ours. */
function pidAlive(pid) {
    if (!Number.isInteger(pid) || pid <= 0)
        return false;
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (err) {
        return err.code === 'EPERM';
    }
}

;// CONCATENATED MODULE: ./src/util/fs.ts


/** Write a file whole or not at all (temp file + rename), so a crash never leaves half a report. */
function writeFileAtomic(file, data) {
    external_node_fs_default().mkdirSync(external_node_path_default().dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    external_node_fs_default().writeFileSync(tmp, data);
    external_node_fs_default().renameSync(tmp, file);
}
/**
 * JSON, atomically. Indented for people; `compact` for files of 100k cases, where indentation doubles
 * the size and the peak memory of writing it. The bytes are exactly `JSON.stringify(value, null,
 * indent) + '\n'`, written piece by piece (see writeJsonPieces): a report of 100k cases is never one
 * string of tens of MB plus its UTF-8 copy.
 */
function writeJsonAtomic(file, value, opts = {}) {
    external_node_fs_default().mkdirSync(external_node_path_default().dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = external_node_fs_default().openSync(tmp, 'w');
    try {
        const out = new PieceWriter(fd);
        writeJsonPieces(value, opts.compact ? '' : '  ', (s) => out.put(s));
        out.put('\n');
        out.flush();
    }
    catch (err) {
        external_node_fs_default().closeSync(fd);
        external_node_fs_default().rmSync(tmp, { force: true });
        throw err;
    }
    external_node_fs_default().closeSync(fd);
    external_node_fs_default().renameSync(tmp, file);
}
/** Strings gathered into writes of about WRITE_BYTES. */
const WRITE_BYTES = 1 << 20;
/**
 * Encodes the pieces into one buffer, reused for every write: a new buffer per megabyte would be
 * memory outside the JS heap that only a garbage collection gives back (44 MB of them for the two
 * JSON files of a 100k-case run, at the moment the heap is fullest).
 */
class PieceWriter {
    fd;
    buf = Buffer.allocUnsafe(WRITE_BYTES);
    used = 0;
    constructor(fd) {
        this.fd = fd;
    }
    put(s) {
        // A UTF-16 unit is at most 3 UTF-8 bytes.
        if (s.length * 3 > this.buf.length - this.used) {
            this.flush();
            if (s.length * 3 > this.buf.length) {
                writeExactly(this.fd, Buffer.from(s));
                return;
            }
        }
        this.used += this.buf.write(s, this.used);
    }
    flush() {
        if (this.used === 0)
            return;
        writeExactly(this.fd, this.buf.subarray(0, this.used));
        this.used = 0;
    }
}
/** All of `buf` to `fd` (writeSync may write less than asked), at `position` or at the file's offset. */
function writeExactly(fd, buf, position) {
    let done = 0;
    while (done < buf.length) {
        done += external_node_fs_default().writeSync(fd, buf, done, buf.length - done, position === undefined ? null : position + done);
    }
}
/** Objects this deep are walked member by member; deeper values go to JSON.stringify whole. */
const WALK_DEPTH = 4;
/** Arrays this long are written item by item (each item whole); shorter ones go to JSON.stringify whole. */
const STREAM_ITEMS = 256;
/**
 * JSON.stringify(value, null, indent) handed out in pieces: plain objects of the top WALK_DEPTH levels,
 * and the arrays of STREAM_ITEMS or more items among them, are walked here with JSON.stringify's rules (toJSON called with the member's key,
 * members that are undefined, functions or symbols left out, such array items written as null, the
 * same indentation); every value below them, or of another kind, is JSON.stringify's own text
 * re-indented to its level (a newline in JSON.stringify output is always indentation: newlines inside
 * strings are escaped). Throws what JSON.stringify throws (BigInt, cycles).
 */
function writeJsonPieces(value, indent, put) {
    const v = resolve(value, '');
    put(leftOut(v) ? 'undefined' : (piece(v, indent, '', 0, put) ?? 'undefined'));
}
function resolve(v, key) {
    return typeof v === 'object' && v !== null && typeof v.toJSON === 'function'
        ? v.toJSON(key)
        : v;
}
function leftOut(v) {
    return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}
function walkable(v) {
    if (Array.isArray(v))
        return true;
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
}
/**
 * Writes the (toJSON-resolved) value `v` at indentation `pad`: a container of the top levels goes out
 * through `put` (and '' is returned); anything else is returned as text for the caller to put.
 */
function piece(v, indent, pad, depth, put) {
    if (typeof v !== 'object' || v === null || depth >= WALK_DEPTH || !walkable(v) || (Array.isArray(v) && v.length < STREAM_ITEMS)) {
        const s = JSON.stringify(v, null, indent);
        return s === undefined || !indent || pad === '' ? s : s.replace(/\n/g, '\n' + pad);
    }
    const inner = pad + indent;
    const open = indent ? '\n' + inner : '';
    const sep = indent ? ',\n' + inner : ',';
    const close = indent ? '\n' + pad : '';
    if (Array.isArray(v)) {
        if (v.length === 0)
            return '[]';
        put('[' + open);
        for (let i = 0; i < v.length; i++) {
            if (i > 0)
                put(sep);
            // Each item whole (depth WALK_DEPTH): one JSON.stringify per report case, not one per field.
            const item = resolve(v[i], String(i));
            put(leftOut(item) ? 'null' : (piece(item, indent, inner, WALK_DEPTH, put) ?? 'null'));
        }
        put(close + ']');
        return '';
    }
    const colon = indent ? ': ' : ':';
    let first = true;
    for (const k of Object.keys(v)) {
        const member = resolve(v[k], k);
        if (leftOut(member))
            continue;
        put((first ? '{' + open : sep) + JSON.stringify(k) + colon);
        first = false;
        put(piece(member, indent, inner, depth + 1, put) ?? 'null');
    }
    if (first)
        return '{}';
    put(close + '}');
    return '';
}

;// CONCATENATED MODULE: ./src/store/result.ts



function reportDirOf(outDir, runId) {
    return external_node_path_default().join(outDir, 'reports', runId);
}
/** Builds and atomically writes `<out>/reports/<run_id>/result.json` from what the database knows. */
function writeResultForAborted(store, runId, outDir) {
    const run = store.getRun(runId);
    if (!run)
        throw new Error(`run ${runId} is not in the history database`);
    const dir = reportDirOf(outDir, runId);
    const file = external_node_path_default().join(dir, 'result.json');
    const has = (rel) => (external_node_fs_default().existsSync(external_node_path_default().join(dir, rel)) ? rel.split((external_node_path_default()).sep).join('/') : null);
    const finishedAt = run.finishedAt ?? new Date().toISOString();
    const reason = run.reason ?? 'ABORTED: the run did not finish';
    const result = {
        schemaVersion: 1,
        runId,
        status: run.status,
        verdict: 'ERROR',
        exitCode: 2,
        reason,
        cancelled: false,
        error: { kind: 'aborted', message: reason },
        startedAt: run.startedAt,
        finishedAt,
        durationMs: run.durationMs ?? Math.max(0, Date.parse(finishedAt) - Date.parse(run.startedAt)),
        engine: {
            kind: run.engine.kind ?? 'unknown',
            target: run.engine.target ?? '(unknown)',
            version: run.engine.version,
            profile: run.engine.profile ?? 'auto',
        },
        stages: {},
        metrics: run.metrics,
        artifacts: {
            report: has('report.json'),
            html: has('report.html'),
            summary: has('summary.md'),
            log: has('run.log'),
            snapshot: has(external_node_path_default().join('..', '..', 'snapshots', `${runId}.json`)),
            bundle: has('bundle.zip'),
            result: 'result.json',
            simSummary: has('sim_summary.json'),
        },
        partial: { simAttempts: run.sim.attempts, simAttemptsPassed: run.sim.passed, warroomEvents: run.events.length },
    };
    writeJsonAtomic(file, result);
    store.setArtifactPaths(runId, { result: file, ...(result.artifacts.report ? { report: external_node_path_default().join(dir, 'report.json') } : {}) });
    return file;
}
/**
 * The result.json a RUNNING row's run left behind, when the process wrote it and then died before
 * the database heard: only if it is this very run (same id and start time) and it finished.
 */
function readAdoptableResult(outDir, runId, startedAt) {
    let r;
    try {
        r = JSON.parse(external_node_fs_default().readFileSync(external_node_path_default().join(reportDirOf(outDir, runId), 'result.json'), 'utf8'));
    }
    catch {
        return null;
    }
    const verdicts = ['PASS', 'WARN', 'FAIL', 'ERROR'];
    if (!r || typeof r !== 'object' || r.runId !== runId || r.startedAt !== startedAt)
        return null;
    if (!verdicts.includes(r.status) || typeof r.finishedAt !== 'string')
        return null;
    const m = (r.metrics ?? {});
    const n = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    return {
        status: r.status,
        verdict: verdicts.includes(r.verdict) ? r.verdict : r.status,
        finishedAt: r.finishedAt,
        durationMs: n(r.durationMs) ?? Math.max(0, Date.parse(r.finishedAt) - Date.parse(startedAt)),
        reason: typeof r.reason === 'string' ? r.reason : String(r.status),
        metrics: {
            simPassRate: n(m.simPassRate),
            simTotal: n(m.simTotal),
            determinismScore: n(m.determinismScore),
            p95Ms: n(m.p95Ms),
            warroomCritical: n(m.warroomCritical) ?? 0,
            warroomHigh: n(m.warroomHigh) ?? 0,
        },
        engine: r.engine ? { version: r.engine.version ?? null } : undefined,
    };
}

;// CONCATENATED MODULE: ./src/store/schema.ts

let cached = null;
/**
 * The text of `schema.sql` (project root). Read through `new URL(..., import.meta.url)` so it resolves
 * both from source (src/store/ → ../../schema.sql) and from the ncc bundle: ncc's asset relocator sees
 * this exact pattern, copies schema.sql next to the bundle and rewrites the path to it.
 */
function schemaSql() {
    cached ??= external_node_fs_default().readFileSync(new URL(/* asset import */ __webpack_require__(41186), __webpack_require__.b), 'utf8');
    return cached;
}

;// CONCATENATED MODULE: ./src/store/types.ts
const RUN_STATUSES = (/* unused pure expression or super */ null && (['RUNNING', 'PASS', 'WARN', 'FAIL', 'ERROR', 'ABORTED']));
const types_SEVERITIES = (/* unused pure expression or super */ null && (['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO']));
class StoreError extends Error {
    dbPath;
    constructor(message, dbPath, options) {
        super(message, options);
        this.dbPath = dbPath;
        this.name = 'StoreError';
    }
}

;// CONCATENATED MODULE: ./src/store/store.ts











const DEFAULT_BUSY_MS = 5000;
// Longer than a hosted GitHub job may run (6 h). A run wrongly given up heals: its own finishRun still lands.
const DEFAULT_STALE_MS = 6 * 3600_000;
const DEFAULT_CHECK_MAX = 256 * 1024 * 1024;
const FINISHED = ['PASS', 'WARN', 'FAIL', 'ERROR'];
// SQLite primary result codes (the low byte of an extended code).
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;
/** The file exists and is a database we cannot use: moved aside rather than failing the gate. */
class UnusableDatabaseError extends Error {
    constructor(message, options) {
        super(message, options);
        this.name = 'UnusableDatabaseError';
    }
}
/** Case rows per INSERT statement: one statement per row costs about twice the time at 100k rows. */
const SIM_ROWS_PER_STATEMENT = 25;
function pushSimRow(params, r) {
    params.push(r.runId, r.dataset, r.caseId, r.repeat, r.passed ? 1 : 0, r.latencyMs ?? null, r.errorKind ?? null, r.message ?? null, r.location?.file ?? null, r.location?.line ?? null);
}
/**
 * The history store (DESIGN §3.7) on node:sqlite: runs, snapshots, WAR ROOM events, case results.
 * WAL and a busy timeout let several processes share one file; every write is one IMMEDIATE
 * transaction (the write lock is taken up front, so a waiting writer queues instead of failing).
 */
class Store {
    db;
    dbPath;
    outDir;
    log;
    now;
    migration;
    insertEvent;
    insertSim;
    insertSimBatch;
    closed = false;
    constructor(db, dbPath, outDir, log, now, migration) {
        this.db = db;
        this.dbPath = dbPath;
        this.outDir = outDir;
        this.log = log;
        this.now = now;
        this.migration = migration;
        this.insertEvent = db.prepare(`INSERT INTO warroom_events (id, run_id, seq, type, severity, score, subsystem, message, remediation, case_id, file, line, timestamp)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`);
        this.insertSim = db.prepare(`INSERT OR REPLACE INTO sim_results (run_id, dataset, case_id, repeat, passed, latency_ms, error_kind, message, file, line)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
        // Rows go in order, so a key repeated inside one statement ends as the later row, as with single inserts.
        this.insertSimBatch = db.prepare(`INSERT OR REPLACE INTO sim_results (run_id, dataset, case_id, repeat, passed, latency_ms, error_kind, message, file, line)
       VALUES ${Array(SIM_ROWS_PER_STATEMENT).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`);
    }
    /**
     * Opens (or creates) the database, upgrades its schema, and sweeps runs left RUNNING by dead
     * processes into ABORTED. A file that is not a usable database is moved aside and a fresh one is
     * started. Throws StoreError only when no database can be had at that path at all (unwritable folder,
     * I/O error, lock held past the busy timeout): the caller then runs without history.
     */
    static open(dbPath, opts = {}) {
        const log = opts.log ?? (() => { });
        const now = opts.now ?? (() => new Date());
        const outDir = opts.outDir ?? external_node_path_default().dirname(dbPath);
        const notices = [];
        try {
            external_node_fs_default().mkdirSync(external_node_path_default().dirname(dbPath), { recursive: true });
        }
        catch (err) {
            throw new StoreError(`cannot create the folder of the history database ${dbPath}: ${msg(err)}`, dbPath, { cause: err });
        }
        let conn = null;
        for (let attempt = 0; conn === null; attempt++) {
            const identity = fileIdentity(dbPath);
            try {
                conn = connect(dbPath, opts);
            }
            catch (err) {
                if (!(err instanceof UnusableDatabaseError) || attempt > 0) {
                    throw new StoreError(`cannot open the history database ${dbPath}: ${msg(err)}`, dbPath, { cause: err });
                }
                // Another process may have moved it aside already: only move the very file we judged.
                if (identity !== null && fileIdentity(dbPath) === identity) {
                    let movedTo;
                    try {
                        movedTo = moveAside(dbPath, now());
                    }
                    catch (moveErr) {
                        throw new StoreError(`the history database ${dbPath} is unusable (${msg(err)}) and could not be moved aside: ${msg(moveErr)}`, dbPath, { cause: moveErr });
                    }
                    log('warn', `history database ${dbPath} is unusable (${msg(err)}); kept as ${movedTo}, starting a fresh one`);
                    notices.push({
                        movedTo,
                        finding: {
                            type: 'store-db-moved-aside',
                            severity: 'HIGH',
                            subsystem: 'store',
                            message: `the history database was unusable (${msg(err)}); it was kept as ${external_node_path_default().basename(movedTo)} and a fresh database was started: earlier history is not in it`,
                            remediation: `Nothing blocks the gate. To recover old history, inspect ${external_node_path_default().basename(movedTo)} with the sqlite3 shell (.recover); find what wrote a non-SQLite file at the database path (a cache step restoring a partial file, a disk filling up).`,
                        },
                    });
                }
            }
        }
        if (conn.migration.applied.length) {
            log('info', `history database ${dbPath}: schema ${conn.migration.from === 0 ? 'created' : 'upgraded'} to version ${conn.migration.to}`);
        }
        if (conn.migration.newer) {
            notices.push({
                finding: {
                    type: 'store-schema-newer',
                    severity: 'MEDIUM',
                    subsystem: 'store',
                    message: `the history database has schema version ${conn.migration.from}, newer than this toron-testops knows (${SCHEMA_VERSION}); it is used as it is`,
                    remediation: 'Use the same toron-testops version in every workflow that shares this output folder (pin the action version), or give older versions their own --out folder.',
                },
            });
        }
        const store = new Store(conn.db, dbPath, outDir, log, now, conn.migration);
        notices.push(...store.sweepAbandoned(opts));
        return { store, notices };
    }
    // ---- writes -------------------------------------------------------------------------------------
    /**
     * Records a run as RUNNING. A run id used before (`--run-id` reproduces a run) replaces the old
     * row and everything recorded under it, as its report folder is replaced too. Returns the replaced status.
     */
    beginRun(row) {
        return this.tx(() => {
            const old = this.db.prepare('SELECT status FROM test_runs WHERE run_id = ?').get(row.runId);
            if (old)
                this.deleteRunRows(row.runId);
            this.db
                .prepare(`INSERT INTO test_runs (run_id, status, started_at, engine_kind, engine_target, engine_version, profile, pid, host)
           VALUES (?, 'RUNNING', ?, ?, ?, ?, ?, ?, ?)`)
                .run(row.runId, row.startedAt, row.engine.kind, row.engine.target, row.engine.version ?? null, row.engine.profile ?? null, row.pid ?? process.pid, row.host ?? external_node_os_default().hostname());
            return { replaced: old?.status ?? null };
        });
    }
    /** WAR ROOM findings in one transaction (pass one for per-event crash safety). Duplicates (same id) are ignored. */
    recordEvents(events) {
        if (events.length === 0)
            return 0;
        return this.tx(() => {
            let n = 0;
            for (const e of events) {
                const r = this.insertEvent.run(e.id, e.runId, e.seq ?? null, e.type, e.severity, typeof e.score === 'number' ? e.score : SEVERITY_SCORE[e.severity], e.subsystem, e.message, e.remediation ?? null, e.caseId ?? null, e.location?.file ?? null, e.location?.line ?? null, e.timestamp);
                n += Number(r.changes);
            }
            return n;
        });
    }
    /** Case results (one row per case and repeat) in one transaction; a repeated key replaces its row. */
    recordSimResults(rows) {
        if (rows.length === 0)
            return 0;
        return this.tx(() => {
            let i = 0;
            const params = [];
            for (; i + SIM_ROWS_PER_STATEMENT <= rows.length; i += SIM_ROWS_PER_STATEMENT) {
                params.length = 0;
                for (let j = i; j < i + SIM_ROWS_PER_STATEMENT; j++)
                    pushSimRow(params, rows[j]);
                this.insertSimBatch.run(...params);
            }
            for (; i < rows.length; i++) {
                params.length = 0;
                pushSimRow(params, rows[i]);
                this.insertSim.run(...params);
            }
            return rows.length;
        });
    }
    recordSnapshot(row) {
        this.tx(() => {
            this.db
                .prepare('INSERT OR REPLACE INTO snapshots (run_id, path, sha256, created_at, cases, settings_hash) VALUES (?, ?, ?, ?, ?, ?)')
                .run(row.runId, this.rel(row.path), row.sha256, row.createdAt, row.cases, row.settingsHash ?? null);
        });
    }
    /** Closes a run with its outcome. Returns false when the run id is not in the database. */
    finishRun(runId, f) {
        return this.tx(() => {
            const run = this.db.prepare('SELECT started_at FROM test_runs WHERE run_id = ?').get(runId);
            if (!run)
                return false;
            const counts = this.severityCounts(runId);
            const m = f.metrics ?? {};
            const duration = f.durationMs ?? Math.max(0, Date.parse(f.finishedAt) - Date.parse(run.started_at));
            this.db
                .prepare(`UPDATE test_runs SET status = ?, verdict = ?, finished_at = ?, duration_ms = ?,
             engine_kind = coalesce(?, engine_kind), engine_target = coalesce(?, engine_target),
             engine_version = coalesce(?, engine_version), profile = coalesce(?, profile),
             result_path = coalesce(?, result_path), report_path = coalesce(?, report_path), bundle_path = coalesce(?, bundle_path),
             sim_pass_rate = ?, sim_total = ?, determinism_score = ?, p95_ms = ?,
             warroom_critical = ?, warroom_high = ?, reason = ?
           WHERE run_id = ?`)
                .run(f.status, f.verdict, f.finishedAt, Number.isFinite(duration) ? duration : null, f.engine?.kind ?? null, f.engine?.target ?? null, f.engine?.version ?? null, f.engine?.profile ?? null, this.rel(f.paths?.result), this.rel(f.paths?.report), this.rel(f.paths?.bundle), m.simPassRate ?? null, m.simTotal ?? null, m.determinismScore ?? null, m.p95Ms ?? null, m.warroomCritical ?? counts.CRITICAL, m.warroomHigh ?? counts.HIGH, f.reason ?? null, runId);
            return true;
        });
    }
    setArtifactPaths(runId, paths) {
        this.tx(() => {
            this.db
                .prepare('UPDATE test_runs SET result_path = coalesce(?, result_path), report_path = coalesce(?, report_path), bundle_path = coalesce(?, bundle_path) WHERE run_id = ?')
                .run(this.rel(paths.result), this.rel(paths.report), this.rel(paths.bundle), runId);
        });
    }
    // ---- reads --------------------------------------------------------------------------------------
    /** Runs newest first, a page at a time, with the total count. */
    listRuns(opts = {}) {
        const limit = clampInt(opts.limit, 20, 1, 1000);
        const offset = clampInt(opts.offset, 0, 0, Number.MAX_SAFE_INTEGER);
        const { n } = this.db.prepare('SELECT count(*) AS n FROM test_runs').get();
        const rows = this.db.prepare('SELECT * FROM test_runs ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?').all(limit, offset);
        return { total: Number(n), runs: rows.map(toRunRow) };
    }
    /** One run with its WAR ROOM events (in the order raised), snapshots and case-attempt counts. */
    getRun(runId) {
        const row = this.db.prepare('SELECT * FROM test_runs WHERE run_id = ?').get(runId);
        if (!row)
            return null;
        const events = this.db.prepare('SELECT * FROM warroom_events WHERE run_id = ? ORDER BY seq IS NULL, seq, timestamp, rowid').all(runId).map(toEventRow);
        const snapshots = this.db.prepare('SELECT * FROM snapshots WHERE run_id = ? ORDER BY created_at, path').all(runId).map(toSnapshotRow);
        const sim = this.db.prepare('SELECT count(*) AS attempts, coalesce(sum(passed), 0) AS passed FROM sim_results WHERE run_id = ?').get(runId);
        return { ...toRunRow(row), events, snapshots, sim: { attempts: Number(sim.attempts), passed: Number(sim.passed) } };
    }
    /** Events of one severity (or several), newest first, across runs or in one run. */
    eventsBySeverity(severity, opts = {}) {
        const list = Array.isArray(severity) ? severity : [severity];
        if (list.length === 0)
            return [];
        const limit = clampInt(opts.limit, 100, 1, 10_000);
        const offset = clampInt(opts.offset, 0, 0, Number.MAX_SAFE_INTEGER);
        const marks = list.map(() => '?').join(', ');
        const where = `severity IN (${marks})${opts.runId !== undefined ? ' AND run_id = ?' : ''}`;
        const params = [...list, ...(opts.runId !== undefined ? [opts.runId] : []), limit, offset];
        const rows = this.db.prepare(`SELECT * FROM warroom_events WHERE ${where} ORDER BY timestamp DESC, rowid DESC LIMIT ? OFFSET ?`).all(...params);
        return rows.map(toEventRow);
    }
    /** Headline metrics of the last `n` finished runs (PASS/WARN/FAIL/ERROR), oldest first, for charts. */
    metricHistory(n) {
        const limit = clampInt(n, 20, 1, 10_000);
        const marks = FINISHED.map(() => '?').join(', ');
        const rows = this.db
            .prepare(`SELECT * FROM test_runs WHERE status IN (${marks}) ORDER BY started_at DESC, rowid DESC LIMIT ?`)
            .all(...FINISHED, limit);
        return rows.reverse().map((r) => {
            const run = toRunRow(r);
            return { runId: run.runId, status: run.status, verdict: run.verdict, startedAt: run.startedAt, finishedAt: run.finishedAt, durationMs: run.durationMs, ...run.metrics };
        });
    }
    /** One run's case results, ordered by dataset, case and repeat. */
    simResults(runId, opts = {}) {
        const limit = clampInt(opts.limit, 1000, 1, 1_000_000);
        const offset = clampInt(opts.offset, 0, 0, Number.MAX_SAFE_INTEGER);
        const rows = this.db.prepare('SELECT * FROM sim_results WHERE run_id = ? ORDER BY dataset, case_id, repeat LIMIT ? OFFSET ?').all(runId, limit, offset);
        return rows.map(toSimRow);
    }
    /** `PRAGMA integrity_check`: ['ok'] when the file is sound. */
    integrityCheck() {
        return this.db.prepare('PRAGMA integrity_check').all().map((r) => r.integrity_check);
    }
    close() {
        if (this.closed)
            return;
        this.closed = true;
        this.db.close();
    }
    // ---- internals ----------------------------------------------------------------------------------
    /** RUNNING rows whose process is gone become ABORTED (or take the outcome of a result.json they left). */
    sweepAbandoned(opts) {
        const notices = [];
        const running = this.db.prepare("SELECT run_id, pid, host, started_at FROM test_runs WHERE status = 'RUNNING'").all();
        const nowDate = this.now();
        const probe = { host: opts.host ?? external_node_os_default().hostname(), nowMs: nowDate.getTime(), staleAfterMs: opts.staleAfterMs ?? DEFAULT_STALE_MS };
        for (const r of running) {
            const runId = String(r.run_id);
            const startedAt = String(r.started_at);
            const why = abandonedBecause({ pid: r.pid === null ? null : Number(r.pid), host: r.host === null ? null : String(r.host), startedAt }, probe);
            if (why === null)
                continue;
            const adopted = readAdoptableResult(this.outDir, runId, startedAt);
            const reason = adopted
                ? `${adopted.reason} (recorded from result.json: the process died before recording the run)`
                : `ABORTED: the run was left RUNNING and ${why}; results are partial`;
            const changed = this.tx(() => {
                const counts = this.severityCounts(runId);
                const res = this.db
                    .prepare(`UPDATE test_runs SET status = ?, verdict = ?, finished_at = ?, duration_ms = ?, reason = ?,
               warroom_critical = ?, warroom_high = ?, engine_version = coalesce(?, engine_version),
               sim_pass_rate = ?, sim_total = ?, determinism_score = ?, p95_ms = ?, result_path = ?, report_path = ?
             WHERE run_id = ? AND status = 'RUNNING'`)
                    .run(adopted ? adopted.status : 'ABORTED', adopted ? adopted.verdict : 'ERROR', adopted ? adopted.finishedAt : nowDate.toISOString(), adopted ? adopted.durationMs : elapsedMs(startedAt, nowDate), reason, adopted ? adopted.metrics.warroomCritical : counts.CRITICAL, adopted ? adopted.metrics.warroomHigh : counts.HIGH, adopted?.engine?.version ?? null, adopted?.metrics.simPassRate ?? null, adopted?.metrics.simTotal ?? null, adopted?.metrics.determinismScore ?? null, adopted?.metrics.p95Ms ?? null, adopted ? `reports/${runId}/result.json` : null, adopted ? `reports/${runId}/report.json` : null, runId);
                return Number(res.changes) > 0;
            });
            // Another process swept it first: its notice, not ours.
            if (!changed)
                continue;
            if (adopted) {
                this.log('warn', `run ${runId} finished ${adopted.status} but ${why} before it was recorded; recorded from its result.json`);
                notices.push({
                    runId,
                    finding: {
                        type: 'store-run-recovered',
                        severity: 'LOW',
                        subsystem: 'store',
                        message: `run ${runId} finished (${adopted.status}) but ${why} before the history database recorded it; recorded from its result.json`,
                        remediation: 'Nothing to fix in the engine. If it happens often, the job is being killed right at the end (a step timeout too tight, the runner shutting down).',
                    },
                });
                continue;
            }
            let resultPath;
            if (opts.writeAbortedResults !== false) {
                try {
                    resultPath = writeResultForAborted(this, runId, this.outDir);
                }
                catch (err) {
                    this.log('warn', `could not write result.json for the ABORTED run ${runId}: ${msg(err)}`);
                }
            }
            this.log('warn', `run ${runId} was left RUNNING and ${why}: marked ABORTED`);
            notices.push({
                runId,
                ...(resultPath ? { resultPath } : {}),
                finding: {
                    type: 'store-run-aborted',
                    severity: 'HIGH',
                    subsystem: 'store',
                    message: `run ${runId} (started ${startedAt}) was left RUNNING and ${why}: marked ABORTED; its results are partial`,
                    remediation: 'The earlier run was killed (job cancelled or timed out, out of memory, runner lost) before it could finish: check that job\'s log and resources, and re-run it for a verdict. Its partial WAR ROOM events and case results are kept.',
                },
            });
        }
        return notices;
    }
    deleteRunRows(runId) {
        // Explicit, not by cascade: databases upgraded from older schemas may lack ON DELETE CASCADE.
        for (const table of ['warroom_events', 'sim_results', 'snapshots', 'test_runs']) {
            this.db.prepare(`DELETE FROM ${table} WHERE run_id = ?`).run(runId);
        }
    }
    severityCounts(runId) {
        const counts = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0 };
        const rows = this.db.prepare('SELECT severity, count(*) AS n FROM warroom_events WHERE run_id = ? GROUP BY severity').all(runId);
        for (const r of rows)
            counts[r.severity] = Number(r.n);
        return counts;
    }
    /** A path as stored: relative to the output folder, forward slashes. */
    rel(p) {
        if (p === null || p === undefined)
            return null;
        const r = external_node_path_default().isAbsolute(p) ? external_node_path_default().relative(this.outDir, p) : p;
        return r.split((external_node_path_default()).sep).join('/');
    }
    tx(fn) {
        if (this.closed)
            throw new Error('the history store is closed');
        this.db.exec('BEGIN IMMEDIATE');
        try {
            const result = fn();
            this.db.exec('COMMIT');
            return result;
        }
        catch (err) {
            if (this.db.isTransaction)
                this.db.exec('ROLLBACK');
            throw err;
        }
    }
}
function connect(dbPath, opts) {
    let db;
    try {
        db = new external_node_sqlite_.DatabaseSync(dbPath, { timeout: opts.busyTimeoutMs ?? DEFAULT_BUSY_MS, enableForeignKeyConstraints: true });
    }
    catch (err) {
        throw classify(err);
    }
    try {
        // The first statement reads the header: a file that is not SQLite fails here with SQLITE_NOTADB.
        // Switching a new file to WAL can answer SQLITE_BUSY at once (no busy handler) while another
        // process is switching it too, so that one statement is retried for up to the busy timeout.
        const mode = retryBusy(() => db.prepare('PRAGMA journal_mode = WAL').get(), opts.busyTimeoutMs ?? DEFAULT_BUSY_MS);
        if (mode.journal_mode !== 'wal')
            opts.log?.('warn', `history database ${dbPath}: WAL not available (journal mode ${mode.journal_mode})`);
        db.exec('PRAGMA synchronous = NORMAL');
        db.exec('PRAGMA foreign_keys = ON');
        quickCheck(db, dbPath, opts.quickCheckMaxBytes ?? DEFAULT_CHECK_MAX);
        let migration;
        try {
            migration = migrate(db, schemaSql());
        }
        catch (err) {
            const c = classify(err);
            if (c instanceof UnusableDatabaseError)
                throw c;
            // An SQL error while upgrading means tables that do not match their recorded version.
            if (err instanceof UnknownSchemaVersionError || (hasSqliteCode(err) && !isTransient(err))) {
                throw new UnusableDatabaseError(`its schema could not be upgraded: ${msg(err)}`, { cause: err });
            }
            throw err;
        }
        return { db, migration };
    }
    catch (err) {
        try {
            db.close();
        }
        catch {
            // Already failing; the original error says why.
        }
        throw classify(err);
    }
}
function retryBusy(fn, timeoutMs) {
    const until = Date.now() + timeoutMs;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (;;) {
        try {
            return fn();
        }
        catch (err) {
            if (!isSqliteCode(err, [SQLITE_BUSY, SQLITE_LOCKED]) || Date.now() >= until)
                throw err;
            Atomics.wait(pause, 0, 0, 5 + Math.floor(Math.random() * 20));
        }
    }
}
/** The whole-file scan costs time on big histories; past the size limit, corruption shows up on use instead. */
function quickCheck(db, dbPath, maxBytes) {
    let size = 0;
    try {
        size = external_node_fs_default().statSync(dbPath).size;
    }
    catch {
        return;
    }
    if (size === 0 || size > maxBytes)
        return;
    const rows = db.prepare('PRAGMA quick_check(5)').all();
    const problems = rows.map((r) => r.quick_check.replace(/\s+/g, ' ').trim()).filter((s) => s !== 'ok');
    if (problems.length)
        throw new UnusableDatabaseError(`it fails the integrity check: ${problems.join('; ')}`);
}
function classify(err) {
    if (err instanceof UnusableDatabaseError)
        return err;
    if (err instanceof UnrecognizedDatabaseError)
        return new UnusableDatabaseError(err.message, { cause: err });
    if (isSqliteCode(err, [SQLITE_NOTADB]))
        return new UnusableDatabaseError('it is not an SQLite database', { cause: err });
    if (isSqliteCode(err, [SQLITE_CORRUPT]))
        return new UnusableDatabaseError(`it is corrupt (${msg(err)})`, { cause: err });
    return err;
}
function hasSqliteCode(err) {
    return typeof err?.errcode === 'number';
}
function isSqliteCode(err, codes) {
    const code = err?.errcode;
    return typeof code === 'number' && codes.includes(code & 0xff);
}
/** Errors that say nothing about the file's content: a lock, I/O, permissions, a full disk. */
function isTransient(err) {
    // BUSY 5, LOCKED 6, NOMEM 7, READONLY 8, IOERR 10, FULL 13, CANTOPEN 14, PERM 3, AUTH 23
    return isSqliteCode(err, [3, 5, 6, 7, 8, 10, 13, 14, 23]);
}
function elapsedMs(startedAt, now) {
    const d = now.getTime() - Date.parse(startedAt);
    return Number.isFinite(d) ? Math.max(0, d) : null;
}
function clampInt(v, dflt, min, max) {
    if (v === undefined || !Number.isFinite(v))
        return dflt;
    return Math.min(max, Math.max(min, Math.floor(v)));
}
function msg(err) {
    return err instanceof Error ? err.message : String(err);
}
const store_str = (v) => (v === null || v === undefined ? null : String(v));
const store_num = (v) => (v === null || v === undefined ? null : Number(v));
function toRunRow(r) {
    return {
        runId: String(r.run_id),
        status: r.status,
        verdict: (r.verdict ?? null),
        startedAt: String(r.started_at),
        finishedAt: store_str(r.finished_at),
        durationMs: store_num(r.duration_ms),
        engine: { kind: store_str(r.engine_kind), target: store_str(r.engine_target), version: store_str(r.engine_version), profile: store_str(r.profile) },
        pid: store_num(r.pid),
        host: store_str(r.host),
        paths: { result: store_str(r.result_path), report: store_str(r.report_path), bundle: store_str(r.bundle_path) },
        metrics: {
            simPassRate: store_num(r.sim_pass_rate),
            simTotal: store_num(r.sim_total),
            determinismScore: store_num(r.determinism_score),
            p95Ms: store_num(r.p95_ms),
            warroomCritical: store_num(r.warroom_critical) ?? 0,
            warroomHigh: store_num(r.warroom_high) ?? 0,
        },
        reason: store_str(r.reason),
    };
}
function toEventRow(r) {
    const e = {
        id: String(r.id),
        runId: String(r.run_id),
        seq: store_num(r.seq),
        type: String(r.type),
        severity: r.severity,
        score: Number(r.score),
        subsystem: String(r.subsystem),
        message: String(r.message),
        remediation: store_str(r.remediation) ?? '',
        timestamp: String(r.timestamp),
    };
    if (r.case_id !== null && r.case_id !== undefined)
        e.caseId = String(r.case_id);
    if (r.file !== null && r.file !== undefined)
        e.location = { file: String(r.file), line: store_num(r.line) ?? 1 };
    return e;
}
function toSnapshotRow(r) {
    return { runId: String(r.run_id), path: String(r.path), sha256: String(r.sha256), createdAt: String(r.created_at), cases: Number(r.cases), settingsHash: store_str(r.settings_hash) };
}
function toSimRow(r) {
    return {
        runId: String(r.run_id),
        dataset: String(r.dataset),
        caseId: String(r.case_id),
        repeat: Number(r.repeat),
        passed: Number(r.passed) === 1,
        latencyMs: store_num(r.latency_ms),
        errorKind: store_str(r.error_kind),
        message: store_str(r.message),
        location: r.file === null || r.file === undefined ? null : { file: String(r.file), line: store_num(r.line) ?? 1 },
    };
}

// EXTERNAL MODULE: ./package.json
var package_0 = __webpack_require__(8330);
// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(73136);
// EXTERNAL MODULE: external "node:worker_threads"
var external_node_worker_threads_ = __webpack_require__(75919);
;// CONCATENATED MODULE: ./src/snapshot/case-index.ts
/**
 * Per-case bookkeeping of the snapshot writers, keyed by case index (dense: 0 .. suite size). Typed
 * arrays instead of a Set or Map of 100k numbers: those grow by rehashing into new tables, all of which
 * end up in the old generation, and a Map of {offset, length} objects keeps 100k objects alive.
 */
function grown(a, index, make) {
    if (index < a.length)
        return a;
    let n = a.length;
    while (n <= index)
        n *= 2;
    const b = make(n);
    b.set(a);
    return b;
}
/** The case indexes seen so far. */
class CaseIndexSet {
    seen = new Uint8Array(1024);
    size = 0;
    has(index) {
        return index < this.seen.length && this.seen[index] === 1;
    }
    add(index) {
        this.seen = grown(this.seen, index, (n) => new Uint8Array(n));
        if (this.seen[index] === 0) {
            this.seen[index] = 1;
            this.size++;
        }
    }
}
/** Where each case's line lies in the spool (a line is never empty, so length 0 means absent). */
class SpoolIndex {
    offsets = new Float64Array(1024);
    lengths = new Float64Array(1024);
    size = 0;
    has(index) {
        return index < this.lengths.length && this.lengths[index] > 0;
    }
    set(index, offset, length) {
        this.offsets = grown(this.offsets, index, (n) => new Float64Array(n));
        this.lengths = grown(this.lengths, index, (n) => new Float64Array(n));
        if (!(this.lengths[index] > 0))
            this.size++;
        this.offsets[index] = offset;
        this.lengths[index] = length;
    }
    /** Every recorded line in case order. */
    *inCaseOrder() {
        for (let i = 0; i < this.lengths.length; i++) {
            if (this.lengths[i] > 0)
                yield { offset: this.offsets[i], length: this.lengths[i] };
        }
    }
}

;// CONCATENATED MODULE: ./src/snapshot/thread-protocol.ts
const SNAPSHOT_THREAD_ROLE = 'toron-testops/snapshot-writer';

;// CONCATENATED MODULE: ./src/snapshot/writer.ts










const writer_NO_PATHS = [];
/** Spool chunk: entries are written into it as bytes and the chunk goes to the spool file when full. */
const CHUNK_BYTES = 1 << 20;
/** The answer's UTF-8 scratch: room for any answer up to 64 KB of text. */
const UTF8_BYTES = 192 << 10;
/**
 * Builds a snapshot from SIM's answers as they arrive (an AnswerObserver). Each case's first attempt
 * is canonicalised and hashed at once and its line appended to a spool file beside the snapshot, so
 * memory stays flat whatever the suite size: only a (case index -> spool offset) map and the latencies
 * are kept. `finish` puts the snapshot in place by a rename: a crashed run never leaves half a snapshot.
 *
 * The spool is laid out as the snapshot is (src/snapshot/layout.ts: the opening, case lines joined by
 * `,\n`, the header last), so when answers came in case order (an in-process engine, or one worker)
 * the spool plus its closing line is the snapshot, hashed as it was written, and is renamed into
 * place; otherwise each line is read back in case order into a new file. Either way the bytes are the
 * same. Lines go into the spool chunk as bytes (no per-answer line string, no joined batch string).
 */
class SnapshotWriter {
    opts;
    name = 'snapshot';
    spoolPath;
    fd = null;
    chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    utf8 = Buffer.allocUnsafe(UTF8_BYTES);
    used = OPENING.copy(this.chunk, 0);
    /** sha256 of the spool so far, while it is the snapshot's prefix (answers in case order). */
    spoolSha = (0,external_node_crypto_.createHash)('sha256');
    spoolBytes = 0;
    where = new SpoolIndex();
    /** Highest case index spooled so far; spool order is case order while each new one is higher. */
    lastIndex = -1;
    inOrder = true;
    ignoreCache = new Map();
    latencies = [];
    answered = 0;
    errored = 0;
    done = false;
    constructor(opts) {
        this.opts = opts;
        this.spoolPath = spoolPath(opts.file);
    }
    /** Cases recorded so far. */
    get cases() {
        return this.where.size;
    }
    get counts() {
        return { answered: this.answered, errored: this.errored, latencies: this.latencies };
    }
    /** `rawHash`: sha256 of the raw text when the caller already has it (the writer thread's feeder). */
    observe(o, rawHash) {
        // The snapshot holds each case's first attempt; repeats have seeds of their own.
        if (this.done || o.repeat !== 0 || this.where.has(o.caseIndex))
            return;
        const volatile = this.opts.volatileFrom && o.result.ok ? volatilePathsFor(this.opts.volatileFrom, o.result.body) : writer_NO_PATHS;
        const ignore = this.ignoreFor(o.case.ignorePaths, volatile);
        const entry = {
            dataset: o.case.dataset,
            id: o.case.id,
            repeat: o.repeat,
            seed: o.seed,
            input: o.case.input,
            ignorePaths: ignore.paths,
            location: o.case.location,
            status: 'ok',
            latencyMs: round2(o.result.latencyMs),
        };
        // The canonical answer's UTF-8 bytes (in this.utf8), encoded once: they are hashed and copied into
        // the spool. Text with characters beyond Latin-1 (Japanese in an answer) is held as UTF-16, and each
        // encoding of 7 KB of it costs more than hashing it; hashing the string and writing it again took
        // three (with Buffer.byteLength), a third of this thread's time.
        let answerBytes = -1;
        const r = o.result;
        let unreadable;
        let canonical = '';
        if (r.ok && ignore.error === undefined) {
            try {
                canonical = canonicalJson(r.body, ignore.tree);
            }
            catch (err) {
                // An answer nested deeper than the walk's stack (thousands of levels), or holding a BigInt:
                // the case is kept as an error, so that the rest of the suite still gets its snapshot.
                unreadable = `the answer has no canonical form: ${err instanceof RangeError ? 'nested too deeply' : err.message}`;
            }
        }
        if (r.ok && ignore.error === undefined && unreadable === undefined) {
            answerBytes = this.encode(canonical);
            entry.hash = sha256HexOf(this.utf8.subarray(0, answerBytes));
            const raw = r.raw;
            entry.rawHash = rawHash ?? sha256Hex(raw);
            entry.bytes = raw.length;
            this.answered++;
            this.latencies.push(r.latencyMs);
        }
        else {
            entry.status = 'error';
            entry.error = !r.ok
                ? { kind: r.error.kind, message: r.error.message }
                : unreadable !== undefined
                    ? { kind: 'unreadable', message: unreadable }
                    : { kind: 'ignore_paths', message: ignore.error };
            this.errored++;
        }
        // The line: the entry's JSON with the answer last and verbatim (canonical JSON text already).
        const meta = JSON.stringify(entry);
        const sep = this.where.size > 0 ? SEPARATOR.length : 0;
        const metaBytes = Buffer.byteLength(meta);
        const length = answerBytes < 0 ? metaBytes : metaBytes - 1 + ANSWER_KEY.length + answerBytes + 1;
        this.reserve(sep + length);
        const c = this.chunk;
        let at = this.used;
        if (sep)
            at += SEPARATOR.copy(c, at);
        const offset = this.spoolBytes + at;
        if (answerBytes < 0)
            at += c.write(meta, at, 'utf8');
        else {
            at += c.write(meta, at, metaBytes - 1, 'utf8');
            at += ANSWER_KEY.copy(c, at);
            at += this.utf8.copy(c, at, 0, answerBytes);
            c[at++] = 0x7d; // }
        }
        this.used = at;
        this.where.set(o.caseIndex, offset, length);
        if (o.caseIndex < this.lastIndex)
            this.inOrder = false;
        else
            this.lastIndex = o.caseIndex;
    }
    /**
     * Writes `<file>` (cases in case order) and returns what was written; null when no answer was
     * observed (nothing to snapshot). Idempotent: later calls return null.
     */
    finish(header) {
        if (this.done)
            return null;
        this.done = true;
        if (this.where.size === 0) {
            this.cleanup();
            return null;
        }
        const full = {
            schemaVersion: SNAPSHOT_SCHEMA_VERSION,
            kind: SNAPSHOT_KIND,
            ...header,
            canonical: { form: 'RFC 8785', hash: 'sha256', ignorePaths: [...this.opts.configIgnorePaths] },
            caseCount: this.where.size,
        };
        const closing = Buffer.from(casesClosing(full));
        external_node_fs_default().mkdirSync(external_node_path_default().dirname(this.opts.file), { recursive: true });
        const written = this.inOrder ? this.finishInPlace(closing) : this.finishByCopy(closing);
        this.cleanup();
        return { file: this.opts.file, ...written, cases: full.caseCount, createdAt: header.createdAt, settingsHash: header.settingsHash };
    }
    /**
     * The spool is the snapshot but for its closing line: appended and renamed into place. No fsync, as
     * for the run's other files: it cost 0.9 s at 100k cases, and a snapshot cut short by a crash of the
     * machine lacks its last line, the header, so the reader refuses it rather than misread it.
     */
    finishInPlace(closing) {
        this.reserve(closing.length);
        closing.copy(this.chunk, this.used);
        this.used += closing.length;
        this.flush();
        try {
            external_node_fs_default().renameSync(this.spoolPath, this.opts.file);
        }
        catch (err) {
            this.cleanup();
            throw err;
        }
        return { sha256: this.spoolSha.digest('hex'), bytes: this.spoolBytes };
    }
    /** Answers came out of case order: each line is read back by its offset, in case order, into a new file. */
    finishByCopy(closing) {
        this.flush();
        const tmp = `${this.opts.file}.${process.pid}.tmp`;
        const sha = (0,external_node_crypto_.createHash)('sha256');
        let bytes = 0;
        const out = external_node_fs_default().openSync(tmp, 'w');
        try {
            const put = (buf) => {
                writeExactly(out, buf);
                sha.update(buf);
                bytes += buf.length;
            };
            put(OPENING);
            let buf = Buffer.alloc(64 * 1024);
            let first = true;
            for (const { offset, length } of this.where.inCaseOrder()) {
                const sep = first ? 0 : SEPARATOR.length;
                first = false;
                if (buf.length < length + sep)
                    buf = Buffer.alloc(length + sep);
                if (sep)
                    SEPARATOR.copy(buf, 0);
                readExactly(this.fd, buf, length, offset, sep);
                put(buf.subarray(0, sep + length));
            }
            put(closing);
        }
        catch (err) {
            external_node_fs_default().closeSync(out);
            external_node_fs_default().rmSync(tmp, { force: true });
            this.cleanup();
            throw err;
        }
        external_node_fs_default().closeSync(out);
        external_node_fs_default().renameSync(tmp, this.opts.file);
        return { sha256: sha.digest('hex'), bytes };
    }
    /** Drops everything (a cancelled run's partial snapshot must not become a baseline). */
    discard() {
        this.done = true;
        this.cleanup();
    }
    ignoreFor(casePaths, volatile) {
        // A few distinct volatile lists (a profile's constant), then the case's list by its text (the
        // writer thread gets each case's list as a fresh copy).
        let byCase = this.ignoreCache.get(volatile);
        if (!byCase)
            this.ignoreCache.set(volatile, (byCase = new Map()));
        const caseKey = casePaths.length === 1 ? casePaths[0] : casePaths.join('\u0000');
        let hit = byCase.get(caseKey);
        if (!hit) {
            const paths = unionPaths(this.opts.configIgnorePaths, casePaths, volatile);
            try {
                hit = { paths, tree: compileIgnorePaths(paths) };
            }
            catch (err) {
                hit = { paths, tree: null, error: err.message };
            }
            byCase.set(caseKey, hit);
        }
        return hit;
    }
    /** `text` as UTF-8 at the start of this.utf8 (grown to fit); returns its length in bytes. */
    encode(text) {
        // At most 3 bytes per UTF-16 unit: room checked without measuring the text first.
        if (this.utf8.length < text.length * 3)
            this.utf8 = Buffer.allocUnsafe(Math.max(text.length * 3, UTF8_BYTES));
        else if (this.utf8.length > UTF8_BYTES && text.length * 3 <= UTF8_BYTES)
            this.utf8 = Buffer.allocUnsafe(UTF8_BYTES); // not kept after one huge answer
        return this.utf8.write(text, 0, 'utf8');
    }
    /** Room for `bytes` more in the chunk: the chunk goes to the spool first if they do not fit. */
    reserve(bytes) {
        if (this.used + bytes <= this.chunk.length)
            return;
        this.flush();
        if (bytes > this.chunk.length)
            this.chunk = Buffer.allocUnsafe(bytes);
    }
    flush() {
        if (this.used === 0)
            return;
        if (this.fd === null) {
            external_node_fs_default().mkdirSync(external_node_path_default().dirname(this.spoolPath), { recursive: true });
            this.fd = external_node_fs_default().openSync(this.spoolPath, 'w+');
        }
        const bytes = this.chunk.subarray(0, this.used);
        writeExactly(this.fd, bytes, this.spoolBytes);
        if (this.inOrder)
            this.spoolSha.update(bytes);
        this.spoolBytes += this.used;
        this.used = 0;
        // A chunk grown for one huge answer is not kept for the rest of the run.
        if (this.chunk.length > CHUNK_BYTES)
            this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    }
    cleanup() {
        this.used = 0;
        if (this.fd !== null) {
            external_node_fs_default().closeSync(this.fd);
            this.fd = null;
        }
        external_node_fs_default().rmSync(this.spoolPath, { force: true });
    }
}
/** Where the writer of `file` keeps its spool (beside it: the rename into place stays on one file system). */
function spoolPath(file) {
    return `${file}.${process.pid}.spool`;
}
const ANSWER_KEY = Buffer.from(',"answer":');
const OPENING = Buffer.from(CASES_OPENING);
const SEPARATOR = Buffer.from(CASE_SEPARATOR);
function readExactly(fd, buf, length, position, at = 0) {
    let got = 0;
    while (got < length) {
        const n = external_node_fs_default().readSync(fd, buf, at + got, length - got, position + got);
        if (n === 0)
            throw new Error(`snapshot spool ended early (wanted ${length} bytes at ${position})`);
        got += n;
    }
}
function round2(x) {
    return Math.round(x * 100) / 100;
}

;// CONCATENATED MODULE: ./src/snapshot/threaded-writer.ts







/** Answers per message: one postMessage per answer would cost more than the copy of its text. */
const BATCH = 128;
/**
 * Batches posted and not yet written before SIM is asked to wait (AnswerObserver.ready): about 16 MB
 * of 7 KB answers. Without a bound a fast engine would queue its whole suite in memory.
 */
const MAX_PENDING_BATCHES = 16;
/**
 * The script of the writer thread: beside the bundle that runs this code (dist/snapshot-thread/ next
 * to dist/index.js, or one folder up from dist/cli/index.js), or thread-main.ts when run from source
 * (through tsx, a dev dependency). Null when none is there: the snapshot is then written in-thread.
 */
function snapshotThreadScript() {
    const here = import.meta.url;
    if (here.endsWith('.ts')) {
        const file = (0,external_node_url_.fileURLToPath)(new URL(['.', 'thread-main.ts'].join('/'), here));
        if (!external_node_fs_default().existsSync(file))
            return null;
        // By URL: a bare `tsx` would be looked up from the working directory, a user's project.
        const tsx = new URL(['..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs'].join('/'), here).href;
        const loaded = process.execArgv.some((a) => a.includes('tsx'));
        return loaded ? { file } : { file, execArgv: [...process.execArgv, '--import', tsx] };
    }
    // Built as a variable, so that the bundler does not take the path for an asset to copy.
    for (const rel of ['snapshot-thread/index.js', '../snapshot-thread/index.js']) {
        const file = (0,external_node_url_.fileURLToPath)(new URL(rel, here));
        // No execArgv: the thread inherits the process's flags. Passed explicitly, a V8 flag such as
        // --max-old-space-size (common on CI runners) makes the Worker constructor throw.
        if (external_node_fs_default().existsSync(file))
            return { file };
    }
    return null;
}
/**
 * A SnapshotWriter on a thread of its own. SIM's thread only posts each first attempt's raw text;
 * parsing it again, canonicalising, hashing and writing (about 60 us of a 7 KB Toron answer) happen on
 * another core. Same bytes as the in-thread writer: the thread runs that writer.
 */
class ThreadedSnapshotWriter {
    options;
    name = 'snapshot';
    threaded = true;
    worker;
    batch = [];
    pendingBatches = 0;
    waiters = [];
    replies = new Map();
    nextId = 1;
    seen = new CaseIndexSet();
    dead = null;
    closed = false;
    constructor(options, script) {
        this.options = options;
        const init = { role: SNAPSHOT_THREAD_ROLE, options };
        this.worker = new external_node_worker_threads_.Worker(script.file, { workerData: init, ...(script.execArgv ? { execArgv: script.execArgv } : {}) });
        // Held only while someone waits on it: a run that never gets to finish (a crash elsewhere) must
        // not be kept alive by an idle writer thread.
        this.worker.unref();
        this.worker.on('message', (m) => {
            if (m.type === 'ack') {
                this.pendingBatches--;
                this.wake();
            }
            else {
                const r = this.replies.get(m.id);
                this.replies.delete(m.id);
                this.hold();
                r?.resolve(m);
            }
        });
        const fail = (err) => {
            this.dead ??= err;
            for (const r of this.replies.values())
                r.reject(err);
            this.replies.clear();
            this.pendingBatches = 0;
            this.wake();
        };
        this.worker.on('error', fail);
        this.worker.on('exit', (code) => {
            if (!this.closed)
                fail(new Error(`the snapshot writer thread stopped (exit code ${code})`));
        });
    }
    get cases() {
        return this.seen.size;
    }
    observe(o) {
        // A dead thread takes nothing more: its answers would only pile up here (finish reports the death).
        if (this.closed || this.dead || o.repeat !== 0 || this.seen.has(o.caseIndex))
            return;
        this.seen.add(o.caseIndex);
        const c = o.case;
        const r = o.result;
        this.batch.push({
            case: { dataset: c.dataset, id: c.id, input: c.input, ignorePaths: c.ignorePaths, location: c.location },
            caseIndex: o.caseIndex,
            seed: o.seed,
            passed: o.passed,
            result: r.ok ? { ok: true, raw: r.raw, rawHash: sha256Hex(r.raw), latencyMs: r.latencyMs } : { ok: false, error: { kind: r.error.kind, message: r.error.message }, latencyMs: r.latencyMs },
        });
        if (this.batch.length >= BATCH)
            this.post();
    }
    ready() {
        if (this.dead || this.pendingBatches < MAX_PENDING_BATCHES)
            return null;
        const wait = new Promise((resolve) => this.waiters.push(resolve));
        this.hold();
        return wait;
    }
    async counts() {
        this.post();
        const m = await this.request((id) => ({ type: 'counts', id }));
        return m.counts;
    }
    async finish(header) {
        if (this.closed)
            return null;
        this.post();
        try {
            const m = await this.request((id) => ({ type: 'finish', id, header }));
            if (m.error !== undefined)
                throw new Error(m.error);
            return m.written ?? null;
        }
        finally {
            await this.close();
        }
    }
    async discard() {
        if (this.closed)
            return;
        this.batch = [];
        try {
            await this.request((id) => ({ type: 'discard', id }));
        }
        catch {
            // A thread that died cannot discard: its spool is removed from here.
            external_node_fs_default().rmSync(spoolPath(this.options.file), { force: true });
        }
        finally {
            await this.close();
        }
    }
    post() {
        if (this.batch.length === 0 || this.dead)
            return;
        this.send({ type: 'answers', batch: this.batch });
        this.batch = [];
        this.pendingBatches++;
    }
    send(m) {
        this.worker.postMessage(m);
    }
    request(make) {
        if (this.dead)
            return Promise.reject(this.dead);
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            this.replies.set(id, { resolve, reject });
            this.hold();
            this.send(make(id));
        });
    }
    wake() {
        if (this.pendingBatches >= MAX_PENDING_BATCHES && !this.dead)
            return;
        const w = this.waiters;
        this.waiters = [];
        this.hold();
        for (const resolve of w)
            resolve();
    }
    /** The thread keeps the process alive exactly while a request or SIM waits on it. */
    hold() {
        if (this.closed)
            return;
        if (this.replies.size > 0 || this.waiters.length > 0)
            this.worker.ref();
        else
            this.worker.unref();
    }
    async close() {
        if (this.closed)
            return;
        this.closed = true;
        this.wake();
        await this.worker.terminate();
    }
}

;// CONCATENATED MODULE: ./src/snapshot/sink.ts


/**
 * Below this many answers a thread's start (loading its script) costs more than it saves: the 86
 * bundled cases are written in-thread, 100k cases on a thread of their own.
 */
const THREAD_FROM_ANSWERS = 2000;
/**
 * The run's snapshot sink. It picks its writer when SIM says how many answers to expect (plan): on a
 * thread of its own for a large suite, when the thread's script is there; in-thread otherwise.
 */
function createSnapshotSink(options, threadFrom = THREAD_FROM_ANSWERS, threadScript = snapshotThreadScript) {
    let chosen = null;
    let fallback;
    const choose = (answers) => {
        if (chosen)
            return chosen;
        const script = answers >= threadFrom ? threadScript() : null;
        if (script) {
            try {
                return (chosen = new ThreadedSnapshotWriter(options, script));
            }
            catch (err) {
                // The thread is only a speed-up: the same writer on SIM's thread writes the same bytes.
                fallback = `the snapshot thread did not start (${err.message}); writing in-thread`;
            }
        }
        return (chosen = inThread(new SnapshotWriter(options)));
    };
    return {
        name: 'snapshot',
        get cases() {
            return chosen?.cases ?? 0;
        },
        get threaded() {
            return chosen?.threaded ?? false;
        },
        get fallback() {
            return fallback;
        },
        plan(answers) {
            choose(answers);
        },
        observe(o) {
            choose(0).observe(o);
        },
        ready() {
            return chosen?.ready?.() ?? null;
        },
        counts: () => choose(0).counts(),
        finish: (header) => (chosen ? chosen.finish(header) : Promise.resolve(null)),
        discard: () => (chosen ? chosen.discard() : Promise.resolve()),
    };
}
/** The writer on the calling thread, behind the sink's interface. */
function inThread(writer) {
    return {
        name: writer.name,
        get cases() {
            return writer.cases;
        },
        threaded: false,
        observe: (o) => writer.observe(o),
        counts: async () => writer.counts,
        finish: async (header) => writer.finish(header),
        discard: async () => writer.discard(),
    };
}

;// CONCATENATED MODULE: ./src/snapshot/run-hook.ts





function createRunSnapshot(settings, paths, deps) {
    // The engine's profile names its answer shape; when it is `auto`, pipeline.profile may name it (auto: by shape).
    const profile = settings.engine.profile !== 'auto' ? settings.engine.profile : settings.pipeline.profile;
    const writer = createSnapshotSink({
        file: paths.snapshot,
        configIgnorePaths: settings.replay.ignorePaths,
        ...(settings.replay.ignoreVolatile ? { volatileFrom: profile } : {}),
    });
    let finished = false;
    let failure = null;
    return {
        observer: writer,
        get failure() {
            return failure;
        },
        async finish({ results, engine, aborted }) {
            if (finished)
                return null;
            finished = true;
            if (writer.fallback)
                deps.log('warn', 'snapshot', writer.fallback);
            const sim = results.sim;
            if (aborted || !sim || sim.verdict === 'ERROR' || sim.verdict === 'SKIPPED') {
                if (writer.cases > 0)
                    deps.log('info', 'snapshot', `no snapshot written: ${aborted ? 'the run was cancelled' : 'SIM did not complete'}`);
                await writer.discard();
                return null;
            }
            try {
                const createdAt = (deps.now?.() ?? new Date()).toISOString();
                const counts = await writer.counts();
                const written = await writer.finish({
                    runId: settings.runId,
                    createdAt,
                    tool: { name: 'toron-testops', version: package_0/* version */.rE },
                    engine: { kind: engine.kind, target: portableTarget(settings.engine.target, settings.cwd), version: engine.version, profile: settings.engine.profile },
                    settingsHash: settingsHash(settings),
                    metrics: headlineMetrics(results, counts),
                    artifacts: artifactLinks(paths),
                });
                if (!written)
                    return null;
                deps.log('info', 'snapshot', `snapshot of ${written.cases} case(s) written${writer.threaded ? ' (on a thread of its own)' : ''}: ${relPath(paths.cwd, written.file)}`);
                try {
                    deps.record?.({ runId: settings.runId, path: written.file, sha256: written.sha256, createdAt, cases: written.cases, settingsHash: written.settingsHash });
                }
                catch (err) {
                    deps.log('warn', 'store', `could not record the snapshot in the history: ${errorMessage(err)}`);
                }
                return written;
            }
            catch (err) {
                failure = `could not write the snapshot ${relPath(paths.cwd, paths.snapshot)}: ${errorMessage(err)}`;
                deps.log('error', 'snapshot', failure);
                await writer.discard();
                return null;
            }
        },
    };
}
function headlineMetrics(results, counts) {
    const s = results.sim?.report;
    const num = (k) => (typeof s?.[k] === 'number' ? s[k] : 0);
    const lat = [...counts.latencies].sort((a, b) => a - b);
    // Nearest rank: a latency that was measured, not an interpolation between two.
    const rank = (q) => lat[Math.min(lat.length - 1, Math.max(0, Math.ceil(q * lat.length) - 1))];
    const load = results.load && results.load.verdict !== 'SKIPPED' ? results.load.report : null;
    return {
        sim: s
            ? {
                verdict: results.sim.verdict,
                total: num('total'),
                passed: num('passed'),
                failed: num('failed'),
                errored: num('errored'),
                flaky: num('flaky'),
                passRate: num('passRate'),
            }
            : null,
        latencyMs: lat.length > 0
            ? { p50: run_hook_round2(rank(0.5)), p95: run_hook_round2(rank(0.95)), max: run_hook_round2(lat[lat.length - 1]) }
            : null,
        load: load ? { verdict: results.load.verdict, metrics: load.metrics ?? null } : null,
        answered: counts.answered,
        errored: counts.errored,
    };
}
/** The run's files, relative to the snapshot's folder (`<out>/snapshots/`). */
function artifactLinks(paths) {
    const rel = (p) => relPath(paths.snapshotsDir, p);
    return {
        report: rel(paths.report),
        result: rel(paths.result),
        simSummary: rel(paths.simSummary),
        replaySummary: rel(paths.replaySummary),
        log: rel(paths.runLog),
    };
}
function run_hook_round2(x) {
    return Math.round(x * 100) / 100;
}

;// CONCATENATED MODULE: ./src/store/sink.ts
/**
 * Feeds the history store from the event stream: each WAR ROOM finding in its own transaction as it is
 * raised (a crash keeps every finding already raised), SIM case results buffered and written in
 * batches (one transaction per batch, the rest when a stage finishes, on `done` or on close). The run row itself is opened
 * and closed by the runner (beginRun/finishRun), which knows the engine and the outcome.
 */
class StoreSink {
    store;
    opts;
    name = 'store';
    buffer = [];
    batchSize;
    reported = new Set();
    written = { events: 0, cases: 0 };
    constructor(store, opts = {}) {
        this.store = store;
        this.opts = opts;
        this.batchSize = Math.max(1, Math.floor(opts.batchSize ?? 1000));
    }
    handle(e) {
        switch (e.type) {
            case 'warroom':
                this.guard('event', () => {
                    this.written.events += this.store.recordEvents([{ ...e.finding, seq: e.seq }]);
                });
                return;
            case 'case':
                if (e.stage !== 'sim')
                    return;
                this.buffer.push({
                    runId: e.runId,
                    dataset: e.dataset,
                    caseId: e.caseId,
                    repeat: e.repeat,
                    passed: e.passed,
                    latencyMs: Number.isFinite(e.latencyMs) ? e.latencyMs : null,
                    errorKind: e.errorKind ?? null,
                    message: e.error ?? null,
                    location: e.location ?? null,
                });
                if (this.buffer.length >= this.batchSize)
                    this.flush();
                return;
            case 'subsystem':
                // A stage's results are in the history once it finishes: a run killed in a later stage (a long
                // load) keeps them, as the ABORTED notice promises, instead of losing the unflushed batch.
                if (e.state === 'finished')
                    this.flush();
                return;
            case 'done':
                this.flush();
                return;
            default:
                return;
        }
    }
    /** Writes the buffered case results now. */
    flush() {
        if (this.buffer.length === 0)
            return;
        // Taken out first: a batch that cannot be written is reported and dropped, not retried forever.
        const batch = this.buffer;
        this.buffer = [];
        this.guard('cases', () => {
            this.written.cases += this.store.recordSimResults(batch);
        });
    }
    close() {
        this.flush();
    }
    /** What reached the database (for the run log and tests). */
    stats() {
        return { ...this.written, pending: this.buffer.length };
    }
    guard(kind, fn) {
        try {
            fn();
        }
        catch (err) {
            if (this.reported.has(kind))
                return;
            this.reported.add(kind);
            const message = `history database: could not record ${kind === 'event' ? 'a WAR ROOM event' : 'case results'}: ${err.message}`;
            if (this.opts.onError)
                this.opts.onError(message);
            else
                throw new Error(message);
        }
    }
}

;// CONCATENATED MODULE: ./src/warroom/log-sink.ts


/**
 * `<out>/warroom/warroom.log`: every WAR ROOM finding as one JSON line, appended across runs. Each line
 * is one synchronous write on a descriptor opened for append, so it is in the file (the kernel's page
 * cache) before `raise` returns: a crash or kill -9 loses no finding already raised. The run's own lines
 * are kept too, for its bundle (`lines()`).
 */
class WarroomLogSink {
    file;
    name = 'warroom.log';
    fd;
    own = [];
    failure = null;
    /** Throws when the file cannot be opened (an unwritable output folder is the runner's to report). */
    constructor(file) {
        this.file = file;
        external_node_fs_default().mkdirSync(external_node_path_default().dirname(file), { recursive: true });
        // 'a+': every write still appends; the descriptor can also read the last byte (endTornLine).
        this.fd = external_node_fs_default().openSync(file, 'a+');
        endTornLine(this.fd);
    }
    handle(e) {
        if (e.type !== 'warroom')
            return;
        const line = formatWarroomLine(e.finding);
        this.own.push(line);
        if (this.fd === null)
            return;
        try {
            // One write call per line: appends of one buffer are not interleaved with another process's.
            external_node_fs_default().writeSync(this.fd, line + '\n');
        }
        catch (err) {
            // A full disk must not take the run down; the finding is still in the report and the bundle.
            this.failure ??= `could not append to ${this.file}: ${err.message}`;
        }
    }
    /** This run's lines, in the order raised (without newlines). */
    lines() {
        return [...this.own];
    }
    /** The first write failure, if any. */
    writeError() {
        return this.failure;
    }
    close() {
        if (this.fd !== null)
            external_node_fs_default().closeSync(this.fd);
        this.fd = null;
    }
}
/**
 * A run killed in the middle of a write (power loss, a full disk) can leave the file ending inside a
 * line. Appending to it would glue this run's first finding onto that torn line, and a JSON-lines
 * reader would lose both: the torn line is ended first, so only it stays unreadable.
 */
function endTornLine(fd) {
    try {
        const { size } = external_node_fs_default().fstatSync(fd);
        if (size === 0)
            return;
        const last = Buffer.alloc(1);
        external_node_fs_default().readSync(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a)
            external_node_fs_default().writeSync(fd, '\n');
    }
    catch {
        // Nothing is lost by not checking: the run's own findings are in its report folder too.
    }
}
/** One finding as one line of JSON (no newline inside: JSON.stringify escapes them). */
function formatWarroomLine(f) {
    return JSON.stringify(f);
}
/**
 * Reads warroom.log back: the findings (of one run when `runId` is given) and the lines that do not
 * parse (a torn last line after a power loss, or a foreign edit) with their line numbers.
 */
function readWarroomLog(file, runId) {
    const findings = [];
    const bad = [];
    let text;
    try {
        text = fs.readFileSync(file, 'utf8');
    }
    catch (err) {
        if (err.code === 'ENOENT')
            return { findings, bad };
        throw err;
    }
    const lines = text.split('\n');
    lines.forEach((raw, i) => {
        if (raw.trim() === '')
            return;
        try {
            const f = JSON.parse(raw);
            if (!f || typeof f !== 'object' || typeof f.id !== 'string' || typeof f.severity !== 'string')
                throw new Error('not a finding');
            if (runId === undefined || f.runId === runId)
                findings.push(f);
        }
        catch {
            bad.push({ line: i + 1, text: raw });
        }
    });
    return { findings, bad };
}

// EXTERNAL MODULE: ./node_modules/archiver/index.js + 32 modules
var archiver = __webpack_require__(20079);
;// CONCATENATED MODULE: ./src/report/bundle.ts






/**
 * bundle.zip (DESIGN §3.8): the run's files in one archive whose bytes depend only on their contents.
 * Entries sorted by name, one fixed timestamp (SOURCE_DATE_EPOCH, else 1980-01-01 00:00:00 UTC), mode
 * 0644, no directory entries, no extra fields, one compression level. `toron-testops bundle` rebuilds
 * the same bytes from the same report folder.
 *
 * The bundle cannot hold its own hash: result.json records it (`bundle: { sha256, ... }`) after the
 * bundle is written, so the copy inside the bundle always has `"bundle": null` (in the run and in a
 * rebuild alike).
 */
/** Entry name in the bundle → file name in the report folder (other sources are resolved below). */
const REPORT_DIR_ENTRIES = {
    'report.json': 'report.json',
    'report.html': 'report.html',
    'summary.md': 'summary.md',
    'sim_summary.json': 'sim_summary.json',
    'load_summary.json': 'load_summary.json',
    'replay_summary.json': 'replay_summary.json',
    'pipeline_summary.json': 'pipeline_summary.json',
    'warroom.log': 'warroom.log',
    'result.json': 'result.json',
};
const DEFAULT_BUNDLE_EPOCH = Date.UTC(1980, 0, 1) / 1000;
const FILE_MODE = 0o644;
// Level 3, not zlib's default 6: the snapshot is most of a bundle (about 7 KB of answer per case, 710 MB
// at 100k cases), and on it level 3 deflates 2.5x faster (1.8 s against 4.7 s) for a zip 31% larger
// (42 MB against 32 MB). Levels 1-3 share zlib's fast strategy; 3 packs best of them at the same speed.
const ZLIB_LEVEL = 3;
// Large reads and deflate output buffers: each chunk is a trip through the stream machinery and the
// zlib thread, and archiver checksums and deflates one chunk at a time. With the defaults (64 KB in,
// 16 KB out) the 710 MB snapshot took 5.0-5.1 s to bundle, with these 3.7-4.5 s (`toron-testops bundle`
// on a 100k-case report folder). The bytes do not depend on them.
const READ_CHUNK = 4 << 20;
const DEFLATE_OUT_CHUNK = 256 << 10;
/**
 * The files of a report folder that go into its bundle, sorted by entry name; missing ones are left out.
 * `written`: the report object as it was written to the folder's report.json, when the caller has it (a
 * run, at its end): reading report.json back would parse every case of it again (100k cases: 22 MB of
 * text, 100 MB of objects, at the moment the heap is fullest).
 */
function bundleSources(reportDir, written) {
    const sources = [];
    const report = written !== undefined ? reportArtifacts(written) : readReportArtifacts(reportDir);
    for (const [name, file] of Object.entries(REPORT_DIR_ENTRIES)) {
        // A stage summary left by an earlier run under the same run id is not this run's: only stages
        // that ran in this report contribute theirs.
        const stage = /^(\w+)_summary\.json$/.exec(name)?.[1];
        if (stage && report?.skipped.has(stage))
            continue;
        sources.push({ name, path: external_node_path_default().join(reportDir, file) });
    }
    // Paths named in report.json are followed only to where a run writes those files: its log inside the
    // report folder, its snapshot in <out>/snapshots/ (<out> = <report folder>/../..). "Inside the output
    // folder" was not enough: for a folder that is not in that layout (a bundle unpacked in ~/Downloads/x)
    // <out> is the home folder, and a crafted report.json could pull ~/.ssh/id_rsa into the bundle.
    const snapshotsDir = external_node_path_default().resolve(reportDir, '..', '..', 'snapshots');
    const within = (dir, rel) => {
        const p = external_node_path_default().resolve(reportDir, rel);
        return p.startsWith(dir + (external_node_path_default()).sep) ? p : null;
    };
    const log = within(external_node_path_default().resolve(reportDir), report?.log ?? 'run.log');
    if (log)
        sources.push({ name: 'logs/run.log', path: log });
    const snapshot = report?.snapshot ? within(snapshotsDir, report.snapshot) : null;
    if (snapshot)
        sources.push({ name: 'snapshot.json', path: snapshot });
    return sources.filter((s) => bundle_isFile(s.path)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
/** Whether two paths name one file (by path, or by device and inode when both exist: links, case-insensitive disks). */
function sameFile(a, b) {
    if (external_node_path_default().resolve(a) === external_node_path_default().resolve(b))
        return true;
    try {
        const x = external_node_fs_default().statSync(a);
        const y = external_node_fs_default().statSync(b);
        return x.dev === y.dev && x.ino === y.ino;
    }
    catch {
        return false;
    }
}
function bundle_isFile(p) {
    try {
        return external_node_fs_default().statSync(p).isFile();
    }
    catch {
        return false;
    }
}
function readReportArtifacts(reportDir) {
    let parsed;
    try {
        parsed = JSON.parse(external_node_fs_default().readFileSync(external_node_path_default().join(reportDir, 'report.json'), 'utf8'));
    }
    catch {
        return null;
    }
    return reportArtifacts(parsed);
}
/** What the bundle needs of a report: where its log and snapshot are, and which stages were skipped. */
function reportArtifacts(report) {
    try {
        const r = report;
        const a = r.artifacts ?? {};
        const skipped = new Set(Object.entries(r.stages ?? {}).flatMap(([k, v]) => (v?.verdict === 'SKIPPED' ? [k] : [])));
        return {
            log: typeof a.log === 'string' ? a.log : undefined,
            snapshot: typeof a.snapshot === 'string' ? a.snapshot : null,
            skipped,
        };
    }
    catch {
        return null;
    }
}
/**
 * The timestamp of every entry: SOURCE_DATE_EPOCH when set (reproducible-builds.org: a whole number of
 * seconds; anything else is an error), else the one a previous build recorded, else 1980-01-01.
 */
function bundleEpoch(env, recorded) {
    const raw = env.SOURCE_DATE_EPOCH;
    if (raw !== undefined && raw !== '') {
        if (!/^\d{1,12}$/.test(raw.trim()))
            throw new InputError(`SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01, got "${raw}"`);
        return Number(raw.trim());
    }
    if (typeof recorded === 'number' && Number.isInteger(recorded) && recorded >= 0)
        return recorded;
    return DEFAULT_BUNDLE_EPOCH;
}
/** result.json as it is stored in the bundle: with `"bundle": null` (the bundle's own hash cannot be inside it). */
function bundledResultJson(raw) {
    let parsed;
    try {
        parsed = JSON.parse(raw.toString('utf8'));
    }
    catch {
        return raw;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !('bundle' in parsed))
        return raw;
    parsed.bundle = null;
    return Buffer.from(JSON.stringify(parsed, null, 2) + '\n', 'utf8');
}
/** Writes the zip of `sources` (already sorted) to `outFile` atomically; returns its sha256 and size. */
async function writeBundleZip(sources, outFile, epoch) {
    const date = new Date(epoch * 1000);
    external_node_fs_default().mkdirSync(external_node_path_default().dirname(outFile), { recursive: true });
    const tmp = `${outFile}.${process.pid}.tmp`;
    const hash = (0,external_node_crypto_.createHash)('sha256');
    let bytes = 0;
    useNativeCrc32();
    const archive = new archiver/* ZipArchive */.SJ({ zlib: { level: ZLIB_LEVEL, chunkSize: DEFLATE_OUT_CHUNK }, forceLocalTime: false, namePrependSlash: false });
    const out = external_node_fs_default().createWriteStream(tmp);
    const done = new Promise((resolve, reject) => {
        out.on('close', resolve);
        out.on('error', reject);
        archive.on('error', reject);
        archive.on('warning', reject);
    });
    archive.on('data', (chunk) => {
        hash.update(chunk);
        bytes += chunk.length;
    });
    archive.pipe(out);
    try {
        for (const s of sources) {
            const entry = { name: s.name, date, mode: FILE_MODE };
            if (s.name === 'result.json')
                archive.append(bundledResultJson(external_node_fs_default().readFileSync(s.path)), entry);
            else
                archive.append(external_node_fs_default().createReadStream(s.path, { highWaterMark: READ_CHUNK }), entry);
        }
        await archive.finalize();
        await done;
        external_node_fs_default().renameSync(tmp, outFile);
    }
    catch (err) {
        archive.abort();
        out.destroy();
        external_node_fs_default().rmSync(tmp, { force: true });
        throw new Error(`could not write ${outFile}: ${errorMessage(err)}`);
    }
    return { sha256: hash.digest('hex'), bytes };
}
/** Builds a report folder's bundle. Throws InputError for a folder that is not a run's report folder. */
async function buildBundle(reportDir, opts = {}) {
    if (!bundle_isFile(external_node_path_default().join(reportDir, 'report.json'))) {
        throw new InputError(`${reportDir} is not a report folder of a run: it has no report.json`);
    }
    const epoch = bundleEpoch(opts.env ?? process.env, opts.recordedEpoch);
    const sources = bundleSources(reportDir, opts.writtenReport);
    const file = external_node_path_default().resolve(opts.out ?? external_node_path_default().join(reportDir, 'bundle.zip'));
    // `--out report.json` (or the snapshot) would replace a file of the run with its own archive.
    const clobbered = sources.find((s) => sameFile(s.path, file));
    if (clobbered)
        throw new InputError(`--out ${file} is the run's ${clobbered.name}, which goes into the bundle: choose another file`);
    const { sha256, bytes } = await writeBundleZip(sources, file, epoch);
    return {
        file,
        path: external_node_path_default().relative(reportDir, file).split((external_node_path_default()).sep).join('/'),
        sha256,
        bytes,
        sourceDateEpoch: epoch,
        entries: sources.map((s) => s.name),
    };
}
/** The bundle record a run wrote into result.json (null when it has none). */
function recordedBundle(reportDir) {
    try {
        const r = JSON.parse(fs.readFileSync(path.join(reportDir, 'result.json'), 'utf8'));
        const b = r.bundle;
        if (b && typeof b.sha256 === 'string' && typeof b.sourceDateEpoch === 'number')
            return b;
        return null;
    }
    catch {
        return null;
    }
}
/** `sha256sum -c` format, beside the bundle. */
function sha256Line(info) {
    return `${info.sha256}  ${external_node_path_default().basename(info.file)}\n`;
}

// EXTERNAL MODULE: ./node_modules/nunjucks/index.js
var nunjucks = __webpack_require__(18115);
var nunjucks_default = /*#__PURE__*/__webpack_require__.n(nunjucks);
;// CONCATENATED MODULE: ./src/report/templates.ts



/**
 * The report's templates, read from templates/ next to the package. Each file is named by a literal
 * `new URL(..., import.meta.url)` so that ncc's asset relocator copies it into dist/ and rewrites the
 * path: the bundled CLI finds its templates from any working directory.
 */
function readTemplateFiles() {
    return {
        'report.njk': external_node_fs_default().readFileSync(__webpack_require__.ab + "report.njk", 'utf8'),
        'macros.njk': external_node_fs_default().readFileSync(__webpack_require__.ab + "macros.njk", 'utf8'),
        'report.css': external_node_fs_default().readFileSync(__webpack_require__.ab + "report.css", 'utf8'),
        'report.client.js': external_node_fs_default().readFileSync(__webpack_require__.ab + "report.client.js", 'utf8'),
    };
}
let templates_cached = null;
function sha256Base64(text) {
    return (0,external_node_crypto_.createHash)('sha256').update(text, 'utf8').digest('base64');
}
/** The page's policy: nothing from anywhere, except our one style block, our one script and data: images. */
function contentSecurityPolicy(css, script) {
    return [
        "default-src 'none'",
        `style-src 'sha256-${sha256Base64(css)}'`,
        `script-src 'sha256-${sha256Base64(script)}'`,
        'img-src data:',
        "base-uri 'none'",
        "form-action 'none'",
    ].join('; ');
}
function reportTemplates() {
    if (templates_cached)
        return templates_cached;
    const files = readTemplateFiles();
    const loader = {
        getSource(name) {
            const src = files[name];
            if (src === undefined)
                throw new Error(`report template ${name} does not exist`);
            return { src, path: name, noCache: false };
        },
    };
    // autoescape: every value from a report (engine answers, messages, ids) is HTML-escaped unless a
    // template says `| safe`, which only our own CSS and script do.
    const env = new (nunjucks_default()).Environment(loader, { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true });
    env.addFilter('num', (n, digits = 0) => typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
    env.addFilter('pct', (n, digits = 2) => (typeof n === 'number' && Number.isFinite(n) ? `${(n * 100).toFixed(digits)}%` : '–'));
    const css = files['report.css'];
    const script = files['report.client.js'];
    templates_cached = { env, css, script, csp: contentSecurityPolicy(css, script) };
    return templates_cached;
}

;// CONCATENATED MODULE: ./src/report/html.ts


/**
 * report.html: one self-contained page (inline CSS, inline SVG charts, one small inline script of
 * ours allowed by hash in the page's Content-Security-Policy). No request leaves the page, so it
 * works from file:// and as a downloaded artifact.
 */
function renderReportHtml(report, opts = {}) {
    const t = reportTemplates();
    const view = buildHtmlView(report, opts);
    return t.env.render('report.njk', { v: view, css: t.css, script: t.script, csp: t.csp });
}

;// CONCATENATED MODULE: ./src/report/summary-md.ts



const JOB_SUMMARY_BUDGET = { bytes: 1024 * 1024 };
const COMMENT_BUDGET = { chars: 60_000 };
const ICON = { PASS: '✅', WARN: '⚠️', FAIL: '❌', ERROR: '🛑', SKIPPED: '⏭️' };
const SEV_ICON = { CRITICAL: '🔴', HIGH: '🟠', MEDIUM: '🟡', LOW: '🔵', INFO: '⚪' };
const MAX_LINE = 400;
/**
 * Text from a report (engine output, messages, ids) as inert Markdown: one line, no HTML, no links,
 * no emphasis, no table breaks, no @mentions or #references that would ping people or link issues.
 */
function mdText(s, max = MAX_LINE) {
    let t = typeof s === 'string' ? s : s === undefined || s === null ? '' : String(s);
    t = t.replace(/[\r\n\t\f\v\u2028\u2029]+/g, ' ');
    if (t.length > max)
        t = `${cutText(t, max)}…`;
    // A bidi override would reorder the rest of the line as GitHub shows it ("LIAF" read as "FAIL").
    t = escapeControls(t);
    t = t
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/[\\`*_{}[\]|~$]/g, (c) => `\\${c}`)
        .replace(/#(?=\d)/g, '&#35;')
        .replace(/@/g, '&#64;')
        .replace(/:\/\//g, ':&#47;&#47;');
    // Block syntax only counts at the start of a line: a heading, a list item, a rule.
    return t.replace(/^(\s*)([#=+-]|\d+[.)])/, (_, sp, c) => `${sp}${c.slice(0, -1)}\\${c.slice(-1)}`);
}
function code(s) {
    // Our own short identifiers and paths; engine text never goes through here.
    return `\`${s.replace(/`/g, "'")}\``;
}
function summary_md_pct(x) {
    return typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : null;
}
function n(x) {
    return typeof x === 'number' && Number.isFinite(x) ? x.toLocaleString('en-US') : '–';
}
const summary_md_isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
function stageResult(name, s) {
    if (s.verdict === 'SKIPPED')
        return mdText(s.reason ?? 'skipped', 200);
    switch (name) {
        case 'sim':
            return `${n(s.passed)}/${n(s.total)} passed (${summary_md_pct(s.passRate) ?? '–'}), ${n(s.failed)} failed, ${n(s.errored)} errored, ${n(s.flaky)} flaky`;
        case 'load': {
            const m = summary_md_isObj(s.metrics) ? s.metrics : {};
            const d = summary_md_isObj(m.http_req_duration) ? m.http_req_duration : {};
            const f = summary_md_isObj(m.http_req_failed) ? m.http_req_failed : {};
            const reqs = summary_md_isObj(m.http_reqs) ? m.http_reqs.count : m.http_reqs;
            return `p95 ${typeof d['p(95)'] === 'number' ? `${n(Math.round(d['p(95)'] * 10) / 10)} ms` : '–'}, ${n(reqs)} requests, ${summary_md_pct(f.rate) ?? '–'} failed`;
        }
        case 'replay':
            return `determinism ${typeof s.determinismScore === 'number' ? n(Math.round(s.determinismScore * 10) / 10) : '–'} / 100`;
        case 'pipeline': {
            const checks = Array.isArray(s.checks) ? s.checks.filter(summary_md_isObj) : [];
            return `${checks.filter((c) => c.ok === true).length}/${checks.length} checks ok`;
        }
        default:
            return mdText(s.reason ?? '', 200);
    }
}
function findingLine(f) {
    const where = f.location ? ` ${code(`${f.location.file}:${f.location.line}`)}` : '';
    return `- ${SEV_ICON[f.severity] ?? ''} **${f.severity}** ${mdText(f.subsystem, 40)}${where}: ${mdText(f.message)}`;
}
class Budgeted {
    budget;
    parts = [];
    bytes = 0;
    chars = 0;
    constructor(budget) {
        this.budget = budget;
    }
    fits(line, reserve = 0) {
        const b = Buffer.byteLength(line, 'utf8') + 1;
        const c = line.length + 1;
        return (this.budget.bytes === undefined || this.bytes + b + reserve <= this.budget.bytes) && (this.budget.chars === undefined || this.chars + c + reserve <= this.budget.chars);
    }
    add(line) {
        this.parts.push(line);
        this.bytes += Buffer.byteLength(line, 'utf8') + 1;
        this.chars += line.length + 1;
    }
    /** Adds the lines all together or not at all. */
    addBlock(lines, reserve) {
        const text = lines.join('\n');
        if (!this.fits(text, reserve))
            return false;
        for (const l of lines)
            this.add(l);
        return true;
    }
    text() {
        return this.parts.join('\n') + '\n';
    }
}
function renderSummaryMarkdown(report, opts = {}) {
    const budget = opts.budget ?? JOB_SUMMARY_BUDGET;
    const links = {
        html: opts.links?.html !== undefined ? opts.links.html : report.artifacts?.html ?? null,
        report: opts.links?.report !== undefined ? opts.links.report : report.artifacts?.report ?? null,
        bundle: opts.links?.bundle !== undefined ? opts.links.bundle : report.artifacts?.bundle ?? null,
    };
    const bundleName = links.bundle ?? 'bundle.zip';
    const truncLine = (omitted) => `> **truncated:** ${omitted > 0 ? `${n(omitted)} more item${omitted === 1 ? '' : 's'} not shown; ` : ''}the full report is in the bundle (${mdLinkOrName('bundle.zip', links.bundle) || bundleName}).`;
    // Space kept for the truncation line and the links, so they always fit after the items.
    const linkLines = linksBlock(links);
    const reserve = Buffer.byteLength(truncLine(999_999_999) + '\n' + linkLines.join('\n'), 'utf8') + 8;
    const out = new Budgeted(budget);
    const stages = (report.stages ?? {});
    const head = [
        `## ${ICON[report.verdict] ?? ''} toron-testops: ${report.verdict}${report.verdict === 'ERROR' ? ' (not a test verdict)' : ''}`,
        '',
        `${mdText(report.reason, 1000)}`,
        '',
        `Run ${code(report.runId)} · engine ${mdText(report.engine?.kind, 40)} ${mdText(report.engine?.version ?? '', 80)} · ${n(Math.round((report.durationMs ?? 0) / 100) / 10)} s` +
            (report.shard ? ` · shard ${n(report.shard.index)}/${n(report.shard.total)}` : '') +
            (report.merged ? ` · merged from ${n(report.merged.shards.length)} of ${n(report.merged.total ?? 0)} shards` : ''),
    ];
    if (!out.addBlock(head, reserve)) {
        // A budget smaller than the verdict itself: the verdict line and the pointer to the bundle.
        const tiny = new Budgeted(budget);
        tiny.addBlock([`## toron-testops: ${report.verdict}`], 0);
        tiny.addBlock([truncLine(0)], 0);
        return { markdown: tiny.text(), truncated: true, listed: 0, omitted: report.warroom?.length ?? 0 };
    }
    let truncated = false;
    const table = ['', '| Stage | Verdict | Result |', '| --- | --- | --- |'];
    for (const name of [...STAGE_ORDER, ...Object.keys(stages).filter((k) => !STAGE_ORDER.includes(k))]) {
        const s = stages[name];
        if (!summary_md_isObj(s))
            continue;
        const v = String(s.verdict ?? '');
        table.push(`| ${mdText(name, 40)} | ${ICON[v] ?? ''} ${mdText(v, 20)} | ${stageResult(name, s)} |`);
    }
    if (!out.addBlock(table, reserve))
        truncated = true;
    const sim = stages.sim;
    const replay = stages.replay;
    const load = stages.load;
    const headline = [];
    if (summary_md_isObj(replay) && typeof replay.determinismScore === 'number')
        headline.push(`**Determinism** ${n(Math.round(replay.determinismScore * 10) / 10)} / 100`);
    const p95 = summary_md_isObj(load) && summary_md_isObj(load.metrics) && summary_md_isObj(load.metrics.http_req_duration) ? load.metrics.http_req_duration['p(95)'] : undefined;
    // Merged k6 runners: percentiles are upper bounds (src/merge/k6.ts).
    const bound = summary_md_isObj(load) && summary_md_isObj(load.metrics) && summary_md_isObj(load.metrics.http_req_duration) && Array.isArray(load.metrics.http_req_duration.upperBound) && load.metrics.http_req_duration.upperBound.includes('p(95)');
    if (typeof p95 === 'number')
        headline.push(`**p95** ${bound ? '≤ ' : ''}${n(Math.round(p95 * 10) / 10)} ms${bound ? ' (upper bound)' : ''}`);
    if (summary_md_isObj(sim) && sim.verdict !== 'SKIPPED' && summary_md_pct(sim.passRate))
        headline.push(`**SIM pass rate** ${summary_md_pct(sim.passRate)}`);
    const counts = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'].map((sev) => `${(report.warroom ?? []).filter((f) => f.severity === sev).length} ${sev}`);
    headline.push(`**WAR ROOM** ${counts.join(' · ')}`);
    if (!truncated && !out.addBlock(['', headline.join(' · ')], reserve))
        truncated = true;
    // Failing and warning items first, most severe first, with the dataset file:line they point at.
    const sorted = sortFindings(report.warroom ?? []);
    const failing = sorted.filter((f) => f.severity === 'CRITICAL' || f.severity === 'HIGH');
    const warning = sorted.filter((f) => f.severity === 'MEDIUM' || f.severity === 'LOW');
    const info = sorted.filter((f) => f.severity === 'INFO');
    const maxItems = opts.maxItems ?? Number.POSITIVE_INFINITY;
    let listed = 0;
    let omitted = 0;
    for (const [title, list] of [
        ['Failing', failing],
        ['Warnings', warning],
        ['Notes', info],
    ]) {
        if (list.length === 0)
            continue;
        if (truncated || !out.addBlock(['', `### ${title} (${n(list.length)})`, ''], reserve)) {
            truncated = true;
            omitted += list.length;
            continue;
        }
        for (const f of list) {
            if (truncated || listed >= maxItems || !out.addBlock([findingLine(f)], reserve)) {
                truncated = true;
                omitted++;
                continue;
            }
            listed++;
        }
    }
    if (truncated)
        out.add('\n' + truncLine(omitted));
    for (const l of linkLines)
        out.add(l);
    return { markdown: out.text(), truncated, listed, omitted };
}
function mdLinkOrName(label, href) {
    if (!href)
        return '';
    // Relative paths and http(s) URLs only; angle brackets keep spaces and parentheses inside the link.
    if (!/^(https?:\/\/|[^:]*$)/i.test(href))
        return label;
    return `[${label}](<${href.replace(/[<>\s]/g, encodeURIComponent)}>)`;
}
function linksBlock(links) {
    const items = [
        mdLinkOrName('report.html', links.html),
        mdLinkOrName('report.json', links.report),
        mdLinkOrName('bundle.zip', links.bundle),
    ].filter(Boolean);
    return items.length ? ['', `Reports: ${items.join(' · ')}`] : [];
}

;// CONCATENATED MODULE: ./src/report/finalise.ts






/** Number of earlier runs the trend charts show. */
const TREND_RUNS = 30;
function renderRunPages(report, opts = {}) {
    const errors = [];
    let html = null;
    let summary = null;
    try {
        html = renderReportHtml(report, { history: opts.history ?? [] });
    }
    catch (err) {
        errors.push(`report.html could not be rendered: ${errorMessage(err)}`);
    }
    try {
        summary = renderSummaryMarkdown(report, { budget: JOB_SUMMARY_BUDGET }).markdown;
    }
    catch (err) {
        errors.push(`summary.md could not be rendered: ${errorMessage(err)}`);
    }
    // A file that will not be written must not be named in report.json.
    if (html === null)
        report.artifacts.html = null;
    if (summary === null)
        report.artifacts.summary = null;
    return { html, summary, errors };
}
function writeRunPages(paths, pages) {
    if (pages.html !== null)
        writeFileAtomic(paths.html, pages.html);
    if (pages.summary !== null)
        writeFileAtomic(paths.summaryMd, pages.summary);
}
/** SOURCE_DATE_EPOCH for the run's bundle; a malformed value is reported and the default is used. */
function runBundleEpoch(env, warn) {
    try {
        return bundleEpoch(env);
    }
    catch (err) {
        warn(`${errorMessage(err)}; bundle.zip uses 1980-01-01 instead`);
        return DEFAULT_BUNDLE_EPOCH;
    }
}
/**
 * Step 5: builds bundle.zip from the (final) files of the run and records it in result.json. On
 * failure the run keeps its other files, and report.json and result.json stop naming the bundle.
 */
async function bundleRun(paths, epoch, writtenReport) {
    try {
        const bundle = await buildBundle(paths.reportDir, { env: { SOURCE_DATE_EPOCH: String(epoch) }, writtenReport });
        const result = JSON.parse(external_node_fs_default().readFileSync(paths.result, 'utf8'));
        result.bundle = { path: bundle.path, sha256: bundle.sha256, bytes: bundle.bytes, sourceDateEpoch: bundle.sourceDateEpoch, entries: bundle.entries };
        writeJsonAtomic(paths.result, result);
        writeFileAtomic(`${paths.bundle}.sha256`, sha256Line(bundle));
        return { bundle, error: null };
    }
    catch (err) {
        const error = `bundle.zip could not be built: ${errorMessage(err)}`;
        unnameBundle(paths);
        return { bundle: null, error };
    }
}
function unnameBundle(paths) {
    for (const file of [paths.report, paths.result]) {
        try {
            const raw = external_node_fs_default().readFileSync(file, 'utf8');
            const j = JSON.parse(raw);
            if (j.artifacts && j.artifacts.bundle !== null) {
                j.artifacts.bundle = null;
                writeJsonAtomic(file, j, { compact: !raw.startsWith('{\n') });
            }
        }
        catch {
            // nothing more can be done; the missing bundle is reported by the caller
        }
    }
    // A bundle.zip left by an earlier run under the same run id is not this run's.
    external_node_fs_default().rmSync(paths.bundle, { force: true });
    external_node_fs_default().rmSync(`${paths.bundle}.sha256`, { force: true });
}

// EXTERNAL MODULE: ./src/util/heap-flags.ts
var heap_flags = __webpack_require__(15866);
;// CONCATENATED MODULE: ./src/runner/finalise-run.ts








/**
 * The reason of a run cancelled before any stage ran (a queued server run, or a cancel during the
 * health check): the server shows such a run as CANCELLED (src/server/history.ts).
 */
const CANCELLED_BEFORE_START = 'ERROR (not a test verdict): the run was cancelled before any stage ran';
/** Reports of more cases than this are written without indentation (size and peak memory). */
const COMPACT_ABOVE_CASES = 5000;
/**
 * The finaliser of a run (the runner's and merge's): stage summaries, report.json, report.html,
 * summary.md, the run's warroom.log, result.json, then (the bus closed, run.log final) bundle.zip, and
 * the run's row in the store. Whatever happened before, it writes what the run has.
 */
async function finaliseRun(input) {
    const { settings, paths, bus, store, results, findings, runError, cancelled, log } = input;
    const finishedAt = new Date();
    // The stages' garbage goes before the reports and the bundle are built on top of it.
    (0,heap_flags/* collectGarbage */.iO)();
    const stageVerdicts = Object.values(results).map((r) => r.verdict);
    // A gate that checked nothing (`--stages pipeline` without sim, replay with nothing to replay) must
    // not pass. A shard whose slice is empty is the exception: merge judges the whole run.
    const nothingRan = !runError && !cancelled && !settings.shard && stageVerdicts.every((v) => v === 'SKIPPED');
    const verdict = runError || cancelled || nothingRan ? 'ERROR' : worstVerdict(stageVerdicts);
    const exitCode = exitCodeFor(verdict, settings.failOn);
    const reason = runError
        ? `ERROR (not a test verdict): ${runError.message}`
        : nothingRan
            ? `ERROR (not a test verdict): no stage ran, nothing was checked: ${skippedReasons(results, settings.stages)}`
            : cancelled
                ? Object.values(results).every((r) => r.verdict === 'SKIPPED')
                    ? CANCELLED_BEFORE_START
                    : 'ERROR (not a test verdict): the run was cancelled; results are partial'
                : verdictReason(results);
    let report = null;
    let writeError = null;
    try {
        await input.beforeReport?.();
        const simTotal = results.sim?.report?.total ?? 0;
        const compact = simTotal > COMPACT_ABOVE_CASES;
        for (const name of STAGE_ORDER) {
            const r = results[name];
            if (r?.summary !== undefined)
                writeJsonAtomic(summaryPath(paths, name), r.summary, { compact });
        }
        report = buildReport({
            settings,
            paths,
            verdict,
            reason,
            startedAt: input.startedAt,
            finishedAt,
            cancelled,
            error: runError,
            engine: input.engine,
            results,
            findings,
            planned: { html: true, summary: true, bundle: true },
            ...(input.ownSnapshot ? { ownSnapshot: input.ownSnapshot() } : {}),
        });
        input.decorateReport?.(report);
        // report.html and summary.md come from this report object; see src/report/finalise.ts for the order.
        const pages = renderRunPages(report, { history: store ? runHistory(store, log) : [] });
        for (const e of pages.errors)
            log('error', 'report', e);
        writeJsonAtomic(paths.report, report, { compact });
        writeRunPages(paths, pages);
        writeFileAtomic(paths.runWarroom, findings.map((f) => formatWarroomLine(f) + '\n').join(''));
        writeJsonAtomic(paths.result, buildResult(report, exitCode));
    }
    catch (err) {
        writeError = `could not write the report files in ${paths.reportDir}: ${errorMessage(err)}`;
        log('error', 'runner', writeError);
    }
    await input.afterWrite?.();
    const finalVerdict = writeError ? 'ERROR' : verdict;
    const finalExit = writeError ? 2 : exitCode;
    const bundleEpoch = runBundleEpoch(input.env, (m) => log('warn', 'report', m));
    bus.emit({ type: 'done', verdict: finalVerdict, exitCode: finalExit, reportDir: paths.reportDir });
    await bus.close(); // flushes the store sink's last case rows before the run row is closed
    // bundle.zip last: every file in it (run.log included) is final now.
    let bundle = null;
    if (report && !writeError) {
        const built = await bundleRun(paths, bundleEpoch, report);
        bundle = built.bundle;
        if (built.error) {
            report.artifacts.bundle = null;
            process.stderr.write(`toron-testops: ${built.error}\n`);
        }
    }
    if (store) {
        try {
            store.finishRun(settings.runId, {
                status: finalVerdict,
                verdict: finalVerdict,
                finishedAt: finishedAt.toISOString(),
                metrics: report ? buildResult(report, finalExit).metrics : undefined,
                paths: { result: paths.result, report: paths.report, bundle: report?.artifacts.bundle ? paths.bundle : null },
                reason,
                engine: { version: input.engine.version },
            });
        }
        catch (err) {
            process.stderr.write(`toron-testops: could not record the run in ${paths.db}: ${errorMessage(err)}\n`);
        }
        finally {
            store.close();
        }
    }
    return { runId: settings.runId, verdict: finalVerdict, exitCode: finalExit, paths, report, error: writeError ?? runError?.message ?? null, bundle };
}
/** Earlier runs' headline metrics for the report's trend charts; the report is written without them if the store fails. */
function runHistory(store, log) {
    try {
        return store.metricHistory(TREND_RUNS);
    }
    catch (err) {
        log('warn', 'report', `run history for the trend charts is not available: ${errorMessage(err)}`);
        return [];
    }
}
function summaryPath(paths, stage) {
    switch (stage) {
        case 'sim':
            return paths.simSummary;
        case 'load':
            return paths.loadSummary;
        case 'replay':
            return paths.replaySummary;
        case 'pipeline':
            return `${paths.reportDir}/pipeline_summary.json`;
    }
}
/** Why each requested stage was skipped. */
function skippedReasons(results, requested) {
    const parts = STAGE_ORDER.filter((name) => results[name] && requested.includes(name)).map((name) => `${name}: ${results[name].reason ?? 'skipped'}`);
    return parts.length ? parts.join('; ') : 'no stage was requested';
}
function verdictReason(results) {
    const parts = [];
    for (const name of STAGE_ORDER) {
        const r = results[name];
        if (r && r.verdict !== 'SKIPPED')
            parts.push(`${name} ${r.verdict}${r.reason ? ` (${r.reason})` : ''}`);
    }
    return parts.length ? parts.join('; ') : 'no stage ran';
}

;// CONCATENATED MODULE: ./src/runner/runner.ts




















/**
 * The MasterRunner: health check, stages in order, then always the finaliser, which writes whatever
 * the run has (stage summaries, report.json, result.json), ERROR and cancelled runs included.
 */
async function runPipeline(settings, opts = {}) {
    const signal = opts.signal ?? new AbortController().signal;
    const registry = opts.stages ?? STAGES;
    const paths = runPaths(settings.cwd, settings.out, settings.runId);
    const bus = new EventBus(settings.runId);
    for (const s of opts.sinks ?? [])
        bus.add(s);
    // Reports, run.log and WAR ROOM lines go into the bundle: no path of this machine in any of them.
    const scrub = pathScrubber(settings.cwd, paths.out, enginePaths(settings.engine.target));
    const startedAt = new Date();
    // Refused before the report folder is emptied: a baseline there, or the snapshot SIM is about to write, would be lost.
    const clash = settings.baseline ? baselineClash(settings.baseline, settings.cwd, { runId: settings.runId, ...paths }) : null;
    if (clash)
        return refuseToStart(bus, paths, settings.runId, clash);
    try {
        // A reused run id reproduces a run: its folder starts empty, not with the last run's files.
        external_node_fs_default().rmSync(paths.reportDir, { recursive: true, force: true });
        external_node_fs_default().mkdirSync(paths.reportDir, { recursive: true });
        bus.add(new RunLogSink(paths.runLog, scrub));
    }
    catch (err) {
        return refuseToStart(bus, paths, settings.runId, `cannot write ${paths.reportDir}: ${errorMessage(err)}`);
    }
    // The log appended across runs is history, like the store: trouble with it is a finding (raised
    // below), and the run's findings still land in its report folder's warroom.log, report.json and bundle.
    let warroomLogError = null;
    try {
        bus.add(new WarroomLogSink(paths.warroomLog));
    }
    catch (err) {
        warroomLogError = errorMessage(err);
    }
    const findings = [];
    const results = {};
    let runError = null;
    let engine = null;
    let engineVersion = null;
    let current = null;
    const log = (level, source, message) => bus.emit({ type: 'log', level, source, message });
    const raise = (f) => {
        const finding = {
            id: (0,external_node_crypto_.randomUUID)(),
            runId: settings.runId,
            timestamp: new Date().toISOString(),
            ...f,
            message: scrub(f.message),
            score: SEVERITY_SCORE[f.severity],
            remediation: scrub(f.remediation ?? catalogueEntry(f.type).remediation),
        };
        findings.push(finding);
        bus.emit({ type: 'warroom', finding });
    };
    // History is kept in SQLite; trouble with it is reported and never blocks the gate.
    const store = openStore(settings, paths, startedAt, bus, log, raise, scrub);
    for (const n of store?.notices ?? [])
        raise(n.finding);
    // After the store opens, so the finding is in its history too.
    if (warroomLogError !== null) {
        raise({
            type: 'warroom-log-unavailable',
            severity: 'HIGH',
            subsystem: 'warroom',
            message: `this run's findings are not appended to ${relPath(settings.cwd, paths.warroomLog)} (${warroomLogError}); they are in its report folder's warroom.log, report.json and bundle`,
        });
    }
    // The snapshot sees every SIM answer (an answer observer) and is written once SIM and load are done.
    const snapshot = createRunSnapshot(settings, paths, { log, record: store ? (row) => store.store.recordSnapshot(row) : undefined });
    // Whether this run wrote <out>/snapshots/<run_id>.json: one left there by an earlier run of the same id is not its.
    let snapshotWritten = false;
    let snapshotFailureRaised = false;
    const finishSnapshot = async () => {
        const written = await snapshot.finish({ results, engine: { kind: engine?.kind ?? 'unknown', version: engineVersion }, aborted: signal.aborted || runError !== null });
        if (written)
            snapshotWritten = true;
        // Said once: finish() is idempotent and its failure stays.
        if (snapshot.failure && !snapshotFailureRaised) {
            snapshotFailureRaised = true;
            raise({ type: 'snapshot-not-written', severity: 'HIGH', subsystem: 'snapshot', message: snapshot.failure });
        }
    };
    bus.emit({ type: 'status', status: 'RUNNING' });
    log('info', 'runner', `run ${settings.runId} started (stages: ${settings.stages.join(', ')}; config: ${settings.configFile ?? 'defaults'})`);
    try {
        if (signal.aborted) {
            // Cancelled before it started (a queued server run): no engine is started, every stage is skipped.
            log('warn', 'runner', `run cancelled before it started (${errorMessage(signal.reason ?? 'signal')})`);
            throw NOT_STARTED;
        }
        engine = createEngine(settings.engine, settings.reference, {
            log: (level, message) => log(level, 'engine', message),
            env: opts.env ?? process.env,
            cwd: settings.cwd,
            // Its failure messages go into stage results and reports as they are: no path of this machine.
            printable: scrub,
        });
        log('info', 'engine', `engine ${engine.kind} ${engine.target}: health check`);
        const health = await engine.health(signal);
        if (!health.ok && signal.aborted) {
            // A health check the cancellation stopped says nothing about the engine: only the cancellation is reported.
            log('warn', 'engine', `health check stopped: the run was cancelled (${health.message})`);
            throw NOT_STARTED;
        }
        if (!health.ok) {
            throw new WiringError(`engine unreachable: ${health.message}. Tried: ${health.tried.join('; ')}`);
        }
        // The engine's own words: an ESC or a bidi override in it must not reach a terminal or a report as it is.
        engineVersion = health.version != null ? escapeControls(health.version) : null;
        log('info', 'engine', `engine up${engineVersion ? `, version ${engineVersion}` : ''}: ${health.message}`);
        const versionFinding = engineVersionFinding(settings.engineVersion, engineVersion);
        if (versionFinding)
            raise(versionFinding);
        const base = {
            runId: settings.runId,
            settings,
            engine,
            paths,
            signal,
            env: opts.env ?? process.env,
            emit: (e) => bus.emit(e),
            log,
            raise,
            // The failure names the files it could not write: it goes into a stage's reason, so scrubbed.
            snapshotStatus: () => ({ written: snapshotWritten, failure: snapshot.failure === null ? null : scrub(snapshot.failure) }),
        };
        const answerObservers = settings.stages.includes('sim') ? [snapshot.observer] : [];
        for (const name of STAGE_ORDER) {
            const o = settings.stages.includes(name) ? registry[name]?.observeAnswers?.(base) : undefined;
            if (o)
                answerObservers.push(o);
        }
        const ctx = { ...base, answerObservers };
        for (const name of STAGE_ORDER) {
            if (!settings.stages.includes(name)) {
                results[name] = runner_skipped('not requested (--stages)');
                continue;
            }
            const stage = registry[name];
            if (!stage) {
                results[name] = runner_skipped('not available in this version of toron-testops');
                log('warn', name, `stage ${name} was requested but is not available in this version: SKIPPED`);
                continue;
            }
            if (signal.aborted) {
                results[name] = runner_skipped('run cancelled before this stage');
                continue;
            }
            if (name === 'replay' || name === 'pipeline')
                await finishSnapshot(); // replay reads it
            bus.emit({ type: 'subsystem', stage: name, state: 'started' });
            current = name;
            const result = markPartial(await stage.run(ctx, results), signal.aborted);
            current = null;
            results[name] = result;
            bus.emit({ type: 'subsystem', stage: name, state: 'finished', verdict: result.verdict, reason: result.reason });
        }
    }
    catch (err) {
        if (err !== NOT_STARTED)
            handleRunError(err);
        else
            skipAll(settings, results);
    }
    return finalise();
    function handleRunError(err) {
        const classified = classifyRunError(err);
        runError = { kind: classified.kind, message: scrub(classified.message) };
        log('error', 'runner', runError.message);
        if (current) {
            results[current] = { verdict: 'ERROR', reason: runError.message, report: {} };
            bus.emit({ type: 'subsystem', stage: current, state: 'finished', verdict: 'ERROR', reason: runError.message });
        }
        raise({
            type: runError.kind === 'engine' ? 'engine-unreachable' : 'run-error',
            severity: 'CRITICAL',
            subsystem: runError.kind === 'engine' ? 'engine' : 'runner',
            message: runError.message,
            ...(err instanceof InputError && err.file ? { location: { file: err.file, line: err.line ?? 1 } } : {}),
        });
    }
    // Finalise: whatever happened above, write what the run has (src/runner/finalise-run.ts).
    async function finalise() {
        if (signal.aborted) {
            raise({ type: 'run-cancelled', severity: 'HIGH', subsystem: 'runner', message: `run cancelled (${errorMessage(signal.reason ?? 'signal')}): results are partial` });
        }
        return finaliseRun({
            settings,
            paths,
            bus,
            store: store?.store ?? null,
            startedAt,
            results,
            findings,
            runError,
            cancelled: signal.aborted,
            engine: { kind: engine?.kind ?? 'unknown', target: engine ? scrub(engine.target) : '(not created)', version: engineVersion, profile: settings.engine.profile },
            env: opts.env ?? process.env,
            log,
            beforeReport: finishSnapshot,
            ownSnapshot: () => snapshotWritten,
            afterWrite: async () => {
                await engine?.close().catch((err) => log('warn', 'engine', `closing the engine failed: ${errorMessage(err)}`));
            },
        });
    }
}
/** Thrown inside the run when it was cancelled before its first stage (not an error: nothing is raised). */
const NOT_STARTED = Symbol('cancelled before the first stage');
/** A run that cannot start writes nothing: ERROR, said on the sinks given. */
async function refuseToStart(bus, paths, runId, message) {
    bus.emit({ type: 'log', level: 'error', source: 'runner', message });
    bus.emit({ type: 'done', verdict: 'ERROR', exitCode: 2, reportDir: paths.reportDir });
    await bus.close();
    return { runId, verdict: 'ERROR', exitCode: 2, paths, report: null, error: message };
}
/** Every stage SKIPPED: a run cancelled before its first stage. */
function skipAll(settings, results) {
    for (const name of STAGE_ORDER)
        results[name] = runner_skipped(settings.stages.includes(name) ? 'run cancelled before this stage' : 'not requested (--stages)');
}
/**
 * A stage that ran while the run was cancelled keeps its verdict (what it saw is what it saw) but says
 * first that it is partial, so its verdict is not read as a finished stage's: its reason leads with
 * "cancelled:" and its report has `cancelled: true`. A stage that knows better (it finished all its
 * work before the signal) says so with `partial: false`.
 */
function markPartial(result, aborted) {
    const partial = result.partial ?? aborted;
    if (!partial || result.verdict === 'SKIPPED')
        return result;
    const reason = result.reason ?? '';
    return {
        ...result,
        reason: /^cancelled\b/.test(reason) ? reason : `cancelled, partial results: ${reason || result.verdict}`,
        report: { ...result.report, cancelled: true },
    };
}
/** Opens the history store and registers the run; null (with a logged reason) when no database can be had. */
function openStore(settings, paths, startedAt, bus, log, raise, scrub) {
    try {
        const opened = Store.open(paths.db, { outDir: paths.out, log: (level, message) => log(level, 'store', message) });
        let kind = 'unknown';
        try {
            kind = parseEngineSpec(settings.engine.target).kind;
        }
        catch {
            // a bad spec is reported by the engine step; the history row still gets the run
        }
        opened.store.beginRun({
            runId: settings.runId,
            startedAt: startedAt.toISOString(),
            // Scrubbed as report.json's is: an ABORTED run's result.json is written from this row.
            engine: { kind, target: scrub(redactTarget(settings.engine.target)), profile: settings.engine.profile },
        });
        bus.add(new StoreSink(opened.store, { onError: (message) => log('warn', 'store', message) }));
        return opened;
    }
    catch (err) {
        raise({
            type: 'store-unavailable',
            severity: 'HIGH',
            subsystem: 'store',
            message: `run history is not kept for this run (${paths.db}): ${errorMessage(err)}`,
        });
        return null;
    }
}
function runner_skipped(reason) {
    return { verdict: 'SKIPPED', reason, report: {} };
}
function classifyRunError(err) {
    if (err instanceof InputError)
        return { kind: 'input', message: err.message };
    if (err instanceof WiringError)
        return { kind: 'engine', message: err.message };
    return { kind: 'internal', message: `internal error: ${err instanceof Error ? portableStack(err.stack ?? err.message) : String(err)}` };
}
/**
 * A stack trace as a report may carry it: each frame's file by its name alone. The frames name where
 * toron-testops is installed (a runner's `_actions` folder, a global npm prefix), which the working
 * directory scrubber does not cover, and no report may name a path of the machine (DESIGN §3.3).
 */
function portableStack(stack) {
    return stack.replace(/(?<=^|[\s(])(?:file:\/\/)?(?:[A-Za-z]:)?[\\/](?:[^\s()'"]*[\\/])?([^\s()'"\\/]+:\d+(?::\d+)?)/gm, '$1');
}

;// CONCATENATED MODULE: ./src/runner/sinks/console.ts

/**
 * The console: logs, stage transitions, progress (done/total, rate, failures so far), CRITICAL and
 * HIGH findings as they happen. Case results are not printed one by one; their count is in progress.
 */
class ConsoleSink {
    opts;
    name = 'console';
    write;
    constructor(opts = {}) {
        this.opts = opts;
        this.write = opts.write ?? ((s) => process.stdout.write(s));
    }
    handle(e) {
        const line = this.format(e);
        // Messages carry engine and dataset text: a terminal escape in one must be shown, not obeyed.
        if (line !== null)
            this.write(escapeControls(line) + '\n');
    }
    format(e) {
        switch (e.type) {
            case 'log':
                if (e.level === 'debug' && !this.opts.verbose)
                    return null;
                return `${e.level === 'info' ? '' : `${e.level.toUpperCase()}: `}[${e.source}] ${e.message}`;
            case 'subsystem':
                return e.state === 'started' ? `▶ ${e.stage}` : `■ ${e.stage}: ${e.verdict}${e.reason ? ` (${e.reason})` : ''}`;
            case 'progress': {
                const pct = e.total ? ((100 * e.done) / e.total).toFixed(0) : '100';
                return `  ${e.stage} ${e.done}/${e.total} (${pct}%) ${e.ratePerSec}/s, failures ${e.failures}, engine errors ${e.errors}${loadExtras(e)}`;
            }
            case 'warroom': {
                const f = e.finding;
                if (f.severity !== 'CRITICAL' && f.severity !== 'HIGH')
                    return null;
                const at = f.location ? ` ${f.location.file}:${f.location.line}` : '';
                return `  ${f.severity} ${f.subsystem}${at}: ${f.message}`;
            }
            case 'case':
            case 'status':
                return null;
            case 'done':
                return null; // the CLI prints the verdict block itself
        }
    }
}
/** The load stage's extra progress fields (p95 so far, dropped, in flight), when present. */
function loadExtras(e) {
    let out = '';
    if (e.p95Ms !== undefined)
        out += `, p95 ${e.p95Ms} ms`;
    if (e.dropped !== undefined)
        out += `, dropped ${e.dropped}`;
    if (e.inFlight !== undefined)
        out += `, in flight ${e.inFlight}`;
    return out;
}

;// CONCATENATED MODULE: ./src/compare/cases.ts




/**
 * Per-case comparison of a candidate with its baseline (pure). Answers are compared in canonical
 * form with the union of both sides' ignorePaths: a field one side ignored (a clock, a request id)
 * must not count as a change just because the other side kept it.
 */
/** The key of a case across sides (and of the drift map). */
const caseKey = (c) => `${c.dataset}\u0000${c.id}`;
const keyOf = caseKey;
function passChange(baseline, candidate) {
    if (baseline === null || candidate === null)
        return 'unknown';
    if (baseline && !candidate)
        return 'regressed';
    if (!baseline && candidate)
        return 'fixed';
    return baseline ? 'passing' : 'failing';
}
/** What a side answered, comparable across sides: the canonical answer, or the engine error's kind. */
function outcomeKey(side, ignore) {
    if (side.error !== undefined || side.answer === undefined)
        return `error:${side.error ?? 'no answer'}`;
    return `answer:${canonicalJson(side.answer, ignore)}`;
}
function compareCase(baseline, candidate, drift) {
    const any = (candidate ?? baseline);
    const location = candidate?.location ?? baseline?.location;
    const base = {
        dataset: any.dataset,
        id: any.id,
        latencyMs: { baseline: baseline?.latencyMs ?? null, candidate: candidate?.latencyMs ?? null },
        ...(location ? { location } : {}),
    };
    const errors = {
        ...(baseline?.error !== undefined ? { baseline: baseline.error } : {}),
        ...(candidate?.error !== undefined ? { candidate: candidate.error } : {}),
    };
    const withErrors = Object.keys(errors).length ? { errors } : {};
    if (!candidate || !baseline || candidate.inputKey !== baseline.inputKey) {
        // A case whose input was edited is another question: new, never "changed" or "regressed".
        const status = !candidate ? 'removed' : 'new';
        return {
            ...base,
            status,
            pass: { baseline: status === 'removed' ? (baseline?.passed ?? null) : null, candidate: candidate?.passed ?? null, change: 'unknown' },
            similarity: null,
            ...withErrors,
        };
    }
    const pass = { baseline: baseline.passed, candidate: candidate.passed, change: passChange(baseline.passed, candidate.passed) };
    const sameSeed = baseline.seed === null || candidate.seed === null || baseline.seed === candidate.seed;
    if (!sameSeed && drift && drift.status !== 'new' && drift.status !== 'removed') {
        // Other seeds: a seeded engine answers them differently, which is not a change. The candidate's
        // replay asked the baseline's own requests (its probes); its drift verdict is the fair one.
        const at = drift.diff?.find((d) => d.pointer === candidate.answerPointer);
        return {
            ...base,
            status: drift.status,
            pass,
            similarity: drift.status === 'unchanged' ? 1 : (at?.similarity ?? null),
            ...(drift.status === 'changed' && drift.diff?.[0] ? { firstDifference: drift.diff[0].pointer } : {}),
            basis: 'replay-drift',
            ...withErrors,
        };
    }
    // Each side's answer is stored with its own ignorePaths left out: only the other side's are applied
    // (leaving an array item out twice would drop the item that moved up into its place).
    const union = unionPaths(baseline.ignorePaths, candidate.ignorePaths);
    const under = (side) => compileIgnorePaths(union.filter((p) => !side.ignorePaths.includes(p)));
    const [bIgnore, cIgnore] = [under(baseline), under(candidate)];
    const same = outcomeKey(baseline, bIgnore) === outcomeKey(candidate, cIgnore);
    const similarity = baseline.answerText !== null && candidate.answerText !== null ? textSimilarity(baseline.answerText, candidate.answerText) : null;
    let firstDifference;
    if (!same && baseline.answer !== undefined && candidate.answer !== undefined && !baseline.error && !candidate.error) {
        const d = firstDivergence(JSON.parse(canonicalJson(baseline.answer, bIgnore)), JSON.parse(canonicalJson(candidate.answer, cIgnore)));
        if (d)
            firstDifference = d.pointer;
    }
    return {
        ...base,
        status: same ? 'unchanged' : 'changed',
        pass,
        similarity,
        ...(firstDifference !== undefined ? { firstDifference } : {}),
        basis: sameSeed ? 'snapshots' : 'snapshots-other-seeds',
        ...withErrors,
    };
}
/** Every case of either side, in the candidate's order, then the baseline's removed cases in theirs. */
function compareCases(baseline, candidate, drift) {
    const byKey = new Map(baseline.map((b) => [keyOf(b), b]));
    const seen = new Set();
    const out = [];
    for (const c of candidate) {
        const k = keyOf(c);
        if (seen.has(k))
            continue; // a snapshot holds one answer per case; duplicates would double count
        seen.add(k);
        out.push(compareCase(byKey.get(k), c, drift?.get(k)));
    }
    for (const b of baseline) {
        const k = keyOf(b);
        if (seen.has(k))
            continue;
        seen.add(k);
        out.push(compareCase(b, undefined));
    }
    return out;
}
function countCases(cases) {
    const c = { unchanged: 0, changed: 0, new: 0, removed: 0, noise: 0, regressed: 0, fixed: 0, compared: 0 };
    for (const x of cases) {
        c[x.status]++;
        if (x.status === 'unchanged' || x.status === 'changed' || x.status === 'noise')
            c.compared++;
        if (x.pass.change === 'regressed')
            c.regressed++;
        if (x.pass.change === 'fixed')
            c.fixed++;
    }
    return c;
}
/** True when at least one compared case has pass data on both sides (else "regressions" is not available). */
function hasPassData(cases) {
    return cases.some((c) => c.status !== 'new' && c.status !== 'removed' && c.pass.change !== 'unknown');
}

;// CONCATENATED MODULE: ./src/compare/findings.ts



/** WAR ROOM findings of a comparison: one per broken rule, one per regressed case, one per unreadable side. */
const RULE_FINDING_TYPE = {
    regressions: 'compare-regressions',
    passRateDrop: 'compare-pass-rate-drop',
    p95Increase: 'compare-p95-increase',
    errorRateIncrease: 'compare-error-rate-increase',
    determinismDrop: 'compare-determinism-drop',
    changedAnswers: 'compare-answers-changed',
    removedCases: 'compare-cases-removed',
};
/** Per-case regression findings beyond this many are left to the rule's finding and comparison.md. */
const CASE_FINDINGS_MAX = 50;
function makeFinding(runId, f, now = new Date()) {
    return {
        id: (0,external_node_crypto_.randomUUID)(),
        runId,
        type: f.type,
        severity: f.severity,
        score: SEVERITY_SCORE[f.severity],
        subsystem: 'compare',
        message: f.message,
        remediation: catalogueEntry(f.type).remediation,
        ...(f.caseId !== undefined ? { caseId: f.caseId } : {}),
        ...(f.location ? { location: f.location } : {}),
        timestamp: now.toISOString(),
    };
}
/** error-level rules are HIGH (they fail the gate), warn-level MEDIUM. */
function ruleFindings(rules, cases) {
    const out = [];
    for (const r of rules) {
        if (r.status !== 'broken')
            continue;
        out.push({ type: RULE_FINDING_TYPE[r.name], severity: r.level === 'error' ? 'HIGH' : 'MEDIUM', message: r.message });
        if (r.name === 'regressions') {
            for (const c of cases.filter((x) => x.pass.change === 'regressed').slice(0, CASE_FINDINGS_MAX)) {
                out.push({
                    type: 'compare-case-regressed',
                    severity: r.level === 'error' ? 'HIGH' : 'MEDIUM',
                    message: `${c.dataset}/${c.id} passed on the baseline and fails on the candidate${c.errors?.candidate ? ` (engine error: ${c.errors.candidate})` : ''}`,
                    caseId: c.id,
                    ...(c.location ? { location: c.location } : {}),
                });
            }
        }
    }
    return out;
}

;// CONCATENATED MODULE: ./src/compare/markdown.ts
/** Rows per case list in comparison.md; the rest is counted (comparison.json has them all). */
const MD_ROWS_MAX = 100;
const NA = 'not available';
function cell(text) {
    return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
function markdown_n(v, unit = '') {
    return v === null ? NA : `${v}${unit}`;
}
function signed(v, unit = '') {
    if (v === null)
        return NA;
    return `${v > 0 ? '+' : ''}${v}${unit}`;
}
function where(c) {
    return c.location ? `${c.location.file}:${c.location.line}` : '';
}
function metricRow(name, m, unit, pointsUnit) {
    return `| ${name} | ${markdown_n(m.baseline, unit)} | ${markdown_n(m.candidate, unit)} | ${signed(m.delta, pointsUnit)} | ${signed(m.deltaPct, '%')} |`;
}
function caseTable(title, rows, cols) {
    if (rows.length === 0)
        return [];
    const out = [`### ${title} (${rows.length})`, '', `| case | file:line | ${cols.map((c) => c.head).join(' | ')} |`, `|---|---|${cols.map(() => '---').join('|')}|`];
    for (const c of rows.slice(0, MD_ROWS_MAX))
        out.push(`| ${cell(`${c.dataset}/${c.id}`)} | ${cell(where(c))} | ${cols.map((x) => cell(x.value(c))).join(' | ')} |`);
    if (rows.length > MD_ROWS_MAX)
        out.push('', `… and ${rows.length - MD_ROWS_MAX} more (comparison.json lists every case).`);
    out.push('');
    return out;
}
const sim = (c) => (c.similarity === null ? NA : c.similarity.toFixed(4));
const lat = (c) => `${markdown_n(c.latencyMs.baseline, ' ms')} → ${markdown_n(c.latencyMs.candidate, ' ms')}`;
const err = (c) => [c.errors?.baseline ? `baseline: ${c.errors.baseline}` : '', c.errors?.candidate ? `candidate: ${c.errors.candidate}` : ''].filter(Boolean).join('; ');
/** comparison.md: the headline, the sides, the deltas, the rules, then the cases that moved. */
function comparisonMarkdown(c, _where) {
    const lines = [];
    const side = (s) => `${cell(s.spec)}${s.version ? ` (version ${cell(s.version)} of the engine map)` : ''}${s.engine ? ` — ${s.engine.version ? cell(s.engine.version) : `${s.engine.kind}, version not reported`}, profile ${s.engine.profile}` : ''}`;
    lines.push(`# Staging gate: ${c.verdict}, promote ${c.promote ? 'yes' : 'no'}`, '');
    lines.push(`${cell(c.reason)}`, '');
    lines.push('| | candidate | baseline |', '|---|---|---|');
    lines.push(`| engine | ${side(c.candidate)} | ${side(c.baseline)} |`);
    lines.push(`| kind | ${c.candidate.kind} | ${c.baseline.kind} |`);
    lines.push(`| run | ${c.candidate.runId ?? NA} | ${c.baseline.runId ?? NA} |`);
    lines.push(`| verdict | ${c.candidate.verdict ?? NA} | ${c.baseline.verdict ?? (c.baseline.kind === 'snapshot' ? 'not run (snapshot)' : NA)} |`);
    lines.push(`| report | ${c.candidate.reportDir ?? NA} | ${c.baseline.reportDir ?? NA} |`);
    lines.push(`| snapshot | ${c.candidate.snapshot ?? NA} | ${c.baseline.snapshot ?? NA} |`);
    lines.push('', `Comparison verdict: **${c.comparisonVerdict}**; candidate verdict: **${c.candidate.verdict ?? NA}**; combined: **${c.verdict}**.`, '');
    lines.push('## Deltas', '', '| metric | baseline | candidate | delta | delta % |', '|---|---|---|---|---|');
    lines.push(metricRow('SIM pass rate', c.metrics.passRate, '%', ' pts'));
    lines.push(metricRow('load p95', c.metrics.p95Ms, ' ms', ' ms'));
    lines.push(metricRow('load error rate', c.metrics.errorRate, '%', ' pts'));
    lines.push(metricRow('determinism score', c.metrics.determinismScore, '', ' pts'));
    const k = c.counts;
    lines.push('', `Cases: ${k.unchanged} unchanged, ${k.changed} changed, ${k.new} new, ${k.removed} removed; ${k.regressed} regressed (pass → fail), ${k.fixed} fixed (fail → pass).`, '');
    lines.push('## Rules', '', '| rule | level | max | value | status |', '|---|---|---|---|---|');
    for (const r of c.rules)
        lines.push(`| ${r.name} | ${r.level} | ${r.max} | ${r.value === null ? NA : `${r.value}${r.unit === '%' ? '%' : r.unit ? ` ${r.unit}` : ''}`} | ${r.status === 'broken' ? '**broken**' : r.status} |`);
    lines.push('');
    if (c.findings.length > 0) {
        lines.push('## Findings', '', '| severity | type | message |', '|---|---|---|');
        for (const f of c.findings)
            lines.push(`| ${f.severity} | ${f.type} | ${cell(f.message)}${f.location ? ` (${cell(`${f.location.file}:${f.location.line}`)})` : ''} |`);
        lines.push('');
    }
    lines.push('## Cases', '');
    lines.push(...caseTable('Regressed (pass → fail)', c.cases.filter((x) => x.pass.change === 'regressed'), [{ head: 'answer', value: (x) => x.status }, { head: 'similarity', value: sim }, { head: 'errors', value: err }]));
    lines.push(...caseTable('Fixed (fail → pass)', c.cases.filter((x) => x.pass.change === 'fixed'), [{ head: 'answer', value: (x) => x.status }, { head: 'similarity', value: sim }]));
    lines.push(...caseTable('Changed answers', c.cases.filter((x) => x.status === 'changed'), [
        { head: 'first difference', value: (x) => x.firstDifference ?? '' },
        { head: 'similarity', value: sim },
        { head: 'latency', value: lat },
        { head: 'errors', value: err },
    ]));
    lines.push(...caseTable('New cases', c.cases.filter((x) => x.status === 'new'), [{ head: 'candidate passed', value: (x) => (x.pass.candidate === null ? NA : String(x.pass.candidate)) }]));
    lines.push(...caseTable('Removed cases', c.cases.filter((x) => x.status === 'removed'), [{ head: 'baseline passed', value: (x) => (x.pass.baseline === null ? NA : String(x.pass.baseline)) }]));
    if (c.cases.length === 0)
        lines.push('No per-case comparison (see the reason above).', '');
    if (c.notes.length)
        lines.push('## Notes', '', ...c.notes.map((x) => `- ${x}`), '');
    return lines.join('\n');
}

;// CONCATENATED MODULE: ./src/compare/metrics.ts
/** Two decimals: deltas are read by people; the sides keep their own precision. */
const r2 = (x) => Math.round(x * 100) / 100;
/** A metric on both sides and its delta; a missing side makes the delta null ("not available"). */
function metricDelta(baseline, candidate) {
    const b = typeof baseline === 'number' && Number.isFinite(baseline) ? baseline : null;
    const c = typeof candidate === 'number' && Number.isFinite(candidate) ? candidate : null;
    const delta = b !== null && c !== null ? r2(c - b) : null;
    const deltaPct = b !== null && c !== null && b !== 0 ? r2((100 * (c - b)) / b) : null;
    return { baseline: b, candidate: c, delta, deltaPct };
}
const NO_METRICS = { passRate: null, p95Ms: null, errorRate: null, determinismScore: null };
function metrics_num(v) {
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function rec(v) {
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
}
/** Load metrics under k6 names (DESIGN §4.3): p95 of http_req_duration, http_req_failed's rate. */
function loadNumbers(metrics) {
    const m = rec(metrics);
    const p95 = metrics_num(rec(m?.http_req_duration)?.['p(95)']);
    const failed = metrics_num(rec(m?.http_req_failed)?.rate);
    return { p95Ms: p95, errorRate: failed === null ? null : r4(failed * 100) };
}
const r4 = (x) => Math.round(x * 1e4) / 1e4;
/** A report.json's stages (DESIGN §3.3): stages that were skipped or errored give nulls. */
function reportMetrics(stages) {
    const s = rec(stages);
    const ran = (name) => {
        const st = rec(s?.[name]);
        return st && st.verdict !== 'SKIPPED' && st.verdict !== 'ERROR' ? st : null;
    };
    const sim = ran('sim');
    const load = ran('load');
    const replay = ran('replay');
    const passRate = metrics_num(sim?.passRate);
    const l = loadNumbers(load?.metrics);
    return {
        passRate: passRate === null ? null : r4(passRate * 100),
        p95Ms: l.p95Ms,
        errorRate: l.errorRate,
        determinismScore: metrics_num(replay?.determinismScore),
    };
}
/** A snapshot header's metrics (no determinism: a snapshot is written before its run's replay). */
function snapshotMetrics(metrics) {
    const m = rec(metrics);
    const passRate = metrics_num(rec(m?.sim)?.passRate);
    const l = loadNumbers(rec(m?.load)?.metrics);
    return { passRate: passRate === null ? null : r4(passRate * 100), p95Ms: l.p95Ms, errorRate: l.errorRate, determinismScore: null };
}
/** The report's number where there is one, else the snapshot's. */
function preferFirst(a, b) {
    return {
        passRate: a.passRate ?? b.passRate,
        p95Ms: a.p95Ms ?? b.p95Ms,
        errorRate: a.errorRate ?? b.errorRate,
        determinismScore: a.determinismScore ?? b.determinismScore,
    };
}

;// CONCATENATED MODULE: ./src/compare/rules.ts

const neg = (x) => (x === null ? null : rules_round2(-x));
const rules_round2 = (x) => Math.round(x * 100) / 100;
const COMPARE_RULES = {
    regressions: {
        unit: 'cases',
        what: 'cases that passed on the baseline and fail on the candidate',
        value: (i) => (i.passData ? i.counts.regressed : null),
        missing: 'the baseline has no per-case pass/fail data (a snapshot without its report)',
    },
    passRateDrop: {
        unit: 'points',
        what: 'SIM pass rate drop',
        value: (i) => neg(i.metrics.passRate.delta),
        missing: 'a side has no SIM pass rate',
    },
    p95Increase: {
        unit: '%',
        what: 'load p95 latency increase',
        value: (i) => i.metrics.p95Ms.deltaPct,
        missing: 'a side has no load p95 (load did not run, or the baseline p95 is 0)',
    },
    errorRateIncrease: {
        unit: 'points',
        what: 'load error rate increase',
        value: (i) => i.metrics.errorRate.delta,
        missing: 'a side has no load error rate (load did not run)',
    },
    determinismDrop: {
        unit: 'points',
        what: 'determinism score drop',
        value: (i) => neg(i.metrics.determinismScore.delta),
        missing: 'a side has no determinism score (replay did not run, or the baseline is a snapshot without its report)',
    },
    changedAnswers: {
        unit: '%',
        what: 'share of compared cases whose answer changed',
        value: (i) => (i.counts.compared > 0 ? rules_round2((100 * i.counts.changed) / i.counts.compared) : null),
        missing: 'no case is on both sides',
    },
    removedCases: {
        unit: 'cases',
        what: 'baseline cases missing from the candidate run',
        value: (i) => i.counts.removed,
        missing: '',
    },
};
const RULE_ORDER = Object.keys(COMPARE_RULES);
function evaluateRules(input, settings) {
    return RULE_ORDER.map((name) => {
        const def = COMPARE_RULES[name];
        const { level, max } = settings.rules[name];
        const base = { name, level, max, unit: def.unit };
        if (level === 'off')
            return { ...base, value: null, status: 'off', message: `${def.what}: rule off` };
        const value = def.value(input);
        if (value === null)
            return { ...base, value, status: 'not-available', message: `${def.what}: not available (${def.missing})` };
        const shown = `${value}${def.unit === '%' ? '%' : ` ${def.unit}`}`;
        if (name === 'p95Increase') {
            // A percentage of a few ms is noise: the increase must also be at least minMs.
            const minMs = settings.rules[name].minMs ?? 0;
            const ms = input.metrics.p95Ms.delta ?? 0;
            const broken = value > max && ms >= minMs;
            const why = value > max && !broken ? `above max ${max} but only +${ms} ms, under minMs ${minMs}` : `${broken ? 'above' : 'within'} max ${max}`;
            return { ...base, minMs, value, status: broken ? 'broken' : 'ok', message: `${def.what}: ${shown}, +${ms} ms (${why}, level ${level})` };
        }
        const broken = value > max;
        return {
            ...base,
            value,
            status: broken ? 'broken' : 'ok',
            message: `${def.what}: ${shown} (${broken ? 'above' : 'within'} max ${max}, level ${level})`,
        };
    });
}
/** The comparison's own verdict: the worst level of its broken rules (error FAIL, warn WARN). */
function rulesVerdict(rules) {
    return worstVerdict(rules.filter((r) => r.status === 'broken').map((r) => (r.level === 'error' ? 'FAIL' : 'WARN')));
}
/**
 * promote (issue 10): true only when the candidate's verdict combined with the comparison's is PASS
 * or WARN and no CRITICAL finding was raised, by the candidate run or by the comparison.
 */
function promoteDecision(verdict, criticalFindings) {
    return (verdict === 'PASS' || verdict === 'WARN') && criticalFindings === 0;
}
/** The overall verdict: a side that could not be read makes it ERROR; otherwise the worst of both. */
function combinedVerdict(candidate, comparison) {
    return worstVerdict([candidate, comparison]);
}

;// CONCATENATED MODULE: ./src/compare/sides.ts










/** report.json's `stages.replay.drift.cases` by case key; null when the replay had no baseline. */
function driftByCase(report) {
    const drift = sides_rec(sides_rec(sides_rec(sides_rec(report)?.stages)?.replay)?.drift);
    if (!drift || !Array.isArray(drift.cases))
        return null;
    const m = new Map();
    for (const c of drift.cases) {
        const r = sides_rec(c);
        if (!r || typeof r.dataset !== 'string' || typeof r.id !== 'string' || typeof r.status !== 'string')
            continue;
        const diff = Array.isArray(r.diff)
            ? r.diff.flatMap((d) => {
                const x = sides_rec(d);
                return x && typeof x.pointer === 'string' ? [{ pointer: x.pointer, ...(typeof x.similarity === 'number' || x.similarity === null ? { similarity: x.similarity } : {}) }] : [];
            })
            : undefined;
        m.set(sides_keyOf(r.dataset, r.id), { status: r.status, ...(diff ? { diff } : {}) });
    }
    return m;
}
const sides_keyOf = (dataset, id) => `${dataset}\u0000${id}`;
function sides_rec(v) {
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
}
/** The answer text as a profile reads it: the field itself when text, its canonical JSON otherwise. */
function answerText(answer, profile, custom) {
    if (answer === undefined)
        return { text: null };
    let pointer;
    try {
        pointer = answerPointer(answer, profile, custom);
    }
    catch {
        return { text: null }; // a shape the profile cannot read has no answer text; the canonical comparison still runs
    }
    const got = getAtPointer(answer, pointer);
    if (!got.found)
        return { text: null, pointer };
    return { text: typeof got.value === 'string' ? got.value : canonicalJson(got.value), pointer };
}
/** Per-case SIM pass/fail from a report's `stages.sim.cases` (null: SIM did not run or report is absent). */
function passByCase(report) {
    const sim = sides_rec(sides_rec(sides_rec(report)?.stages)?.sim);
    if (!sim || !Array.isArray(sim.cases) || sim.verdict === 'SKIPPED')
        return null;
    const m = new Map();
    for (const c of sim.cases) {
        const r = sides_rec(c);
        if (r && typeof r.dataset === 'string' && typeof r.id === 'string' && typeof r.passed === 'boolean')
            m.set(sides_keyOf(r.dataset, r.id), r.passed);
    }
    return m;
}
function casesOfSnapshot(snap, opts) {
    return snap.entries.map((e, i) => {
        const answer = e.status === 'ok' ? snap.readAnswer(i) : undefined;
        const text = answerText(answer, opts.profile, opts.custom);
        return {
            dataset: e.dataset,
            id: e.id,
            inputKey: canonicalJson(e.input),
            seed: typeof e.seed === 'number' ? e.seed : null,
            ...(text.pointer !== undefined ? { answerPointer: text.pointer } : {}),
            ...(answer !== undefined ? { answer } : { error: e.error?.kind ?? 'error' }),
            ignorePaths: e.ignorePaths ?? [],
            answerText: text.text,
            passed: opts.pass?.get(sides_keyOf(e.dataset, e.id)) ?? null,
            latencyMs: typeof e.latencyMs === 'number' ? e.latencyMs : null,
            ...(e.location ? { location: e.location } : {}),
        };
    });
}
/** A side that ran through the pipeline here: its report and its snapshot. */
function sideOfRun(run, custom) {
    const report = run.report;
    const engine = report ? { ...report.engine } : null;
    const metrics = report ? reportMetrics(report.stages) : NO_METRICS;
    const pass = passByCase(report);
    const notes = [];
    if (!report?.artifacts.snapshot || !external_node_fs_default().existsSync(run.paths.snapshot)) {
        notes.push(`run ${run.runId} wrote no snapshot (SIM did not run or did not complete): no per-case comparison`);
        return { cases: [], metrics, hasPassData: false, runId: run.runId, engine, notes, drift: driftByCase(report) };
    }
    const snap = openSnapshot(run.paths.snapshot);
    try {
        const profile = report.engine.profile ?? 'auto';
        return { cases: casesOfSnapshot(snap, { profile, custom, pass }), metrics, hasPassData: pass !== null, runId: run.runId, engine, notes, drift: driftByCase(report) };
    }
    finally {
        snap.close();
    }
}
/**
 * A snapshot baseline (a snapshot file, a report folder, or a bundle): its answers are read through
 * the profile it was made with; pass/fail and determinism come from its run's report when that can be
 * found (beside it, through the snapshot's artifact links, or inside the bundle), never made up.
 */
function sideOfBaselineFile(spec, cwd, custom) {
    const loaded = loadBaseline(spec, cwd);
    const snap = loaded.snapshot;
    try {
        const header = snap.header;
        const notes = [];
        const found = findBaselineReport(spec, cwd, loaded.snapshotFile, header.artifacts);
        let report = found.report;
        if (found.note)
            notes.push(found.note);
        if (report !== null && sides_rec(report)?.runId !== header.runId) {
            notes.push(`the report found for the baseline is of run ${String(sides_rec(report)?.runId)}, not of the snapshot's run ${header.runId}: not used`);
            report = null;
        }
        const pass = passByCase(report);
        const metrics = preferFirst(report ? reportMetrics(sides_rec(report)?.stages) : NO_METRICS, snapshotMetrics(header.metrics));
        const profile = header.engine.profile ?? 'auto';
        return {
            label: loaded.label,
            snapshotFile: loaded.snapshotFile,
            cases: casesOfSnapshot(snap, { profile, custom, pass }),
            metrics,
            hasPassData: pass !== null,
            runId: header.runId,
            engine: { kind: header.engine.kind, target: header.engine.target, version: header.engine.version, profile: header.engine.profile },
            notes,
            drift: null,
        };
    }
    finally {
        snap.close();
    }
}
function findBaselineReport(spec, cwd, snapshotFile, artifacts) {
    const abs = external_node_path_default().resolve(cwd, spec);
    const read = (file) => {
        try {
            return { report: JSON.parse(external_node_fs_default().readFileSync(file, 'utf8')) };
        }
        catch (err) {
            return { report: null, note: `the baseline's report ${shownPath(cwd, file)} could not be read (${errorMessage(err)}): pass/fail and determinism not available` };
        }
    };
    try {
        const stat = external_node_fs_default().statSync(abs);
        if (stat.isDirectory()) {
            const r = external_node_path_default().join(abs, 'report.json');
            return external_node_fs_default().existsSync(r) ? read(r) : { report: null };
        }
        if (external_node_path_default().basename(abs) === 'report.json')
            return read(abs);
        if (/\.zip$/i.test(abs)) {
            const data = readZipFile(external_node_fs_default().readFileSync(abs), 'report.json');
            return data ? { report: JSON.parse(data.toString('utf8')) } : { report: null };
        }
    }
    catch (err) {
        return { report: null, note: `the baseline's report could not be read (${errorMessage(err)}): pass/fail and determinism not available` };
    }
    // A bare snapshot file: its run's report, if it is still where the snapshot says.
    const rel = artifacts?.report;
    if (typeof rel !== 'string' || rel === '')
        return { report: null };
    const file = external_node_path_default().resolve(external_node_path_default().dirname(external_node_path_default().resolve(cwd, snapshotFile)), rel);
    return external_node_fs_default().existsSync(file) ? read(file) : { report: null };
}

;// CONCATENATED MODULE: ./src/compare/spec.ts





const ENGINE_SPEC = /^(reference$|cmd:|https?:\/\/)/i;
function resolveSideSpec(given, settings, role) {
    const flag = `--${role}`;
    const spec = given.trim();
    if (spec === '')
        throw new InputError(`flag ${flag} must not be empty`);
    if (Object.hasOwn(settings.engines, spec)) {
        const e = settings.engines[spec];
        return { kind: 'engine', given: spec, version: spec, target: e.target, profile: e.profile };
    }
    if (ENGINE_SPEC.test(spec)) {
        try {
            parseEngineSpec(spec);
        }
        catch (err) {
            throw new InputError(`flag ${flag}: ${err.message}`);
        }
        // A plain spec is read through the configured profile, as `run --engine SPEC` would.
        return { kind: 'engine', given: spec, version: null, target: spec, profile: settings.engine.profile };
    }
    const known = Object.keys(settings.engines).sort();
    const versions = known.length ? `a version of the engine map (${known.map((k) => JSON.stringify(k)).join(', ')})` : 'a version of the config\'s engine map (it has none)';
    if (role === 'baseline' && external_node_fs_default().existsSync(external_node_path_default().resolve(settings.cwd, spec)))
        return { kind: 'snapshot', given: spec };
    const forms = role === 'baseline' ? `an engine SPEC (reference, http(s)://..., cmd:...), ${versions}, or an existing snapshot file, report folder or bundle.zip` : `an engine SPEC (reference, http(s)://..., cmd:...) or ${versions}`;
    throw new InputError(`flag ${flag}: ${JSON.stringify(redactTarget(spec))} is not ${forms}`);
}
/** The settings of one side's run: its engine (target, profile, version key), the rest shared. */
function sideSettings(base, side, over) {
    return {
        ...base,
        engine: { ...base.engine, target: side.target, profile: side.profile },
        engineVersion: side.version,
        baseline: over.baseline,
        ...(over.out !== undefined ? { out: over.out } : {}),
    };
}
/**
 * A side as comparison.json and comparison.md name it: an engine spec without secrets and without the
 * machine's paths (`cmd:node /home/runner/engine.js` shows as `cmd:node …/engine.js`, as in snapshots).
 */
function shownSpec(side, cwd) {
    if (side.kind !== 'engine')
        return side.given;
    return side.version === null ? portableTarget(side.given, cwd) : redactTarget(side.given);
}

;// CONCATENATED MODULE: ./src/compare/compare.ts















/** `<out>/compare/<runId>/`: comparison.json, comparison.md, and the baseline engine's own run. */
function comparePaths(settings) {
    const dir = external_node_path_default().join(external_node_path_default().resolve(settings.cwd, settings.out), 'compare', settings.runId);
    return { dir, json: external_node_path_default().join(dir, 'comparison.json'), markdown: external_node_path_default().join(dir, 'comparison.md'), baselineOut: external_node_path_default().join(dir, 'baseline') };
}
/**
 * The staging gate (issue 10): the candidate gets a full run through the one pipeline; a baseline
 * engine gets the same stages with the same run id (same seeds, same cases, same load sequence)
 * first, never at the same time (they would disturb each other's latency), in its own output folder;
 * a baseline snapshot is read, not run, and is the candidate replay's drift baseline either way.
 *
 * Bad specs throw an InputError before anything runs. Everything after that ends in an outcome with
 * its files written, ERROR included (an engine down is a compare ERROR, promote false).
 */
async function compareEngines(opts) {
    const s = opts.settings;
    const candidateSpec = resolveSideSpec(opts.candidate, s, 'candidate');
    const baselineSpec = resolveSideSpec(opts.baseline, s, 'baseline');
    const paths = comparePaths(s);
    const createdAt = new Date();
    // A snapshot baseline is checked before the candidate runs: a wrong path is a usage error, not a run.
    let baselineFile = null;
    if (baselineSpec.kind === 'snapshot') {
        refuseOverwrite(baselineSpec.given, s, paths.dir);
        baselineFile = sideOfBaselineFile(baselineSpec.given, s.cwd, s.pipeline.custom);
    }
    try {
        // A reused run id reproduces a comparison: its folder starts empty.
        external_node_fs_default().rmSync(paths.dir, { recursive: true, force: true });
        external_node_fs_default().mkdirSync(paths.dir, { recursive: true });
    }
    catch (err) {
        throw new InputError(`cannot write the comparison folder ${relPath(s.cwd, paths.dir)}: ${errorMessage(err)} (check --out)`);
    }
    const sinks = opts.sinks ?? [];
    let baselineRun = null;
    let driftBaseline = baselineSpec.kind === 'snapshot' ? baselineSpec.given : null;
    if (baselineSpec.kind === 'engine') {
        baselineRun = await runPipeline(sideSettings(s, baselineSpec, { out: paths.baselineOut, baseline: null }), {
            sinks: sinks.map(keepOpen), // the sinks are closed once, by the candidate's run
            signal: opts.signal,
            env: opts.env,
        });
        const snap = baselineRun.report?.artifacts.snapshot ? baselineRun.paths.snapshot : null;
        driftBaseline = snap && external_node_fs_default().existsSync(snap) ? snap : null;
    }
    const candidateRun = await runPipeline(sideSettings(s, candidateSpec, { baseline: driftBaseline }), { sinks, signal: opts.signal, env: opts.env });
    // Read both sides (a side that cannot be read is an ERROR of the comparison, with the reason).
    const sideErrors = [];
    let candidate = null;
    let baseline = baselineFile;
    if (candidateRun.verdict === 'ERROR') {
        sideErrors.push(sideError('candidate', `the candidate run ended in ERROR: ${candidateRun.error ?? candidateRun.report?.reason ?? 'unknown'}`));
    }
    else {
        candidate = readSide(() => sideOfRun(candidateRun, s.pipeline.custom), 'candidate', sideErrors);
    }
    if (baselineRun) {
        if (baselineRun.verdict === 'ERROR') {
            sideErrors.push(sideError('baseline', `the baseline run ended in ERROR: ${baselineRun.error ?? baselineRun.report?.reason ?? 'unknown'}`));
        }
        else {
            baseline = readSide(() => sideOfRun(baselineRun, s.pipeline.custom), 'baseline', sideErrors);
        }
    }
    const comparison = buildComparison({
        settings: s,
        createdAt,
        dir: paths.dir,
        candidateSpec,
        baselineSpec,
        candidateRun,
        baselineRun,
        candidate,
        baseline,
        baselineFile,
        sideErrors,
    });
    const exitCode = exitCodeFor(comparison.verdict, s.failOn);
    let error = sideErrors.length ? sideErrors.map((e) => e.message).join('; ') : null;
    try {
        writeJsonAtomic(paths.json, comparison);
        writeFileAtomic(paths.markdown, comparisonMarkdown(comparison, { cwd: s.cwd, dir: paths.dir }));
    }
    catch (err) {
        const message = `could not write the comparison files in ${paths.dir}: ${errorMessage(err)}`;
        return { verdict: 'ERROR', exitCode: 2, promote: false, comparison: { ...comparison, verdict: 'ERROR', promote: false }, candidate: candidateRun, baseline: baselineRun, paths: pick(paths), error: message };
    }
    return { verdict: comparison.verdict, exitCode, promote: comparison.promote, comparison, candidate: candidateRun, baseline: baselineRun, paths: pick(paths), error };
}
/** The candidate's run (and this comparison's folder) must not delete or overwrite the baseline it reads. */
function refuseOverwrite(given, s, compareDir) {
    const abs = external_node_path_default().resolve(s.cwd, given);
    const run = runPaths(s.cwd, s.out, s.runId);
    const inside = (dir) => abs === dir || abs.startsWith(dir + (external_node_path_default()).sep);
    if (abs === run.snapshot || inside(run.reportDir) || inside(compareDir)) {
        throw new InputError(`--baseline ${given} would be overwritten by this comparison's run ${s.runId} (its report folder, snapshot or comparison folder): pass another --run-id or --out, or copy the baseline elsewhere`);
    }
}
function pick(p) {
    return { dir: p.dir, json: p.json, markdown: p.markdown };
}
/** A sink for a run that must not close it (the next run still writes to it). */
function keepOpen(sink) {
    return { name: sink.name, handle: (e) => sink.handle(e) };
}
function sideError(role, message) {
    return { type: 'compare-side-error', severity: 'CRITICAL', message: `${role}: ${message}` };
}
function readSide(read, role, errors) {
    try {
        return read();
    }
    catch (err) {
        errors.push(sideError(role, `its answers could not be read: ${errorMessage(err)}`));
        return null;
    }
}
/** A side's engine with its target as a snapshot holds it (no secret, no path of this machine). */
function portableEngine(engine, cwd) {
    return engine ? { ...engine, target: portableTarget(engine.target, cwd) } : null;
}
function buildComparison(i) {
    const runId = i.settings.runId;
    const rel = (p) => relPath(i.dir, p);
    const relSnapshot = (shown) => {
        const bang = shown.indexOf('!');
        return bang < 0 ? rel(external_node_path_default().resolve(i.settings.cwd, shown)) : rel(external_node_path_default().resolve(i.settings.cwd, shown.slice(0, bang))) + shown.slice(bang);
    };
    const ok = i.candidate !== null && i.baseline !== null && i.sideErrors.length === 0;
    const cases = ok ? compareCases(i.baseline.cases, i.candidate.cases, i.candidate.drift ?? undefined) : [];
    const counts = countCases(cases);
    const cm = i.candidate?.metrics ?? NO_METRICS;
    const bm = i.baseline?.metrics ?? NO_METRICS;
    const metrics = {
        passRate: metricDelta(bm.passRate, cm.passRate),
        p95Ms: metricDelta(bm.p95Ms, cm.p95Ms),
        errorRate: metricDelta(bm.errorRate, cm.errorRate),
        determinismScore: metricDelta(bm.determinismScore, cm.determinismScore),
    };
    const rules = ok
        ? evaluateRules({ metrics, counts, passData: hasPassData(cases) }, i.settings.compare)
        : RULE_ORDER.map((name) => ({
            name,
            ...i.settings.compare.rules[name],
            unit: '',
            value: null,
            status: 'not-available',
            message: `${name}: not evaluated (a side could not be read)`,
        }));
    const newFindings = [...i.sideErrors, ...(ok ? ruleFindings(rules, cases) : [])];
    const findings = newFindings.map((f) => makeFinding(runId, f, i.createdAt));
    const candidateVerdict = i.candidateRun.verdict;
    const comparisonVerdict = ok ? rulesVerdict(rules) : 'ERROR';
    const verdict = candidateVerdict === 'ERROR' || comparisonVerdict === 'ERROR' ? 'ERROR' : combinedVerdict(candidateVerdict, comparisonVerdict);
    const critical = findings.filter((f) => f.severity === 'CRITICAL').length + (i.candidateRun.report?.warroom.filter((f) => f.severity === 'CRITICAL').length ?? 0);
    const promote = promoteDecision(verdict, critical);
    const broken = rules.filter((r) => r.status === 'broken');
    const reasonParts = [
        `candidate ${candidateVerdict}`,
        ok
            ? `comparison ${comparisonVerdict}${broken.length ? `: ${broken.map((r) => r.message).join('; ')}` : ''}`
            : `comparison ERROR: ${i.sideErrors.map((e) => e.message).join('; ')}`,
    ];
    if (critical > 0)
        reasonParts.push(`${critical} CRITICAL finding(s)`);
    const reason = `${reasonParts.join('; ')}; promote ${promote ? 'yes' : 'no'}`;
    const candidateSide = {
        spec: shownSpec(i.candidateSpec, i.settings.cwd),
        version: i.candidateSpec.version,
        kind: 'engine',
        engine: portableEngine(i.candidateRun.report?.engine ?? i.candidate?.engine ?? null, i.settings.cwd),
        runId: i.candidateRun.runId,
        verdict: candidateVerdict,
        reportDir: rel(i.candidateRun.paths.reportDir),
        snapshot: i.candidateRun.report?.artifacts.snapshot ? rel(i.candidateRun.paths.snapshot) : null,
        error: i.candidateRun.verdict === 'ERROR' ? (i.candidateRun.error ?? i.candidateRun.report?.reason ?? null) : null,
    };
    const b = i.baselineRun;
    const baselineSide = i.baselineSpec.kind === 'engine'
        ? {
            spec: shownSpec(i.baselineSpec, i.settings.cwd),
            version: i.baselineSpec.version,
            kind: 'engine',
            engine: portableEngine(b?.report?.engine ?? null, i.settings.cwd),
            runId: b?.runId ?? null,
            verdict: b?.verdict ?? null,
            reportDir: b ? rel(b.paths.reportDir) : null,
            snapshot: b?.report?.artifacts.snapshot ? rel(b.paths.snapshot) : null,
            error: b && b.verdict === 'ERROR' ? (b.error ?? b.report?.reason ?? null) : null,
        }
        : {
            spec: i.baselineFile?.label ?? i.baselineSpec.given,
            version: null,
            kind: 'snapshot',
            engine: i.baselineFile?.engine ?? null,
            runId: i.baselineFile?.runId ?? null,
            verdict: null,
            reportDir: null,
            snapshot: i.baselineFile ? relSnapshot(i.baselineFile.snapshotFile) : null,
            error: null,
        };
    return {
        schemaVersion: 1,
        kind: 'toron-testops.comparison',
        runId,
        createdAt: i.createdAt.toISOString(),
        candidate: candidateSide,
        baseline: baselineSide,
        comparisonVerdict,
        verdict,
        promote,
        reason,
        notes: [
            ...(i.baseline?.notes ?? []),
            ...(i.candidate?.notes ?? []),
            ...(cases.some((c) => c.basis === 'snapshots-other-seeds')
                ? [
                    'some answers were asked with other seeds than the baseline\'s (another run id) and the candidate\'s replay gave no drift verdict for them: an engine that uses the seed answers them differently, so "changed" may only mean "another seed". Run the replay stage, or compare with the same --run-id.',
                ]
                : []),
        ],
        metrics,
        counts,
        rules,
        cases,
        findings,
    };
}

;// CONCATENATED MODULE: ./src/action/compare-mode.ts





/**
 * `mode: compare`, the staging gate: the `engine` input (the candidate) against `baseline` (an engine,
 * an engine-map version, a snapshot, or the snapshot `baseline: auto` found). The candidate's run is
 * published like any run; promote and the deltas come from the comparison. Never throws.
 */
async function compareGate(ctx, p) {
    const inputs = p.inputs;
    const settings = p.settings;
    const baseline = p.baseline.kind === 'auto-found' ? p.baseline.snapshot : inputs.baseline.kind === 'path' ? inputs.baseline.path : null;
    if (!inputs.engine || !baseline)
        return errorOutcome('mode: compare needs engine (the candidate) and baseline');
    ctx.log.group(`toron-testops compare ${inputs.engine} against ${baseline}`);
    try {
        const r = await compareEngines({
            settings,
            candidate: inputs.engine,
            baseline,
            env: ctx.env,
            signal: ctx.cancel.signal,
            sinks: [new ConsoleSink({ write: (s) => ctx.log.raw(s), verbose: ctx.gh.debug })],
        });
        const o = fromRun(r.candidate, ctx.cancel.signal.aborted);
        let markdown = null;
        try {
            markdown = external_node_fs_default().readFileSync(r.paths.markdown, 'utf8');
        }
        catch {
            // the summary falls back to the candidate's
        }
        const m = r.comparison.metrics;
        const delta = (d) => (d && typeof d.delta === 'number' && Number.isFinite(d.delta) ? d.delta : null);
        const verdict = r.error ? 'ERROR' : r.verdict;
        return {
            ...o,
            verdict,
            exitCode: r.exitCode,
            reason: r.error ? `ERROR (not a test verdict): ${r.error}` : r.comparison.reason,
            error: verdict === 'ERROR' ? (r.error ?? o.error ?? r.comparison.reason) : null,
            findings: [...o.findings, ...r.comparison.findings],
            comparison: {
                promote: r.promote,
                passRateDelta: delta(m.passRate),
                p95DeltaMs: delta(m.p95Ms),
                determinismDelta: delta(m.determinismScore),
                path: external_node_fs_default().existsSync(r.paths.json) ? r.paths.json : null,
                markdown,
            },
        };
    }
    catch (err) {
        return errorOutcome(`mode: compare: ${errorMessage(err)}`);
    }
    finally {
        ctx.log.endGroup();
    }
}

;// CONCATENATED MODULE: ./src/merge/inputs.ts





/**
 * What merge reads: shard report folders, folders holding them at any depth (actions/download-artifact
 * gives one folder per artifact, each holding bundle.zip), and bundle.zip files. Bundles are read in
 * memory, never extracted: every entry name is checked first (absolute, "..", backslash, drive letter,
 * symbolic link: the whole archive is refused, naming the entry), and entry count and total size are
 * capped before anything is inflated (zip bombs).
 */
/** The files of one shard merge uses, by their name in a bundle. */
const SHARD_FILES = [
    'report.json',
    'sim_summary.json',
    'load_summary.json',
    'replay_summary.json',
    'pipeline_summary.json',
    'warroom.log',
    'snapshot.json',
    'result.json',
];
/** A bundle holds a dozen files: far more is not a bundle. Sizes: reports of 100k cases fit easily. */
const MERGE_ZIP_LIMITS = { maxEntries: 1000, maxTotalBytes: 2 * 1024 * 1024 * 1024 };
const MAX_DEPTH = 8;
function collectShardSources(inputs, opts) {
    const sources = [];
    const problems = [];
    const shown = (p) => shownInput(opts.cwd, p);
    const limits = opts.limits ?? MERGE_ZIP_LIMITS;
    const readBundle = (file) => {
        try {
            sources.push(readBundleFile(file, shown(file), limits));
        }
        catch (err) {
            // fs errors name the file by its absolute path: reports name it as shown (DESIGN §3.3)
            problems.push({ source: shown(file), message: errorMessage(err).split(file).join(shown(file)) });
        }
    };
    const walk = (dir, depth) => {
        let entries;
        try {
            entries = external_node_fs_default().readdirSync(dir, { withFileTypes: true });
        }
        catch (err) {
            problems.push({ source: shown(dir), message: `cannot read the folder: ${errorMessage(err).split(dir).join(shown(dir))}` });
            return;
        }
        if (entries.some((e) => e.isFile() && e.name === 'report.json')) {
            try {
                sources.push(readReportFolder(dir, shown(dir)));
            }
            catch (err) {
                problems.push({ source: shown(dir), message: errorMessage(err) });
            }
            return; // its bundle.zip holds the same run
        }
        const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const e of sorted) {
            const p = external_node_path_default().join(dir, e.name);
            // Links are not followed: a downloaded folder has none, and following them could leave the input.
            if (e.isFile() && e.name.toLowerCase().endsWith('.zip'))
                readBundle(p);
            else if (e.isDirectory() && depth < MAX_DEPTH)
                walk(p, depth + 1);
        }
    };
    for (const input of inputs) {
        const abs = external_node_path_default().resolve(opts.cwd, input);
        let st;
        try {
            st = external_node_fs_default().statSync(abs);
        }
        catch {
            problems.push({ source: shown(abs), message: 'no such file or folder' });
            continue;
        }
        const before = sources.length + problems.length;
        if (st.isDirectory())
            walk(abs, 0);
        else if (st.isFile())
            readBundle(abs);
        else
            problems.push({ source: shown(abs), message: 'not a file or folder' });
        if (sources.length + problems.length === before) {
            problems.push({ source: shown(abs), message: 'holds no shard report (no report.json and no bundle.zip at any depth)' });
        }
    }
    return { sources, problems };
}
/**
 * An input as the merged report, its log and its findings name it: relative to the working directory,
 * also outside it (`../shards/1`). Shards downloaded to the runner's temp folder must not put
 * /home/runner/work/_temp/... into the merged report and its bundle (DESIGN §3.3).
 */
function shownInput(cwd, p) {
    return external_node_path_default().relative(cwd, p).split((external_node_path_default()).sep).join('/') || '.';
}
/**
 * The first input that lies in `reportDir` (the folder the merged run replaces), or null. Sources are
 * named relative to `cwd` (shownInput), a bundle's inner archive after a "!". Compared by real paths:
 * an --out through a symbolic link to a leg's folder would delete the leg all the same.
 */
function inputOverwrittenBy(sources, cwd, reportDir) {
    for (const s of sources) {
        if (isInside(external_node_path_default().resolve(cwd, s.source.split('!')[0]), reportDir))
            return s.source;
    }
    return null;
}
/** A report folder (<out>/reports/<run_id>/): its files, and the snapshot report.json names in <out>. */
function readReportFolder(dir, source) {
    const files = new Map();
    for (const name of SHARD_FILES) {
        if (name === 'snapshot.json')
            continue;
        const p = external_node_path_default().join(dir, name);
        if (external_node_fs_default().existsSync(p) && external_node_fs_default().lstatSync(p).isFile())
            files.set(name, external_node_fs_default().readFileSync(p));
    }
    // The snapshot lives in <out>/snapshots/; a report naming a file outside <out> is not followed.
    try {
        const report = JSON.parse(files.get('report.json').toString('utf8'));
        const rel = report.artifacts?.snapshot;
        if (typeof rel === 'string') {
            const out = external_node_path_default().resolve(dir, '..', '..');
            const p = external_node_path_default().resolve(dir, rel);
            if (p.startsWith(out + (external_node_path_default()).sep) && external_node_fs_default().existsSync(p) && external_node_fs_default().lstatSync(p).isFile())
                files.set('snapshot.json', external_node_fs_default().readFileSync(p));
        }
    }
    catch {
        // report.json itself is checked by the reader; a bad one is reported there
    }
    return { source, kind: 'folder', files };
}
function readBundleFile(file, source, limits = MERGE_ZIP_LIMITS) {
    let buf;
    try {
        buf = external_node_fs_default().readFileSync(file);
    }
    catch (err) {
        throw new Error(`cannot read: ${errorMessage(err)}`);
    }
    return readBundleBuffer(buf, source, limits, 0);
}
function readBundleBuffer(buf, source, limits = MERGE_ZIP_LIMITS, depth = 0) {
    let entries;
    try {
        entries = listZip(buf, limits);
        checkEntries(entries);
    }
    catch (err) {
        throw new Error(`${err instanceof ZipError ? 'refused' : 'unreadable'} bundle: ${errorMessage(err)}`);
    }
    const byName = new Map(entries.filter((e) => !e.isDirectory).map((e) => [e.name, e]));
    if (!byName.has('report.json')) {
        // An artifact archive downloaded by hand holds the bundle itself: look one level inside.
        const inner = [...byName.keys()].filter((n) => n === 'bundle.zip' || n.endsWith('/bundle.zip'));
        if (inner.length === 1 && depth === 0) {
            return readBundleBuffer(readChecked(buf, byName.get(inner[0])), `${source}!${inner[0]}`, limits, 1);
        }
        throw new Error('not a toron-testops bundle (no report.json entry)');
    }
    const files = new Map();
    for (const name of SHARD_FILES) {
        const e = byName.get(name);
        if (e)
            files.set(name, readChecked(buf, e));
    }
    return { source, kind: 'bundle', files };
}
function readChecked(buf, e) {
    try {
        return readEntry(buf, e);
    }
    catch (err) {
        throw new Error(`unreadable bundle entry ${JSON.stringify(e.name)}: ${errorMessage(err)}`);
    }
}
/**
 * Every entry name must be a plain relative path: the zip reader's own checks (absolute, "..", drive
 * letters, symbolic links, anything resolving outside) plus backslashes, which no bundle has and which
 * mean a path separator on Windows.
 */
function checkEntries(entries) {
    for (const e of entries) {
        if (e.name.includes('\\'))
            throw new ZipError(`entry ${JSON.stringify(e.name)} is not allowed (backslash in the name)`);
    }
    const bad = unsafeEntries(entries, external_node_path_default().resolve((external_node_path_default()).sep, 'merge-bundle'));
    if (bad.length > 0) {
        const first = bad[0];
        throw new ZipError(`entry ${JSON.stringify(first.name)} is not allowed (${first.reason})${bad.length > 1 ? ` and ${bad.length - 1} more` : ''}`);
    }
}

;// CONCATENATED MODULE: ./src/merge/k6.ts







const PERCENTILE = /^(med|p\(.+\))$/;
function readK6Summaries(files, cwd) {
    const inputs = [];
    const problems = [];
    for (const f of files) {
        const abs = external_node_path_default().resolve(cwd, f);
        const source = shownInput(cwd, abs);
        try {
            inputs.push({ source, summary: parseK6SummaryText(external_node_fs_default().readFileSync(abs, 'utf8'), source) });
        }
        catch (err) {
            // fs errors name the file by its absolute path: the merged run's reports name it as given (DESIGN §3.3)
            problems.push({ source, message: errorMessage(err).split(abs).join(source) });
        }
    }
    return { inputs, problems };
}
/** Every metric of the runners combined by its kind (read from the values it has). */
function mergeK6Values(summaries) {
    const names = [...new Set(summaries.flatMap((s) => Object.keys(s.values)))].sort();
    const out = {};
    for (const name of names) {
        const parts = summaries.map((s) => ({ v: s.values[name], s })).filter((p) => p.v !== undefined);
        const vs = parts.map((p) => p.v);
        const has = (k) => vs.some((v) => k in v);
        const merged = {};
        if (has('passes') && has('fails')) {
            // A Rate: passes and fails add up; the rate is taken again from them.
            const passes = sumOf(vs, 'passes');
            const fails = sumOf(vs, 'fails');
            merged.passes = passes;
            merged.fails = fails;
            if (passes + fails > 0)
                merged.rate = passes / (passes + fails);
        }
        else if (has('count') && !has('avg')) {
            merged.count = sumOf(vs, 'count');
            if (has('rate'))
                merged.rate = sumOf(vs, 'rate');
        }
        else if (has('avg') || [...new Set(vs.flatMap(Object.keys))].some((k) => PERCENTILE.test(k))) {
            // A Trend: requests weigh the average (iterations for iteration metrics); equal weights otherwise.
            const weightMetric = name.startsWith('iteration') ? 'iterations' : 'http_reqs';
            const weights = parts.map((p) => p.s.values[weightMetric]?.count ?? 1);
            const keys = [...new Set(vs.flatMap(Object.keys))];
            for (const k of keys) {
                const xs = parts.map((p, i) => ({ x: p.v[k], w: weights[i] })).filter((e) => typeof e.x === 'number');
                if (xs.length === 0)
                    continue;
                if (k === 'avg') {
                    const w = xs.reduce((a, e) => a + e.w, 0);
                    merged.avg = w > 0 ? xs.reduce((a, e) => a + e.x * e.w, 0) / w : xs.reduce((a, e) => a + e.x, 0) / xs.length;
                }
                else if (k === 'min')
                    merged.min = Math.min(...xs.map((e) => e.x));
                else
                    merged[k] = Math.max(...xs.map((e) => e.x)); // max, med and p(N): max is exact, the others an upper bound
            }
        }
        else {
            // A Gauge (vus, vus_max): the runners' values add up at the same moment; min/max as the extremes.
            for (const k of [...new Set(vs.flatMap(Object.keys))]) {
                const xs = vs.map((v) => v[k]).filter((x) => typeof x === 'number');
                merged[k] = k === 'min' ? Math.min(...xs) : k === 'max' ? Math.max(...xs) : xs.reduce((a, b) => a + b, 0);
            }
        }
        out[name] = merged;
    }
    return out;
}
/** The load stage's result from the runners' summaries (replaces the shards' load stage). */
function mergeK6Load(inputs, load) {
    const summaries = inputs.map((i) => i.summary);
    const values = mergeK6Values(summaries);
    const parsed = parseThresholds(load.thresholds, 'k6');
    const thresholds = parsed.map((t) => {
        const v = values[t.metric]?.[t.aggregation];
        const bound = PERCENTILE.test(t.aggregation);
        if (typeof v !== 'number') {
            return { metric: t.metric, expression: t.expression, level: t.level, passed: null, actual: null, note: 'the merged k6 summaries lack the value' };
        }
        return {
            metric: t.metric,
            expression: t.expression,
            level: t.level,
            passed: compare(v, t.op, t.value),
            actual: v,
            note: bound ? `judged on the upper bound over ${inputs.length} runner(s) (the largest runner value)` : `merged over ${inputs.length} runner(s)`,
        };
    });
    // Thresholds the runners' scripts had but the config does not: failed when any runner failed them.
    const configured = new Set(parsed.map((t) => `${t.metric}\u0000${t.expression}`));
    const extra = new Map();
    for (const s of summaries) {
        for (const k of s.thresholds) {
            const key = `${k.metric}\u0000${k.expression}`;
            if (configured.has(key))
                continue;
            const seen = extra.get(key);
            extra.set(key, { metric: k.metric, expression: k.expression, passed: (seen?.passed ?? true) && k.passed });
        }
    }
    for (const k of extra.values()) {
        thresholds.push({ metric: k.metric, expression: k.expression, level: 'error', passed: k.passed, actual: null, note: 'k6 verdicts of the runners (not in load.thresholds): failed if any runner failed it' });
    }
    const dropped = values.dropped_iterations?.count ?? null;
    const validity = generatorValidity({ dropped, lagP99Ms: null, maxLagMs: load.maxSchedulerLagMs, generator: 'k6' });
    const { verdict, reason } = loadVerdict(thresholds, validity);
    const counter = (m) => (values[m] ? { count: values[m].count ?? null, rate: values[m].rate ?? null } : null);
    const rate = (m) => (values[m] ? { rate: values[m].rate ?? null, passes: values[m].passes ?? null, fails: values[m].fails ?? null } : null);
    const d = values.http_req_duration;
    const upperBound = d ? Object.keys(d).filter((k) => PERCENTILE.test(k)).sort() : [];
    const durations = summaries.map((s) => s.testRunDurationMs).filter((x) => typeof x === 'number');
    const report = {
        generator: 'k6',
        valid: validity.valid,
        invalidReasons: validity.reasons,
        durationMs: durations.length ? Math.max(...durations) : null,
        metrics: {
            http_reqs: counter('http_reqs'),
            iterations: counter('iterations'),
            dropped_iterations: counter('dropped_iterations'),
            http_req_duration: d
                ? { avg: d.avg ?? null, min: d.min ?? null, med: d.med ?? null, max: d.max ?? null, 'p(90)': d['p(90)'] ?? null, 'p(95)': d['p(95)'] ?? null, 'p(99)': d['p(99)'] ?? null, upperBound }
                : null,
            http_req_failed: rate('http_req_failed'),
            checks: rate('checks'),
        },
        thresholds,
        errors: null,
        quality: null,
        timeline: [],
        histogram: [],
        k6: {
            merged: true,
            runners: inputs.length,
            summaries: inputs.map((i) => ({ source: i.source, shape: i.summary.shape, thresholdsPassed: i.summary.thresholdsPassed })),
            upperBound,
            note: 'merged from distributed k6 runners: counts and rates summed, avg weighted by request count, min/max exact; ' +
                'med and p(N) are upper bounds (the largest runner value) and thresholds on them are judged on the bound',
        },
    };
    const findings = [];
    if (!validity.valid) {
        findings.push({ type: 'load-generator-behind', severity: 'HIGH', subsystem: 'load', message: `load run invalid (k6 generator fell behind): ${validity.reasons.join('; ')}` });
    }
    for (const t of thresholds) {
        if (t.passed === true)
            continue;
        findings.push({ type: 'load-threshold-failed', severity: t.level === 'error' ? 'HIGH' : 'MEDIUM', subsystem: 'load', message: `load threshold crossed (${t.level}): ${describeThreshold(t)}` });
    }
    return { result: { verdict, reason, report, summary: { verdict, reason, ...report, values } }, findings };
}
function sumOf(vs, k) {
    return vs.reduce((a, v) => a + (typeof v[k] === 'number' ? v[k] : 0), 0);
}

;// CONCATENATED MODULE: ./src/merge/pipeline.ts


/**
 * The pipeline checker of the whole run: the shards' tallies (pipeline_summary.json `shardData`) added
 * up and judged by the stage's own judge, so run-level budgets (Opus escalations, contradictions,
 * latency p95, outliers) are decided once on every answer, not per shard.
 */
function mergePipeline(shards, settings, runId) {
    const withData = shards.filter((s) => s.summaries.pipeline && 'shardData' in s.summaries.pipeline);
    if (withData.length === 0)
        return null;
    const missing = shards.filter((s) => !withData.includes(s) && s.report.stages.pipeline.verdict !== 'SKIPPED');
    if (missing.length > 0) {
        return { problem: `pipeline checks of shard(s) ${missing.map((s) => `${s.report.shard.index} (${s.source})`).join(', ')} carry no tallies to merge (pipeline_summary.json without shardData)` };
    }
    const merged = mergePipelineData(withData.map((s) => importPipelineData(s.summaries.pipeline.shardData)));
    const why = pipelineSkipReason(merged);
    if (why !== null)
        return { result: skipped(why), findings: [] };
    return judgePipeline(merged, { runId, settings });
}

;// CONCATENATED MODULE: ./src/merge/sim.ts

const sim_caseKey = (c) => `${c.dataset}\u0000${c.id}`;
/**
 * SIM of the whole run from its shards' per-case results, judged by the same pure functions the stage
 * uses (totals, simVerdict). Cases are listed in suite order (each shard's case carries its index in
 * the whole suite), so the merged report lists them as an unsharded run does.
 */
function mergeSim(shards, passRate, runId) {
    const blocks = shards.map((s) => s.report.stages.sim);
    const ran = blocks.filter((b) => Array.isArray(b.cases));
    const suiteCases = blocks.map((b) => b.shard?.suiteCases).find((n) => typeof n === 'number') ?? null;
    if (ran.length === 0) {
        const first = blocks[0];
        return { result: { verdict: 'SKIPPED', reason: first?.reason ?? 'SIM did not run in any shard', report: {} }, order: new Map(), suiteCases };
    }
    const cases = ran.flatMap((b) => b.cases).sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity));
    const order = new Map(cases.map((c, i) => [sim_caseKey(c), c.index ?? i]));
    const t = totals(cases.map(asCounted));
    let { verdict, reason } = simVerdict(t, passRate, misrouted(cases));
    const notRun = sum(blocks.map((b) => b.notRun ?? 0));
    if (notRun > 0)
        reason += `; ${notRun} case(s) not run (run cancelled)`;
    const engineErrors = {};
    for (const b of ran)
        for (const [k, n] of Object.entries(b.engineErrors ?? {}))
            engineErrors[k] = (engineErrors[k] ?? 0) + n;
    const datasetList = ran.find((b) => Array.isArray(b.datasets))?.datasets ?? [];
    const datasets = datasetList.map((d) => datasetEntry(d.name, d.file, totals(cases.filter((c) => c.dataset === d.name).map(asCounted))));
    const report = {
        // The legs ran side by side: the slowest one is how long SIM took.
        ...simReportHead(t, { verdict, reason }, { notRun, attempts: sum(ran.map((b) => b.attempts ?? 0)), engineErrors, durationMs: Math.max(0, ...ran.map((b) => b.durationMs ?? 0)), datasets }),
        cases,
    };
    const firstSummary = shards.find((s) => s.summaries.sim)?.summaries.sim;
    return {
        result: {
            verdict,
            reason,
            report,
            summary: { runId, ...report, warnings: firstSummary?.warnings ?? [], registry: firstSummary?.registry ?? null },
        },
        order,
        suiteCases,
    };
}
/** What totals() counts of a case: its status and warnings. */
function asCounted(c) {
    return { status: c.status, warnings: c.warnings ?? [] };
}
function sum(xs) {
    return xs.reduce((a, b) => a + b, 0);
}

;// CONCATENATED MODULE: ./src/merge/replay.ts



/**
 * The replay of the whole run from its shards' per-case results (each shard replayed its own slice of
 * the snapshot): determinism, drift, verdict and findings computed again on the union with the stage's
 * own pure functions.
 */
function mergeReplay(shards, rules, order, snapshotShown, runId, passRate) {
    const ran = shards.filter((s) => {
        const b = s.report.stages.replay;
        return b.verdict !== 'SKIPPED' && Array.isArray(b.cases);
    });
    if (ran.length === 0)
        return null;
    const rank = (c) => order.get(sim_caseKey(c)) ?? Infinity;
    const byRank = (xs) => [...xs].sort((a, b) => rank(a) - rank(b));
    const blocks = ran.map((s) => s.report.stages.replay);
    const summaries = ran.map((s) => s.summaries.replay ?? s.report.stages.replay);
    const reportCases = byRank(blocks.flatMap((b) => b.cases));
    const summaryCases = byRank(summaries.flatMap((b) => b.cases ?? []));
    // Cases a shard left out for engine errors count as unscored in the union too.
    const unscoredOf = (bs) => byRank(bs.flatMap((b) => (Array.isArray(b.unscoredCases) ? b.unscoredCases : [])));
    const unscoredCases = unscoredOf(summaries);
    const cases = [...summaryCases.map(asResult), ...unscoredCases.map(asUnscored)];
    const totals = replayTotals(cases, rules.thresholds);
    // A leg with nothing to replay (its slice empty, its answers all engine errors) still reports the
    // drift of its slice (the baseline's cases it no longer has): the union needs it.
    const driftLegs = shards.filter((s) => ran.includes(s) || !!s.report.stages.replay?.drift);
    const drifts = driftLegs.map((s) => s.report.stages.replay.drift).filter((d) => !!d);
    const summaryDrifts = driftLegs
        .map((s) => (s.summaries.replay ?? s.report.stages.replay).drift)
        .filter((d) => !!d);
    const driftCases = drifts.length ? byRank(drifts.flatMap((d) => d.cases)) : [];
    const summaryDriftCases = summaryDrifts.length ? byRank(summaryDrifts.flatMap((d) => d.cases)) : [];
    const drift = drifts.length ? driftTotals(driftCases, rules.drift) : null;
    const first = blocks[0];
    const d0 = drifts[0];
    const roundsDone = Math.min(...blocks.map((b) => (typeof b.roundsDone === 'number' ? b.roundsDone : rules.rounds)));
    const verdict = stageVerdict(totals.determinismVerdict, drift?.verdict ?? null, roundsDone < rules.rounds, answeredVerdict(totals, passRate));
    const notReplayed = replay_sum(blocks.map((b) => (typeof b.notReplayed === 'number' ? b.notReplayed : 0)));
    const reason = replayReason(totals, drift, { rounds: rules.rounds, roundsDone, cancelled: roundsDone < rules.rounds, notReplayed, baseline: String(d0?.baseline ?? '') });
    const snap = first.snapshot ?? {};
    const common = replayReportHead(totals, {
        verdict,
        reason,
        mode: 'in-run',
        snapshot: { ...snap, file: snapshotShown ?? snap.file ?? null },
        rounds: rules.rounds,
        roundsDone,
        freshProcess: first.freshProcess,
        notReplayed,
        calls: replay_sum(blocks.map((b) => (typeof b.calls === 'number' ? b.calls : 0))),
        thresholds: rules.thresholds,
        ignorePaths: rules.ignorePaths,
    });
    const driftReport = (list) => drift && d0
        ? {
            baseline: d0.baseline,
            baselineRunId: d0.baselineRunId,
            snapshot: d0.snapshot ?? null,
            verdict: drift.verdict,
            rate: drift.rate,
            ...drift.counts,
            thresholds: rules.drift,
            probed: replay_sum(drifts.map((d) => (typeof d.probed === 'number' ? d.probed : 0))),
            cases: list,
        }
        : null;
    const findings = replayFindings(totals, cases, drift, summaryDriftCases.length ? summaryDriftCases : driftCases, String(d0?.baselineRunId ?? ''), rules);
    return {
        result: {
            verdict,
            reason,
            report: { ...common, cases: reportCases, unscoredCases: unscoredOf(blocks), drift: driftReport(driftCases) },
            summary: {
                runId,
                ...common,
                cases: summaryCases,
                unscoredCases,
                notReplayedCases: summaries.flatMap((b) => (Array.isArray(b.notReplayedCases) ? b.notReplayedCases : [])),
                drift: driftReport(summaryDriftCases.length ? summaryDriftCases : driftCases),
            },
        },
        findings,
    };
}
/** A reported case back as the replay's case result (errors cut to 5 in reports are counted by errorCount). */
function asResult(c) {
    const errors = c.errors ?? [];
    const n = c.errorCount ?? errors.length;
    return {
        id: c.id,
        dataset: c.dataset,
        agreed: c.agreed,
        rawAgreed: c.rawAgreed,
        stable: c.stable,
        uniqueOutputs: c.uniqueOutputs,
        modalAgreement: c.modalAgreement,
        rounds: 0,
        errors: Array.from({ length: n }, (_, k) => errors[Math.min(k, errors.length - 1)]),
        firstDivergence: c.firstDivergence,
        diffs: c.diffs ?? [],
        diffCount: c.diffCount ?? (c.diffs ?? []).length,
        ...(c.location ? { location: c.location } : {}),
    };
}
/** An unscored case as the totals count it: not scored, its engine errors (the count, if cut). */
function asUnscored(c) {
    const errors = c.errors ?? [];
    const n = c.errorCount ?? errors.length;
    return {
        id: c.id,
        dataset: c.dataset,
        agreed: false,
        rawAgreed: false,
        stable: false,
        uniqueOutputs: 0,
        modalAgreement: 0,
        rounds: c.rounds,
        errors: Array.from({ length: n }, (_, k) => errors[Math.min(k, errors.length - 1)]),
        firstDivergence: null,
        diffs: [],
        diffCount: 0,
        scored: false,
        ...(c.location ? { location: c.location } : {}),
    };
}
function replay_sum(xs) {
    return xs.reduce((a, b) => a + b, 0);
}

;// CONCATENATED MODULE: ./schemas/report.schema.json
const report_schema_namespaceObject = /*#__PURE__*/JSON.parse('{"$schema":"http://json-schema.org/draft-07/schema#","$id":"https://github.com/ryuzen/toron-testops/schemas/report.schema.json","title":"toron-testops report.json (schemaVersion 1)","description":"The report of one run (DESIGN §3.3). Stage objects may carry more fields than listed here; the listed ones are the contract. A stage that did not run is { verdict: SKIPPED, reason }. Every path is relative: no report names a path of the machine that made it.","type":"object","additionalProperties":false,"required":["schemaVersion","runId","verdict","reason","startedAt","finishedAt","durationMs","engine","stages","warroom","artifacts"],"properties":{"schemaVersion":{"const":1},"runId":{"type":"string","minLength":1},"verdict":{"$ref":"#/definitions/verdict"},"reason":{"type":"string","description":"Why the run has its verdict, in one line."},"startedAt":{"$ref":"#/definitions/timestamp"},"finishedAt":{"$ref":"#/definitions/timestamp"},"durationMs":{"type":"number","minimum":0},"cancelled":{"type":"boolean"},"error":{"description":"Set when the run ended in ERROR: what broke (not a test verdict).","oneOf":[{"type":"null"},{"type":"object","required":["kind","message"],"properties":{"kind":{"type":"string"},"message":{"type":"string"}}}]},"engine":{"type":"object","required":["kind","target","version","profile"],"properties":{"kind":{"type":"string"},"target":{"type":"string","description":"The engine spec with secrets redacted."},"version":{"type":["string","null"]},"profile":{"type":"string"}}},"settings":{"type":"object","properties":{"configFile":{"oneOf":[{"type":"null"},{"$ref":"#/definitions/relativePath"}]},"stages":{"type":"array","items":{"enum":["sim","load","replay","pipeline"]}},"failOn":{"enum":["fail","warn","never"]},"shard":{"type":["string","null"],"pattern":"^[0-9]+/[0-9]+$"}}},"shard":{"description":"Set in the report of one shard of a sharded run (--shard i/n): which slice it is, a fingerprint of the settings every shard of the run must share, and the verdict rules merge judges the union of the shards with.","type":"object","required":["index","total","fingerprint","rules"],"properties":{"index":{"type":"integer","minimum":1},"total":{"type":"integer","minimum":1},"fingerprint":{"type":"string","pattern":"^[0-9a-f]{64}$","description":"sha256 of the portable settings (config without run id, shard, cwd, out or machine paths) and the baseline."},"rules":{"type":"object","description":"The settings merge needs to judge again: stages, failOn, the engine profile, sim.passRate, replay, pipeline, load and the baseline.","required":["stages","failOn","sim","replay","pipeline","load"],"properties":{"stages":{"type":"array","items":{"enum":["sim","load","replay","pipeline"]}},"failOn":{"enum":["fail","warn","never"]},"engineProfile":{"type":"string"},"sim":{"type":"object","required":["passRate"],"properties":{"passRate":{"type":"object","required":["warn","fail"],"properties":{"warn":{"type":"number"},"fail":{"type":"number"}}}}},"replay":{"type":"object"},"pipeline":{"type":"object"},"load":{"type":"object"},"baseline":{"type":["string","null"]}}}}},"merged":{"description":"Set in the report `toron-testops merge` builds from the reports of a sharded run\'s shards.","type":"object","required":["total","shards","missing"],"properties":{"total":{"type":["integer","null"],"minimum":1},"fingerprint":{"type":["string","null"]},"shards":{"type":"array","items":{"type":"object","required":["index","verdict","source"],"properties":{"index":{"type":"integer","minimum":1},"verdict":{"$ref":"#/definitions/verdict"},"source":{"type":"string","description":"The input it came from (a bundle or a report folder), as given."},"cases":{"type":["integer","null"]}}}},"missing":{"type":"array","items":{"type":"integer","minimum":1}},"k6Summaries":{"type":"array","items":{"type":"string"}}}},"stages":{"type":"object","required":["sim","load","replay","pipeline"],"properties":{"sim":{"$ref":"#/definitions/simStage"},"load":{"$ref":"#/definitions/loadStage"},"replay":{"$ref":"#/definitions/replayStage"},"pipeline":{"$ref":"#/definitions/pipelineStage"}},"additionalProperties":{"$ref":"#/definitions/stageBase"}},"warroom":{"type":"array","items":{"$ref":"#/definitions/finding"}},"artifacts":{"type":"object","required":["report","html","summary","log","snapshot","bundle"],"description":"Files of the run, relative to the report folder; null when the run has no such file.","additionalProperties":{"oneOf":[{"type":"null"},{"$ref":"#/definitions/relativePath"}]},"properties":{"report":{"$ref":"#/definitions/relativePath"},"html":{"oneOf":[{"type":"null"},{"$ref":"#/definitions/relativePath"}]},"summary":{"oneOf":[{"type":"null"},{"$ref":"#/definitions/relativePath"}]},"log":{"$ref":"#/definitions/relativePath"},"snapshot":{"oneOf":[{"type":"null"},{"$ref":"#/definitions/relativePath"}]},"bundle":{"oneOf":[{"type":"null"},{"$ref":"#/definitions/relativePath"}]}}}},"definitions":{"verdict":{"enum":["PASS","WARN","FAIL","ERROR"]},"stageVerdict":{"enum":["PASS","WARN","FAIL","ERROR","SKIPPED"]},"severity":{"enum":["CRITICAL","HIGH","MEDIUM","LOW","INFO"]},"timestamp":{"type":"string","description":"ISO 8601, UTC.","pattern":"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\\\.[0-9]+)?Z$"},"relativePath":{"type":"string","minLength":1,"description":"Forward slashes, relative: never absolute, never a drive letter.","pattern":"^(?![/\\\\\\\\])(?![A-Za-z]:)[^\\\\\\\\]*$"},"location":{"type":"object","required":["file","line"],"properties":{"file":{"$ref":"#/definitions/relativePath"},"line":{"type":"integer","minimum":1}}},"rate":{"type":"number","minimum":0,"maximum":1},"stageBase":{"type":"object","required":["verdict"],"properties":{"verdict":{"$ref":"#/definitions/stageVerdict"},"reason":{"type":"string"}},"if":{"type":"object","properties":{"verdict":{"const":"SKIPPED"}}},"then":{"type":"object","required":["verdict","reason"]}},"notRunOrBroken":{"description":"A stage that did not run (SKIPPED, with its reason) or broke before it had results (ERROR).","type":"object","properties":{"verdict":{"enum":["SKIPPED","ERROR"]}},"required":["verdict"]},"finding":{"type":"object","required":["id","runId","severity","score","subsystem","message","remediation","timestamp"],"properties":{"id":{"type":"string"},"runId":{"type":"string"},"type":{"type":"string","description":"The finding type: the key into the remediation catalogue."},"severity":{"$ref":"#/definitions/severity"},"score":{"enum":[100,75,40,10,0],"description":"CRITICAL 100, HIGH 75, MEDIUM 40, LOW 10, INFO 0."},"subsystem":{"type":"string"},"message":{"type":"string"},"remediation":{"type":"string"},"caseId":{"type":"string"},"location":{"$ref":"#/definitions/location"},"timestamp":{"$ref":"#/definitions/timestamp"}},"allOf":[{"if":{"type":"object","properties":{"severity":{"const":"CRITICAL"}}},"then":{"type":"object","properties":{"score":{"const":100}}}},{"if":{"type":"object","properties":{"severity":{"const":"HIGH"}}},"then":{"type":"object","properties":{"score":{"const":75}}}},{"if":{"type":"object","properties":{"severity":{"const":"MEDIUM"}}},"then":{"type":"object","properties":{"score":{"const":40}}}},{"if":{"type":"object","properties":{"severity":{"const":"LOW"}}},"then":{"type":"object","properties":{"score":{"const":10}}}},{"if":{"type":"object","properties":{"severity":{"const":"INFO"}}},"then":{"type":"object","properties":{"score":{"const":0}}}}]},"simStage":{"type":"object","allOf":[{"$ref":"#/definitions/stageBase"}],"if":{"$ref":"#/definitions/notRunOrBroken"},"else":{"type":"object","required":["verdict","total","passed","failed","errored","flaky","passRate","datasets","cases"],"properties":{"total":{"type":"integer","minimum":0},"passed":{"type":"integer","minimum":0},"failed":{"type":"integer","minimum":0},"errored":{"type":"integer","minimum":0},"flaky":{"type":"integer","minimum":0},"passRate":{"$ref":"#/definitions/rate"},"datasets":{"type":"array","items":{"type":"object","required":["name","file","total","passed","failed","passRate"],"properties":{"name":{"type":"string"},"file":{"$ref":"#/definitions/relativePath"},"total":{"type":"integer","minimum":0},"passed":{"type":"integer","minimum":0},"failed":{"type":"integer","minimum":0},"errored":{"type":"integer","minimum":0},"flaky":{"type":"integer","minimum":0},"passRate":{"$ref":"#/definitions/rate"}}}},"cases":{"type":"array","items":{"type":"object","required":["id","dataset","passed","repeats","passes","passRate","wilson","latencyMs","failures","location"],"properties":{"id":{"type":"string"},"dataset":{"type":"string"},"status":{"enum":["passed","failed","flaky","errored"]},"passed":{"type":"boolean"},"repeats":{"type":"integer","minimum":0},"passes":{"type":"integer","minimum":0},"passRate":{"$ref":"#/definitions/rate"},"wilson":{"type":"array","minItems":2,"maxItems":2,"items":{"$ref":"#/definitions/rate"}},"latencyMs":{"type":["number","null"]},"failures":{"type":"array","items":{"type":"object","required":["assertion","message"],"properties":{"assertion":{"type":"string"},"message":{"type":"string"}}}},"actual":{"type":"string","description":"An excerpt of the answer of a failing attempt (expected vs actual)."},"location":{"$ref":"#/definitions/location"}}}}}}},"trendStats":{"type":"object","properties":{"avg":{"type":["number","null"]},"min":{"type":["number","null"]},"med":{"type":["number","null"]},"max":{"type":["number","null"]},"p(90)":{"type":["number","null"]},"p(95)":{"type":["number","null"]},"p(99)":{"type":["number","null"]}}},"loadStage":{"type":"object","allOf":[{"$ref":"#/definitions/stageBase"}],"if":{"$ref":"#/definitions/notRunOrBroken"},"else":{"type":"object","required":["verdict","generator","metrics","thresholds"],"properties":{"generator":{"enum":["builtin","k6"]},"metrics":{"type":"object","description":"k6 metric names (DESIGN §4.3).","properties":{"http_reqs":{"type":["object","number","null"]},"http_req_duration":{"oneOf":[{"type":"null"},{"$ref":"#/definitions/trendStats"}]},"http_req_failed":{"type":["object","number","null"]},"iterations":{"type":["object","number","null"]},"dropped_iterations":{"type":["object","number","null"]},"scheduler_lag_ms":{"type":["object","number","null"]}}},"thresholds":{"type":["array","object"]},"timeline":{"type":"array","description":"Per-second rows: { t | second, p50 | p50Ms, p95 | p95Ms, p99 | p99Ms, rate | completed, errors }."},"histogram":{"type":["array","object","null"],"description":"Latency bins [{ from, to, count }] in ms, or { bins: [...] }."}}}},"replayStage":{"type":"object","allOf":[{"$ref":"#/definitions/stageBase"}],"if":{"$ref":"#/definitions/notRunOrBroken"},"else":{"type":"object","required":["verdict","determinismScore","rounds","tarCanonical","tarRaw","uniqueOutputs","cases","drift"],"properties":{"determinismScore":{"type":["number","null"],"minimum":0,"maximum":100},"rounds":{"type":"integer","minimum":0},"tarCanonical":{"oneOf":[{"type":"null"},{"$ref":"#/definitions/rate"}]},"tarRaw":{"oneOf":[{"type":"null"},{"$ref":"#/definitions/rate"}]},"uniqueOutputs":{"type":["number","null"],"minimum":0},"cases":{"type":"array","items":{"type":"object","required":["id","agreed","uniqueOutputs","modalAgreement","firstDivergence","diffs"],"properties":{"id":{"type":"string"},"agreed":{"type":"boolean"},"uniqueOutputs":{"type":"integer","minimum":0},"modalAgreement":{"type":["number","null"],"minimum":0},"firstDivergence":{"oneOf":[{"type":"null"},{"type":"object","required":["pointer"],"properties":{"pointer":{"type":"string"},"charIndex":{"type":"integer","minimum":0}}}]},"diffs":{"type":"array"}}}},"drift":{"oneOf":[{"type":"null"},{"type":"object","required":["baseline","rate","cases"],"properties":{"baseline":{"type":["string","null"]},"rate":{"oneOf":[{"type":"null"},{"$ref":"#/definitions/rate"}]},"cases":{"type":"array","items":{"type":"object","required":["id","status"],"properties":{"id":{"type":"string"},"status":{"enum":["unchanged","changed","new","removed","noise"]}}}}}}]}}}},"pipelineStage":{"type":"object","allOf":[{"$ref":"#/definitions/stageBase"}],"if":{"$ref":"#/definitions/notRunOrBroken"},"else":{"type":"object","required":["verdict","checks"],"properties":{"checks":{"type":"array","items":{"type":"object","required":["name","ok","severity","detail"],"properties":{"name":{"type":"string"},"ok":{"type":"boolean"},"severity":{"type":"string","description":"The severity a failure raises (CRITICAL..INFO), or OFF."},"detail":{"type":"string"}}}}}}}}}');
;// CONCATENATED MODULE: ./src/report/schema.ts


/**
 * report.json's JSON Schema (schemas/report.schema.json), compiled once. `merge` and the server read
 * reports written by other runs and versions: they check them here before trusting their shape.
 */
let validator;
const REPORT_SCHEMA_ID = report_schema_namespaceObject.$id;
function validateReport(value) {
    if (!validator)
        validator = new ajv.Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(report_schema_namespaceObject);
    if (validator(value))
        return { ok: true };
    return { ok: false, errors: (validator.errors ?? []).map(schema_describe) };
}
function schema_describe(e) {
    const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
    return `${e.instancePath || '(root)'} ${e.message ?? e.keyword}${extra}`;
}

;// CONCATENATED MODULE: ./src/merge/shards.ts


/** An input that is the report of an earlier merge: skipped when found inside a folder. */
class MergedReportError extends Error {
}
function readShard(src) {
    const raw = src.files.get('report.json');
    if (!raw)
        throw new Error('no report.json');
    let report;
    try {
        report = JSON.parse(raw.toString('utf8'));
    }
    catch (err) {
        throw new Error(`report.json is not JSON (${err.message})`);
    }
    if (!report || typeof report !== 'object' || report.schemaVersion !== 1 || typeof report.runId !== 'string' || !report.stages) {
        throw new Error('report.json is not a toron-testops report (schemaVersion 1)');
    }
    const valid = validateReport(report);
    if (!valid.ok)
        throw new Error(`report.json does not match the report schema: ${valid.errors.slice(0, 3).join('; ')}`);
    const shard = report.shard;
    if (!shard && report.merged)
        throw new MergedReportError(`a merged report (run ${report.runId}), not a shard's`);
    if (!shard || !Number.isInteger(shard.index) || !Number.isInteger(shard.total) || shard.index < 1 || shard.index > shard.total || typeof shard.fingerprint !== 'string' || !shard.rules) {
        throw new Error(`report.json of run ${report.runId} is not a shard's (it has no valid "shard" block: run the legs with --shard i/n)`);
    }
    const json = (name) => {
        const b = src.files.get(name);
        if (!b)
            return undefined;
        try {
            return JSON.parse(b.toString('utf8'));
        }
        catch (err) {
            throw new Error(`${name} is not JSON (${err.message})`);
        }
    };
    const replaySummary = json('replay_summary.json');
    const disagreement = replaySummary ? replaySummaryDisagreement(report.stages.replay, replaySummary) : null;
    if (disagreement)
        throw new Error(`replay_summary.json does not agree with report.json at ${disagreement} (the file was edited or is damaged)`);
    return {
        source: src.source,
        kind: src.kind,
        hash: (0,external_node_crypto_.createHash)('sha256').update(raw).digest('hex'),
        report: report,
        summaries: { sim: json('sim_summary.json'), load: json('load_summary.json'), replay: replaySummary, pipeline: json('pipeline_summary.json') },
        snapshot: src.files.get('snapshot.json') ?? null,
    };
}
/** The per-case fields merge judges the replay on: report.json (schema-checked) and replay_summary.json must agree on them. */
const REPLAY_CASE_FIELDS = ['dataset', 'id', 'agreed', 'rawAgreed', 'stable', 'uniqueOutputs', 'modalAgreement', 'firstDivergence'];
/**
 * Where a shard's replay_summary.json differs from its report.json, or null. Merge computes the run's
 * determinism and drift from the summaries (they keep more diffs and errors), which the report schema
 * does not check: a summary cut short or edited would silently drop cases from the merged score (a
 * summary of 20 of a leg's 42 cases made the merged run "64 cases, 98.44" instead of 86). The summary
 * repeats the report's cases with more detail, so every case, unscored case and drift status must match.
 */
function replaySummaryDisagreement(block, summary) {
    if (!block || !Array.isArray(block.cases))
        return null; // no replay in the report: nothing merge reads from the summary
    const list = (v) => (Array.isArray(v) ? v : null);
    const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    const compare = (at, mine, theirs, fields) => {
        if (!theirs)
            return `${at} (missing)`;
        if (theirs.length !== mine.length)
            return `${at} (${theirs.length} entries, the report has ${mine.length})`;
        for (let i = 0; i < mine.length; i++) {
            const f = fields.find((k) => !same(mine[i]?.[k], theirs[i]?.[k]));
            if (f)
                return `${at}/${i}/${f}`;
        }
        return null;
    };
    const drift = block.drift;
    const theirDrift = summary.drift;
    return (compare('/cases', list(block.cases), list(summary.cases), REPLAY_CASE_FIELDS) ??
        compare('/unscoredCases', list(block.unscoredCases) ?? [], list(summary.unscoredCases) ?? [], ['dataset', 'id', 'rounds']) ??
        (drift ? compare('/drift/cases', list(drift.cases) ?? [], list(theirDrift?.cases), ['dataset', 'id', 'status']) : null));
}
/**
 * Which shards make the run: the first readable shard sets the run id, the shard count and the settings
 * fingerprint; a shard that disagrees on any is rejected (named, with what it disagrees on). A shard
 * given twice with the same report is taken once; with another report, the second is rejected.
 */
function selectShards(runs) {
    const problems = [];
    const duplicates = [];
    // The run most inputs belong to (the first one on a tie): one stray shard must not reject the rest.
    const groupOf = (r) => `${r.report.runId}\u0000${r.report.shard.total}\u0000${r.report.shard.fingerprint}`;
    const sizes = new Map();
    for (const r of runs)
        sizes.set(groupOf(r), (sizes.get(groupOf(r)) ?? 0) + 1);
    const ref = runs.reduce((best, r) => (!best || sizes.get(groupOf(r)) > sizes.get(groupOf(best)) ? r : best), undefined);
    if (!ref)
        return { shards: [], runId: null, total: null, fingerprint: null, missing: [], problems, duplicates };
    const byIndex = new Map();
    for (const r of runs) {
        const mismatch = [];
        if (r.report.runId !== ref.report.runId)
            mismatch.push(`run id "${r.report.runId}" is not "${ref.report.runId}"`);
        if (r.report.shard.total !== ref.report.shard.total)
            mismatch.push(`shard count ${r.report.shard.total} is not ${ref.report.shard.total}`);
        if (r.report.shard.fingerprint !== ref.report.shard.fingerprint)
            mismatch.push(`settings fingerprint ${r.report.shard.fingerprint.slice(0, 12)} is not ${ref.report.shard.fingerprint.slice(0, 12)} (another config, engine or baseline)`);
        if (mismatch.length > 0) {
            problems.push({ source: r.source, message: `shard ${r.report.shard.index}/${r.report.shard.total} does not belong with ${ref.source}: ${mismatch.join('; ')}` });
            continue;
        }
        const seen = byIndex.get(r.report.shard.index);
        if (!seen)
            byIndex.set(r.report.shard.index, r);
        else if (seen.hash === r.hash)
            duplicates.push({ source: r.source, of: seen.source });
        else {
            problems.push({
                source: r.source,
                message: `shard ${r.report.shard.index}/${r.report.shard.total} is given twice with different contents (${seen.source} and ${r.source}); kept ${seen.source}`,
            });
        }
    }
    const total = ref.report.shard.total;
    const missing = [];
    for (let i = 1; i <= total; i++)
        if (!byIndex.has(i))
            missing.push(i);
    return {
        shards: [...byIndex.values()].sort((a, b) => a.report.shard.index - b.report.shard.index),
        runId: ref.report.runId,
        total,
        fingerprint: ref.report.shard.fingerprint,
        missing,
        problems,
        duplicates,
    };
}

;// CONCATENATED MODULE: ./src/merge/snapshot.ts







/**
 * The run's snapshot from its shards' snapshots (each holds its slice): one header, every case line
 * as its shard wrote it (verbatim: the canonical answer text and its hash stay byte-identical), in
 * suite order. Same layout as SnapshotWriter's, so it serves as a baseline like any run's snapshot.
 */
function mergeSnapshots(shards, order, paths, results, now) {
    const problems = [];
    let header = null;
    const lines = [];
    for (const s of shards) {
        if (!s.snapshot)
            continue;
        try {
            const parsed = parseSnapshotLines(s.snapshot.toString('utf8'));
            header ??= parsed.header;
            for (const l of parsed.lines)
                lines.push({ ...l, rank: order.get(sim_caseKey(l.entry)) ?? Infinity });
        }
        catch (err) {
            problems.push(`${s.source}: snapshot unreadable (${err.message}); its cases are not in the merged snapshot`);
        }
    }
    if (!header || lines.length === 0)
        return { written: null, problems };
    lines.sort((a, b) => a.rank - b.rank);
    const lat = lines.filter((l) => l.entry.status === 'ok').map((l) => l.entry.latencyMs).sort((a, b) => a - b);
    const rank = (q) => lat[Math.min(lat.length - 1, Math.max(0, Math.ceil(q * lat.length) - 1))];
    const sim = results.sim?.report;
    const load = results.load && results.load.verdict !== 'SKIPPED' ? results.load.report : null;
    const metrics = {
        sim: sim && results.sim.verdict !== 'SKIPPED'
            ? { verdict: results.sim.verdict, total: sim.total, passed: sim.passed, failed: sim.failed, errored: sim.errored, flaky: sim.flaky, passRate: sim.passRate }
            : null,
        latencyMs: lat.length ? { p50: snapshot_round2(rank(0.5)), p95: snapshot_round2(rank(0.95)), max: snapshot_round2(lat[lat.length - 1]) } : null,
        load: load ? { verdict: results.load.verdict, metrics: load.metrics ?? null } : null,
        answered: lat.length,
        errored: lines.length - lat.length,
    };
    const rel = (p) => relPath(paths.snapshotsDir, p);
    const full = {
        ...header,
        kind: SNAPSHOT_KIND,
        createdAt: now.toISOString(),
        metrics,
        artifacts: { report: rel(paths.report), result: rel(paths.result), simSummary: rel(paths.simSummary), replaySummary: rel(paths.replaySummary), log: rel(paths.runLog) },
        caseCount: lines.length,
    };
    const { cases: _drop, ...headerOnly } = full;
    void _drop;
    const text = `${CASES_OPENING}${lines.map((l) => l.text).join(CASE_SEPARATOR)}${casesClosing(headerOnly)}`;
    external_node_fs_default().mkdirSync(external_node_path_default().dirname(paths.snapshot), { recursive: true });
    const tmp = `${paths.snapshot}.${process.pid}.tmp`;
    external_node_fs_default().writeFileSync(tmp, text);
    external_node_fs_default().renameSync(tmp, paths.snapshot);
    const sha256 = (0,external_node_crypto_.createHash)('sha256').update(text).digest('hex');
    return {
        written: { file: paths.snapshot, sha256, cases: lines.length, bytes: Buffer.byteLength(text), createdAt: full.createdAt, settingsHash: full.settingsHash },
        problems,
    };
}
/** A snapshot file's header and its case lines (text as written, without the separating comma), in either layout. */
function parseSnapshotLines(text) {
    const all = text.split('\n');
    while (all.length > 0 && all[all.length - 1] === '')
        all.pop();
    const legacy = opensCases(all[0] ?? '') ? null : headerOfLegacyOpening(all[0] ?? '');
    const header = (legacy ?? headerOfClosing(all[all.length - 1] ?? ''));
    const closing = legacy ? LEGACY_CLOSING : all[all.length - 1];
    if (all.length < 2 || header === null || all[all.length - 1] !== closing || (!legacy && !opensCases(all[0]))) {
        throw new Error('not a toron-testops snapshot (unexpected layout)');
    }
    if (header.kind !== SNAPSHOT_KIND)
        throw new Error(`not a toron-testops snapshot (kind ${JSON.stringify(header.kind)})`);
    const lines = all.slice(1, -1).map((line) => {
        const t = caseText(line);
        return { text: t, entry: JSON.parse(t) };
    });
    if (lines.length !== header.caseCount)
        throw new Error(`holds ${lines.length} case(s), its header says ${header.caseCount}`);
    return { header, lines };
}
function snapshot_round2(x) {
    return Math.round(x * 100) / 100;
}

;// CONCATENATED MODULE: ./src/merge/merge.ts























/**
 * `toron-testops merge`: the shards of one sharded run (report folders, folders holding them at any
 * depth, bundle.zip files) -> one run with the verdict and per-case results an unsharded run of the
 * same cases and run id would have. Per-case results come from the shards; everything that depends on
 * the totals (verdicts, determinism, drift, pipeline budgets, their findings) is judged again on the
 * union with the stages' own pure functions. Every input is read before anything is written (the
 * merged report folder may be one of them). Bad inputs never crash: they make the merged run ERROR,
 * named, and what could be merged is still written.
 */
async function mergeShards(inputs, opts) {
    const cwd = opts.cwd;
    const env = opts.env ?? process.env;
    const signal = opts.signal ?? new AbortController().signal;
    const startedAt = new Date();
    // 1. Read every input (in memory) before anything is written.
    const problems = [];
    const collected = collectShardSources(inputs, { cwd, limits: opts.zipLimits });
    problems.push(...collected.problems);
    const runs = [];
    const skippedMerged = [];
    const given = new Set(inputs.map((i) => shownInput(cwd, external_node_path_default().resolve(cwd, i))));
    for (const src of collected.sources) {
        try {
            runs.push(readShard(src));
        }
        catch (err) {
            // An earlier merge's report inside a given folder is not an input; named on its own, it is refused.
            if (err instanceof MergedReportError && !given.has(src.source))
                skippedMerged.push(src.source);
            else
                problems.push({ source: src.source, message: errorMessage(err) });
        }
    }
    const sel = selectShards(runs);
    problems.push(...sel.problems);
    const k6 = opts.k6Summaries?.length ? readK6Summaries(opts.k6Summaries, cwd) : null;
    if (k6)
        problems.push(...k6.problems);
    // 2. The merged run's settings: the shards' rules (merge reads no config).
    const ref = sel.shards[0] ?? null;
    const runId = sel.runId ?? newRunId(startedAt);
    const settings = mergeSettings(cwd, opts.out ?? DEFAULTS.out, runId, ref?.report.shard.rules ?? null, opts.failOn);
    const paths = runPaths(cwd, settings.out, runId);
    const scrub = pathScrubber(cwd, paths.out);
    const bus = new EventBus(runId);
    for (const s of opts.sinks ?? [])
        bus.add(s);
    const refuse = async (message) => {
        bus.emit({ type: 'log', level: 'error', source: 'merge', message });
        bus.emit({ type: 'done', verdict: 'ERROR', exitCode: 2, reportDir: paths.reportDir });
        await bus.close();
        return { runId, verdict: 'ERROR', exitCode: 2, paths, report: null, error: message };
    };
    // The merged run replaces <out>/reports/<run_id>/ and <out>/snapshots/<run_id>.json: a leg written there
    // (merge given the --out of a leg) would be deleted, and the next merge would find the leg missing;
    // so would a k6 summary kept there (read, then deleted with the folder).
    const overwritten = inputOverwrittenBy([...collected.sources, ...(k6?.inputs ?? [])], cwd, paths.reportDir);
    if (overwritten) {
        return refuse(`--out ${relPath(cwd, paths.out) || '.'} would overwrite the input ${overwritten} (the merged run ${runId} is written to ${relPath(cwd, paths.reportDir)}): give merge an --out of its own`);
    }
    try {
        external_node_fs_default().rmSync(paths.reportDir, { recursive: true, force: true });
        external_node_fs_default().mkdirSync(paths.reportDir, { recursive: true });
        bus.add(new RunLogSink(paths.runLog, scrub));
    }
    catch (err) {
        return refuse(`cannot write ${paths.reportDir}: ${errorMessage(err)}`);
    }
    // The log appended across runs is history, as in a run (runner.ts): trouble with it is a finding, and
    // the merged run's findings still land in its report folder's warroom.log, report.json and bundle.
    let warroomLogError = null;
    try {
        bus.add(new WarroomLogSink(paths.warroomLog));
    }
    catch (err) {
        warroomLogError = scrub(errorMessage(err));
    }
    const log = (level, source, message) => bus.emit({ type: 'log', level, source, message });
    const engine = ref?.report.engine ?? { kind: 'unknown', target: '(no shard)', version: null, profile: 'auto' };
    const store = merge_openStore(paths.db, paths.out, runId, startedAt, engine, bus, log);
    bus.emit({ type: 'status', status: 'RUNNING' });
    log('info', 'merge', `merging run ${runId}: ${inputs.length} input(s), ${collected.sources.length} shard report(s) found`);
    for (const r of runs)
        log('info', 'merge', `  ${r.source} (${r.kind}): run ${r.report.runId} shard ${r.report.shard.index}/${r.report.shard.total}, ${r.report.verdict}`);
    for (const m of skippedMerged)
        log('info', 'merge', `${m}: the report of an earlier merge, not a shard: skipped`);
    for (const d of sel.duplicates)
        log('info', 'merge', `${d.source} repeats ${d.of} (same report): taken once`);
    // 3. Why the merged run can not be trusted whole (each also a CRITICAL finding).
    const own = [];
    const errors = [];
    for (const p of problems) {
        // An input's error (fs, zip) may name a path of the machine; the reason goes into every report (DESIGN §3.3).
        const message = `${p.source}: ${scrub(p.message)}`;
        errors.push(message);
        own.push({ type: 'merge-input-rejected', severity: 'CRITICAL', subsystem: 'merge', message });
    }
    if (sel.total !== null && sel.missing.length > 0) {
        const m = `shard(s) ${sel.missing.map((i) => `${i}/${sel.total}`).join(', ')} missing: the merged report holds ${sel.shards.length} of ${sel.total} shards`;
        errors.push(m);
        own.push({ type: 'merge-shard-missing', severity: 'CRITICAL', subsystem: 'merge', message: m });
    }
    for (const s of sel.shards) {
        if (s.report.verdict !== 'ERROR')
            continue;
        const m = `shard ${s.report.shard.index}/${s.report.shard.total} (${s.source}) ended in ERROR: ${s.report.reason}`;
        errors.push(m);
        own.push({ type: 'merge-shard-error', severity: 'CRITICAL', subsystem: 'merge', message: m });
    }
    if (sel.shards.length === 0 && errors.length === 0)
        errors.push('no shard report in the inputs');
    if (warroomLogError !== null) {
        own.push({
            type: 'warroom-log-unavailable',
            severity: 'HIGH',
            subsystem: 'warroom',
            message: `this run's findings are not appended to ${relPath(cwd, paths.warroomLog)} (${warroomLogError}); they are in its report folder's warroom.log, report.json and bundle`,
        });
    }
    // 4. The stages of the union.
    const results = {};
    const recomputed = [];
    let order = new Map();
    let loadReplaced = false;
    if (ref) {
        const rules = ref.report.shard.rules;
        const want = (n) => rules.stages.includes(n);
        const notRequested = { verdict: 'SKIPPED', reason: 'not requested (--stages)', report: {} };
        const sim = mergeSim(sel.shards, rules.sim.passRate, runId);
        order = sim.order;
        results.sim = want('sim') ? sim.result : notRequested;
        if (sim.suiteCases !== null && sel.missing.length === 0 && want('sim')) {
            const got = (sim.result.report.total ?? 0) + sel.shards.reduce((n, s) => n + ((s.report.stages.sim.notRun) ?? 0), 0);
            if (got !== sim.suiteCases) {
                const m = `the shards hold ${got} case(s), their suite ${sim.suiteCases}: some cases ran in no shard or in two`;
                errors.push(m);
                own.push({ type: 'merge-input-rejected', severity: 'CRITICAL', subsystem: 'merge', message: m });
            }
        }
        if (k6 && k6.inputs.length > 0) {
            // Distributed k6 runners ran the load outside the shard legs: their summaries are the load stage.
            try {
                const merged = mergeK6Load(k6.inputs, rules.load);
                results.load = merged.result;
                recomputed.push(...merged.findings);
                log('info', 'load', `load from ${k6.inputs.length} k6 summaries (percentiles are upper bounds): ${merged.result.verdict}`);
            }
            catch (err) {
                const m = `the k6 summaries cannot be judged: ${errorMessage(err)}`;
                errors.push(m);
                results.load = { verdict: 'ERROR', reason: m, report: {} };
            }
            loadReplaced = true;
            if (!settings.stages.includes('load'))
                settings.stages = STAGE_ORDER.filter((n) => n === 'load' || settings.stages.includes(n));
        }
        else if (!want('load'))
            results.load = notRequested;
        else {
            const first = sel.shards.find((s) => s.report.shard.index === 1);
            results.load = first ? fromBlock(first.report.stages.load, first.summaries.load) : { verdict: 'SKIPPED', reason: 'shard 1, which runs the load, is missing', report: {} };
        }
        if (!want('replay'))
            results.replay = notRequested;
        else {
            const merged = mergeReplay(sel.shards, rules.replay, order, relPath(cwd, paths.snapshot), runId, rules.sim.passRate);
            if (merged) {
                results.replay = merged.result;
                recomputed.push(...merged.findings);
            }
            else
                results.replay = fromBlock(ref.report.stages.replay, undefined);
        }
        if (!want('pipeline'))
            results.pipeline = notRequested;
        else {
            const merged = mergePipeline(sel.shards, settings, runId);
            if (merged === null)
                results.pipeline = fromBlock(ref.report.stages.pipeline, undefined);
            else if ('problem' in merged) {
                errors.push(merged.problem);
                own.push({ type: 'merge-input-rejected', severity: 'CRITICAL', subsystem: 'merge', message: merged.problem });
                results.pipeline = { verdict: 'ERROR', reason: merged.problem, report: {} };
            }
            else {
                results.pipeline = merged.result;
                recomputed.push(...merged.findings);
            }
        }
    }
    for (const name of ['sim', 'load', 'replay', 'pipeline']) {
        const r = results[name];
        if (r)
            bus.emit({ type: 'subsystem', stage: name, state: 'finished', verdict: r.verdict, reason: r.reason });
    }
    emitCaseRows(bus, results.sim);
    // 5. WAR ROOM: per-case findings from the shards, run-level ones judged again on the union.
    const findings = assembleFindings(sel.shards, order, own, recomputed, loadReplaced, runId);
    for (const f of findings)
        bus.emit({ type: 'warroom', finding: f });
    const runError = errors.length ? { kind: 'merge', message: errors.join('; ') } : null;
    if (runError)
        log('error', 'merge', runError.message);
    return finaliseRun({
        settings,
        paths,
        bus,
        store,
        startedAt,
        results,
        findings,
        runError,
        cancelled: signal.aborted,
        engine,
        env,
        log,
        beforeReport: () => {
            if (!ref)
                return;
            try {
                const snap = mergeSnapshots(sel.shards, order, paths, results, new Date());
                for (const p of snap.problems)
                    log('warn', 'snapshot', p);
                if (snap.written) {
                    log('info', 'snapshot', `merged snapshot of ${snap.written.cases} case(s) written: ${relPath(cwd, snap.written.file)}`);
                    store?.recordSnapshot({ runId, path: snap.written.file, sha256: snap.written.sha256, createdAt: snap.written.createdAt, cases: snap.written.cases, settingsHash: snap.written.settingsHash });
                }
            }
            catch (err) {
                log('error', 'snapshot', `could not write the merged snapshot: ${errorMessage(err)}`);
            }
        },
        decorateReport: (report) => {
            report.merged = {
                total: sel.total,
                fingerprint: sel.fingerprint,
                shards: sel.shards.map((s) => ({
                    index: s.report.shard.index,
                    verdict: s.report.verdict,
                    source: s.source,
                    cases: s.report.stages.sim.total ?? null,
                })),
                missing: sel.missing,
                ...(k6 ? { k6Summaries: k6.inputs.map((i) => i.source) } : {}),
            };
        },
    });
}
/** A shard's stage block back as a stage result. */
function fromBlock(block, summary) {
    const { verdict, reason, ...report } = block;
    return { verdict, ...(reason ? { reason } : {}), report, ...(summary !== undefined ? { summary } : {}) };
}
function mergeSettings(cwd, out, runId, rules, failOn) {
    const d = structuredClone(DEFAULTS);
    return {
        ...d,
        configFile: null,
        cwd,
        runId,
        out,
        shard: null,
        failOn: failOn ?? rules?.failOn ?? d.failOn,
        stages: rules?.stages ?? d.stages,
        baseline: rules?.baseline ?? null,
        engine: { ...d.engine, profile: rules?.engineProfile ?? d.engine.profile },
        sim: { ...d.sim, passRate: rules?.sim.passRate ?? d.sim.passRate },
        replay: rules?.replay ?? d.replay,
        pipeline: rules?.pipeline ?? d.pipeline,
        load: rules?.load ?? d.load,
    };
}
/**
 * Findings of the merged run, in suite order where they name a case: SIM's per-case findings as the
 * shards raised them; load's from shard 1 (the only one that ran it) unless k6 summaries replaced it;
 * replay and pipeline judged again on the union (recomputed); other findings (engine, store, runner)
 * once each however many shards raised them; merge's own first.
 */
function assembleFindings(shards, order, own, recomputed, loadReplaced, runId) {
    const now = new Date().toISOString();
    const make = (f) => ({
        id: (0,external_node_crypto_.randomUUID)(),
        runId,
        timestamp: now,
        ...f,
        score: SEVERITY_SCORE[f.severity],
        remediation: f.remediation ?? catalogueEntry(f.type).remediation,
    });
    const sim = [];
    const load = [];
    const other = [];
    const seen = new Set();
    for (const s of shards) {
        for (const f of s.report.warroom ?? []) {
            if (f.subsystem === 'replay' || f.subsystem === 'pipeline')
                continue;
            if (f.subsystem === 'load') {
                if (!loadReplaced && s.report.shard.index === 1)
                    load.push({ ...f, runId });
                continue;
            }
            if (f.subsystem === 'sim' && f.caseId) {
                sim.push({ ...f, runId });
                continue;
            }
            const key = `${f.type}\u0000${f.severity}\u0000${f.message}\u0000${f.caseId ?? ''}`;
            if (seen.has(key))
                continue;
            seen.add(key);
            other.push({ ...f, runId });
        }
    }
    const rankOf = (f) => {
        const loc = f.location;
        // a case id is unique within its dataset; the finding's message starts with "dataset/id"
        const dataset = f.message.split('/')[0];
        return order.get(sim_caseKey({ dataset, id: f.caseId })) ?? (loc ? loc.line : Infinity);
    };
    sim.sort((a, b) => rankOf(a) - rankOf(b));
    return [...own.map(make), ...other, ...sim, ...load, ...recomputed.map(make)];
}
function emitCaseRows(bus, sim) {
    const cases = sim?.report?.cases;
    if (!Array.isArray(cases))
        return;
    // The store keeps one row per case for a merged run (the shards' stores hold every attempt).
    for (const c of cases) {
        bus.emit({
            type: 'case',
            stage: 'sim',
            caseId: c.id,
            dataset: c.dataset,
            repeat: 0,
            passed: c.passed,
            latencyMs: c.latencyMs,
            error: c.engineErrors?.[0] ? `${c.engineErrors[0].kind}: ${c.engineErrors[0].message}` : c.failures[0]?.message,
            errorKind: c.engineErrors?.[0]?.kind ?? (c.passed ? undefined : c.status === 'flaky' ? 'flaky' : 'assertion'),
            location: c.location,
        });
    }
}
function merge_openStore(db, out, runId, startedAt, engine, bus, log) {
    try {
        const opened = Store.open(db, { outDir: out, log: (level, message) => log(level, 'store', message) });
        for (const n of opened.notices)
            log('warn', 'store', n.finding.message);
        opened.store.beginRun({ runId, startedAt: startedAt.toISOString(), engine: { kind: engine.kind, target: engine.target, profile: engine.profile } });
        bus.add(new StoreSink(opened.store, { onError: (message) => log('warn', 'store', message) }));
        return opened.store;
    }
    catch (err) {
        log('warn', 'store', `run history is not kept for this merge (${db}): ${errorMessage(err)}`);
        return null;
    }
}

;// CONCATENATED MODULE: ./src/github/run-artifacts.ts





/** An artifact's zip may be at most this big, and unpack to at most this much (bundle included). */
const MAX_ARTIFACT_BYTES = 256 * 1024 * 1024;
const UNPACK_LIMITS = { maxEntries: 200, maxTotalBytes: 512 * 1024 * 1024 };
async function listRunArtifacts(findBy) {
    const { DefaultArtifactClient } = await artifactModule();
    const { artifacts } = await new DefaultArtifactClient().listArtifacts({ latest: true, ...(findBy ? { findBy } : {}) });
    return artifacts.map((a) => ({ id: a.id, name: a.name, size: a.size }));
}
/** The artifact's zip as bytes, size-checked before and after the download. */
async function downloadRawArtifact(a, findBy, dir) {
    if (a.size > MAX_ARTIFACT_BYTES)
        throw new ZipError(`artifact ${a.name} is ${a.size} bytes (over ${MAX_ARTIFACT_BYTES})`);
    const { DefaultArtifactClient } = await artifactModule();
    external_node_fs_default().rmSync(dir, { recursive: true, force: true });
    external_node_fs_default().mkdirSync(dir, { recursive: true });
    try {
        await new DefaultArtifactClient().downloadArtifact(a.id, { path: dir, skipDecompress: true, ...(findBy ? { findBy } : {}) });
    }
    catch (err) {
        throw new Error(`download of artifact ${a.name} (${a.id}) failed: ${errorMessage(err).split('\n')[0]}`);
    }
    const files = external_node_fs_default().readdirSync(dir).filter((f) => external_node_fs_default().lstatSync(external_node_path_default().join(dir, f)).isFile());
    if (files.length !== 1)
        throw new Error(`download of artifact ${a.name}: expected one file, found ${files.length}`);
    const file = external_node_path_default().join(dir, files[0]);
    if (external_node_fs_default().statSync(file).size > MAX_ARTIFACT_BYTES)
        throw new ZipError(`artifact ${a.name} is over ${MAX_ARTIFACT_BYTES} bytes`);
    return external_node_fs_default().readFileSync(file);
}
/**
 * The artifact zip (bundle.zip + event.json, or loose report files) unpacked into `target`: the
 * artifact first, then the bundle inside it. Any entry that would leave its folder, any symbolic link,
 * too many entries or too many bytes refuse the archive before a byte of it is written.
 */
function unpackReportArtifact(zip, target, limits = UNPACK_LIMITS) {
    external_node_fs_default().rmSync(target, { recursive: true, force: true });
    const outer = external_node_path_default().join(target, 'artifact');
    const names = extractZip(zip, outer, limits);
    let reportDir = outer;
    let bundle = null;
    if (names.includes('bundle.zip')) {
        bundle = external_node_path_default().join(outer, 'bundle.zip');
        reportDir = external_node_path_default().join(target, 'bundle');
        extractZip(external_node_fs_default().readFileSync(bundle), reportDir, limits);
    }
    return { reportDir, bundle, eventRecord: names.includes('event.json') ? external_node_path_default().join(outer, 'event.json') : null };
}
/** A file of an unpacked artifact, read only when it is a regular file within `maxBytes`. */
function readBounded(file, maxBytes) {
    let st;
    try {
        st = external_node_fs_default().lstatSync(file);
    }
    catch {
        return null;
    }
    if (!st.isFile())
        return null;
    if (st.size > maxBytes)
        throw new ZipError(`${external_node_path_default().basename(file)} is ${st.size} bytes (over ${maxBytes})`);
    return external_node_fs_default().readFileSync(file, 'utf8');
}

;// CONCATENATED MODULE: ./src/action/merge-mode.ts










const LIST_TIMEOUT_MS = 60_000;
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;
/** The `<name>` of every `<name>-shard-<i>-of-<n>` artifact in the list. */
function shardPrefixes(list) {
    return [...new Set(list.flatMap((a) => /^(.+)-shard-\d+-of-\d+$/.exec(a.name)?.[1] ?? []))].sort();
}
/** `<name>-shard-<i>-of-<n>` artifacts of this run, in leg order; the `.html` pages are not legs. */
function shardLegs(list, name) {
    const prefix = shardPrefix(name);
    return list
        .flatMap((a) => {
        if (!a.name.startsWith(prefix))
            return [];
        const m = /^(\d+)-of-(\d+)$/.exec(a.name.slice(prefix.length));
        return m ? [{ ...a, index: Number(m[1]), total: Number(m[2]) }] : [];
    })
        .sort((a, b) => a.index - b.index);
}
/**
 * `mode: merge`: every shard leg's artifact of this workflow run, downloaded and unpacked safely, then
 * merged into one run (report, verdict, bundle) that is published like any run. Never throws.
 */
async function mergeGate(ctx, p) {
    const settings = p.settings;
    const runtime = artifactServiceProblem(ctx.env);
    if (runtime)
        return errorOutcome(`mode: merge: ${runtime}`);
    let base = p.inputs?.artifactName ?? p.artifactName;
    const inputs = [];
    try {
        const all = await withinBudget(ctx.cancel, LIST_TIMEOUT_MS, 'listing the run\'s artifacts', listRunArtifacts(null));
        if (!p.inputs?.artifactName) {
            // No name given: the legs ran in another job (another default name); take the one set there is.
            const prefixes = shardPrefixes(all);
            if (prefixes.length > 1)
                return errorOutcome(`mode: merge: this run has shard artifacts of several names (${prefixes.join(', ')}): set artifact-name to the one to merge`);
            if (prefixes.length === 1)
                base = prefixes[0];
            p.artifactName = base; // the merged run is published under the legs' name
        }
        const legs = shardLegs(all, base);
        if (legs.length === 0) {
            return errorOutcome(`mode: merge: this run has no shard artifacts named ${shardPrefix(base)}<i>-of-<n> (it has: ${all.map((a) => a.name).join(', ') || 'none'}); give the shard legs and the merge job the same artifact-name`);
        }
        const totals = [...new Set(legs.map((l) => l.total))];
        if (totals.length > 1)
            return errorOutcome(`mode: merge: the shard artifacts disagree on the number of shards (${totals.join(', ')})`);
        const missing = Array.from({ length: totals[0] }, (_, i) => i + 1).filter((i) => !legs.some((l) => l.index === i));
        if (missing.length)
            ctx.log.warning(`mode: merge: shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${totals[0]} did not upload an artifact; merging the ${legs.length} there are`);
        const dir = external_node_path_default().join(external_node_path_default().resolve(settings.cwd, settings.out), 'shards');
        for (const leg of legs) {
            const zip = await withinBudget(ctx.cancel, DOWNLOAD_TIMEOUT_MS, `downloading ${leg.name}`, downloadRawArtifact(leg, null, external_node_path_default().join(dir, 'download', leg.name)));
            const got = unpackReportArtifact(zip, external_node_path_default().join(dir, leg.name));
            inputs.push(got.bundle ?? got.reportDir);
            ctx.log.info(`toron-testops: shard ${leg.index}/${leg.total}: artifact ${leg.name} (${leg.id})`);
        }
    }
    catch (err) {
        const why = err instanceof ZipError ? `unsafe or damaged archive: ${err.message}` : errorMessage(err).split('\n')[0];
        return errorOutcome(`mode: merge: the shard artifacts could not be read: ${why}`);
    }
    ctx.log.group(`toron-testops merge (${inputs.length} shards)`);
    try {
        const outcome = await mergeShards(inputs, {
            cwd: settings.cwd,
            out: settings.out,
            failOn: settings.failOn,
            env: ctx.env,
            signal: ctx.cancel.signal,
            sinks: [new ConsoleSink({ write: (s) => ctx.log.raw(s), verbose: ctx.gh.debug })],
        });
        return fromRun(outcome, ctx.cancel.signal.aborted);
    }
    catch (err) {
        return errorOutcome(`mode: merge: ${errorMessage(err)}`);
    }
    finally {
        ctx.log.endGroup();
    }
}

;// CONCATENATED MODULE: ./src/action/event-record.ts



const EVENT_RECORD_FILE = 'event.json';
/** Far more than a real record takes; a bigger file is not read. */
const EVENT_RECORD_MAX_BYTES = 16 * 1024;
function eventRecord(gh, artifactName) {
    const p = gh.event.pull_request;
    const str = (v) => (typeof v === 'string' ? v : null);
    return {
        kind: 'toron-testops-event',
        version: 1,
        eventName: gh.eventName,
        prNumber: gh.pr?.number ?? null,
        headSha: gh.headSha,
        headRepo: str(p?.head?.repo?.full_name),
        baseRepo: str(p?.base?.repo?.full_name) ?? str(gh.event.repository?.full_name) ?? (gh.repo ? `${gh.repo.owner}/${gh.repo.repo}` : null),
        runId: gh.runId,
        runAttempt: gh.runAttempt,
        artifactName,
        actionVersion: package_0/* version */.rE,
    };
}
function writeEventRecord(dir, record) {
    const file = external_node_path_default().join(dir, EVENT_RECORD_FILE);
    external_node_fs_default().writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
    return file;
}
const SHA = /^[0-9a-f]{40}$/;
const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
/** An uploaded event.json, read as untrusted: anything malformed is dropped, never guessed at. */
function parseEventRecord(text) {
    if (Buffer.byteLength(text) > EVENT_RECORD_MAX_BYTES)
        return null;
    let v;
    try {
        v = JSON.parse(text);
    }
    catch {
        return null;
    }
    if (!v || typeof v !== 'object' || v.kind !== 'toron-testops-event' || v.version !== 1)
        return null;
    const int = (x) => (Number.isSafeInteger(x) && x > 0 ? x : null);
    const match = (x, re) => (typeof x === 'string' && x.length <= 200 && re.test(x) ? x : null);
    return {
        kind: 'toron-testops-event',
        version: 1,
        eventName: match(v.eventName, /^[a-z_]{1,64}$/) ?? '',
        prNumber: int(v.prNumber),
        headSha: match(v.headSha, SHA),
        headRepo: match(v.headRepo, REPO),
        baseRepo: match(v.baseRepo, REPO),
        runId: int(v.runId),
        runAttempt: int(v.runAttempt) ?? 1,
        artifactName: typeof v.artifactName === 'string' ? v.artifactName.slice(0, 256) : '',
        actionVersion: typeof v.actionVersion === 'string' ? v.actionVersion.slice(0, 64) : '',
    };
}

;// CONCATENATED MODULE: ./src/action/publish-source.ts














/** report.json bigger than this is not parsed. */
const MAX_REPORT_BYTES = 64 * 1024 * 1024;
const publish_source_SHA = /^[0-9a-f]{40}$/;
/** The `workflow_run` payload's fields this mode uses, or why it cannot run on this event. */
function triggeringRun(eventName, event) {
    const wr = event.workflow_run;
    if (eventName !== 'workflow_run' || !wr || typeof wr !== 'object') {
        return { problem: `mode: publish runs in a workflow triggered by workflow_run (types: [completed]); this event is ${eventName || 'unknown'}` };
    }
    if (!Number.isSafeInteger(wr.id) || wr.id <= 0)
        return { problem: 'the workflow_run payload has no run id' };
    if (typeof wr.head_sha !== 'string' || !publish_source_SHA.test(wr.head_sha))
        return { problem: 'the workflow_run payload has no head_sha' };
    const prs = Array.isArray(wr.pull_requests) ? wr.pull_requests : [];
    return {
        id: wr.id,
        headSha: wr.head_sha,
        pullRequests: prs
            .filter((p) => p && Number.isSafeInteger(p.number) && p.number > 0)
            .map((p) => ({ number: p.number, headSha: typeof p.head?.sha === 'string' ? p.head.sha : null })),
    };
}
/** Which of the run's artifacts is the report: the named one, else the only `toron-testops*` report artifact. */
function pickArtifact(list, name) {
    const reports = list.filter((a) => !a.name.endsWith('.html'));
    if (name) {
        const hit = reports.find((a) => a.name === name);
        return hit ?? { problem: `the run has no artifact named ${JSON.stringify(name)} (it has: ${names(list)})` };
    }
    const ours = reports.filter((a) => a.name.startsWith('toron-testops') && !/-shard-\d+-of-\d+$/.test(a.name));
    if (ours.length === 1)
        return ours[0];
    if (ours.length === 0)
        return { problem: `the run has no toron-testops report artifact (it has: ${names(list)}); set artifact-name to the name the run used` };
    return { problem: `the run has several report artifacts (${ours.map((a) => a.name).join(', ')}): set artifact-name to the one to publish` };
}
function names(list) {
    return list.length ? list.map((a) => a.name).join(', ') : 'none';
}
/**
 * The PR to comment on. `workflow_run.pull_requests` comes from GitHub (empty for fork PRs); the
 * artifact's event.json comes from the PR's own job, so its number is used only when the API says
 * that PR's head is the run's commit: a forged number cannot move the comment to another PR.
 */
async function resolvePr(octokit, q) {
    const listed = q.run.pullRequests.find((p) => p.headSha === null || p.headSha === q.run.headSha);
    if (listed)
        return { pr: listed.number, note: null, warning: null };
    const n = q.record?.prNumber ?? null;
    if (n === null)
        return { pr: null, note: 'the run was not for a pull request (no PR in the workflow_run event or in event.json)', warning: null };
    if (!octokit)
        return { pr: null, note: null, warning: `event.json names PR #${n}, but without github-token it cannot be checked: no PR comment` };
    try {
        const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
            owner: q.owner,
            repo: q.repo,
            pull_number: n,
            request: { signal: q.signal },
        });
        const head = typeof data.head?.sha === 'string' ? data.head.sha : '';
        if (head !== q.run.headSha) {
            return {
                pr: null,
                note: null,
                warning: `event.json names PR #${n}, whose head is ${head.slice(0, 12) || 'unknown'}, not the run's commit ${q.run.headSha.slice(0, 12)}: not commenting there (a stale or forged event.json)`,
            };
        }
        return { pr: n, note: null, warning: null };
    }
    catch (err) {
        return { pr: null, note: null, warning: `event.json names PR #${n}, which could not be checked (${describeHttpError(err)}): no PR comment` };
    }
}
/** Downloads, unpacks and validates the triggering run's report; the outcome to publish. Never throws. */
async function fetchPublished(ctx, p) {
    const { gh, log } = ctx;
    const inputs = p.inputs;
    const run = triggeringRun(gh.eventName, gh.event);
    if ('problem' in run)
        return errorOutcome(run.problem);
    if (!gh.repo)
        return errorOutcome('mode: publish: GITHUB_REPOSITORY is not set (not running in GitHub Actions?)');
    if (!inputs.githubToken)
        return errorOutcome('mode: publish needs github-token (actions: read) to download the run\'s artifact');
    const runtime = artifactServiceProblem(ctx.env);
    if (runtime)
        return errorOutcome(`mode: publish: ${runtime}`);
    const findBy = { token: inputs.githubToken, workflowRunId: run.id, repositoryOwner: gh.repo.owner, repositoryName: gh.repo.repo };
    const runUrl = `${gh.serverUrl}/${gh.repo.owner}/${gh.repo.repo}/actions/runs/${run.id}`;
    const work = external_node_path_default().join(process.env.RUNNER_TEMP || ctx.env.RUNNER_TEMP || external_node_os_default().tmpdir(), `toron-testops-publish-${run.id}`);
    log.info(`toron-testops: publishing run ${run.id} (${runUrl}), commit ${run.headSha}`);
    let artifact;
    let report;
    let unpacked;
    try {
        const picked = pickArtifact(await withinBudget(ctx.cancel, 60_000, `listing the artifacts of run ${run.id}`, listRunArtifacts(findBy)), inputs.artifactName);
        if ('problem' in picked)
            return errorOutcome(`mode: publish: ${picked.problem}`);
        artifact = picked;
        const zip = await withinBudget(ctx.cancel, 5 * 60_000, `downloading ${artifact.name}`, downloadRawArtifact(artifact, findBy, external_node_path_default().join(work, 'download')));
        unpacked = unpackReportArtifact(zip, external_node_path_default().join(work, 'unpacked'));
        const text = readBounded(external_node_path_default().join(unpacked.reportDir, 'report.json'), MAX_REPORT_BYTES);
        if (text === null)
            return errorOutcome(`mode: publish: artifact ${artifact.name} holds no report.json`);
        let parsed;
        try {
            parsed = JSON.parse(text);
        }
        catch (err) {
            return errorOutcome(`mode: publish: artifact ${artifact.name}: report.json is not JSON (${errorMessage(err)})`);
        }
        const valid = validateReport(parsed);
        if (!valid.ok) {
            const shown = valid.errors.slice(0, 5).join('; ');
            return errorOutcome(`mode: publish: artifact ${artifact.name}: report.json does not match the report schema: ${shown}${valid.errors.length > 5 ? ` (and ${valid.errors.length - 5} more)` : ''}`);
        }
        report = parsed;
    }
    catch (err) {
        const why = err instanceof ZipError ? `unsafe or damaged archive: ${err.message}` : errorMessage(err).split('\n')[0];
        return errorOutcome(`mode: publish: the report artifact of run ${run.id} is not usable: ${why}`);
    }
    let record = null;
    try {
        record = unpacked.eventRecord ? parseEventRecord(readBounded(unpacked.eventRecord, 64 * 1024) ?? '') : null;
    }
    catch {
        record = null;
    }
    if (unpacked.eventRecord && !record)
        log.info('toron-testops: the artifact\'s event.json is malformed; ignored');
    let octokit = null;
    try {
        octokit = await createOctokit(inputs.githubToken, gh.apiUrl);
    }
    catch (err) {
        log.debug(`no API client: ${errorMessage(err)}`);
    }
    const who = await resolvePr(octokit, { owner: gh.repo.owner, repo: gh.repo.repo, run, record, signal: AbortSignal.timeout(60_000) });
    if (who.warning)
        log.warning(who.warning);
    else if (who.note)
        log.info(`toron-testops: ${who.note}`);
    const failOn = inputs.failOn ?? 'fail';
    const exitCode = exitCodeFor(report.verdict, failOn);
    let result = null;
    try {
        result = buildResult(report, exitCode);
    }
    catch {
        // a valid report always has its stages; the metrics are then just unknown
    }
    const key = inputs.artifactName ?? (record?.artifactName && !record.artifactName.includes('"') ? record.artifactName : artifact.name);
    return {
        verdict: report.verdict,
        reason: report.reason,
        exitCode,
        runId: report.runId,
        report,
        result,
        paths: null,
        findings: report.warroom,
        cancelled: report.cancelled,
        error: report.verdict === 'ERROR' ? (report.error?.message ?? report.reason) : null,
        errorLocation: null,
        source: {
            runId: run.id,
            runUrl,
            headSha: run.headSha,
            pr: who.pr,
            prNote: who.warning ?? who.note,
            artifact: { id: artifact.id, name: artifact.name, url: `${runUrl}/artifacts/${artifact.id}` },
            key,
            reportPath: external_node_path_default().join(unpacked.reportDir, 'report.json'),
            bundlePath: unpacked.bundle,
        },
    };
}
function publishedFileOutputs(s) {
    return {
        'report-path': s.reportPath,
        'bundle-path': s.bundlePath ?? '',
        'bundle-sha256': s.bundlePath ? (sha256File(s.bundlePath) ?? '') : '',
    };
}

;// CONCATENATED MODULE: ./src/action/run.ts









/**
 * After a cancel, how long the runner may take to finalise (it stops new work and writes what it has)
 * before the action publishes without it; the rest of the cancel budget is for outputs and the upload.
 */
const FINALISE_GRACE_MS = 4000;
/** The pipeline, exactly as the CLI runs it, with the job's cancellation wired to its signal. */
async function runGate(ctx, p) {
    const mode = p.inputs?.mode ?? 'run';
    if (mode === 'publish' && !p.failed)
        return fetchPublished(ctx, p);
    if (p.failed || !p.settings)
        return p.failed ?? errorOutcome('no settings');
    const settings = p.settings;
    await preloadClients(ctx, p);
    if (mode === 'merge')
        return mergeGate(ctx, p);
    if (mode === 'compare')
        return compareGate(ctx, p);
    ctx.log.group(`toron-testops run ${settings.runId}`);
    let outcome;
    try {
        const running = runPipeline(settings, {
            sinks: [new ConsoleSink({ write: (s) => ctx.log.raw(s), verbose: ctx.gh.debug })],
            signal: ctx.cancel.signal,
            env: ctx.env,
            stages: p.stages,
        });
        outcome = await Promise.race([running, graceAfterCancel(ctx.cancel.signal, FINALISE_GRACE_MS)]);
    }
    catch (err) {
        // runPipeline finalises on its own; reaching here is a bug, still reported as ERROR with its reason.
        ctx.log.endGroup();
        return errorOutcome(`internal error: ${errorMessage(err)}`, { runId: settings.runId });
    }
    ctx.log.endGroup();
    if (outcome === null) {
        const dir = external_node_path_default().join(external_node_path_default().resolve(settings.cwd, settings.out), 'reports', settings.runId);
        return errorOutcome(`the job was cancelled and the run did not finish writing its report within ${FINALISE_GRACE_MS / 1000} s; partial files may be in ${dir}`, {
            runId: settings.runId,
            cancelled: true,
        });
    }
    return fromRun(outcome, ctx.cancel.signal.aborted);
}
/**
 * The GitHub clients are most of the bundle: loading them takes a moment of main-thread time. Done
 * before the run, not after: a cancelled job then has its whole budget for the upload, and no stage
 * (the load generator least of all) has its timing disturbed by a module evaluating.
 */
async function preloadClients(ctx, p) {
    const i = p.inputs;
    if (!i)
        return;
    const needed = (i.uploadArtifact && !artifactServiceProblem(ctx.env)) || (Boolean(i.githubToken) && (i.prComment !== 'off' || i.annotations === 'checks'));
    if (!needed)
        return;
    try {
        await artifactModule(); // imports @actions/github too
    }
    catch (err) {
        ctx.log.debug(`preloading the GitHub clients failed: ${errorMessage(err)}`);
    }
}
/** Resolves null `ms` after the signal aborts; never settles otherwise. */
function graceAfterCancel(signal, ms) {
    return new Promise((resolve) => {
        const start = () => setTimeout(() => resolve(null), ms).unref();
        if (signal.aborted)
            start();
        else
            signal.addEventListener('abort', start, { once: true });
    });
}

;// CONCATENATED MODULE: ./src/github/summary.ts

/**
 * The job summary: 1 MiB per step, and over it the platform drops the whole summary (the toolkit's
 * `core.summary` does not guard it), so every write here is measured in UTF-8 bytes against what the
 * file already holds.
 */
const SUMMARY_LIMIT_BYTES = 1024 * 1024;
/** Kept free for the lines appended after the upload and the comment (links, warnings). */
const SUMMARY_NOTES_RESERVE = 16 * 1024;
/**
 * `text` in at most `maxBytes` UTF-8 bytes: cut at a line boundary (never inside a character), with
 * `note` in place of what was cut. Text that fits is returned unchanged.
 */
function fitUtf8(text, maxBytes, note) {
    if (Buffer.byteLength(text) <= maxBytes)
        return text;
    const tail = `\n\n${note}\n`;
    const room = maxBytes - Buffer.byteLength(tail);
    if (room <= 0)
        return Buffer.byteLength(note) <= maxBytes ? note : '';
    const buf = Buffer.from(text);
    let cut = room;
    // Back off to the start of a UTF-8 sequence, then to the last line break.
    while (cut > 0 && (buf[cut] & 0xc0) === 0x80)
        cut--;
    const head = buf.subarray(0, cut).toString('utf8');
    const nl = head.lastIndexOf('\n');
    const kept = nl > head.length / 2 ? head.slice(0, nl) : head;
    return closeOpenFence(kept) + tail;
}
/** A cut inside a ``` block would swallow the note into the code block. */
function closeOpenFence(text) {
    const fences = text.match(/^```/gm)?.length ?? 0;
    return fences % 2 === 1 ? `${text}\n\`\`\`` : text;
}
function fileBytes(file) {
    try {
        return external_node_fs_default().statSync(file).size;
    }
    catch {
        return 0;
    }
}
/** Appends within the step's 1 MiB (less `reserve`); returns the bytes written and whether it had to cut. */
function appendWithinLimit(file, text, reserve, note) {
    const room = SUMMARY_LIMIT_BYTES - fileBytes(file) - reserve;
    if (room <= 0)
        return { bytes: 0, truncated: Buffer.byteLength(text) > 0 };
    const fitted = fitUtf8(text, room, note);
    external_node_fs_default().appendFileSync(file, fitted);
    return { bytes: Buffer.byteLength(fitted), truncated: fitted !== text };
}
const summary_ICON = { PASS: '✅', WARN: '⚠️', FAIL: '❌', ERROR: '🛑' };
function verdictHeadline(verdict) {
    return `${summary_ICON[verdict]} **${verdict}**${verdict === 'ERROR' ? ' (not a test verdict)' : ''}`;
}
function summary_cell(s) {
    return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
function fmt(n, digits = 2) {
    return n === null ? '–' : String(Number(n.toFixed(digits)));
}
/** Most findings the fallback summary lists. */
const FALLBACK_FINDINGS = 50;
/**
 * What the summary says when summary.md is missing (the run broke before its report was written, or
 * the inputs were wrong): the verdict, why, the metrics and the worst findings.
 */
function fallbackSummary(input) {
    const lines = [`## toron-testops ${verdictHeadline(input.verdict)}${input.runId ? ` · run \`${input.runId}\`` : ''}`, '', input.reason, ''];
    if (input.report) {
        lines.push('| stage | verdict | note |', '|---|---|---|');
        for (const [name, s] of Object.entries(input.report.stages))
            lines.push(`| ${name} | ${s.verdict} | ${summary_cell(s.reason ?? '')} |`);
        lines.push('');
    }
    if (input.result) {
        const m = input.result.metrics;
        lines.push('| metric | value |', '|---|---|', `| SIM pass rate | ${m.simPassRate === null ? '–' : `${fmt(m.simPassRate * 100, 1)}%`} |`, `| determinism score | ${fmt(m.determinismScore, 1)} |`, `| load p95 (ms) | ${fmt(m.p95Ms, 1)} |`, `| WAR ROOM critical / high | ${m.warroomCritical} / ${m.warroomHigh} |`, '');
    }
    if (input.findings.length > 0) {
        const shown = input.findings.slice(0, FALLBACK_FINDINGS);
        lines.push('### WAR ROOM', '', '| severity | type | where | message |', '|---|---|---|---|');
        for (const f of shown) {
            const where = f.location ? `${f.location.file}:${f.location.line}` : f.caseId ?? f.subsystem;
            lines.push(`| ${f.severity} | ${f.type} | ${summary_cell(where)} | ${summary_cell(f.message.slice(0, 300))} |`);
        }
        if (input.findings.length > shown.length)
            lines.push('', `…and ${input.findings.length - shown.length} more in report.json.`);
        lines.push('');
    }
    return lines.join('\n') + '\n';
}

;// CONCATENATED MODULE: ./src/github/checks.ts
/** The Checks API takes at most 50 annotations per request; more go in follow-up updates. */
const CHECK_BATCH = 50;
/** output.summary and output.text hold at most 65535 characters each. */
const CHECK_TEXT_LIMIT = 65_535;
function conclusionFor(verdict, cancelled) {
    if (cancelled)
        return 'cancelled';
    if (verdict === 'PASS')
        return 'success';
    if (verdict === 'WARN')
        return 'neutral';
    return 'failure';
}
function batches(items, size = CHECK_BATCH) {
    const out = [];
    for (let i = 0; i < items.length; i += size)
        out.push(items.slice(i, i + size));
    return out;
}
function clip(s, limit = CHECK_TEXT_LIMIT) {
    return s.length <= limit ? s : s.slice(0, limit - 40) + '\n\n…(cut: see the job summary)';
}
/**
 * One check run with every annotation: created with the first batch, then one update per further
 * batch, and the conclusion set with the last request (so the check does not read "completed" while
 * its annotations are still arriving).
 */
async function postCheckRun(octokit, r) {
    const parts = batches(r.annotations);
    const output = (annotations) => ({ title: r.title.slice(0, 255), summary: clip(r.summary), annotations });
    const last = Math.max(0, parts.length - 1);
    const done = { status: 'completed', conclusion: r.conclusion, completed_at: new Date().toISOString() };
    const created = await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
        owner: r.owner,
        repo: r.repo,
        name: r.name,
        head_sha: r.headSha,
        ...(r.detailsUrl ? { details_url: r.detailsUrl } : {}),
        ...(last === 0 ? done : { status: 'in_progress' }),
        output: output(parts[0] ?? []),
        request: { signal: r.signal },
    });
    const id = Number(created.data.id);
    let requests = 1;
    for (let i = 1; i < parts.length; i++) {
        await octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
            owner: r.owner,
            repo: r.repo,
            check_run_id: id,
            ...(i === last ? done : {}),
            output: output(parts[i]),
            request: { signal: r.signal },
        });
        requests++;
    }
    return { id, url: created.data.html_url ?? null, requests };
}

;// CONCATENATED MODULE: ./src/github/pr-files.ts
/** The API lists at most 3000 files of a pull request. */
const MAX_FILES = 3000;
const PER_PAGE = 100;
/** Paths the pull request changes (repository-relative), for putting their annotations first. */
async function listChangedFiles(octokit, q) {
    const files = new Set();
    for (let page = 1; files.size < MAX_FILES; page++) {
        const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', {
            owner: q.owner,
            repo: q.repo,
            pull_number: q.number,
            per_page: PER_PAGE,
            page,
            request: { signal: q.signal },
        });
        for (const f of data)
            files.add(f.filename);
        if (data.length < PER_PAGE)
            break;
    }
    return files;
}

;// CONCATENATED MODULE: ./src/action/publish-annotations.ts





const GITHUB_TIMEOUT_MS = 60_000;
/**
 * WAR ROOM findings as annotations: a check run (`checks`) or workflow commands. A check run needs
 * `checks: write`, which fork PRs never get: those, and refusals, fall back to workflow commands.
 * Returns a line for the job summary.
 */
async function publishAnnotations(ctx, inputs, o, opts) {
    const { gh, log } = ctx;
    if (inputs.annotations === 'off')
        return null;
    const place = (file) => repoPath(file, opts.cwd, gh.workspace);
    const canCallApi = Boolean(gh.repo && inputs.githubToken);
    let octokit = null;
    const api = async () => (octokit ??= await createOctokit(inputs.githubToken, gh.apiUrl));
    const signal = () => budgetSignal(ctx.cancel, GITHUB_TIMEOUT_MS);
    let changed = new Set();
    if (gh.pr && canCallApi && !o.cancelled && !ctx.cancel.signal.aborted && o.findings.some((f) => f.location)) {
        try {
            changed = await listChangedFiles(await api(), { owner: gh.repo.owner, repo: gh.repo.repo, number: gh.pr.number, signal: signal() });
        }
        catch (err) {
            log.debug(`changed files of the PR not available (${describeHttpError(err)}): annotations are ordered by severity only`);
        }
    }
    if (inputs.annotations === 'checks') {
        const why = checksUnavailable(ctx, inputs, o);
        if (why) {
            log.info(`toron-testops: annotations: checks: ${why}; using workflow commands instead`);
        }
        else {
            const plan = planCheckAnnotations(o.findings, { place, changedFiles: changed, maxTotal: inputs.maxAnnotations });
            const more = plan.overflow > 0 ? `\n\n${overflowText(plan.overflow, plan.items.length)}` : '';
            try {
                const r = await postCheckRun(await api(), {
                    owner: gh.repo.owner,
                    repo: gh.repo.repo,
                    name: opts.checkName,
                    headSha: gh.headSha,
                    conclusion: conclusionFor(o.verdict, o.cancelled),
                    title: `${o.verdict}${o.verdict === 'ERROR' ? ' (not a test verdict)' : ''}: ${o.reason}`,
                    summary: opts.summary + more,
                    annotations: plan.items.map(toCheckAnnotation),
                    detailsUrl: opts.detailsUrl,
                    signal: signal(),
                });
                log.info(`toron-testops: check run "${opts.checkName}" with ${plan.items.length} annotation(s) in ${r.requests} request(s)${r.url ? `: ${r.url}` : ''}`);
                if (plan.overflow > 0)
                    log.info(`toron-testops: ${overflowText(plan.overflow, plan.items.length)}`);
                return `Annotations: ${plan.items.length} on the check run${r.url ? ` [${opts.checkName}](${r.url})` : ''}${notShown(plan.overflow, o.findings.length, opts.summaryListed ?? null, opts.reportHome ?? 'the artifact')}`;
            }
            catch (err) {
                const reason = describeHttpError(err);
                log.info(`toron-testops: annotations: checks: ${isPermissionError(err) ? `the token may not create check runs (${reason}; needs checks: write)` : `the check run failed (${reason})`}; using workflow commands instead`);
            }
        }
    }
    // The verdict line at the end takes one error or warning slot; the action's own warnings took theirs,
    // and the steps after this one (upload, comment) may still need theirs.
    const room = {
        error: Math.max(0, PER_LEVEL_LIMIT - log.used.error - 1),
        warning: Math.max(0, PER_LEVEL_LIMIT - log.used.warning - 1 - (opts.laterWarnings ?? 0)),
        notice: Math.max(0, PER_LEVEL_LIMIT - log.used.notice),
    };
    const plan = planWorkflowAnnotations(o.findings, { place, changedFiles: changed, maxTotal: inputs.maxAnnotations, room });
    for (const line of workflowCommandLines(plan)) {
        ctx.log.rawLine(line);
    }
    for (const a of plan.items)
        log.used[a.level]++;
    if (plan.overflowNotice)
        log.used.notice++;
    if (o.findings.length === 0)
        return null;
    return `Annotations: ${plan.items.length} of ${o.findings.length} finding(s)${notShown(plan.overflow, o.findings.length, opts.summaryListed ?? null, opts.reportHome ?? 'the artifact')}`;
}
/**
 * Where the findings that are not annotations are, said truthfully: the summary only when it lists
 * every finding (a summary cut to fit 1 MiB lists some), report.json always.
 */
function notShown(overflow, total, listed, home = 'the artifact') {
    if (overflow <= 0)
        return '';
    if (listed !== null && listed >= total)
        return `; ${overflow} more are only in this summary and report.json`;
    const some = listed === null ? '' : `; this summary lists ${listed} of the ${total}`;
    return `; ${overflow} more are not annotations: every finding is in report.json (in ${home})${some}`;
}
function checksUnavailable(ctx, inputs, o) {
    const { gh } = ctx;
    if (!gh.repo || !gh.headSha)
        return 'not running in GitHub Actions (no repository or commit)';
    if (!inputs.githubToken)
        return 'github-token is empty';
    if (gh.pr?.isFork)
        return 'this pull request comes from a fork, whose token cannot create check runs';
    if (o.cancelled || ctx.cancel.signal.aborted)
        return 'the job was cancelled';
    return null;
}

;// CONCATENATED MODULE: ./src/action/publish-artifact.ts







/**
 * The service's first answer (the names already used in this run): a service that never answers costs
 * this long, not the job's timeout. Then the uploads (the bundle, then report.html), together, for a
 * service that answers but is slow. After a cancel, both shrink to what is left of the cancel budget,
 * also when the cancel comes in the middle of an upload. The README ("Artifacts") states both.
 */
const SERVICE_ANSWER_TIMEOUT_MS = 30_000;
const UPLOAD_TIMEOUT_MS = 10 * 60_000;
/** What goes in when there is no bundle.zip: the run's own files, whatever of them exists. */
const REPORT_FILES = ['report.json', 'result.json', 'summary.md', 'report.html', 'run.log', 'warroom.log', 'sim_summary.json', 'load_summary.json', 'replay_summary.json', 'pipeline_summary.json'];
/**
 * The bundle as the job's artifact (zipped by the service at level 0: it is a zip already), then
 * report.html on its own, unzipped, where the service takes single-file artifacts.
 */
async function uploadReportArtifacts(ctx, inputs, o, name) {
    const none = { bundle: null, html: null };
    if (!inputs.uploadArtifact)
        return none;
    if (!o.paths || !external_node_fs_default().existsSync(o.paths.reportDir)) {
        ctx.log.info('toron-testops: no report folder, nothing to upload');
        return none;
    }
    const problem = artifactServiceProblem(ctx.env);
    if (problem) {
        if (ctx.gh.runId !== null)
            ctx.log.warning(`artifact not uploaded: ${problem}`);
        else
            ctx.log.info(`toron-testops: artifact not uploaded: ${problem}`);
        return none;
    }
    const dir = o.paths.reportDir;
    const hasBundle = external_node_fs_default().existsSync(o.paths.bundle);
    const files = hasBundle ? [o.paths.bundle] : REPORT_FILES.map((f) => external_node_path_default().join(dir, f)).filter((f) => external_node_fs_default().existsSync(f));
    if (!hasBundle)
        ctx.log.warning(`bundle.zip is missing in ${dir}: uploading the report files instead`);
    if (files.length === 0)
        return none;
    // mode: compare: the comparison travels with the candidate's run, beside its bundle.
    for (const f of comparisonFiles(o)) {
        try {
            const copy = external_node_path_default().join(dir, external_node_path_default().basename(f));
            external_node_fs_default().copyFileSync(f, copy);
            files.push(copy);
        }
        catch (err) {
            ctx.log.info(`toron-testops: ${external_node_path_default().basename(f)} not added to the artifact (${errorMessage(err)})`);
        }
    }
    // The event this run came from, for a `mode: publish` workflow (fork PRs: this token cannot comment).
    try {
        files.push(writeEventRecord(dir, eventRecord(ctx.gh, name)));
    }
    catch (err) {
        ctx.log.info(`toron-testops: event.json not written (${errorMessage(err)}): a publish workflow will not find this run's PR`);
    }
    let bundle = null;
    const started = performance.now();
    try {
        const taken = await withinBudget(ctx.cancel, SERVICE_ANSWER_TIMEOUT_MS, "the artifact service's first answer (the names used in this run)", takenNames());
        const up = await withinBudget(ctx.cancel, UPLOAD_TIMEOUT_MS, 'the upload', uploadFiles({ name, files, rootDirectory: dir, retentionDays: inputs.retentionDays, compressionLevel: hasBundle ? 0 : 6, taken }));
        bundle = { ...up, url: artifactUrl(ctx.gh, up.id) };
        if (up.name !== name)
            ctx.log.info(`toron-testops: artifact name ${name} is taken in this run; uploaded as ${up.name}`);
        ctx.log.info(`toron-testops: artifact ${up.name} uploaded (id ${up.id}${bundle.url ? `, ${bundle.url}` : ''})`);
    }
    catch (err) {
        ctx.log.warning(`artifact upload failed: ${errorMessage(err).split('\n')[0]}`);
        return none;
    }
    let html = null;
    if (external_node_fs_default().existsSync(o.paths.html) && !ctx.cancel.signal.aborted) {
        try {
            const up = await withinBudget(ctx.cancel, Math.max(0, UPLOAD_TIMEOUT_MS - (performance.now() - started)), // one bound for both uploads
            'the upload of report.html', uploadSingleFile({ file: o.paths.html, name: `${bundle.name}.html`, retentionDays: inputs.retentionDays }));
            html = { ...up, url: artifactUrl(ctx.gh, up.id) };
        }
        catch (err) {
            // Older services take zipped artifacts only; the page is in the bundle either way.
            ctx.log.info(`toron-testops: report.html not uploaded as its own file (${errorMessage(err).split('\n')[0]}); it is inside the bundle`);
        }
    }
    return { bundle, html };
}
/** comparison.json and comparison.md of a compare run (they live outside the candidate's report folder). */
function comparisonFiles(o) {
    const json = o.comparison?.path;
    if (!json)
        return [];
    return [json, json.replace(/\.json$/, '.md')].filter((f) => external_node_fs_default().existsSync(f));
}

;// CONCATENATED MODULE: ./src/github/comment.ts

/** GitHub refuses comment bodies over 65,536 characters; stay well under it. */
const COMMENT_LIMIT = 60_000;
/**
 * The sticky comment is found again by a hidden marker: one per key (the artifact name, so matrix legs
 * with their own names keep their own comments). The marker also carries a digest of what the comment
 * says, so `on-change` can tell "same result again" without parsing the comment.
 */
function markerPrefix(key) {
    return `<!-- toron-testops:comment key="${encodeURIComponent(key)}"`;
}
function marker(key, state) {
    return `${markerPrefix(key)} state="${state}" -->`;
}
function markerState(body, key) {
    const at = body.indexOf(markerPrefix(key));
    if (at < 0)
        return undefined; // not ours
    const m = /^ state="([A-Za-z0-9_-]*)" -->/.exec(body.slice(at + markerPrefix(key).length));
    return m ? m[1] : null;
}
/** A digest of what matters for "did the result change": verdict, metrics, and which findings. */
function stateDigest(parts) {
    const canonical = JSON.stringify([parts.verdict, parts.metrics, [...parts.findings].sort()]);
    return (0,external_node_crypto_.createHash)('sha256').update(canonical).digest('hex').slice(0, 16);
}
/** The body: marker, the summary (cut at a line to fit), the footer. Never over `limit` characters. */
function commentBody(opts) {
    const limit = opts.limit ?? COMMENT_LIMIT;
    const head = marker(opts.key, opts.state) + '\n';
    const foot = `\n\n${opts.footer}\n`;
    const room = limit - head.length - foot.length;
    let summary = opts.summary.trimEnd();
    if (summary.length > room) {
        const note = '\n\n…(cut to fit a PR comment: the full summary is in the job summary and the report artifact)';
        let cut = summary.slice(0, Math.max(0, room - note.length));
        // Never split a surrogate pair; prefer a line boundary.
        if (/[\ud800-\udbff]$/.test(cut))
            cut = cut.slice(0, -1);
        const nl = cut.lastIndexOf('\n');
        if (nl > cut.length / 2)
            cut = cut.slice(0, nl);
        if ((cut.match(/^```/gm)?.length ?? 0) % 2 === 1)
            cut += '\n```';
        summary = (cut + note).slice(0, room);
    }
    return head + summary + foot;
}
const comment_PER_PAGE = 100;
/** 10,000 comments: a PR with more is not one we can keep a sticky comment on anyway. */
const MAX_PAGES = 100;
/** Our comment on the PR, looked for through every page of comments (oldest first). */
async function findSticky(octokit, q) {
    let fallback = null;
    for (let page = 1; page <= MAX_PAGES; page++) {
        const { data } = await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
            owner: q.owner,
            repo: q.repo,
            issue_number: q.number,
            per_page: comment_PER_PAGE,
            page,
            request: { signal: q.signal },
        });
        for (const c of data) {
            const body = c.body ?? '';
            if (markerState(body, q.key) === undefined)
                continue;
            const found = { id: Number(c.id), body, url: c.html_url };
            // A marker quoted by a person is not ours: prefer a bot's comment (the workflow token's).
            if (c.user?.type === 'Bot')
                return found;
            fallback ??= found;
        }
        if (data.length < comment_PER_PAGE)
            break;
    }
    return fallback;
}
/**
 * Create or edit the sticky comment as `mode` says: `always` writes every run; `on-failure` creates one
 * only for FAIL or ERROR but keeps an existing one current (a stale red comment would mislead);
 * `on-change` creates one when none exists and edits it only when the result changed.
 */
async function upsertSticky(octokit, r) {
    const existing = await findSticky(octokit, r);
    const failing = r.verdict === 'FAIL' || r.verdict === 'ERROR';
    if (!existing) {
        if (r.mode === 'on-failure' && !failing)
            return { action: 'skipped', reason: `verdict ${r.verdict} and no earlier comment (pr-comment: on-failure)` };
        const created = await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
            owner: r.owner,
            repo: r.repo,
            issue_number: r.number,
            body: r.body,
            request: { signal: r.signal },
        });
        return { action: 'created', id: Number(created.data.id), url: created.data.html_url };
    }
    if (r.mode === 'on-change' && markerState(existing.body, r.key) === r.state) {
        return { action: 'unchanged', id: existing.id, url: existing.url, reason: 'same result as the comment already shows (pr-comment: on-change)' };
    }
    const updated = await octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
        owner: r.owner,
        repo: r.repo,
        comment_id: existing.id,
        body: r.body,
        request: { signal: r.signal },
    });
    return { action: 'updated', id: existing.id, url: updated.data.html_url };
}

;// CONCATENATED MODULE: ./src/action/publish-comment.ts



const COMMENT_TIMEOUT_MS = 60_000;
/** What "the result changed" means for `pr-comment: on-change`: verdict, metrics, which findings. */
function outcomeState(o) {
    const m = o.result?.metrics ?? null;
    return stateDigest({
        verdict: o.verdict,
        metrics: m ? { simPassRate: m.simPassRate, determinismScore: m.determinismScore, p95Ms: m.p95Ms } : { error: o.error },
        findings: o.findings.map((f) => `${f.severity}|${f.type}|${f.caseId ?? ''}|${f.location?.file ?? ''}:${f.location?.line ?? ''}`),
    });
}
/** The sticky PR comment. A refusal (403 on a read-only token) is a warning, never a test verdict. */
async function publishComment(ctx, inputs, o, key, summary, footer) {
    const mode = inputs.prComment;
    const { gh, log } = ctx;
    if (mode === 'off')
        return null;
    if (!gh.pr || !gh.repo) {
        log.info(`toron-testops: pr-comment: not a pull request event (${gh.eventName || 'no event'}), no comment`);
        return null;
    }
    if (o.cancelled || ctx.cancel.signal.aborted)
        return 'PR comment: not updated (the job was cancelled)';
    if (gh.pr.isFork) {
        log.info('toron-testops: pr-comment: this pull request comes from a fork, whose token cannot comment; publish from a workflow_run workflow instead (see the README of ryuzen/toron-testops, "Fork PRs: publish from a workflow_run workflow")');
        return 'PR comment: skipped (fork pull request: read-only token)';
    }
    if (!inputs.githubToken) {
        log.warning('pr-comment needs github-token (with pull-requests: write); no comment posted');
        return 'PR comment: skipped (no token)';
    }
    const state = outcomeState(o);
    try {
        const octokit = await createOctokit(inputs.githubToken, gh.apiUrl);
        const r = await upsertSticky(octokit, {
            owner: gh.repo.owner,
            repo: gh.repo.repo,
            number: gh.pr.number,
            key,
            state,
            body: commentBody({ key, state, summary, footer }),
            mode,
            verdict: o.verdict,
            signal: budgetSignal(ctx.cancel, COMMENT_TIMEOUT_MS),
        });
        log.info(`toron-testops: PR comment ${r.action}${r.url ? `: ${r.url}` : ''}${r.reason ? ` (${r.reason})` : ''}`);
        return `PR comment: ${r.action}${r.url ? ` ([link](${r.url}))` : ''}`;
    }
    catch (err) {
        const why = describeHttpError(err);
        log.warning(isPermissionError(err)
            ? `PR comment not posted (${why}): the token needs pull-requests: write (permissions: pull-requests: write)`
            : `PR comment not posted: ${why}`);
        return `PR comment: not posted (${why})`;
    }
}

;// CONCATENATED MODULE: ./src/action/publish-summary.ts



/** Where the whole report can be read, said as the job's publishing left it. */
function reportHome(uploaded, reportDir) {
    if (uploaded)
        return 'the artifact';
    return reportDir ? `${reportDir} on the runner (upload-artifact is false: nothing was uploaded)` : 'nowhere else (upload-artifact is false and the run wrote no report)';
}
const cutNote = (home) => `> ✂️ This summary was cut to fit the job summary limit (1 MiB). The full report (summary.md, report.html) is in ${home}.`;
/**
 * The run's summary for GitHub: summary.md's content, rendered again from the report within the room
 * the job summary leaves (1 MiB less the reserve for the links and notes appended later), so it is
 * never cut in the middle and it is known how many findings it lists; without summary.md's relative
 * links (report.html, bundle.zip), which do not resolve on the run page or in a comment: the artifact
 * links are appended after the upload. Without a report: a summary built from what is known.
 */
function summaryText(o) {
    if (o.report) {
        try {
            const r = renderSummaryMarkdown(o.report, {
                budget: { bytes: SUMMARY_LIMIT_BYTES - SUMMARY_NOTES_RESERVE - 64 },
                links: { html: null, report: null, bundle: null },
            });
            return { markdown: r.markdown, listed: r.listed };
        }
        catch {
            // summary.md, as the run wrote it, below
        }
    }
    const file = o.paths?.summaryMd;
    if (file) {
        try {
            const text = withoutRelativeLinks(external_node_fs_default().readFileSync(file, 'utf8'));
            if (text.trim() !== '')
                return { markdown: text.endsWith('\n') ? text : text + '\n', listed: null };
        }
        catch {
            // missing: the fallback below says what is known
        }
    }
    return {
        markdown: fallbackSummary({ verdict: o.verdict, reason: o.reason, runId: o.runId, result: o.result, report: o.report, findings: o.findings }),
        listed: Math.min(FALLBACK_FINDINGS, o.findings.length),
    };
}
/** summary.md's `Reports: [report.html](<report.html>) · ...` line: paths inside the artifact, 404s on GitHub. */
function withoutRelativeLinks(markdown) {
    return markdown
        .split('\n')
        .filter((l) => !/^Reports: \[[^\]]+\]\(<(?![a-z]+:)[^>]*>\)( · \[[^\]]+\]\(<(?![a-z]+:)[^>]*>\))*$/.test(l))
        .join('\n')
        .replace(/\[(report\.html|report\.json|bundle\.zip)\]\(<(?![a-z]+:)[^>]*>\)/g, '$1');
}
/**
 * The job summary (within 1 MiB, room kept for the links appended later). Returns whether it had to cut
 * it. `home`: where the full report is (reportHome).
 */
function writeJobSummary(ctx, text, home) {
    const file = ctx.gh.stepSummaryFile;
    if (!file) {
        ctx.log.debug('GITHUB_STEP_SUMMARY is not set: no job summary');
        return false;
    }
    const r = appendWithinLimit(file, text, SUMMARY_NOTES_RESERVE, cutNote(home));
    if (r.truncated)
        ctx.log.info(`toron-testops: the job summary was cut to fit 1 MiB (the full summary is in ${home})`);
    return r.truncated;
}
/** Lines appended after the summary (artifact links, publishing notes), inside the reserve kept for them. */
function appendSummaryNotes(ctx, lines) {
    const file = ctx.gh.stepSummaryFile;
    if (!file || lines.length === 0)
        return;
    appendWithinLimit(file, `\n${lines.join('\n')}\n`, 0, '…');
}

;// CONCATENATED MODULE: ./src/action/guard.ts

/** Runs one publishing side effect: a failure is a warning (first line only), and the next one still runs. */
function guardWith(log) {
    return async (what, fn) => {
        try {
            return await fn();
        }
        catch (err) {
            log.warning(`${what} failed: ${errorMessage(err).split('\n')[0]}`);
            return null;
        }
    };
}

;// CONCATENATED MODULE: ./src/action/publish-sourced.ts










/**
 * `mode: publish`: another run's validated report posted where that run could not post it. Every text
 * is regenerated from report.json (the artifact's summary.md is never posted); the check run goes on
 * the run's commit and the comment on the PR confirmed in publish-source.ts. Same order and guards as
 * a normal publish, without the upload (the data is already an artifact of the run it came from).
 */
async function publishSourced(ctx, inputs, o, s) {
    const { log, gh } = ctx;
    const guard = guardWith(log);
    const report = o.report;
    await guard('writing outputs', () => {
        ctx.outputs.set(publishedFileOutputs(s));
        ctx.outputs.set({ 'artifact-id': String(s.artifact.id), 'artifact-url': s.artifact.url });
        ctx.outputs.set(runOutputs(o));
    });
    const links = { html: null, report: null, bundle: s.artifact.url };
    const origin = `Published from [run ${s.runId}](${s.runUrl}) · commit \`${s.headSha.slice(0, 12)}\`${s.pr !== null ? ` · pull request ${s.pr}` : ''} · artifact [${s.artifact.name.replace(/[[\]]/g, '')}](${s.artifact.url})`;
    const jobBudget = { bytes: SUMMARY_LIMIT_BYTES - SUMMARY_NOTES_RESERVE - Buffer.byteLength(origin) - 64 };
    const rendered = renderSummaryMarkdown(report, { budget: jobBudget, links });
    const summary = rendered.markdown;
    const cut = inputs.jobSummary ? await guard('writing the job summary', () => writeJobSummary(ctx, `${summary}\n${origin}\n`, `the artifact of run ${s.runId}`)) : null;
    const notes = [];
    // The PR and commit of the published run, as far as they were confirmed; this job's token writes.
    const target = {
        ...ctx,
        gh: { ...gh, headSha: s.headSha, pr: s.pr === null ? null : { number: s.pr, headSha: s.headSha, headRef: null, baseRef: null, isFork: false } },
    };
    const footer = [`${verdictHeadline(o.verdict)} · toron-testops`, `[workflow run](${s.runUrl})`, `[report bundle](${s.artifact.url})`].join(' · ');
    if (inputs.prComment !== 'off') {
        if (s.pr === null)
            notes.push(`PR comment: none (${s.prNote ?? 'no pull request'})`);
        else {
            const commentText = renderSummaryMarkdown(report, { budget: COMMENT_BUDGET, links }).markdown;
            const c = await guard('the PR comment', () => publishComment(target, inputs, o, s.key, commentText, footer));
            if (c)
                notes.push(c);
        }
    }
    // Workflow-command annotations would land on this publish run, not the PR: a check run on its commit.
    const cwd = external_node_path_default().resolve(gh.workspace, inputs.workingDirectory ?? '');
    const annotated = await guard('annotations', () => publishAnnotations(target, { ...inputs, annotations: inputs.annotations === 'off' ? 'off' : 'checks' }, o, {
        cwd,
        checkName: `toron-testops (${s.key})`,
        summary,
        detailsUrl: s.runUrl,
        summaryListed: cut ? null : rendered.listed,
        reportHome: `the artifact of run ${s.runId}`,
    }));
    if (annotated)
        notes.push(annotated);
    for (const w of log.warnings)
        notes.push(`⚠️ ${w}`);
    if (inputs.jobSummary && notes.length) {
        await guard('writing the job summary', () => appendSummaryNotes(ctx, ['<details><summary>toron-testops publishing</summary>', '', ...notes.map((n) => `- ${n}`), '', '</details>']));
    }
    await guard('writing outputs', () => ctx.outputs.fill(OUTPUT_NAMES));
}

;// CONCATENATED MODULE: ./src/action/publish.ts











/**
 * Every side effect after the run, each guarded on its own: one that fails is a warning and the next
 * still runs; none of them changes the verdict. Outputs go first (a cancelled job may be killed
 * before the end), then the summary and the annotations (local and cheap: a slow, black-holed or
 * cancelled upload cannot hold them back; they leave warning slots for the steps after them), the
 * artifact (whose links join the summary and the comment), the comment. The exit status comes after.
 */
async function publish(ctx, p, o) {
    const inputs = p.inputs ?? readInputs({}); // invalid inputs: publish with the defaults
    const { log, gh } = ctx;
    const guard = guardWith(log);
    if (o.source)
        return publishSourced(ctx, inputs, o, o.source);
    await guard('writing outputs', () => ctx.outputs.set(runOutputs(o)));
    // mode: compare: the comparison is the summary (the candidate's own summary.md is in its bundle).
    const built = o.comparison?.markdown
        ? { markdown: o.comparison.markdown, listed: null }
        : ((await guard('building the summary', () => summaryText(o))) ?? { markdown: `toron-testops ${o.verdict}: ${o.reason}\n`, listed: 0 });
    const summary = built.markdown;
    const cwd = p.settings?.cwd ?? gh.workspace;
    // Said before the upload is tried: a failed upload adds its own warning to the notes.
    const home = reportHome(inputs.uploadArtifact, o.paths ? relativeTo(gh.workspace, o.paths.reportDir) : null);
    const cut = inputs.jobSummary ? await guard('writing the job summary', () => writeJobSummary(ctx, summary, home)) : null;
    const notes = [];
    const run = runUrl(gh);
    // What may still warn after the annotations: the upload (bundle missing + upload failed), the comment.
    const laterWarnings = (inputs.uploadArtifact ? 2 : 0) + (inputs.prComment !== 'off' ? 1 : 0);
    const annotated = await guard('annotations', () => publishAnnotations(ctx, inputs, o, {
        cwd,
        checkName: `toron-testops (${p.artifactName})`,
        summary,
        detailsUrl: run,
        summaryListed: cut ? null : built.listed,
        reportHome: home,
        laterWarnings,
    }));
    const artifacts = await guard('uploading the artifact', () => uploadReportArtifacts(ctx, inputs, o, p.artifactName));
    const links = [];
    if (artifacts?.bundle) {
        const b = artifacts.bundle;
        const sha = ctx.outputs.written['bundle-sha256'];
        links.push(`**Report bundle:** ${b.url ? `[${b.name}](${b.url})` : b.name} (artifact ${b.id}${sha ? `; bundle.zip sha256 \`${sha}\`` : ''})`);
        if (artifacts.html)
            links.push(`**Report page:** ${artifacts.html.url ? `[${artifacts.html.name}](${artifacts.html.url})` : artifacts.html.name}`);
        await guard('writing outputs', () => ctx.outputs.set({ 'artifact-id': String(b.id), 'artifact-url': b.url ?? '' }));
    }
    if (inputs.jobSummary && links.length)
        await guard('writing the job summary', () => appendSummaryNotes(ctx, links));
    const footer = [
        `${verdictHeadline(o.verdict)} · toron-testops`,
        ...(run ? [`[workflow run](${run})`] : []),
        ...(artifacts?.bundle?.url ? [`[report bundle](${artifacts.bundle.url})`] : []),
        ...(artifacts?.html?.url ? [`[report page](${artifacts.html.url})`] : []),
    ].join(' · ');
    const comment = await guard('the PR comment', () => publishComment(ctx, inputs, o, p.artifactName, summary, footer));
    if (comment)
        notes.push(comment);
    if (annotated)
        notes.push(annotated);
    if (p.baseline.kind === 'auto-found') {
        notes.push(`Baseline: run ${p.baseline.runUrl ? `[${p.baseline.runId}](${p.baseline.runUrl})` : p.baseline.runId} on ${p.baseline.branch} (${p.baseline.createdAt})`);
    }
    else if (p.baseline.kind === 'auto-missing') {
        notes.push(`Baseline: none (${p.baseline.reason})`);
    }
    for (const w of log.warnings)
        notes.push(`⚠️ ${w}`);
    if (inputs.jobSummary && notes.length) {
        await guard('writing the job summary', () => appendSummaryNotes(ctx, ['<details><summary>toron-testops publishing</summary>', '', ...notes.map((n) => `- ${n}`), '', '</details>']));
    }
    await guard('writing outputs', () => ctx.outputs.fill(OUTPUT_NAMES));
}
/** A folder as the workflow's author knows it: relative to the workspace when inside it. */
function relativeTo(workspace, dir) {
    const rel = external_node_path_default().relative(workspace, dir);
    return rel && !rel.startsWith('..') && !external_node_path_default().isAbsolute(rel) ? rel.split((external_node_path_default()).sep).join('/') : dir;
}

;// CONCATENATED MODULE: ./src/action/exit.ts
/** Exit without waiting for stray sockets or timers of the libraries, once everything is written. */
const HARD_EXIT_AFTER_MS = 3000;
/**
 * The last line and the exit status (the runner's, which follows `fail-on`): ERROR says it is not a
 * test verdict, so nobody reads a broken wiring as a failing engine.
 */
function finish(ctx, o) {
    const code = o.exitCode;
    const { log } = ctx;
    if (o.verdict === 'ERROR') {
        const at = o.errorLocation ? { file: o.errorLocation.file, line: o.errorLocation.line } : {};
        log.error(`toron-testops ERROR (not a test verdict): ${o.error ?? o.reason}`, { title: 'toron-testops ERROR', ...at });
    }
    else if (code !== 0) {
        log.error(`toron-testops ${o.verdict}: ${o.reason}${o.verdict === 'WARN' ? ' (fail-on: warn)' : ''}`, { title: `toron-testops ${o.verdict}` });
    }
    else if (o.verdict === 'WARN') {
        log.warning(`toron-testops WARN: ${o.reason}`, { title: 'toron-testops WARN' });
    }
    else {
        log.info(`toron-testops ${o.verdict}: ${o.reason}`);
    }
    ctx.exitCode = code;
    return code;
}
/** Sets the exit code; after a cancel, exits now (the runner kills the process soon anyway). */
function exitWith(ctx, code) {
    process.exitCode = code;
    if (ctx.cancel.cancelledAt() !== null)
        process.exit(code);
    setTimeout(() => process.exit(code), HARD_EXIT_AFTER_MS).unref();
}

;// CONCATENATED MODULE: ./src/action/steps.ts
/** The action's steps, loaded by src/main.ts after its first log line. */







/***/ }),

/***/ 41186:
/***/ ((module, __unused_webpack_exports, __webpack_require__) => {

module.exports = __webpack_require__.p + "bafa1c7d8cbee1e469d9.sql";

/***/ })

};
