// Parses a unified diff text (git, `diff -u`, quilt, or a GitHub per-file `patch` field) into FileDiffs.

import type { FileDiff, InputProblem } from '../core/patch.ts';
import { splitLines } from './quote.ts';
import type { ViewLine } from './quote.ts';
import { scanView } from './scanner.ts';

/**
 * Parses unified diff text. With `opts.path` the text may be a bare GitHub `patch` field (hunks without
 * `---`/`+++` headers): its hunks get that path. Quote markers are not interpreted here (see
 * extractPatchesFromText for mail text). Malformed hunks are kept with problems (MMR003/MMR007).
 */
export function parseUnifiedDiff(text: string, opts?: { path?: string }): { files: FileDiff[]; problems: InputProblem[] } {
  const lines: ViewLine[] = splitLines(text).map((t, i) => ({ text: t, inputLine: i + 1, afterGap: false }));
  const input = opts?.path ?? 'diff';
  const scanOpts = opts?.path !== undefined ? { input, defaultPath: opts.path } : { input };
  const scan = scanView(lines, scanOpts);
  const files: FileDiff[] = [];
  const problems: InputProblem[] = [];
  for (const b of scan.blocks) {
    problems.push(...b.problems);
    const prev = files[files.length - 1];
    // A GitHub bare patch is one file: hunks separated by nothing but the path option belong together.
    if (opts?.path !== undefined && prev && b.kind !== 'git' && b.kind !== 'unified' && prev.newPath === b.file.newPath) {
      prev.hunks.push(...b.file.hunks);
      continue;
    }
    files.push(b.file);
  }
  if (files.length === 0) problems.push({ code: 'MMR002', message: 'no diff found', input });
  return { files, problems };
}
