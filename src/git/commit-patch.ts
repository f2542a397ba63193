// Builds the `git format-patch --stdout -1 <sha>` equivalent text of one commit from `git diff-tree` output.
import type { RangeCommit } from './range.ts';
import { gitErrorLine, runGit } from './run-git.ts';

/** The mbox-style header line format-patch writes (its date is a fixed magic value, not the commit date). */
const MAGIC_DATE = 'Mon Sep 17 00:00:00 2001';

/**
 * Formats a commit and its diff the way `git format-patch --stdout -1` does (From line, From/Date/Subject headers,
 * message, `---`, diff), so the patch readers see exactly what a mailed patch would look like. Pure.
 */
export function formatCommitPatch(c: Pick<RangeCommit, 'sha' | 'author' | 'date' | 'subject' | 'body'>, diff: string): string {
  const lines = [`From ${c.sha} ${MAGIC_DATE}`, `From: ${c.author}`, `Date: ${c.date}`, `Subject: [PATCH] ${c.subject}`, ''];
  if (c.body.trim() !== '') lines.push(c.body.replace(/\s+$/, ''), '');
  lines.push('---', '');
  const d = diff.endsWith('\n') || diff === '' ? diff : `${diff}\n`;
  return `${lines.join("\n")}\n${d}-- \nmmreview\n`;
}

/**
 * Reads a commit's diff against its first parent with `git diff-tree -p --no-color --full-index -M` (against the empty
 * tree for a true root commit). Blobs a partial clone lacks are fetched by git on demand.
 */
export async function commitDiff(cwd: string, c: RangeCommit): Promise<{ ok: true; diff: string } | { ok: false; error: string }> {
  const args = ['diff-tree', '-p', '--no-color', '--full-index', '-M', '--no-commit-id', '--no-ext-diff'];
  if (c.parents.length === 0) args.push('--root');
  args.push(c.sha);
  const r = await runGit(args, { cwd });
  if (!r.ok) return { ok: false, error: `cannot read the diff of ${c.sha.slice(0, 12)}: ${gitErrorLine(r)}` };
  return { ok: true, diff: r.stdout };
}
