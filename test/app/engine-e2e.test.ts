/**
 * Done-when scenario with the REAL engine (front end + rules + simulator) and the real trace renderers, through the
 * real Probot server and the fake GitHub API: a PR that moves the TLB flush after pte_unmap_unlock() gets one review
 * with a confirmed flush-under-ptl inline comment on an added line and a failing check run; pushing the fixed
 * version resolves it; redelivering changes nothing; a fix PR gets a passing check run noting the fix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultServices } from '../../src/app/default-services.ts';
import { parseMarkers } from '../../src/render/github-review.ts';
import { fiveFilePr, fixPr, SHA } from './helpers/scenario.ts';
import { startFakeFlow } from './helpers/fake-flow.ts';
import type { FakeFlow } from './helpers/fake-flow.ts';

let flow: FakeFlow;
const v1 = fiveFilePr('v1');
const v2 = fiveFilePr('v2');

/** New-file line numbers of the added lines of a bare patch. */
function addedLines(patch: string | undefined): number[] {
  const out: number[] = [];
  let n = 0;
  for (const line of (patch ?? '').split('\n')) {
    const h = /^@@ -\d+(?:,\d+)? \+(\d+)/.exec(line);
    if (h) n = Number(h[1]);
    else if (line.startsWith('+')) out.push(n++);
    else if (!line.startsWith('-')) n++;
  }
  return out;
}

beforeAll(async () => {
  flow = await startFakeFlow(defaultServices());
});
afterAll(async () => {
  await flow.stop();
});

describe('GitHub App with the real engine', () => {
  it('opened: one review, a confirmed flush-under-ptl comment on an added line, failing check run', async () => {
    flow.push(v1);
    expect(await flow.send('opened', v1, 'e2e-1')).toBe(200);
    const { fake } = flow;
    expect(fake.specErrors).toStrictEqual([]);
    expect(fake.reviews.get(v1.number)).toHaveLength(1);
    const inline = fake.comments.filter((c) => c.in_reply_to_id === undefined);
    const flush = inline.filter((c) => parseMarkers(c.body).some((m) => m.kind === 'finding' && m.rule === 'flush-under-ptl'));
    expect(flush).toHaveLength(1);
    const c = flush[0];
    expect(c?.path).toBe('mm/mapping_clean.c');
    expect(c?.side).toBe('RIGHT');
    expect(addedLines(v1.files.find((f) => f.filename === 'mm/mapping_clean.c')?.patch)).toContain(c?.line);
    expect(c?.body).toMatch(/confirmed on /);
    expect(c?.body).toContain('<details>');
    expect(c?.body).toContain('```mermaid');
    // nothing in the correct driver file
    expect(inline.filter((x) => x.path !== 'mm/mapping_clean.c')).toStrictEqual([]);
    const run = fake.checkRuns.find((r) => r.head_sha === SHA.v1);
    expect(run).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(run?.output.summary).toContain('flush-under-ptl');
  });

  it('synchronize with the fixed version resolves the comment and posts nothing new', async () => {
    flow.push(v2);
    expect(await flow.send('synchronize', v2, 'e2e-2')).toBe(200);
    const { fake } = flow;
    expect(fake.specErrors).toStrictEqual([]);
    const top = fake.comments.filter((c) => c.in_reply_to_id === undefined);
    expect(top).toHaveLength(1);
    const replies = fake.comments.filter((c) => c.in_reply_to_id === top[0]?.id);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.body).toContain(`Resolved in ${SHA.v2}`);
    expect(fake.checkRuns.find((r) => r.head_sha === SHA.v2)).toMatchObject({ status: 'completed', conclusion: 'success' });
  });

  it('redelivering both webhooks changes nothing', async () => {
    const before = flow.fake.writes().length;
    expect(await flow.send('opened', v1, 'e2e-1')).toBe(200);
    expect(await flow.send('synchronize', v2, 'e2e-2')).toBe(200);
    expect(flow.fake.writes().length).toBe(before);
  });

  it('a fix PR gets a passing check run that notes the fix and no inline complaint', async () => {
    const s = fixPr();
    flow.push(s);
    expect(await flow.send('opened', s, 'e2e-3')).toBe(200);
    const { fake } = flow;
    expect(fake.specErrors).toStrictEqual([]);
    const run = fake.checkRuns.find((r) => r.head_sha === s.headSha);
    expect(run).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(run?.output.summary).toContain('This patch fixes **flush-under-ptl**');
    expect(fake.comments.filter((c) => c.pull_number === s.number)).toStrictEqual([]);
  });
});
