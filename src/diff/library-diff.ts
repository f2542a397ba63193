/**
 * Clean git diffs (GitHub's per-file `patch` fields, `git format-patch` output) through parse-diff, a well-kept
 * unified-diff parser, mapped onto mmreview's FileDiff. Mail text — quoted, whitespace-damaged or wrapped diffs,
 * diffs inside replies — still goes through src/diff's own reader, which repairs what parse-diff cannot. The two
 * agree on clean diffs: test/diff/library-diff.test.ts compares them over every clean diff of ../shared/corpus and
 * the project's fixtures. A hunk whose lines do not match its header's counts is reported (MMR003), never trusted.
 */
import parseDiff from 'parse-diff';
import type { DiffLine, FileDiff, Hunk, InputProblem } from '../core/patch.ts';

const stripPrefix = (p: string | undefined): string | undefined => (p === undefined || p === '/dev/null' ? undefined : p.replace(/^[ab]\//, ''));

function hunkOf(c: parseDiff.Chunk): Hunk {
  const header = /^@@ [^@]*@@ ?(.*)$/.exec(c.content)?.[1] ?? '';
  const lines: DiffLine[] = [];
  for (const ch of c.changes) {
    if (ch.content.startsWith('\\')) continue; // "\ No newline at end of file" belongs to the line before
    if (ch.content === '') continue; // parse-diff reads the end of the text as an empty context line
    const text = ch.content.slice(1);
    if (ch.type === 'add') lines.push({ type: 'add', text, newLine: ch.ln });
    else if (ch.type === 'del') lines.push({ type: 'del', text, oldLine: ch.ln });
    else lines.push({ type: 'ctx', text, oldLine: ch.ln1, newLine: ch.ln2 });
  }
  return { oldStart: c.oldStart, oldLines: c.oldLines, newStart: c.newStart, newLines: c.newLines, header, lines };
}

/** Parses a clean unified diff; with `opts.path`, a bare GitHub `patch` field (hunks only) for that file. */
export function parseCleanDiff(text: string, opts: { path?: string } = {}): { files: FileDiff[]; problems: InputProblem[] } {
  const input = opts.path ?? 'diff';
  const problems: InputProblem[] = [];
  const files: FileDiff[] = [];
  for (const f of parseDiff(text)) {
    const oldPath = stripPrefix(f.from) ?? (f.new ? undefined : opts.path);
    const newPath = stripPrefix(f.to) ?? (f.deleted ? undefined : opts.path);
    const hunks = f.chunks.map(hunkOf);
    for (const h of hunks) {
      const old = h.lines.filter((l) => l.type !== 'add').length;
      const neu = h.lines.filter((l) => l.type !== 'del').length;
      if (old !== h.oldLines || neu !== h.newLines) {
        problems.push({ code: 'MMR003', message: `hunk @@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@ has ${old}/${neu} lines`, input });
      }
    }
    const status: FileDiff['status'] = f.new ? 'added' : f.deleted ? 'deleted' : oldPath && newPath && oldPath !== newPath ? 'renamed' : 'modified';
    const fd: FileDiff = { status, binary: /^Binary files /m.test(text) && hunks.length === 0, hunks };
    if (oldPath !== undefined && status !== 'added') fd.oldPath = oldPath;
    if (newPath !== undefined && status !== 'deleted') fd.newPath = newPath;
    files.push(fd);
  }
  if (files.length === 0) problems.push({ code: 'MMR002', message: 'no diff found', input });
  return { files, problems };
}
