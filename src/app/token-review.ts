/**
 * `mmreview check --pr OWNER/REPO#N`: the review the GitHub App would post on a pull request, run from a terminal
 * with a token (octokit's Octokit: REST, pagination, retry and throttling). The report is printed; with `post`, the
 * new findings are posted as one review and findings that disappeared are answered as resolved — exactly what the
 * app posts, minus the check run (a user token cannot create check runs). A head that already has an mmreview
 * review gets nothing new.
 */
import { Octokit } from 'octokit';
import YAML from 'yaml';
import type { Report } from '../core/finding.ts';
import { readPostedState } from '../publish/github/posted-state.ts';
import type { GitHub, PrRef } from '../publish/github/types.ts';
import { parseConfig } from './config.ts';
import type { ConfigIssue } from './config.ts';
import type { AppServices } from './engine-port.ts';
import { analysePullRequest, publishReview, CONFIG_FILE } from './review-pull-request.ts';

export interface PrTarget {
  owner: string;
  repo: string;
  number: number;
}

const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** `OWNER/REPO#N` or `https://<host>/OWNER/REPO/pull/N`; an Error naming what is wrong otherwise. */
export function parsePrTarget(text: string): PrTarget | Error {
  const m = /^([^/\s#]+)\/([^/\s#]+)#(\d+)$/.exec(text.trim()) ?? /^https?:\/\/[^/\s]+\/([^/\s]+)\/([^/\s]+)\/pull\/(\d+)\/?$/.exec(text.trim());
  if (!m) return new Error(`--pr takes OWNER/REPO#N or a pull request URL, got "${text}"`);
  const [, owner, repo, n] = m as unknown as [string, string, string, string];
  if (!NAME.test(owner) || !NAME.test(repo) || owner.startsWith('.') || repo.startsWith('.')) return new Error(`--pr: "${owner}/${repo}" is not a repository name`);
  const number = Number(n);
  if (!Number.isSafeInteger(number) || number < 1) return new Error(`--pr: "${n}" is not a pull request number`);
  return { owner, repo, number };
}

/** An Octokit for a token; `baseUrl` for GitHub Enterprise (`https://ghe.example.com/api/v3`) or a test server. */
export function tokenClient(token: string, baseUrl?: string): GitHub {
  const octokit = new Octokit({
    auth: token,
    userAgent: 'mmreview-cli',
    ...(baseUrl ? { baseUrl } : {}),
    throttle: {
      onRateLimit: (_after: number, _opts: unknown, _o: unknown, retryCount: number) => retryCount < 1,
      onSecondaryRateLimit: (_after: number, _opts: unknown, _o: unknown, retryCount: number) => retryCount < 2,
    },
  });
  // octokit's Octokit carries the same REST methods and paginate the app's (Probot's) Octokit has; the publisher
  // functions only use those.
  return octokit as unknown as GitHub;
}

export type PrCheckResult =
  | { kind: 'bad-config'; issues: ConfigIssue[] }
  | { kind: 'nothing-relevant'; skipped: number; pr: PrRef }
  | { kind: 'reviewed'; pr: PrRef; report: Report; posted?: { reviewId?: number; inline: number; inBody: number; resolved: number; alreadyReviewed: boolean } };

async function loadConfig(gh: GitHub, t: PrTarget): Promise<unknown> {
  try {
    const r = await gh.rest.repos.getContent({ owner: t.owner, repo: t.repo, path: CONFIG_FILE, mediaType: { format: 'raw' } });
    const text = typeof r.data === 'string' ? r.data : '';
    return text ? YAML.parse(text) : null;
  } catch (e) {
    if ((e as { status?: number }).status === 404) return null;
    throw e;
  }
}

/** Review one PR head with a token; post only when asked. */
export async function checkPullRequest(gh: GitHub, target: PrTarget, services: AppServices, opts: { post: boolean }): Promise<PrCheckResult> {
  const { data } = await gh.rest.pulls.get({ owner: target.owner, repo: target.repo, pull_number: target.number });
  const pr: PrRef = {
    owner: target.owner,
    repo: target.repo,
    number: target.number,
    headSha: data.head.sha,
    baseSha: data.base.sha,
    title: data.title,
    body: data.body,
    draft: data.draft ?? false,
  };
  let raw: unknown;
  try {
    raw = await loadConfig(gh, target);
  } catch (e) {
    return { kind: 'bad-config', issues: [{ key: '(file)', message: (e as Error).message }] };
  }
  const cfg = parseConfig(raw);
  if (!cfg.ok) return { kind: 'bad-config', issues: cfg.issues };
  const analysis = await analysePullRequest(gh, pr, cfg.config, services);
  if (analysis.kind === 'nothing-relevant') return { kind: 'nothing-relevant', skipped: analysis.selection.skipped.length, pr };
  if (!opts.post) return { kind: 'reviewed', pr, report: analysis.report };
  const state = await readPostedState(gh, pr);
  if (state.reviewedShas.includes(pr.headSha)) {
    return { kind: 'reviewed', pr, report: analysis.report, posted: { inline: 0, inBody: 0, resolved: 0, alreadyReviewed: true } };
  }
  const p = await publishReview(gh, pr, analysis.report, analysis.patch, cfg.config, state, services);
  return {
    kind: 'reviewed',
    pr,
    report: analysis.report,
    posted: { ...(p.reviewId !== undefined ? { reviewId: p.reviewId } : {}), inline: p.inline.length, inBody: p.inBody.length, resolved: p.resolved.length, alreadyReviewed: false },
  };
}
