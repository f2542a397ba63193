/** The pull_request handlers against nock-mocked GitHub: every request body validated against GitHub's OpenAPI. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import nock from 'nock';
import { appProbot } from './helpers/probot.ts';
import { GitHubSpec } from './helpers/openapi.ts';
import { channelServices, flushFinding } from './helpers/services.ts';
import { docsOnlyPr, fiveFilePr, fixPr, INSTALLATION_ID, OWNER, prPayload, REPO, SHA } from './helpers/scenario.ts';
import type { PrScenario } from './helpers/scenario.ts';
import { createAppOctokit } from '../../src/app/octokit.ts';
import { findingMarker, resolvedMarker, reviewMarker } from '../../src/render/github-review.ts';

const API = 'https://api.github.com';
const R = `/repos/${OWNER}/${REPO}`;
const spec = new GitHubSpec();
let specErrors: string[] = [];

/** A nock body matcher that records OpenAPI violations and keeps the body. */
function validated(method: string, path: string, sink: unknown[]): (body: unknown) => boolean {
  return (body) => {
    for (const e of spec.requestErrors(method, path, body)) specErrors.push(`${method} ${path}: ${e}`);
    sink.push(body);
    return true;
  };
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}

/** Mocks of the reads every reviewed head makes, up to the engine call. */
function reads(scope: nock.Scope, s: PrScenario, opts: { checkRuns?: unknown[]; reviews?: unknown[]; comments?: unknown[]; config?: string } = {}): nock.Scope {
  scope
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z' })
    .get(`${R}/commits/${s.headSha}/check-runs`)
    .query(true)
    .reply(200, { total_count: (opts.checkRuns ?? []).length, check_runs: opts.checkRuns ?? [] })
    .get(`${R}/pulls/${s.number}/reviews`)
    .query(true)
    .reply(200, opts.reviews ?? [])
    .get(`${R}/pulls/${s.number}/comments`)
    .query(true)
    .reply(200, opts.comments ?? []);
  return scope;
}

function configAndFiles(scope: nock.Scope, s: PrScenario, config?: string): nock.Scope {
  if (config === undefined) {
    scope.get(/\/repos\/kernel-mm\/linux\/contents\/\.github(%2F|\/)mmreview\.yml/).reply(404, { message: 'Not Found' });
    scope.get(/\/repos\/kernel-mm\/\.github\/contents\/\.github(%2F|\/)mmreview\.yml/).reply(404, { message: 'Not Found' });
  } else {
    scope.get(/\/repos\/kernel-mm\/linux\/contents\/\.github(%2F|\/)mmreview\.yml/).reply(200, config, { 'content-type': 'text/plain; charset=utf-8' });
  }
  scope.get(`${R}/pulls/${s.number}/files`).query(true).reply(200, s.files);
  return scope;
}

function baseContents(scope: nock.Scope, s: PrScenario): nock.Scope {
  for (const [path, text] of Object.entries(s.base)) {
    if (!s.files.some((f) => f.filename === path && /\.[ch]$/.test(path))) continue;
    scope
      .get(`${R}/contents/${encodeURIComponent(path)}`)
      .query({ ref: s.baseSha })
      .reply(200, { type: 'file', encoding: 'base64', content: b64(text), path, name: path.split('/').pop(), sha: 'x', size: text.length });
  }
  return scope;
}

beforeEach(() => {
  specErrors = [];
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('pull_request handlers (nock)', () => {
  it('opened: one COMMENT review with the confirmed finding inline, failing check run with annotations', async () => {
    const s = fiveFilePr('v1');
    const services = channelServices({ [s.headSha]: [flushFinding()] });
    const probot = appProbot(services);
    const checkCreates: unknown[] = [];
    const checkUpdates: unknown[] = [];
    const reviews: unknown[] = [];
    const scope = reads(nock(API), s);
    scope.post(`${R}/check-runs`, validated('POST', `${R}/check-runs`, checkCreates)).reply(201, { id: 77 });
    configAndFiles(scope, s);
    baseContents(scope, s);
    scope.post(`${R}/pulls/${s.number}/reviews`, validated('POST', `${R}/pulls/${s.number}/reviews`, reviews)).reply(200, { id: 501 });
    scope.patch(`${R}/check-runs/77`, validated('PATCH', `${R}/check-runs/77`, checkUpdates)).reply(200, { id: 77 });

    await probot.receive({ id: '1', name: 'pull_request', payload: prPayload('opened', s) } as any);

    expect(scope.pendingMocks()).toStrictEqual([]);
    expect(specErrors).toStrictEqual([]);
    expect(checkCreates).toMatchObject([{ name: 'mmreview', head_sha: s.headSha, status: 'in_progress' }]);
    const review = reviews[0] as any;
    expect(review.event).toBe('COMMENT');
    expect(review.commit_id).toBe(s.headSha);
    expect(review.comments).toHaveLength(1);
    expect(review.comments[0]).toMatchObject({ path: 'mm/mapping_clean.c', line: 54, side: 'RIGHT' });
    expect(review.comments[0].body).toContain(findingMarker(flushFinding()));
    expect(review.comments[0].body).toContain('<details>');
    expect(review.comments[0].body).toContain('```mermaid\nsequenceDiagram');
    expect(review.body).toContain(reviewMarker(s.headSha));
    const upd = checkUpdates[0] as any;
    expect(upd).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(upd.output.annotations).toMatchObject([{ path: 'mm/mapping_clean.c', start_line: 54, annotation_level: 'failure' }]);
    // Only the in-scope files reached the engine; the tree serves base text of the modified mm file.
    const call = services.calls[0];
    expect(call?.patches[0]?.files.map((f) => f.newPath)).toStrictEqual(['drivers/gpu/drm/ttm/ttm_dirty.c', 'mm/mapping_clean.c']);
    expect(await call?.opts?.tree?.read('mm/mapping_clean.c')).toBe(s.base['mm/mapping_clean.c']);
    expect(await call?.opts?.tree?.read('mm/Makefile')).toBeUndefined();
  });

  it('sends more than 50 annotations in batches of 50, conclusion with the last batch', async () => {
    const s = fiveFilePr('v1');
    const many = Array.from({ length: 60 }, (_, i) =>
      flushFinding({ fingerprint: `fp-${String(i).padStart(2, '0')}`, line: 54, status: i === 0 ? 'confirmed' : 'inconclusive' }),
    );
    const probot = appProbot(channelServices({ [s.headSha]: many }));
    const updates: any[] = [];
    const reviews: any[] = [];
    const scope = reads(nock(API), s);
    scope.post(`${R}/check-runs`).reply(201, { id: 78 });
    configAndFiles(scope, s);
    baseContents(scope, s);
    scope.post(`${R}/pulls/${s.number}/reviews`, validated('POST', `${R}/pulls/${s.number}/reviews`, reviews)).reply(200, { id: 502 });
    scope.patch(`${R}/check-runs/78`, validated('PATCH', `${R}/check-runs/78`, updates)).times(2).reply(200, { id: 78 });

    await probot.receive({ id: '2', name: 'pull_request', payload: prPayload('opened', s) } as any);

    expect(scope.pendingMocks()).toStrictEqual([]);
    expect(specErrors).toStrictEqual([]);
    expect(updates.map((u) => u.output.annotations.length)).toStrictEqual([50, 10]);
    expect(updates[0].conclusion).toBeUndefined();
    expect(updates[1]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    // report policy "confirmed": only the confirmed finding is posted
    expect(reviews[0].comments).toHaveLength(1);
  });

  it('falls back to the review body when GitHub refuses the inline comment (422)', async () => {
    const s = fiveFilePr('v1');
    const probot = appProbot(channelServices({ [s.headSha]: [flushFinding()] }));
    const reviews: any[] = [];
    const scope = reads(nock(API), s);
    scope.post(`${R}/check-runs`).reply(201, { id: 79 });
    configAndFiles(scope, s);
    baseContents(scope, s);
    const path = `${R}/pulls/${s.number}/reviews`;
    scope
      .post(path, validated('POST', path, reviews))
      .reply(422, { message: 'Unprocessable Entity', errors: ['Line could not be resolved'] })
      .post(path, validated('POST', path, reviews))
      .reply(200, { id: 503 });
    scope.patch(`${R}/check-runs/79`).reply(200, { id: 79 });

    await probot.receive({ id: '3', name: 'pull_request', payload: prPayload('opened', s) } as any);

    expect(scope.pendingMocks()).toStrictEqual([]);
    expect(specErrors).toStrictEqual([]);
    expect(reviews[0].comments).toHaveLength(1);
    expect(reviews[1].comments).toHaveLength(0);
    expect(reviews[1].body).toContain(findingMarker(flushFinding()));
    expect(reviews[1].body).toContain('`mm/mapping_clean.c` line 54');
  });

  it('retries a secondary rate limit (403 + retry-after) instead of failing', async () => {
    const s = fiveFilePr('v1');
    const Octokit = createAppOctokit({ retryAfterBaseValue: 1 });
    const probot = appProbot(channelServices({ [s.headSha]: [flushFinding()] }), Octokit);
    const reviews: any[] = [];
    const scope = reads(nock(API), s);
    scope.post(`${R}/check-runs`).reply(201, { id: 80 });
    configAndFiles(scope, s);
    baseContents(scope, s);
    const path = `${R}/pulls/${s.number}/reviews`;
    scope
      .post(path)
      .reply(403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, { 'retry-after': '1' })
      .post(path, validated('POST', path, reviews))
      .reply(200, { id: 504 });
    const updates: any[] = [];
    scope.patch(`${R}/check-runs/80`, validated('PATCH', `${R}/check-runs/80`, updates)).reply(200, { id: 80 });

    await probot.receive({ id: '4', name: 'pull_request', payload: prPayload('opened', s) } as any);

    expect(scope.pendingMocks()).toStrictEqual([]);
    expect(specErrors).toStrictEqual([]);
    expect(reviews).toHaveLength(1);
    expect(updates[0]).toMatchObject({ conclusion: 'failure' });
  });

  it('a bad .github/mmreview.yml fails the check run naming the wrong keys; nothing is analysed', async () => {
    const s = fiveFilePr('v1');
    const services = channelServices({ [s.headSha]: [flushFinding()] });
    const probot = appProbot(services);
    const updates: any[] = [];
    const scope = reads(nock(API), s);
    scope.post(`${R}/check-runs`).reply(201, { id: 81 });
    scope
      .get(/\/repos\/kernel-mm\/linux\/contents\/\.github(%2F|\/)mmreview\.yml/)
      .reply(200, 'report: loud\narch: [x86, mips]\nmaxInline: 3\n', { 'content-type': 'text/plain; charset=utf-8' });
    scope.patch(`${R}/check-runs/81`, validated('PATCH', `${R}/check-runs/81`, updates)).reply(200, { id: 81 });

    await probot.receive({ id: '5', name: 'pull_request', payload: prPayload('opened', s) } as any);

    expect(scope.pendingMocks()).toStrictEqual([]);
    expect(specErrors).toStrictEqual([]);
    expect(services.calls).toHaveLength(0);
    expect(updates[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(updates[0].output.title).toContain('arch.1');
    expect(updates[0].output.summary).toContain('`maxInline`: unknown key');
    expect(updates[0].output.summary).toContain('`report`');
  });

  it('config selects rules and arch presets for the engine and can cap inline comments at 0', async () => {
    const s = fiveFilePr('v1');
    const services = channelServices({ [s.headSha]: [flushFinding()] });
    const probot = appProbot(services);
    const reviews: any[] = [];
    const scope = reads(nock(API), s);
    scope.post(`${R}/check-runs`).reply(201, { id: 82 });
    configAndFiles(scope, s, 'rules: [flush-under-ptl]\narch: [arm64-nodbm]\nmaxInlineComments: 0\n');
    baseContents(scope, s);
    const path = `${R}/pulls/${s.number}/reviews`;
    scope.post(path, validated('POST', path, reviews)).reply(200, { id: 505 });
    scope.patch(`${R}/check-runs/82`).reply(200, { id: 82 });

    await probot.receive({ id: '6', name: 'pull_request', payload: prPayload('opened', s) } as any);

    expect(scope.pendingMocks()).toStrictEqual([]);
    expect(services.calls[0]?.opts).toMatchObject({ rules: ['flush-under-ptl'], arch: ['arm64-nodbm'] });
    expect(reviews[0].comments).toStrictEqual([]);
    expect(reviews[0].body).toContain(findingMarker(flushFinding()));
  });

  it('draft PRs wait: opened as draft makes no request; ready_for_review reviews', async () => {
    const s = docsOnlyPr();
    const probot = appProbot(channelServices({}));
    await probot.receive({ id: '7', name: 'pull_request', payload: prPayload('opened', s, { draft: true }) } as any);

    const updates: any[] = [];
    const scope = reads(nock(API), s);
    scope.post(`${R}/check-runs`).reply(201, { id: 83 });
    configAndFiles(scope, s);
    scope.patch(`${R}/check-runs/83`, validated('PATCH', `${R}/check-runs/83`, updates)).reply(200, { id: 83 });
    await probot.receive({ id: '8', name: 'pull_request', payload: prPayload('ready_for_review', s, { draft: true }) } as any);
    expect(scope.pendingMocks()).toStrictEqual([]);
    expect(specErrors).toStrictEqual([]);
    // nothing in scope: neutral, no review, the skipped file listed with its reason
    expect(updates[0]).toMatchObject({ conclusion: 'neutral', output: { title: 'Nothing to review' } });
    expect(updates[0].output.summary).toContain('`Documentation/mm/mapping_clean.rst`: not a C source or header');
  });

  it('synchronize: a finding already commented is not posted again; a vanished one gets "Resolved in <sha>"', async () => {
    const s = fiveFilePr('v2');
    const stillThere = flushFinding({ fingerprint: 'still-there', line: 20, function: 'clean_record' });
    const probot = appProbot(channelServices({ [s.headSha]: [stillThere] }));
    const comments = [
      { id: 11, path: 'mm/mapping_clean.c', body: `old\n${findingMarker(flushFinding())}`, user: { login: 'mmreview[bot]' } },
      { id: 12, path: 'mm/mapping_clean.c', body: `x\n${findingMarker(stillThere)}`, user: { login: 'mmreview[bot]' } },
      { id: 13, path: 'mm/mapping_clean.c', body: 'Human reply', in_reply_to_id: 12, user: { login: 'akpm' } },
    ];
    const reviewsBefore = [{ id: 500, body: `review\n${reviewMarker(SHA.v1)}`, commit_id: SHA.v1 }];
    const replies: any[] = [];
    const reviews: any[] = [];
    const scope = reads(nock(API), s, { comments, reviews: reviewsBefore });
    scope.post(`${R}/check-runs`).reply(201, { id: 84 });
    configAndFiles(scope, s);
    baseContents(scope, s);
    const rpath = `${R}/pulls/${s.number}/comments/11/replies`;
    scope.post(rpath, validated('POST', rpath, replies)).reply(201, { id: 14 });
    const path = `${R}/pulls/${s.number}/reviews`;
    scope.post(path, validated('POST', path, reviews)).reply(200, { id: 506 });
    const updates: any[] = [];
    scope.patch(`${R}/check-runs/84`, validated('PATCH', `${R}/check-runs/84`, updates)).reply(200, { id: 84 });

    await probot.receive({ id: '9', name: 'pull_request', payload: prPayload('synchronize', s) } as any);

    expect(scope.pendingMocks()).toStrictEqual([]);
    expect(specErrors).toStrictEqual([]);
    expect(replies[0].body).toContain(`Resolved in ${s.headSha}`);
    expect(replies[0].body).toContain(resolvedMarker(flushFinding().fingerprint, s.headSha));
    expect(reviews[0].comments).toStrictEqual([]);
    expect(reviews[0].body).toContain('Resolved by this push');
    expect(updates[0].conclusion).toBe('failure');
  });

  it('redelivery: a completed check run on the head sha means nothing is posted', async () => {
    const s = fiveFilePr('v1');
    const services = channelServices({ [s.headSha]: [flushFinding()] });
    const probot = appProbot(services);
    const scope = reads(nock(API), s, { checkRuns: [{ id: 90, name: 'mmreview', status: 'completed', conclusion: 'failure', head_sha: s.headSha }] });
    await probot.receive({ id: '10', name: 'pull_request', payload: prPayload('synchronize', s) } as any);
    expect(scope.pendingMocks()).toStrictEqual([]);
    expect(services.calls).toHaveLength(0);
  });

  it('a fix PR: success check run whose summary notes the fix, no review', async () => {
    const s = fixPr();
    const fixed = flushFinding({ introduced: false, fixed: true, side: 'LEFT', line: 54 });
    const probot = appProbot(channelServices({ [s.headSha]: [fixed] }));
    const updates: any[] = [];
    const scope = reads(nock(API), s);
    scope.post(`${R}/check-runs`).reply(201, { id: 85 });
    configAndFiles(scope, s);
    baseContents(scope, s);
    scope.patch(`${R}/check-runs/85`, validated('PATCH', `${R}/check-runs/85`, updates)).reply(200, { id: 85 });
    await probot.receive({ id: '11', name: 'pull_request', payload: prPayload('opened', s) } as any);
    expect(scope.pendingMocks()).toStrictEqual([]);
    expect(specErrors).toStrictEqual([]);
    expect(updates[0]).toMatchObject({ conclusion: 'success' });
    expect(updates[0].output.summary).toContain('This patch fixes **flush-under-ptl** in `clean_pte_range()`');
    expect(updates[0].output.annotations).toStrictEqual([]);
  });

  it('an engine crash ends in a neutral check run, not an unhandled error', async () => {
    const s = fiveFilePr('v1');
    const services = channelServices({});
    services.checkPatches = async () => {
      throw new Error('simulator exploded');
    };
    const probot = appProbot(services);
    const updates: any[] = [];
    const scope = reads(nock(API), s);
    scope.post(`${R}/check-runs`).reply(201, { id: 86 });
    configAndFiles(scope, s);
    baseContents(scope, s);
    scope.patch(`${R}/check-runs/86`, validated('PATCH', `${R}/check-runs/86`, updates)).reply(200, { id: 86 });
    await probot.receive({ id: '12', name: 'pull_request', payload: prPayload('opened', s) } as any);
    expect(scope.pendingMocks()).toStrictEqual([]);
    expect(updates[0]).toMatchObject({ conclusion: 'neutral', output: { title: 'mmreview could not finish' } });
    expect(updates[0].output.summary).toContain('simulator exploded');
  });

  it('a truncated patch becomes a listed problem in the check run; the review still happens', async () => {
    const s = fiveFilePr('v1');
    s.files = [...s.files, { filename: 'mm/truncated.c', status: 'modified', patch: '@@ -10,5 +10,6 @@ static int f(void)\n+\tflush_tlb_range(vma, s, e);\n' }];
    const services = channelServices({ [s.headSha]: [flushFinding()] });
    const probot = appProbot(services);
    const updates: any[] = [];
    const scope = reads(nock(API), s);
    scope.post(`${R}/check-runs`).reply(201, { id: 87 });
    configAndFiles(scope, s);
    baseContents(scope, s);
    scope
      .get(`${R}/contents/${encodeURIComponent('mm/truncated.c')}`)
      .query({ ref: s.baseSha })
      .reply(404, { message: 'Not Found' });
    scope.post(`${R}/pulls/${s.number}/reviews`).reply(200, { id: 507 });
    scope.patch(`${R}/check-runs/87`, validated('PATCH', `${R}/check-runs/87`, updates)).reply(200, { id: 87 });
    await probot.receive({ id: '13', name: 'pull_request', payload: prPayload('opened', s) } as any);
    expect(scope.pendingMocks()).toStrictEqual([]);
    expect(specErrors).toStrictEqual([]);
    expect(updates[0].output.summary).toContain('### Problems');
    expect(updates[0].output.summary).toContain('MMR003 mm/truncated.c');
    expect(await services.calls[0]?.opts?.tree?.read('mm/truncated.c')).toBeUndefined();
  });
});
