/**
 * A local stand-in for what the action talks to on GitHub, on 127.0.0.1 (ephemeral port), speaking the
 * real protocols so the real clients run unchanged:
 * - the results service's Twirp ArtifactService (JSON: snake_case keys, int64 as strings, wrapper
 *   types as plain values): CreateArtifact, FinalizeArtifact, ListArtifacts, GetSignedArtifactURL;
 * - the Azure block-blob subset behind the signed URLs: Put Block and Put Block List (both 201), Put
 *   Blob, and GET for downloads;
 * - the REST routes of @actions/artifact's `findBy`, check runs, issue comments (paginated), PR files,
 *   and the workflow-run lookups of `baseline: auto`.
 * Everything received is kept for assertions; faults can be injected per route.
 */
import http from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface EmuArtifact {
  id: number;
  name: string;
  runBackendId: string;
  jobBackendId: string;
  /** The REST run id the artifact belongs to. */
  runId: number;
  blobKey: string;
  mimeType: string;
  size: number;
  digest: string | null;
  finalized: boolean;
  createdAt: string;
  expiresAt: string | null;
  expired: boolean;
}

export interface EmuBlob {
  blocks: Map<string, Buffer>;
  data: Buffer | null;
  contentType: string;
  /** Requests that changed it, in order: 'block', 'blocklist', 'put'. */
  ops: string[];
}

export interface EmuRun {
  id: number;
  workflow_id: number;
  head_branch: string;
  event: string;
  status: string;
  conclusion: string | null;
  created_at: string;
  html_url: string;
  head_repository?: { full_name: string } | null;
}

export interface EmuCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  details_url?: string;
  output: { title?: string; summary?: string };
  annotations: any[];
  requests: number;
}

export interface EmuComment {
  id: number;
  body: string;
  user: { login: string; type: string };
  html_url: string;
  updates: number;
}

export interface EmuPull {
  number: number;
  state: string;
  head: { sha: string; ref: string; repo: { full_name: string } };
  base: { sha: string; ref: string; repo: { full_name: string } };
}

export interface EmuRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  auth: string | undefined;
  body?: any;
  status: number;
}

interface Fault {
  method: string;
  path: RegExp;
  status: number;
  message: string;
  times: number;
}

export interface EmulatorOptions {
  owner?: string;
  repo?: string;
  /** The run the action is in: REST id and backend ids (the runtime token's scope names them). */
  runId?: number;
  runBackendId?: string;
  jobBackendId?: string;
  workflowId?: number;
  defaultBranch?: string;
  /** false: the service takes zipped artifacts only (CreateArtifact of another type gets a 400). */
  singleFileArtifacts?: boolean;
  /** The token REST calls must carry (Authorization: token ...). */
  githubToken?: string;
}

const TWIRP = '/twirp/github.actions.results.api.v1.ArtifactService/';

export class GitHubEmulator {
  readonly owner: string;
  readonly repo: string;
  readonly runId: number;
  readonly runBackendId: string;
  readonly jobBackendId: string;
  readonly workflowId: number;
  readonly githubToken: string;
  defaultBranch: string;
  singleFileArtifacts: boolean;
  url = '';

  readonly artifacts: EmuArtifact[] = [];
  readonly blobs = new Map<string, EmuBlob>();
  readonly runs: EmuRun[] = [];
  readonly checkRuns: EmuCheckRun[] = [];
  readonly comments = new Map<number, EmuComment[]>();
  readonly prFiles = new Map<number, string[]>();
  /** Pull requests GET /pulls/{n} answers (mode: publish checks a PR's head before commenting on it). */
  readonly pulls = new Map<number, EmuPull>();
  readonly requests: EmuRequest[] = [];
  /**
   * Who each accepted token is: comments it posts carry this user. The workflow's GITHUB_TOKEN (the
   * default githubToken) writes as github-actions[bot], and GitHub refuses it GET /user (403, as for
   * every GitHub App installation token); a token added with `addToken` is a person's or a machine
   * user's, and GET /user answers its user.
   */
  private readonly tokens = new Map<string, { user: { login: string; type: string }; userApi: boolean }>();
  private readonly faults: Fault[] = [];
  private readonly server: http.Server;
  private nextId = 1000;

  constructor(opts: EmulatorOptions = {}) {
    this.owner = opts.owner ?? 'ryuzen';
    this.repo = opts.repo ?? 'engine';
    this.runId = opts.runId ?? 9001;
    this.runBackendId = opts.runBackendId ?? 'ce7f54c7-61c7-4aae-887f-30da475f5f1a';
    this.jobBackendId = opts.jobBackendId ?? 'ca395085-040a-526b-2ce8-bdc85f692774';
    this.workflowId = opts.workflowId ?? 77;
    this.defaultBranch = opts.defaultBranch ?? 'main';
    this.singleFileArtifacts = opts.singleFileArtifacts ?? true;
    this.githubToken = opts.githubToken ?? 'ghs_test_token';
    this.tokens.set(this.githubToken, { user: { login: 'github-actions[bot]', type: 'Bot' }, userApi: false });
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.runs.push({
      id: this.runId,
      workflow_id: this.workflowId,
      head_branch: 'feature',
      event: 'pull_request',
      status: 'in_progress',
      conclusion: null,
      created_at: new Date().toISOString(),
      html_url: `https://github.com/${this.owner}/${this.repo}/actions/runs/${this.runId}`,
      head_repository: { full_name: `${this.owner}/${this.repo}` },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The runtime token (a JWT, decoded by the client, never verified) scoped to this run and job. */
  runtimeToken(): string {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    this.token ??= `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({
      scp: `Actions.ExampleScope Actions.Results:${this.runBackendId}:${this.jobBackendId}`,
      exp: Math.floor(Date.now() / 1000) + 3600,
    })}.c2lnbmF0dXJl`;
    return this.token;
  }
  private token: string | undefined;

  /** The environment variables a runner gives a step, pointed at this emulator. */
  env(): Record<string, string> {
    return {
      ACTIONS_RUNTIME_TOKEN: this.runtimeToken(),
      ACTIONS_RESULTS_URL: `${this.url}/some/path/ignored/`,
      GITHUB_API_URL: this.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: `${this.owner}/${this.repo}`,
      GITHUB_RUN_ID: String(this.runId),
      GITHUB_RUN_ATTEMPT: '1',
      ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS: '5000',
    };
  }

  /** The next `times` requests matching method and path answer `status` with `message`. */
  fail(method: string, path: RegExp, status: number, message = 'Resource not accessible by integration', times = Infinity): void {
    this.faults.push({ method, path, status, message, times });
  }

  addRun(run: Partial<EmuRun> & { id: number }): EmuRun {
    const full: EmuRun = {
      workflow_id: this.workflowId,
      head_branch: this.defaultBranch,
      event: 'push',
      status: 'completed',
      conclusion: 'success',
      created_at: new Date().toISOString(),
      html_url: `https://github.com/${this.owner}/${this.repo}/actions/runs/${run.id}`,
      head_repository: { full_name: `${this.owner}/${this.repo}` },
      ...run,
    };
    this.runs.push(full);
    return full;
  }

  /** An artifact of another (earlier) run, as if uploaded there: its blob holds `bytes` as stored. */
  addArtifact(runId: number, name: string, bytes: Buffer, opts: { mimeType?: string; expired?: boolean; createdAt?: string } = {}): EmuArtifact {
    const a: EmuArtifact = {
      id: this.nextId++,
      name,
      runBackendId: runId === this.runId ? this.runBackendId : `backend-of-${runId}`,
      jobBackendId: 'job',
      runId,
      blobKey: `blob-${this.nextId++}`,
      mimeType: opts.mimeType ?? 'application/zip',
      size: bytes.length,
      digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
      finalized: true,
      createdAt: opts.createdAt ?? new Date().toISOString(),
      expiresAt: null,
      expired: opts.expired ?? false,
    };
    this.blobs.set(a.blobKey, { blocks: new Map(), data: bytes, contentType: a.mimeType, ops: ['put'] });
    this.artifacts.push(a);
    return a;
  }

  /** The bytes the service received for an artifact. */
  artifactBytes(a: EmuArtifact): Buffer | null {
    return this.blobs.get(a.blobKey)?.data ?? null;
  }

  /** Another token the REST routes take: a personal access token (GET /user answers `user`) or, with userApi false, an app's. */
  addToken(token: string, user: { login: string; type: string }, opts: { userApi?: boolean } = {}): void {
    this.tokens.set(token, { user, userApi: opts.userApi ?? user.type !== 'Bot' });
  }

  addComment(issue: number, body: string, user = { login: 'github-actions[bot]', type: 'Bot' }): EmuComment {
    const c: EmuComment = { id: this.nextId++, body, user, html_url: '', updates: 0 };
    c.html_url = `https://github.com/${this.owner}/${this.repo}/pull/${issue}#issuecomment-${c.id}`;
    const list = this.comments.get(issue) ?? [];
    list.push(c);
    this.comments.set(issue, list);
    return c;
  }

  addPull(number: number, headSha: string, opts: { headRepo?: string; state?: string } = {}): EmuPull {
    const full = `${this.owner}/${this.repo}`;
    const pr: EmuPull = {
      number,
      state: opts.state ?? 'open',
      head: { sha: headSha, ref: 'feature', repo: { full_name: opts.headRepo ?? full } },
      base: { sha: 'b'.repeat(40), ref: this.defaultBranch, repo: { full_name: full } },
    };
    this.pulls.set(number, pr);
    return pr;
  }

  requestsTo(method: string, path: RegExp): EmuRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  // -------------------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const record: EmuRequest = {
      method,
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      auth: req.headers.authorization,
      status: 0,
    };
    const ct = String(req.headers['content-type'] ?? '');
    if (body.length && (ct.includes('json') || u.pathname.startsWith(TWIRP))) {
      try {
        record.body = JSON.parse(body.toString('utf8'));
      } catch {
        record.body = body.toString('utf8');
      }
    }
    this.requests.push(record);
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      const text = payload === undefined ? '' : typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
      res.writeHead(status, { ...(payload !== undefined && !Buffer.isBuffer(payload) ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...headers });
      res.end(text);
    };

    const fault = this.faults.find((f) => f.times > 0 && f.method === method && f.path.test(u.pathname));
    if (fault) {
      fault.times--;
      return send(fault.status, { message: fault.message, msg: fault.message, documentation_url: 'https://docs.github.com/rest' });
    }
    try {
      if (u.pathname.startsWith(TWIRP)) return this.twirp(u.pathname.slice(TWIRP.length), record, send);
      if (u.pathname.startsWith('/blob/')) return this.blob(method, u, req, body, send, res);
      return this.rest(method, u, record, send);
    } catch (err) {
      return send(500, { message: String(err) });
    }
  }

  private twirp(methodName: string, r: EmuRequest, send: (s: number, p?: unknown, h?: Record<string, string>) => void): void {
    if (r.auth !== `Bearer ${this.runtimeToken()}`) return send(401, { code: 'unauthenticated', msg: 'bad runtime token' });
    const b = r.body ?? {};
    const runB = b.workflow_run_backend_id;
    const jobB = b.workflow_job_run_backend_id;
    if (runB !== this.runBackendId || jobB !== this.jobBackendId) return send(400, { code: 'invalid_argument', msg: 'unknown backend ids' });
    const inRun = () => this.artifacts.filter((a) => a.runBackendId === runB && a.finalized);
    switch (methodName) {
      case 'CreateArtifact': {
        const mime = wrapped(b.mime_type) ?? 'application/zip';
        if (b.version !== 7 && b.version !== 4) return send(400, { code: 'invalid_argument', msg: `unsupported version ${b.version}` });
        if (!this.singleFileArtifacts && mime !== 'application/zip') {
          return send(400, { code: 'invalid_argument', msg: 'only zip artifacts are supported' });
        }
        if (this.artifacts.some((a) => a.runBackendId === runB && a.name === b.name)) {
          return send(409, { code: 'already_exists', msg: 'an artifact with this name already exists on the workflow run' });
        }
        const a: EmuArtifact = {
          id: this.nextId++,
          name: b.name,
          runBackendId: runB,
          jobBackendId: jobB,
          runId: this.runId,
          blobKey: `blob-${this.nextId++}`,
          mimeType: mime,
          size: 0,
          digest: null,
          finalized: false,
          createdAt: new Date().toISOString(),
          expiresAt: typeof b.expires_at === 'string' ? b.expires_at : null,
          expired: false,
        };
        this.artifacts.push(a);
        this.blobs.set(a.blobKey, { blocks: new Map(), data: null, contentType: mime, ops: [] });
        return send(200, { ok: true, signed_upload_url: `${this.url}/blob/${a.blobKey}?sig=upload-signature&se=2099-01-01` });
      }
      case 'FinalizeArtifact': {
        const a = this.artifacts.find((x) => x.runBackendId === runB && x.name === b.name && !x.finalized);
        if (!a) return send(404, { code: 'not_found', msg: 'no such artifact' });
        const blob = this.blobs.get(a.blobKey)!;
        if (!blob.data) return send(400, { code: 'failed_precondition', msg: 'nothing was uploaded' });
        a.size = Number(b.size);
        a.digest = wrapped(b.hash) ?? null;
        a.finalized = true;
        return send(200, { ok: true, artifact_id: String(a.id) });
      }
      case 'ListArtifacts': {
        const name = wrapped(b.name_filter);
        const id = wrapped(b.id_filter);
        const list = inRun().filter((a) => (name === undefined || a.name === name) && (id === undefined || String(a.id) === String(id)));
        return send(200, {
          artifacts: list.map((a) => ({
            workflow_run_backend_id: a.runBackendId,
            workflow_job_run_backend_id: a.jobBackendId,
            database_id: String(a.id),
            name: a.name,
            size: String(a.size),
            created_at: a.createdAt,
            ...(a.digest ? { digest: a.digest } : {}),
          })),
        });
      }
      case 'GetSignedArtifactURL': {
        const a = inRun().find((x) => x.name === b.name);
        if (!a) return send(404, { code: 'not_found', msg: 'no such artifact' });
        return send(200, { signed_url: `${this.url}/blob/${a.blobKey}?sig=download-signature` });
      }
      default:
        return send(404, { code: 'bad_route', msg: `no method ${methodName}` });
    }
  }

  private blob(
    method: string,
    u: URL,
    req: http.IncomingMessage,
    body: Buffer,
    send: (s: number, p?: unknown, h?: Record<string, string>) => void,
    res: http.ServerResponse,
  ): void {
    const key = decodeURIComponent(u.pathname.slice('/blob/'.length));
    const blob = this.blobs.get(key);
    if (!blob) return send(404, '<Error><Code>BlobNotFound</Code></Error>');
    if (!u.searchParams.get('sig')) return send(403, '<Error><Code>AuthenticationFailed</Code></Error>');
    const azureHeaders = { 'x-ms-request-id': `req-${this.nextId++}`, 'x-ms-version': '2025-01-05', etag: '"0x8DC"', 'last-modified': new Date().toUTCString() };
    if (method === 'PUT') {
      const comp = u.searchParams.get('comp');
      if (comp === 'block') {
        const id = u.searchParams.get('blockid');
        if (!id) return send(400, '<Error><Code>InvalidQueryParameterValue</Code></Error>');
        blob.blocks.set(id, body);
        blob.ops.push('block');
        return send(201, undefined, azureHeaders);
      }
      if (comp === 'blocklist') {
        const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Committed|Uncommitted)>([^<]*)<\//g)].map((m) => m[1]);
        const parts: Buffer[] = [];
        for (const id of ids) {
          const part = blob.blocks.get(id);
          if (!part) return send(400, '<Error><Code>InvalidBlockList</Code></Error>');
          parts.push(part);
        }
        blob.data = Buffer.concat(parts);
        blob.contentType = String(req.headers['x-ms-blob-content-type'] ?? blob.contentType);
        blob.ops.push('blocklist');
        return send(201, undefined, azureHeaders);
      }
      blob.data = body;
      blob.contentType = String(req.headers['x-ms-blob-content-type'] ?? req.headers['content-type'] ?? blob.contentType);
      blob.ops.push('put');
      return send(201, undefined, azureHeaders);
    }
    if (method === 'GET') {
      if (!blob.data) return send(404, '<Error><Code>BlobNotFound</Code></Error>');
      const a = this.artifacts.find((x) => x.blobKey === key);
      const filename = a ? (a.mimeType === 'application/zip' ? `${a.name}.zip` : a.name) : 'artifact';
      res.writeHead(200, {
        ...azureHeaders,
        'content-type': blob.contentType,
        'content-length': String(blob.data.length),
        'content-disposition': `attachment; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
      });
      this.requests[this.requests.length - 1].status = 200;
      res.end(blob.data);
      return;
    }
    return send(405, '<Error><Code>UnsupportedHttpVerb</Code></Error>');
  }

  private rest(method: string, u: URL, r: EmuRequest, send: (s: number, p?: unknown, h?: Record<string, string>) => void): void {
    const token = /^(?:token|Bearer) (.+)$/.exec(r.auth ?? '')?.[1];
    const who = token === undefined ? undefined : this.tokens.get(token);
    if (!who) return send(401, { message: 'Bad credentials' });
    const p = u.pathname;
    if (method === 'GET' && p === '/user') {
      if (!who.userApi) return send(403, { message: 'Resource not accessible by integration' });
      return send(200, { login: who.user.login, id: 4242, type: who.user.type });
    }
    const repoBase = `/repos/${this.owner}/${this.repo}`;
    if (!p.startsWith(repoBase)) return send(404, { message: 'Not Found' });
    const rest = p.slice(repoBase.length);
    const q = u.searchParams;
    const page = Math.max(1, Number(q.get('page') ?? 1));
    const perPage = Math.min(100, Math.max(1, Number(q.get('per_page') ?? 30)));
    const paged = <T>(items: T[]) => {
      const slice = items.slice((page - 1) * perPage, page * perPage);
      const last = Math.max(1, Math.ceil(items.length / perPage));
      const link = (n: number, rel: string) => {
        const next = new URL(u.href.replace('http://x', this.url));
        next.searchParams.set('page', String(n));
        next.searchParams.set('per_page', String(perPage));
        return `<${next.href}>; rel="${rel}"`;
      };
      const links = [...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []), ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : [])];
      return { slice, headers: links.length ? { link: links.join(', ') } : ({} as Record<string, string>) };
    };
    let m: RegExpExecArray | null;

    if (method === 'GET' && rest === '') return send(200, { full_name: `${this.owner}/${this.repo}`, default_branch: this.defaultBranch });

    if (method === 'GET' && (m = /^\/actions\/runs\/(\d+)$/.exec(rest))) {
      const run = this.runs.find((x) => x.id === Number(m![1]));
      return run ? send(200, run) : send(404, { message: 'Not Found' });
    }
    if (method === 'GET' && (m = /^\/actions\/workflows\/(\d+)\/runs$/.exec(rest))) {
      let runs = this.runs.filter((x) => x.workflow_id === Number(m![1]));
      if (q.get('branch')) runs = runs.filter((x) => x.head_branch === q.get('branch'));
      if (q.get('status') === 'success') runs = runs.filter((x) => x.conclusion === 'success');
      runs = [...runs].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
      const { slice, headers } = paged(runs);
      return send(200, { total_count: runs.length, workflow_runs: slice }, headers);
    }
    if (method === 'GET' && (m = /^\/actions\/runs\/(\d+)\/artifacts$/.exec(rest))) {
      let list = this.artifacts.filter((a) => a.runId === Number(m![1]) && a.finalized);
      if (q.get('name')) list = list.filter((a) => a.name === q.get('name'));
      const { slice, headers } = paged(list);
      return send(
        200,
        {
          total_count: list.length,
          artifacts: slice.map((a) => ({
            id: a.id,
            node_id: `A_${a.id}`,
            name: a.name,
            size_in_bytes: a.size,
            url: `${this.url}${repoBase}/actions/artifacts/${a.id}`,
            archive_download_url: `${this.url}${repoBase}/actions/artifacts/${a.id}/zip`,
            expired: a.expired,
            created_at: a.createdAt,
            updated_at: a.createdAt,
            expires_at: a.expiresAt,
            digest: a.digest,
            workflow_run: { id: a.runId },
          })),
        },
        headers,
      );
    }
    if (method === 'GET' && (m = /^\/actions\/artifacts\/(\d+)\/zip$/.exec(rest))) {
      const a = this.artifacts.find((x) => x.id === Number(m![1]) && x.finalized);
      if (!a) return send(404, { message: 'Not Found' });
      if (a.expired) return send(410, { message: 'Artifact has expired' });
      return send(302, undefined, { location: `${this.url}/blob/${a.blobKey}?sig=download-signature&se=2099-01-01` });
    }
    if (method === 'POST' && rest === '/check-runs') {
      const b = r.body ?? {};
      if (!b.name || !b.head_sha) return send(422, { message: 'name and head_sha are required' });
      const ann = b.output?.annotations ?? [];
      if (ann.length > 50) return send(422, { message: 'Only 50 annotations are allowed per request' });
      const run: EmuCheckRun = {
        id: this.nextId++,
        name: b.name,
        head_sha: b.head_sha,
        status: b.status ?? 'queued',
        conclusion: b.conclusion ?? null,
        details_url: b.details_url,
        output: { title: b.output?.title, summary: b.output?.summary },
        annotations: [...ann],
        requests: 1,
      };
      this.checkRuns.push(run);
      return send(201, { id: run.id, name: run.name, head_sha: run.head_sha, status: run.status, conclusion: run.conclusion, html_url: `https://github.com/${this.owner}/${this.repo}/runs/${run.id}` });
    }
    if (method === 'PATCH' && (m = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const run = this.checkRuns.find((x) => x.id === Number(m![1]));
      if (!run) return send(404, { message: 'Not Found' });
      const b = r.body ?? {};
      const ann = b.output?.annotations ?? [];
      if (ann.length > 50) return send(422, { message: 'Only 50 annotations are allowed per request' });
      if (b.output && (!b.output.title || !b.output.summary)) return send(422, { message: 'output needs title and summary' });
      run.annotations.push(...ann);
      if (b.status) run.status = b.status;
      if (b.conclusion) run.conclusion = b.conclusion;
      if (b.output) run.output = { title: b.output.title, summary: b.output.summary };
      run.requests++;
      return send(200, { id: run.id, status: run.status, conclusion: run.conclusion, html_url: `https://github.com/${this.owner}/${this.repo}/runs/${run.id}` });
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = Number(m[1]);
      const list = this.comments.get(issue) ?? [];
      if (method === 'GET') {
        const { slice, headers } = paged(list);
        return send(200, slice.map(commentJson), headers);
      }
      if (method === 'POST') {
        const text = String(r.body?.body ?? '');
        if (text.length > 65536) return send(422, { message: 'Body is too long (maximum is 65536 characters)' });
        const c = this.addComment(issue, text, who.user);
        return send(201, commentJson(c));
      }
    }
    if (method === 'PATCH' && (m = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      const c = [...this.comments.values()].flat().find((x) => x.id === Number(m![1]));
      if (!c) return send(404, { message: 'Not Found' });
      const text = String(r.body?.body ?? '');
      if (text.length > 65536) return send(422, { message: 'Body is too long (maximum is 65536 characters)' });
      c.body = text;
      c.updates++;
      return send(200, commentJson(c));
    }
    if (method === 'GET' && (m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pr = this.pulls.get(Number(m[1]));
      return pr ? send(200, pr) : send(404, { message: 'Not Found' });
    }
    if (method === 'GET' && (m = /^\/pulls\/(\d+)\/files$/.exec(rest))) {
      const files = this.prFiles.get(Number(m[1])) ?? [];
      const { slice, headers } = paged(files);
      return send(200, slice.map((filename) => ({ filename, status: 'modified' })), headers);
    }
    return send(404, { message: `Not Found: ${method} ${p}` });
  }
}

function commentJson(c: EmuComment) {
  return { id: c.id, node_id: `IC_${c.id}`, body: c.body, user: c.user, html_url: c.html_url };
}

/** Protobuf JSON writes wrapper types as plain values; accept the object form too. */
function wrapped(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object' && 'value' in (v as object)) return String((v as { value: unknown }).value);
  return String(v);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<GitHubEmulator> {
  return new GitHubEmulator(opts).start();
}

/** A fresh emulator for one test, closed afterwards (so concurrent tests do not share state). */
export async function withEmu<T>(fn: (emu: GitHubEmulator) => Promise<T>, opts: EmulatorOptions = {}): Promise<T> {
  const emu = await startEmulator(opts);
  try {
    return await fn(emu);
  } finally {
    await emu.close();
  }
}
