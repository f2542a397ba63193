// Test helper: a kernel-like git repository with history (several commits, a rename) and patches made against it
// in a scratch clone, so that the blobs a patch creates are not in the repository.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { git } from '../presubmit/kernel-repo.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** A fixture file: the project's kernel-like tree (fixtures/tree) and the pre-submit test file mm/pgclean.c. */
export function fixtureFile(path: string): string {
  if (path === 'mm/pgclean.c') return readFileSync(join(ROOT, 'test/presubmit/fixtures/kernel/pgclean.base.c'), 'utf8');
  return readFileSync(join(ROOT, 'fixtures/tree', path), 'utf8');
}

export function write(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

export function commitAll(dir: string, subject: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', subject, '-m', 'Signed-off-by: Ada Tester <ada@example.org>');
  return git(dir, 'rev-parse', 'HEAD');
}

/** The repository and its commits, oldest first. */
export interface TreeRepo {
  dir: string;
  /** Initial tree: fixtures/tree/mm/*.c, mm/pgclean.c, README. */
  initial: string;
  /** dirty_track.c changed above and inside dirty_track_pte_range() (patches made before it no longer apply). */
  changed: string;
  /** mm/remap_anon.c renamed to mm/anon_remap.c. */
  renamed: string;
}

/** The function of mm/dirty_track.c as commit `changed` rewrites it (a changed batch size and a new comment line). */
export function changeDirtyTrack(text: string): string {
  return text.replace('\tspinlock_t *ptl;\n', '\tspinlock_t *ptl;\t/* the PMD\'s page-table lock */\n');
}

export function makeTreeRepo(parent?: string): TreeRepo {
  const dir = mkdtempSync(join(parent ?? tmpdir(), 'mmr-tree-'));
  git(dir, 'init', '-q', '-b', 'master');
  write(dir, 'README', 'Linux kernel (mmreview tree tests)\n');
  for (const f of readdirSync(join(ROOT, 'fixtures/tree/mm'))) write(dir, `mm/${f}`, fixtureFile(`mm/${f}`));
  write(dir, 'mm/pgclean.c', fixtureFile('mm/pgclean.c'));
  const initial = commitAll(dir, 'Initial tree');
  write(dir, 'mm/dirty_track.c', changeDirtyTrack(fixtureFile('mm/dirty_track.c')));
  const changed = commitAll(dir, 'mm/dirty_track: document the PTL');
  git(dir, 'mv', 'mm/remap_anon.c', 'mm/anon_remap.c');
  const renamed = commitAll(dir, 'mm: rename remap_anon.c to anon_remap.c');
  return { dir, initial, changed, renamed };
}

/**
 * Makes commits in a scratch clone of `repo` at `base` (each step edits files and commits), returns their
 * format-patch texts (full abbreviations as `git format-patch` writes them, renames detected), then removes the
 * clone: the repository never sees the blobs the patches create.
 */
export function patchesFrom(repo: string, base: string, steps: Array<{ subject: string; edit: (dir: string) => void }>, extra: string[] = []): string[] {
  const scratch = mkdtempSync(join(tmpdir(), 'mmr-scratch-'));
  try {
    git(scratch, 'clone', '-q', '--no-local', repo, 'w');
    const w = join(scratch, 'w');
    git(w, 'checkout', '-q', '-b', 'work', base);
    for (const s of steps) {
      s.edit(w);
      commitAll(w, s.subject);
    }
    const n = steps.length;
    const out = git(w, 'format-patch', '-q', '-M', '--stdout', ...(n > 1 ? ['-n'] : []), ...extra, `HEAD~${n}..HEAD`);
    return out
      .split(/^(?=From [0-9a-f]{40} Mon Sep 17 00:00:00 2001$)/m)
      .filter((p) => p.trim())
      .map((p) => (p.endsWith('\n') ? p : `${p}\n`));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Edits one file of a work tree with a text replacement (throws when the text is not there). */
export function edit(path: string, from: string, to: string): (dir: string) => void {
  return (dir: string) => {
    const t = readFileSync(join(dir, path), 'utf8');
    if (!t.includes(from)) throw new Error(`${path}: "${from}" not found`);
    writeFileSync(join(dir, path), t.replace(from, to));
  };
}

/** A format-patch text as a mail with its own Message-ID (and In-Reply-To), for archives. */
export function asMail(patch: string, messageId: string, inReplyTo?: string): Buffer {
  const lines = patch.replace(/^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001\n/, '').split('\n');
  const blank = lines.indexOf('');
  const headers = [`Message-ID: <${messageId}>`, 'To: linux-mm@kvack.org', ...(inReplyTo ? [`In-Reply-To: <${inReplyTo}>`, `References: <${inReplyTo}>`] : [])];
  lines.splice(blank, 0, ...headers);
  return Buffer.from(lines.join('\n'));
}
