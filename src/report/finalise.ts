import fs from 'node:fs';
import type { RunPaths } from '../runner/paths.js';
import type { MetricPoint } from '../store/types.js';
import { errorMessage } from '../util/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { bundleEpoch, buildBundle, DEFAULT_BUNDLE_EPOCH, sha256Line, type BuildBundleOptions, type BundleInfo } from './bundle.js';
import { renderReportHtml } from './html.js';
import { renderSummaryMarkdown, JOB_SUMMARY_BUDGET } from './summary-md.js';
import type { Report, RunResult } from './types.js';

/**
 * The runner's finaliser, report side. The order makes every file inside bundle.zip final:
 *   1. report.json names report.html, summary.md and bundle.zip (ReportInput.planned);
 *   2. report.html and summary.md are rendered from that report object, before report.json is written
 *      (a page that fails to render is dropped from `artifacts` instead of being named and missing);
 *   3. report.json, report.html, summary.md, warroom.log and result.json (`bundle: null`) are written;
 *   4. the event bus closes, so run.log has its last line;
 *   5. bundle.zip is built from those files, and its sha256 goes into result.json (only there, and in
 *      bundle.zip.sha256 beside it) and the store. `toron-testops bundle` rebuilds the same bytes,
 *      because the bundle always stores result.json with `bundle: null`.
 */
export interface RenderedPages {
  html: string | null;
  summary: string | null;
  errors: string[];
}

/** Number of earlier runs the trend charts show. */
export const TREND_RUNS = 30;

export function renderRunPages(report: Report, opts: { history?: readonly MetricPoint[] } = {}): RenderedPages {
  const errors: string[] = [];
  let html: string | null = null;
  let summary: string | null = null;
  try {
    html = renderReportHtml(report, { history: opts.history ?? [] });
  } catch (err) {
    errors.push(`report.html could not be rendered: ${errorMessage(err)}`);
  }
  try {
    summary = renderSummaryMarkdown(report, { budget: JOB_SUMMARY_BUDGET }).markdown;
  } catch (err) {
    errors.push(`summary.md could not be rendered: ${errorMessage(err)}`);
  }
  // A file that will not be written must not be named in report.json.
  if (html === null) report.artifacts.html = null;
  if (summary === null) report.artifacts.summary = null;
  return { html, summary, errors };
}

export function writeRunPages(paths: RunPaths, pages: RenderedPages): void {
  if (pages.html !== null) writeFileAtomic(paths.html, pages.html);
  if (pages.summary !== null) writeFileAtomic(paths.summaryMd, pages.summary);
}

/** SOURCE_DATE_EPOCH for the run's bundle; a malformed value is reported and the default is used. */
export function runBundleEpoch(env: NodeJS.ProcessEnv, warn: (message: string) => void): number {
  try {
    return bundleEpoch(env);
  } catch (err) {
    warn(`${errorMessage(err)}; bundle.zip uses 1980-01-01 instead`);
    return DEFAULT_BUNDLE_EPOCH;
  }
}

export interface RunBundleOutcome {
  bundle: BundleInfo | null;
  error: string | null;
}

/**
 * Step 5: builds bundle.zip from the (final) files of the run and records it in result.json. On
 * failure the run keeps its other files, and report.json and result.json stop naming the bundle.
 */
export async function bundleRun(paths: RunPaths, epoch: number, writtenReport?: Report, checksums?: BuildBundleOptions['checksums']): Promise<RunBundleOutcome> {
  try {
    const bundle = await buildBundle(paths.reportDir, { env: { SOURCE_DATE_EPOCH: String(epoch) }, writtenReport, ...(checksums ? { checksums } : {}) });
    const result = JSON.parse(fs.readFileSync(paths.result, 'utf8')) as RunResult;
    result.bundle = { path: bundle.path, sha256: bundle.sha256, bytes: bundle.bytes, sourceDateEpoch: bundle.sourceDateEpoch, entries: bundle.entries };
    writeJsonAtomic(paths.result, result);
    writeFileAtomic(`${paths.bundle}.sha256`, sha256Line(bundle));
    return { bundle, error: null };
  } catch (err) {
    const error = `bundle.zip could not be built: ${errorMessage(err)}`;
    unnameBundle(paths);
    return { bundle: null, error };
  }
}

function unnameBundle(paths: RunPaths): void {
  for (const file of [paths.report, paths.result]) {
    try {
      const raw = fs.readFileSync(file, 'utf8');
      const j = JSON.parse(raw) as { artifacts?: { bundle?: string | null } };
      if (j.artifacts && j.artifacts.bundle !== null) {
        j.artifacts.bundle = null;
        writeJsonAtomic(file, j, { compact: !raw.startsWith('{\n') });
      }
    } catch {
      // nothing more can be done; the missing bundle is reported by the caller
    }
  }
  // A bundle.zip left by an earlier run under the same run id is not this run's.
  fs.rmSync(paths.bundle, { force: true });
  fs.rmSync(`${paths.bundle}.sha256`, { force: true });
}
