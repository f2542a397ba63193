/**
 * The review of one pull-request head: redelivery check, config, file selection, engine run, dedupe against what
 * was posted before, one review (new findings inline, resolved ones answered), and the completed check run.
 */
import type { Logger } from 'probot';
import type { Finding, Report } from '../core/finding.ts';
import type { Patch } from '../core/patch.ts';
import { renderCheckRun, renderConfigFailure, sortFindings } from '../render/check-run.ts';
import type { CheckConclusion, CheckRunView } from '../render/check-run.ts';
import { renderResolvedReply, renderReview } from '../render/github-review.ts';
import { completeCheckRun, findCheckRun, startCheckRun } from '../publish/github/check-run.ts';
import { readPostedState } from '../publish/github/posted-state.ts';
import type { PostedComment } from '../publish/github/posted-state.ts';
import { postReview, replyToComment } from '../publish/github/review.ts';
import type { GitHub, PrRef } from '../publish/github/types.ts';
import { parseConfig } from './config.ts';
import type { AppConfig, ConfigIssue } from './config.ts';
import type { AppServices } from './engine-port.ts';
import { baseTree, buildPrPatch, indexDiffLines, listPrFiles, selectFiles } from './pr-source.ts';
import { relevanceFilter } from './relevance.ts';

/** The config file, as named in messages. */
export const CONFIG_FILE = '.github/mmreview.yml';

/** One review request: the client, a logger, the PR head and how to read the repository's config. */
export interface ReviewRequest {
  gh: GitHub;
  log: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  pr: PrRef;
  /** Reads `.github/mmreview.yml` (merged with defaults); throws on unreadable YAML. */
  loadConfig(): Promise<unknown>;
}

/** What happened, for logs and tests. */
export type ReviewOutcome =
  | { kind: 'redelivery'; reason: string }
  | { kind: 'bad-config'; checkRunId: number; issues: ConfigIssue[] }
  | { kind: 'nothing-relevant'; checkRunId: number; skipped: number }
  | {
      kind: 'reviewed';
      checkRunId: number;
      conclusion: CheckConclusion;
      reviewId?: number;
      inline: string[];
      inBody: string[];
      resolved: string[];
      fellBack: string[];
    }
  | { kind: 'error'; checkRunId?: number; message: string };

const SEVERITY_ORDER: Record<string, number> = { error: 0, warning: 1, info: 2 };

/** The posting policy of a config: which findings become comments. */
export function isPostable(f: Finding, config: Pick<AppConfig, 'report'>): boolean {
  if (!f.introduced) return false;
  return config.report === 'all' ? f.status !== 'refuted' : f.status === 'confirmed';
}

/** Review one PR head. Never throws for GitHub or engine failures: they end in the check run and the outcome. */
export async function reviewPullRequest(req: ReviewRequest, services: AppServices): Promise<ReviewOutcome> {
  const { gh, log, pr } = req;
  const [existing, state] = await Promise.all([findCheckRun(gh, pr), readPostedState(gh, pr)]);
  if (existing?.status === 'completed') {
    log.info({ sha: pr.headSha, checkRun: existing.id }, 'mmreview: head already analysed (completed check run); nothing to do');
    return { kind: 'redelivery', reason: `check run ${existing.id} already completed for ${pr.headSha}` };
  }
  if (state.reviewedShas.includes(pr.headSha)) {
    log.info({ sha: pr.headSha }, 'mmreview: head already reviewed; nothing to do');
    return { kind: 'redelivery', reason: `a review for ${pr.headSha} exists` };
  }
  const checkRunId = existing?.id ?? (await startCheckRun(gh, pr));
  try {
    const cfg = await readConfig(req);
    if (!cfg.ok) {
      log.warn({ issues: cfg.issues }, 'mmreview: bad configuration');
      await completeCheckRun(gh, pr, checkRunId, renderConfigFailure(cfg.issues, CONFIG_FILE));
      return { kind: 'bad-config', checkRunId, issues: cfg.issues };
    }
    const config = cfg.config;
    const analysis = await analysePullRequest(gh, pr, config, services);
    const sel = analysis.selection;
    if (analysis.kind === 'nothing-relevant') {
      log.info({ files: analysis.files }, 'mmreview: no file in scope (mm/ or mm APIs); skipping analysis');
      await completeCheckRun(gh, pr, checkRunId, renderCheckRun(undefined, { headSha: pr.headSha, analysed: [], skipped: sel.skipped }));
      return { kind: 'nothing-relevant', checkRunId, skipped: sel.skipped.length };
    }
    const report = analysis.report;
    const published = await publishReview(gh, pr, report, analysis.patch, config, state, services);
    const resolved = published.resolved;
    let outcome: Extract<ReviewOutcome, { kind: 'reviewed' }> = {
      kind: 'reviewed',
      checkRunId,
      conclusion: 'success',
      inline: published.inline,
      inBody: published.inBody,
      resolved,
      fellBack: published.fellBack,
    };
    if (published.reviewId !== undefined) outcome = { ...outcome, reviewId: published.reviewId };
    const view = renderCheckRun(report, { headSha: pr.headSha, analysed: sel.analysed.map((f) => f.filename), skipped: sel.skipped });
    await completeCheckRun(gh, pr, checkRunId, view);
    log.info(
      { sha: pr.headSha, conclusion: view.conclusion, posted: published.posted.length, resolved: resolved.length, findings: report.findings.length },
      'mmreview: review done',
    );
    return { ...outcome, conclusion: view.conclusion };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    log.error({ err: e }, 'mmreview: review failed');
    const view: CheckRunView = {
      conclusion: 'neutral',
      title: 'mmreview could not finish',
      summary: `The analysis of ${pr.headSha.slice(0, 12)} stopped with an error:\n\n\`\`\`\n${message.slice(0, 2000)}\n\`\`\``,
      annotations: [],
    };
    try {
      await completeCheckRun(gh, pr, checkRunId, view);
    } catch (e2) {
      log.error({ err: e2 }, 'mmreview: could not complete the check run');
    }
    return { kind: 'error', checkRunId, message };
  }
}

async function readConfig(req: ReviewRequest): Promise<ReturnType<typeof parseConfig>> {
  let raw: unknown;
  try {
    raw = await req.loadConfig();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, issues: [{ key: '(file)', message: msg.replace(/^\[@probot\/octokit-plugin-config\]\s*/, '') }] };
  }
  return parseConfig(raw);
}

/** What to post and what to resolve, from the report and what earlier runs posted. */
export interface PostingPlan {
  /** New postable findings (not already live inline or in a review body), most severe first. */
  post: Finding[];
  /** Live inline comments whose finding is gone from this head. */
  resolve: PostedComment[];
}

/**
 * Decide postings. A finding is "still present" while the head still has it introduced and not refuted (a finding
 * that only dropped from confirmed to inconclusive is not announced as resolved).
 */
export function planPosting(
  report: Report,
  config: Pick<AppConfig, 'report'>,
  posted: readonly PostedComment[],
  bodyFingerprints: readonly string[],
): PostingPlan {
  const live = posted.filter((c) => !c.resolved);
  const liveFps = new Set(live.map((c) => c.fingerprint));
  const inBody = new Set(bodyFingerprints);
  const seen = new Set<string>();
  const post: Finding[] = [];
  for (const f of sortFindings(report.findings)) {
    if (!isPostable(f, config) || seen.has(f.fingerprint)) continue;
    seen.add(f.fingerprint);
    if (liveFps.has(f.fingerprint) || inBody.has(f.fingerprint)) continue;
    post.push(f);
  }
  post.sort((a, b) => (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3));
  const present = new Set(report.findings.filter((f) => f.introduced && f.status !== 'refuted').map((f) => f.fingerprint));
  const resolve = live.filter((c) => !present.has(c.fingerprint));
  return { post, resolve };
}

/** What the analysis of one PR head found: nothing in scope, or the engine report over the analysed files. */
export type PrAnalysis =
  | { kind: 'nothing-relevant'; selection: ReturnType<typeof selectFiles>; files: number }
  | { kind: 'analysed'; selection: ReturnType<typeof selectFiles>; report: Report; patch: Patch };

/** List the PR's files, select the relevant ones, and run the engine with the base tree (shared by app and CLI). */
export async function analysePullRequest(gh: GitHub, pr: PrRef, config: AppConfig, services: AppServices): Promise<PrAnalysis> {
  const files = await listPrFiles(gh, pr);
  const selection = selectFiles(files, relevanceFilter(config));
  if (selection.analysed.length === 0) return { kind: 'nothing-relevant', selection, files: files.length };
  const { patch, problems } = buildPrPatch(pr, selection.analysed, services.parseDiff);
  const tree = baseTree(gh, pr, selection.analysed);
  await tree.prefetch();
  const opts: { tree: typeof tree; rules?: string[]; arch?: AppConfig['arch'] } = { tree };
  if (config.rules) opts.rules = config.rules;
  if (config.arch) opts.arch = config.arch;
  const engineReport = await services.checkPatches([patch], opts);
  const report: Report = {
    ...engineReport,
    errors: [...problems.map((p) => ({ code: p.code, message: p.message, input: p.input, ...(p.line ? { line: p.line } : {}) })), ...engineReport.errors],
  };
  return { kind: 'analysed', selection, report, patch };
}

/** What one publication posted. */
export interface Published {
  posted: Finding[];
  reviewId?: number;
  inline: string[];
  inBody: string[];
  resolved: string[];
  fellBack: string[];
}

/**
 * Post what is new since earlier runs (one review: new findings inline or in the body) and answer inline comments
 * whose finding is gone ("resolved"). Nothing is posted when there is nothing new.
 */
export async function publishReview(
  gh: GitHub,
  pr: PrRef,
  report: Report,
  patch: Patch,
  config: AppConfig,
  state: Awaited<ReturnType<typeof readPostedState>>,
  services: AppServices,
): Promise<Published> {
  const plan = planPosting(report, config, state.comments, state.bodyFingerprints);
  const resolved: string[] = [];
  for (const c of plan.resolve) {
    await replyToComment(gh, pr, c.id, renderResolvedReply(c.fingerprint, c.rule, pr.headSha));
    resolved.push(c.fingerprint);
  }
  const lines = indexDiffLines(patch);
  const isPlaceable = (f: Finding): boolean => lines.get(f.path)?.[f.side].has(f.line) ?? false;
  const out: Published = { posted: plan.post, inline: [], inBody: [], resolved, fellBack: [] };
  if (plan.post.length === 0 && plan.resolve.length === 0) return out;
  let lastDraft = { body: '', comments: [] as Array<{ fingerprint: string }> };
  const posted = await postReview(gh, pr, (forceBody) => {
    const draft = renderReview(
      {
        headSha: pr.headSha,
        findings: plan.post,
        maxInline: config.maxInlineComments,
        isPlaceable,
        resolved: plan.resolve.map((c) => ({ fingerprint: c.fingerprint, rule: c.rule, path: c.path })),
        forceBody,
      },
      services.renderers,
    );
    lastDraft = draft;
    return draft;
  });
  const inline = new Set(lastDraft.comments.map((c) => c.fingerprint));
  return { ...out, reviewId: posted.id, inline: [...inline], inBody: plan.post.map((f) => f.fingerprint).filter((fp) => !inline.has(fp)), fellBack: posted.fellBack };
}
