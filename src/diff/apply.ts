// Applies a FileDiff to a file's text in memory (post-image for --tree), with offset fuzz and whitespace tolerance.

import type { FileDiff, Hunk, InputProblem } from '../core/patch.ts';

/** How far (lines) from the expected position a hunk's context is searched for. */
const MAX_OFFSET = 3000;

function norm(s: string): string {
  return s.replace(/\s+/g, '');
}

function find(lines: string[], want: string[], at: number, eq: (a: string, b: string) => boolean): number {
  const fits = (p: number): boolean => {
    if (p < 0 || p + want.length > lines.length) return false;
    for (let k = 0; k < want.length; k++) if (!eq(lines[p + k]!, want[k]!)) return false;
    return true;
  };
  for (let d = 0; d <= MAX_OFFSET; d++) {
    if (fits(at - d)) return at - d;
    if (d > 0 && fits(at + d)) return at + d;
    if (at - d < 0 && at + d > lines.length) break;
  }
  return -1;
}

/**
 * Applies `fd` to `oldText`. Each hunk is placed at its old line number plus the running offset, searching
 * outward for its context (exact, then whitespace-insensitive for mail-mangled diffs, then with one line of
 * context dropped at each end). Hunks that do not fit are skipped with an MMR003 problem; the rest still apply.
 * Context lines keep the tree's text; added lines take the diff's text.
 */
export function applyFileDiff(oldText: string, fd: FileDiff): { text: string; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const input = fd.newPath ?? fd.oldPath ?? '?';
  if (fd.binary) {
    problems.push({ code: 'MMR006', message: 'binary diff cannot be applied', input });
    return { text: oldText, problems };
  }
  const endsNl = oldText.endsWith('\n');
  const lines = oldText === '' ? [] : (endsNl ? oldText.slice(0, -1) : oldText).split('\n');
  let offset = 0;
  fd.hunks.forEach((h, hi) => {
    const r = applyHunk(lines, h, offset);
    if (r === undefined) {
      problems.push({ code: 'MMR003', message: `hunk ${hi + 1} (@@ -${h.oldStart},${h.oldLines} @@) does not apply`, input, ...(h.inputLine ? { line: h.inputLine } : {}) });
      return;
    }
    offset = r;
  });
  const text = lines.join('\n') + (endsNl || (oldText === '' && lines.length > 0) ? '\n' : '');
  return { text, problems };
}

/** Applies one hunk in place; returns the new running offset or undefined when it does not fit. */
function applyHunk(lines: string[], h: Hunk, offset: number): number | undefined {
  const old = h.lines.filter((l) => l.type !== 'add');
  const at = h.oldStart > 0 ? Math.max(0, h.oldStart - 1 + offset) : 0;
  const exact = (a: string, b: string): boolean => a === b;
  const loose = (a: string, b: string): boolean => norm(a) === norm(b);
  for (const trim of [0, 1, 2]) {
    const lead = leadingCtx(h, trim);
    const trail = trailingCtx(h, trim);
    const body = h.lines.slice(lead, h.lines.length - trail);
    const want = body.filter((l) => l.type !== 'add').map((l) => l.text);
    if (want.length === 0 && old.length > 0) continue;
    for (const eq of [exact, loose]) {
      const pos = want.length === 0 ? Math.min(at, lines.length) : find(lines, want, at + lead, eq);
      if (pos < 0) continue;
      const out: string[] = [];
      let k = pos;
      for (const l of body) {
        if (l.type === 'ctx') out.push(lines[k++]!);
        else if (l.type === 'del') k++;
        else out.push(l.text);
      }
      lines.splice(pos, k - pos, ...out);
      return pos - lead - (h.oldStart - 1) + (out.length - (k - pos));
    }
  }
  return undefined;
}

function leadingCtx(h: Hunk, max: number): number {
  let n = 0;
  while (n < max && h.lines[n]?.type === 'ctx') n++;
  return n;
}

function trailingCtx(h: Hunk, max: number): number {
  let n = 0;
  while (n < max && h.lines[h.lines.length - 1 - n]?.type === 'ctx') n++;
  return n;
}
