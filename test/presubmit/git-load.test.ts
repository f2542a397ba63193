// loadGitRange: commits of a range become git-sourced Patches with a tree at each parent; errors are values.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGitRange, reviewGitRange } from '../../src/git/index.ts';
import type { Finding, Report } from '../../src/core/finding.ts';
import type { Patch } from '../../src/core/patch.ts';
import { fixture, git, makeKernelRepo, type KernelRepo } from './kernel-repo.ts';
import { confirmedFinding, reportOf } from './sample-findings.ts';

let repo: KernelRepo;
beforeAll(() => {
  repo = makeKernelRepo();
});

describe('loadGitRange', () => {
  it('builds one git patch per commit with the tree at its parent', async () => {
    const { commits, problems } = await loadGitRange('master..fix', { cwd: repo.dir });
    expect(problems).toEqual([]);
    expect(commits.map((c) => c.sha)).toEqual([repo.harmless, repo.bug, repo.fix]);
    const bug = commits[1]!;
    expect(bug.subject).toBe('mm/pgclean: flush the TLB after dropping the PTL');
    expect(bug.patch.source).toEqual({ kind: 'git', name: repo.bug });
    expect(bug.patch.commit).toBe(repo.bug);
    expect(bug.patch.files.map((f) => f.newPath)).toEqual(['mm/pgclean.c']);
    const lines = bug.patch.files[0]!.hunks.flatMap((h) => h.lines);
    expect(lines.filter((l) => l.type === 'add').map((l) => l.text.trim())).toEqual(['flush_tlb_range(vma, start, end);']);
    expect(lines.filter((l) => l.type === 'del').map((l) => l.text.trim())).toEqual(['flush_tlb_range(vma, start, end);']);
    // The tree is the parent's: the whole pre-image file, not the commit's own version.
    expect(await bug.tree.read('mm/pgclean.c')).toBe(fixture('pgclean.base.c'));
    expect(await commits[2]!.tree.read('mm/pgclean.c')).toBe(fixture('pgclean.bug.c'));
  });

  it('returns a clear MMR040 problem for a bad range, and for a missing upstream', async () => {
    const bad = await loadGitRange('master..nope', { cwd: repo.dir });
    expect(bad.commits).toEqual([]);
    expect(bad.problems).toHaveLength(1);
    expect(bad.problems[0]).toMatchObject({ code: 'MMR040', input: 'master..nope' });
    expect(bad.problems[0]!.message).toMatch(/'nope' does not name a commit/);
    const none = await loadGitRange(undefined, { cwd: repo.dir });
    expect(none.problems[0]?.message).toMatch(/no upstream configured/);
  });

  it('works in a shallow clone and explains the boundary commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-shallow-load-'));
    git(dir, 'clone', '-q', '--depth', '2', '--branch', 'fix', `file://${repo.dir}`, 'r');
    const r0 = join(dir, 'r');
    const ok = await loadGitRange('HEAD~1..HEAD', { cwd: r0 });
    expect(ok.problems).toEqual([]);
    expect(ok.commits.map((c) => c.sha)).toEqual([repo.fix]);
    expect(await ok.commits[0]!.tree.read('mm/pgclean.c')).toBe(fixture('pgclean.bug.c'));
    const edge = await loadGitRange(repo.bug, { cwd: r0 });
    expect(edge.commits).toEqual([]);
    expect(edge.problems[0]?.message).toMatch(/boundary of this shallow clone/);
  });

  it('skips commits without a text diff without complaint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-empty-'));
    git(dir, 'clone', '-q', repo.dir, 'r');
    const r0 = join(dir, 'r');
    git(r0, '-c', 'user.name=A', '-c', 'user.email=a@b', 'commit', '-q', '--allow-empty', '-m', 'empty');
    const r = await loadGitRange('HEAD^!', { cwd: r0 });
    expect(r).toEqual({ commits: [], problems: [] });
  });
});

describe('reviewGitRange', () => {
  const reportable = (f: Finding) => f.status === 'confirmed' && f.introduced;
  /** A stand-in engine that "finds" a race in any patch adding a flush after an unlock (exercises the plumbing only). */
  async function fakeCheck(patches: Patch[]): Promise<Report> {
    const p = patches[0]!;
    const added = p.files.flatMap((f) => f.hunks.flatMap((h) => h.lines)).filter((l) => l.type === 'add').map((l) => l.text);
    const racy = added.some((t) => t.includes('flush_tlb_range')) && p.subject?.includes('after') === true;
    return reportOf(racy ? [confirmedFinding({ patch: { id: p.id, commit: p.commit } })] : []);
  }
  it('reports per commit and sets the exit code', async () => {
    const bad = await reviewGitRange('master..bug', { cwd: repo.dir }, fakeCheck, reportable);
    expect(bad.exitCode).toBe(1);
    expect(bad.reviews.map((r) => [r.sha, r.report.findings.length])).toEqual([
      [repo.harmless, 0],
      [repo.bug, 1],
    ]);
    const good = await reviewGitRange('bug..fix', { cwd: repo.dir }, fakeCheck, reportable);
    expect(good.exitCode).toBe(0);
    const broken = await reviewGitRange('nope..bug', { cwd: repo.dir }, fakeCheck, reportable);
    expect(broken.exitCode).toBe(2);
    expect(broken.problems[0]?.code).toBe('MMR040');
  });
});
