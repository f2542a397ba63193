// Tests for range resolution, the tree at a commit's parent and the format-patch text (no engine needed).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { commitDiff, formatCommitPatch } from '../../src/git/commit-patch.ts';
import { rangeArgs, rangeEndpoints, resolveRange } from '../../src/git/range.ts';
import { gitTreeAt } from '../../src/git/tree-at-commit.ts';
import { GIT_ENV, fixture, git, makeKernelRepo, type KernelRepo } from './kernel-repo.ts';

let repo: KernelRepo;
beforeAll(() => {
  repo = makeKernelRepo();
});

describe('range expressions', () => {
  it('splits endpoints and defaults empty sides to HEAD', () => {
    expect(rangeEndpoints('a..b')).toEqual(['a', 'b']);
    expect(rangeEndpoints('a...b')).toEqual(['a', 'b']);
    expect(rangeEndpoints('origin/master..')).toEqual(['origin/master', 'HEAD']);
    expect(rangeEndpoints('..topic')).toEqual(['HEAD', 'topic']);
    expect(rangeEndpoints('abc^!')).toEqual(['abc']);
  });
  it('turns a lone revision into that one commit', () => {
    expect(rangeArgs('deadbeef')).toEqual(['deadbeef^!']);
    expect(rangeArgs('a..b')).toEqual(['a..b']);
    expect(rangeArgs('x^!')).toEqual(['x^!']);
  });
});

describe('resolveRange', () => {
  it('lists the commits of a range oldest first with subjects and parents', async () => {
    const r = await resolveRange('master..bug', repo.dir);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.commits.map((c) => c.sha)).toEqual([repo.harmless, repo.bug]);
    expect(r.commits[1]?.subject).toBe('mm/pgclean: flush the TLB after dropping the PTL');
    expect(r.commits[1]?.parents).toEqual([repo.harmless]);
    expect(r.commits[1]?.body).toContain('Signed-off-by: Ada Tester');
    expect(r.commits[1]?.author).toBe('Ada Tester <ada@example.org>');
  });
  it('reads a single revision as one commit', async () => {
    const r = await resolveRange(repo.bug, repo.dir);
    expect(r.ok && r.commits.map((c) => c.sha)).toEqual([repo.bug]);
  });
  it('skips merge commits and names them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-merge-'));
    git(dir, 'clone', '-q', repo.dir, 'r');
    const r0 = join(dir, 'r');
    git(r0, 'checkout', '-q', '-b', 'm', 'origin/good');
    git(r0, 'merge', '-q', '--no-edit', '--no-ff', 'origin/bug', '-s', 'ours');
    const r = await resolveRange('origin/good..m', r0);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.skippedMerges).toHaveLength(1);
    expect(r.commits.map((c) => c.sha)).toEqual([repo.harmless, repo.bug]);
  });
  it('gives a clear error for a range that does not resolve', async () => {
    const r = await resolveRange('master..no-such-branch', repo.dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatch(/bad range 'master\.\.no-such-branch': 'no-such-branch' does not name a commit/);
  });
  it('refuses option-like ranges', async () => {
    const r = await resolveRange('--output=/tmp/x', repo.dir);
    expect(r.ok).toBe(false);
  });
  it('explains a missing upstream', async () => {
    const r = await resolveRange(undefined, repo.dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatch(/no upstream configured for branch 'good'/);
  });
  it('uses @{u}..HEAD when the branch has an upstream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-up-'));
    git(dir, 'clone', '-q', '--branch', 'master', repo.dir, 'r');
    const r0 = join(dir, 'r');
    git(r0, 'checkout', '-q', '-b', 'topic', '--track', 'origin/master');
    git(r0, 'cherry-pick', repo.bug);
    const r = await resolveRange(undefined, r0);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.range).toBe('origin/master..HEAD');
    expect(r.commits).toHaveLength(1);
    expect(r.commits[0]?.subject).toBe('mm/pgclean: flush the TLB after dropping the PTL');
  });
  it('reports outside a repository', async () => {
    const r = await resolveRange('HEAD', mkdtempSync(join(tmpdir(), 'mmr-norepo-')));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/not a git repository/);
  });
});

describe('tree at a commit and the diff', () => {
  it('reads whole files at the parent, undefined for missing files', async () => {
    const t = gitTreeAt(repo.dir, repo.harmless);
    expect(await t.read('mm/pgclean.c')).toBe(fixture('pgclean.base.c'));
    expect(await t.read('mm/nope.c')).toBeUndefined();
    await expect(gitTreeAt(repo.dir, undefined).read('mm/pgclean.c')).resolves.toBeUndefined();
  });
  it('formats a commit like git format-patch', async () => {
    const r = await resolveRange(repo.bug, repo.dir);
    if (!r.ok) throw new Error(r.error);
    const c = r.commits[0]!;
    const d = await commitDiff(repo.dir, c);
    if (!d.ok) throw new Error(d.error);
    const text = formatCommitPatch(c, d.diff);
    expect(text.split('\n')[0]).toBe(`From ${repo.bug} Mon Sep 17 00:00:00 2001`);
    expect(text).toContain('Subject: [PATCH] mm/pgclean: flush the TLB after dropping the PTL\n');
    expect(text).toMatch(/\n---\n\ndiff --git a\/mm\/pgclean\.c b\/mm\/pgclean\.c\nindex [0-9a-f]{40}\.\.[0-9a-f]{40} 100644\n/);
    // The diff body equals git's own format-patch output for the same commit.
    const real = execFileSync('git', ['format-patch', '--stdout', '-1', '--no-stat', '--full-index', repo.bug], {
      cwd: repo.dir,
      env: GIT_ENV,
      encoding: 'utf8',
    });
    const diffOf = (s: string) => s.slice(s.indexOf('diff --git'), s.lastIndexOf('\n-- \n'));
    expect(diffOf(text)).toBe(diffOf(real));
  });
  it('diffs a root commit against the empty tree', async () => {
    const r = await resolveRange(repo.base, repo.dir);
    if (!r.ok) throw new Error(r.error);
    const d = await commitDiff(repo.dir, r.commits[0]!);
    expect(d.ok && d.diff).toContain('new file mode 100644');
  });
});

describe('shallow clones', () => {
  it('resolves a range inside the fetched history and flags the boundary commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-shallow-'));
    git(dir, 'clone', '-q', '--depth', '2', '--branch', 'fix', `file://${repo.dir}`, 'r');
    const r0 = join(dir, 'r');
    const inside = await resolveRange('HEAD~1..HEAD', r0);
    expect(inside.ok && inside.commits.map((c) => c.sha)).toEqual([repo.fix]);
    const all = await resolveRange('HEAD', r0);
    expect(all.ok && all.commits[0]?.shallowBoundary).toBe(false);
    const boundary = await resolveRange(repo.bug, r0);
    expect(boundary.ok && boundary.commits[0]?.shallowBoundary).toBe(true);
    const outside = await resolveRange(`${repo.base}..HEAD`, r0);
    expect(outside.ok).toBe(false);
    if (!outside.ok) expect(outside.error).toMatch(/shallow clone: fetch more history/);
  });
  it('reads blobs lazily in a partial (blob:none) clone', async () => {
    git(repo.dir, 'config', 'uploadpack.allowfilter', 'true');
    const dir = mkdtempSync(join(tmpdir(), 'mmr-partial-'));
    git(dir, 'clone', '-q', '--filter=blob:none', '--no-checkout', '--branch', 'fix', `file://${repo.dir}`, 'r');
    const r0 = join(dir, 'r');
    const r = await resolveRange('origin/master..fix', r0);
    if (!r.ok) throw new Error(r.error);
    expect(r.commits.map((c) => c.sha)).toEqual([repo.harmless, repo.bug, repo.fix]);
    const tree = gitTreeAt(r0, repo.harmless);
    expect(await tree.read('mm/pgclean.c')).toBe(fixture('pgclean.base.c'));
    const d = await commitDiff(r0, r.commits[2]!);
    expect(d.ok && d.diff).toMatch(/^[-+]\t(flush_tlb_range|pte_unmap_unlock)\(/m);
  });
});
