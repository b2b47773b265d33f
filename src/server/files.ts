import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidRunId } from '../settings/run-id.js';
import { BASE_HEADERS, HttpError } from './http-util.js';

/** A report file name: one plain name inside the run's report folder, no separators, no leading dot. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const TYPES: Record<string, string> = {
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.zip': 'application/zip',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8',
};

export function checkRunId(runId: string): void {
  if (!isValidRunId(runId)) {
    throw new HttpError(400, `invalid run id ${JSON.stringify(runId.slice(0, 140))}: letters, digits, '.', '_' and '-' only, not starting with '.'`);
  }
}

/**
 * The absolute path of a run's report file, or an HttpError. The run id and the name are checked
 * by pattern first, and the real path (symlinks resolved) must still be a regular file directly in
 * `<out>/reports/<run_id>/`: nothing outside the report folders can be read through these routes.
 */
export function reportFile(outDir: string, runId: string, name: string): string {
  checkRunId(runId);
  if (!FILE_NAME.test(name)) throw new HttpError(400, `invalid report file name ${JSON.stringify(name.slice(0, 140))}`);
  return containedFile(path.join(outDir, 'reports'), runId, name);
}

/** `<out>/snapshots/<run_id>.json`, with the same checks. */
export function snapshotFile(outDir: string, runId: string): string {
  checkRunId(runId);
  return containedFile(path.join(outDir, 'snapshots'), '', `${runId}.json`);
}

/** The names of a run's report files (for links), or [] when it has no folder. */
export function listReportFiles(outDir: string, runId: string): string[] {
  if (!isValidRunId(runId)) return [];
  try {
    return fs
      .readdirSync(path.join(outDir, 'reports', runId), { withFileTypes: true })
      .filter((d) => d.isFile() && FILE_NAME.test(d.name))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

function containedFile(root: string, sub: string, name: string): string {
  const notFound = () => new HttpError(404, `no such file: ${sub ? `${sub}/` : ''}${name}`);
  let realRoot: string;
  let realFile: string;
  try {
    realRoot = fs.realpathSync(root);
    realFile = fs.realpathSync(path.join(root, sub, name));
  } catch {
    throw notFound();
  }
  const expectedDir = sub ? path.join(realRoot, sub) : realRoot;
  if (path.dirname(realFile) !== expectedDir) throw notFound();
  let st: fs.Stats;
  try {
    st = fs.statSync(realFile);
  } catch {
    throw notFound();
  }
  if (!st.isFile()) throw notFound();
  return realFile;
}

export function contentTypeOf(name: string): string {
  return TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/** Streams a file; `download` names it as an attachment (the bundle). */
export function sendFile(req: IncomingMessage, res: ServerResponse, file: string, opts: { download?: string } = {}): void {
  const st = fs.statSync(file);
  const name = path.basename(file);
  const headers: Record<string, string | number> = {
    ...BASE_HEADERS,
    'Content-Type': contentTypeOf(name),
    'Content-Length': st.size,
    // Report pages are not to be framed by other sites.
    'Content-Security-Policy': "frame-ancestors 'none'",
  };
  if (opts.download) headers['Content-Disposition'] = `attachment; filename="${opts.download}"`;
  res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = fs.createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
