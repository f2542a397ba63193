/**
 * Full flow against a local fake GitHub API reached through GHE_HOST / GHE_PROTOCOL=http (no nock), with the
 * production Octokit (throttling + retry): opened → review + check run; synchronize with the fix → the comment is
 * resolved, nothing duplicated; redelivery → nothing new. The engine is a per-head double here (the channel is under
 * test); test/app/engine-e2e.test.ts runs the same flow with the real engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelServices, flushFinding } from './helpers/services.ts';
import { fiveFilePr, SHA } from './helpers/scenario.ts';
import { startFakeFlow } from './helpers/fake-flow.ts';
import type { FakeFlow } from './helpers/fake-flow.ts';
import { parseMarkers } from '../../src/render/github-review.ts';

let flow: FakeFlow;
const v1 = fiveFilePr('v1');
const v2 = fiveFilePr('v2');
const services = channelServices({ [SHA.v1]: [flushFinding()], [SHA.v2]: [] });

beforeAll(async () => {
  flow = await startFakeFlow(services);
});
afterAll(async () => {
  await flow.stop();
});

describe('fake GitHub API flow', () => {
  it('opened: one review with the inline finding and a failing check run', async () => {
    flow.push(v1);
    expect(await flow.send('opened', v1, 'd-1')).toBe(200);
    const { fake } = flow;
    expect(fake.specErrors).toStrictEqual([]);
    expect(fake.reviews.get(7)).toHaveLength(1);
    expect(fake.comments).toHaveLength(1);
    expect(fake.comments[0]).toMatchObject({ path: 'mm/mapping_clean.c', line: 54, side: 'RIGHT', commit_id: SHA.v1 });
    expect(parseMarkers(fake.comments[0]?.body)).toStrictEqual([{ kind: 'finding', fingerprint: flushFinding().fingerprint, rule: 'flush-under-ptl' }]);
    expect(fake.checkRuns).toHaveLength(1);
    expect(fake.checkRuns[0]).toMatchObject({ head_sha: SHA.v1, status: 'completed', conclusion: 'failure' });
    expect(fake.checkRuns[0]?.annotations).toHaveLength(1);
  });

  it('redelivery of the same event posts nothing', async () => {
    const before = flow.fake.writes().length;
    expect(await flow.send('opened', v1, 'd-1')).toBe(200);
    expect(flow.fake.writes().length).toBe(before);
    expect(services.calls).toHaveLength(1);
  });

  it('synchronize with the fix: the comment gets "Resolved in <sha>", no duplicate, passing check run', async () => {
    flow.push(v2);
    expect(await flow.send('synchronize', v2, 'd-2')).toBe(200);
    const { fake } = flow;
    expect(fake.specErrors).toStrictEqual([]);
    const replies = fake.comments.filter((c) => c.in_reply_to_id !== undefined);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.in_reply_to_id).toBe(fake.comments[0]?.id);
    expect(replies[0]?.body).toContain(`Resolved in ${SHA.v2}`);
    expect(fake.comments.filter((c) => c.in_reply_to_id === undefined)).toHaveLength(1);
    expect(fake.reviews.get(7)).toHaveLength(2);
    const run2 = fake.checkRuns.find((r) => r.head_sha === SHA.v2);
    expect(run2).toMatchObject({ status: 'completed', conclusion: 'success' });
  });

  it('redelivering the synchronize changes nothing', async () => {
    const before = flow.fake.writes().length;
    expect(await flow.send('synchronize', v2, 'd-2')).toBe(200);
    expect(flow.fake.writes().length).toBe(before);
  });

  it('only the modified in-scope file is read at the base sha (config looked up in the repo, then the org)', () => {
    const gets = flow.fake.requests.filter((r) => r.method === 'GET' && r.path.includes('/contents/'));
    expect(gets.map((r) => decodeURIComponent(r.path))).toStrictEqual([
      '/repos/kernel-mm/linux/contents/.github/mmreview.yml',
      '/repos/kernel-mm/.github/contents/.github/mmreview.yml',
      '/repos/kernel-mm/linux/contents/mm/mapping_clean.c',
      '/repos/kernel-mm/linux/contents/.github/mmreview.yml',
      '/repos/kernel-mm/.github/contents/.github/mmreview.yml',
      '/repos/kernel-mm/linux/contents/mm/mapping_clean.c',
    ]);
  });

  it('lists the files of a large PR page by page (Link rel="next")', async () => {
    const big = { ...fiveFilePr('v1'), number: 10, headSha: '3'.repeat(40) };
    const docs = Array.from({ length: 230 }, (_, i) => ({ filename: `Documentation/mm/n${String(i).padStart(3, '0')}.rst`, status: 'added' as const, patch: '@@ -0,0 +1 @@\n+x' }));
    big.files = [...docs, ...big.files];
    flow.push(big);
    expect(await flow.send('opened', big, 'd-3')).toBe(200);
    const pages = flow.fake.requests.filter((r) => r.path === '/repos/kernel-mm/linux/pulls/10/files');
    expect(pages).toHaveLength(3);
    expect(flow.fake.checkRuns.find((r) => r.head_sha === big.headSha)?.annotations).toHaveLength(0); // the double answers per head
    expect(services.calls.at(-1)?.patches[0]?.files.map((f) => f.newPath)).toStrictEqual(['drivers/gpu/drm/ttm/ttm_dirty.c', 'mm/mapping_clean.c']);
  });
});
