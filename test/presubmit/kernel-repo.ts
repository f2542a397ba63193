// Test helper: builds a small git repository laid out like a kernel tree, with a bug branch, a fix branch and a good one.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'kernel');

/** Environment for deterministic commits (fixed identity and dates, no user/system config). */
export const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Ada Tester',
  GIT_AUTHOR_EMAIL: 'ada@example.org',
  GIT_COMMITTER_NAME: 'Ada Tester',
  GIT_COMMITTER_EMAIL: 'ada@example.org',
  GIT_AUTHOR_DATE: '2024-03-01T12:00:00Z',
  GIT_COMMITTER_DATE: '2024-03-01T12:00:00Z',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

/** Runs git in `cwd` and returns trimmed stdout (throws on failure: test setup only). */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Reads a fixture file of the test kernel tree. */
export function fixture(name: string): string {
  return readFileSync(join(FIX, name), 'utf8');
}

/** The test repository and the shas of its interesting commits. */
export interface KernelRepo {
  dir: string;
  /** main: the initial tree. */
  base: string;
  /** bug branch: a harmless commit, then the commit that moves the flush after pte_unmap_unlock(). */
  harmless: string;
  bug: string;
  /** fix branch (on top of bug): moves the flush back under the PTL. */
  fix: string;
  /** good branch (on top of main): an unrelated correct change to the same function. */
  good: string;
}

function write(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

function commit(dir: string, subject: string, body: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', subject, '-m', body);
  return git(dir, 'rev-parse', 'HEAD');
}

/** Creates the repository in a fresh temp directory (or under `parent`). */
export function makeKernelRepo(parent?: string): KernelRepo {
  const dir = mkdtempSync(join(parent ?? tmpdir(), 'mmr-kernel-'));
  git(dir, 'init', '-q', '-b', 'master');
  write(dir, 'README', 'Linux kernel (mmreview test tree)\n');
  write(dir, 'mm/Makefile', fixture('Makefile'));
  write(dir, 'mm/pgclean.c', fixture('pgclean.base.c'));
  write(dir, 'mm/pgclean-readahead.c', fixture('readahead.c'));
  const base = commit(dir, 'Initial tree', 'Signed-off-by: Ada Tester <ada@example.org>');

  git(dir, 'checkout', '-q', '-b', 'bug');
  write(dir, 'mm/pgclean-readahead.c', fixture('readahead.c').replace('PGCLEAN_BATCH\t32', 'PGCLEAN_BATCH\t64'));
  const harmless = commit(dir, 'mm/pgclean: clean 64 pages per batch', 'Signed-off-by: Ada Tester <ada@example.org>');
  write(dir, 'mm/pgclean.c', fixture('pgclean.bug.c'));
  const bug = commit(
    dir,
    'mm/pgclean: flush the TLB after dropping the PTL',
    'Shorten the PTL hold time by flushing after pte_unmap_unlock().\n\nSigned-off-by: Ada Tester <ada@example.org>',
  );

  git(dir, 'checkout', '-q', '-b', 'fix');
  write(dir, 'mm/pgclean.c', fixture('pgclean.base.c'));
  const fix = commit(
    dir,
    'mm/pgclean: flush the TLB before dropping the PTL',
    'A CPU may keep storing through a writable TLB entry after the PTE was cleaned.\n\nSigned-off-by: Ada Tester <ada@example.org>',
  );

  git(dir, 'checkout', '-q', '-b', 'good', base);
  write(dir, 'mm/pgclean.c', fixture('pgclean.good.c'));
  const good = commit(dir, 'mm/pgclean: skip special PTEs', 'Signed-off-by: Ada Tester <ada@example.org>');
  return { dir, base, harmless, bug, fix, good };
}
