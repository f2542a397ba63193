/**
 * `mmreview check --pr OWNER/REPO#N` end to end against the local fake GitHub API (request and response bodies both
 * validated against GitHub's OpenAPI description): the CLI prints the review the app would post; with --post it
 * posts it once — a second run on the same head posts nothing new — and a pushed fix resolves the comment.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrTarget } from '../../src/app/token-review.ts';
import { FakeGitHub } from './helpers/fake-github.ts';
import { OWNER, REPO, fiveFilePr } from './helpers/scenario.ts';
import type { PrScenario } from './helpers/scenario.ts';

const BIN = resolve(import.meta.dirname, '../../bin/mmreview.js');
const run = promisify(execFile);

describe('check --pr', () => {
  const fake = new FakeGitHub(OWNER, REPO);
  let api = '';
  beforeAll(async () => {
    api = `http://${await fake.start()}`;
    fake.validateResponses = true;
  });
  afterAll(async () => fake.stop());

  const push = (s: PrScenario): void => {
    fake.setPr({ number: s.number, headSha: s.headSha, baseSha: s.baseSha, files: s.files, title: 'mm: clean mappings' });
    for (const [path, text] of Object.entries(s.base)) fake.contents.set(`${s.baseSha}:${path}`, text);
  };

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const r = await run(process.execPath, [BIN, 'check', ...args], { env: { ...process.env, GITHUB_TOKEN: 'ghp_test', GITHUB_API_URL: api, NO_COLOR: '1' }, encoding: 'utf8' });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, stdout: x.stdout, stderr: x.stderr };
    }
  }

  it('prints the review without posting anything', async () => {
    push(fiveFilePr('v1'));
    const r = await cli('--pr', `${OWNER}/${REPO}#7`);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/kernel-mm\/linux#7 @ 111111111111 mm: clean mappings/);
    expect(r.stdout).toMatch(/mm\/mapping_clean\.c:\d+ \w+\(\): confirmed flush-under-ptl/);
    expect(fake.writes()).toEqual([]);
    expect(fake.specErrors).toEqual([]);
    expect(fake.responseErrors).toEqual([]);
  }, 60_000);

  it('--post posts the review once; a second run on the same head posts nothing', async () => {
    const first = await cli('--pr', `https://github.com/${OWNER}/${REPO}/pull/7`, '--post', '--format', 'json');
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toMatch(/posted review \d+ \(1 inline, 0 in the body\), 0 resolved/);
    expect(JSON.parse(first.stdout).findings.some((f: { rule: string }) => f.rule === 'flush-under-ptl')).toBe(true);
    const reviews = fake.reviews.get(7) ?? [];
    expect(reviews).toHaveLength(1);
    expect(fake.comments.filter((c) => c.pull_number === 7)).toHaveLength(1);
    const again = await cli('--pr', `${OWNER}/${REPO}#7`, '--post');
    expect(again.stderr).toMatch(/already has an mmreview review; nothing posted/);
    expect(fake.reviews.get(7)).toHaveLength(1);
    expect(fake.specErrors).toEqual([]);
    expect(fake.responseErrors).toEqual([]);
  }, 60_000);

  it('--post on the fixed head resolves the comment and posts no new finding', async () => {
    push(fiveFilePr('v2'));
    const r = await cli('--pr', `${OWNER}/${REPO}#7`, '--post');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 resolved/);
    expect(fake.comments.filter((c) => c.in_reply_to_id !== undefined)).toHaveLength(1);
    expect(fake.checkRuns).toEqual([]);
    expect(fake.specErrors).toEqual([]);
    expect(fake.responseErrors).toEqual([]);
  }, 60_000);

  it('refuses bad references, a missing token and --post without --pr (exit 2)', async () => {
    expect((await cli('--pr', 'not a ref')).code).toBe(2);
    expect((await cli('--pr', '../x#1')).code).toBe(2);
    expect((await cli('--post', 'x.patch')).code).toBe(2);
    const noToken = await run(process.execPath, [BIN, 'check', '--pr', 'a/b#1'], { env: { ...process.env, GITHUB_TOKEN: '', GH_TOKEN: '' } }).catch((e: { code: number; stderr: string }) => e);
    expect((noToken as { code: number }).code).toBe(2);
    expect(parsePrTarget('torvalds/linux#123')).toEqual({ owner: 'torvalds', repo: 'linux', number: 123 });
    expect(parsePrTarget('https://github.com/torvalds/linux/pull/9/')).toEqual({ owner: 'torvalds', repo: 'linux', number: 9 });
    expect(parsePrTarget('a/b#0')).toBeInstanceOf(Error);
  }, 60_000);
});
