import type { Verdict } from '../runner/verdict.js';
import type { CheckAnnotation } from './annotations.js';
import type { Octokit } from './octokit.js';
import { cutText } from '../report/view-model.js';

/** The Checks API takes at most 50 annotations per request; more go in follow-up updates. */
export const CHECK_BATCH = 50;
/** output.summary and output.text hold at most 65535 characters each. */
export const CHECK_TEXT_LIMIT = 65_535;

export type CheckConclusion = 'success' | 'neutral' | 'failure' | 'cancelled';

export function conclusionFor(verdict: Verdict, cancelled: boolean): CheckConclusion {
  if (cancelled) return 'cancelled';
  if (verdict === 'PASS') return 'success';
  if (verdict === 'WARN') return 'neutral';
  return 'failure';
}

export function batches<T>(items: T[], size = CHECK_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Cut at a character (cutText): half an emoji would reach GitHub as a lone surrogate. */
function clip(s: string, limit = CHECK_TEXT_LIMIT): string {
  return s.length <= limit ? s : cutText(s, limit - 40) + '\n\n…(cut: see the job summary)';
}

export interface CheckRunRequest {
  owner: string;
  repo: string;
  name: string;
  headSha: string;
  conclusion: CheckConclusion;
  title: string;
  summary: string;
  annotations: CheckAnnotation[];
  detailsUrl?: string | null;
  signal?: AbortSignal;
}

/**
 * One check run with every annotation: created with the first batch, then one update per further
 * batch, and the conclusion set with the last request (so the check does not read "completed" while
 * its annotations are still arriving).
 */
export async function postCheckRun(octokit: Octokit, r: CheckRunRequest): Promise<{ id: number; url: string | null; requests: number }> {
  const parts = batches(r.annotations);
  const output = (annotations: CheckAnnotation[]) => ({ title: cutText(r.title, 255), summary: clip(r.summary), annotations });
  const last = Math.max(0, parts.length - 1);
  const done = { status: 'completed' as const, conclusion: r.conclusion, completed_at: new Date().toISOString() };
  const created = await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
    owner: r.owner,
    repo: r.repo,
    name: r.name,
    head_sha: r.headSha,
    ...(r.detailsUrl ? { details_url: r.detailsUrl } : {}),
    ...(last === 0 ? done : { status: 'in_progress' as const }),
    output: output(parts[0] ?? []),
    request: { signal: r.signal },
  });
  const id = Number(created.data.id);
  let requests = 1;
  let sent = parts[0]?.length ?? 0;
  for (let i = 1; i < parts.length; i++) {
    try {
      await octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        owner: r.owner,
        repo: r.repo,
        check_run_id: id,
        ...(i === last ? done : {}),
        output: output(parts[i]),
        request: { signal: r.signal },
      });
    } catch (err) {
      // A run left in progress never concludes: a required check would wait forever and never show
      // the verdict. Concluded with the annotations it has (best effort), then the caller is told.
      let concluded = false;
      try {
        await octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
          owner: r.owner,
          repo: r.repo,
          check_run_id: id,
          ...done,
          output: output([]),
          request: { signal: r.signal },
        });
        concluded = true;
      } catch {
        // nothing more to do: the error below says what happened
      }
      throw new CheckRunIncomplete(err, { id, url: created.data.html_url ?? null, sent, total: r.annotations.length, concluded });
    }
    sent += parts[i].length;
    requests++;
  }
  return { id, url: created.data.html_url ?? null, requests };
}

/** A check run created, whose later annotations could not all be added: concluded anyway when it could be. */
export class CheckRunIncomplete extends Error {
  constructor(
    readonly cause: unknown,
    readonly run: { id: number; url: string | null; sent: number; total: number; concluded: boolean },
  ) {
    super(`the check run got ${run.sent} of ${run.total} annotation(s)${run.concluded ? ' and was concluded' : ', and could not be concluded'}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'CheckRunIncomplete';
  }
}
