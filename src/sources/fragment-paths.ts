/**
 * A quoted or header-less fragment does not name its file. When the same input set also holds the patch it was cut
 * from (the message a reply quotes, earlier in the mbox or thread), the fragment's file is the one whose hunks hold
 * the fragment's code, in order: the path is taken from there and the fragment says so in its damage notes. One
 * policy for every reader of several messages at once (check, inspect, scan's series).
 */
import type { FileDiff, Patch } from '../core/patch.ts';

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** A file's new-side lines, whitespace-normalised, in order, and as a set (a quick reject before the ordered walk). */
interface NewSide {
  lines: string[];
  set: Set<string>;
  /** The lines worth matching (see codeLines). */
  code: string[];
}

/**
 * Computed once per FileDiff object: scan's reply policy asks holdsQuotedCode for every (quote, patch) pair of an
 * archive, and the hunk lines of a parsed diff never change once parsed.
 */
const sides = new WeakMap<FileDiff, NewSide>();

function newSide(fd: FileDiff): NewSide {
  let s = sides.get(fd);
  if (s === undefined) {
    const lines = fd.hunks.flatMap((h) => h.lines.filter((l) => l.type !== 'del').map((l) => norm(l.text)));
    s = { lines, set: new Set(lines), code: lines.filter((t) => t.length >= 8 && !/^[{}();]*$/.test(t)) };
    sides.set(fd, s);
  }
  return s;
}

/** The fragment's code lines worth matching (at least a few characters, not a lone brace). */
function codeLines(fd: FileDiff): string[] {
  return newSide(fd).code;
}

/** Do `needle`'s lines appear in `hay`'s new-side lines, in order? */
function containsInOrder(hay: FileDiff, needle: string[]): boolean {
  const side = newSide(hay);
  for (const t of needle) if (!side.set.has(t)) return false;
  let i = 0;
  for (const t of side.lines) if (t === needle[i] && ++i === needle.length) return true;
  return false;
}

/** Fill in the file of path-less fragments from the other patches of the same input set. */
export function recoverFragmentPaths(patches: Patch[]): void {
  const named = patches.flatMap((p) => p.files.filter((f) => (f.newPath ?? f.oldPath) !== undefined).map((f) => ({ p, f })));
  for (const patch of patches) {
    for (const fd of patch.files) {
      if (fd.newPath !== undefined || fd.oldPath !== undefined) continue;
      const lines = codeLines(fd);
      if (lines.length < 2) continue;
      const hits = named.filter((n) => n.p !== patch && containsInOrder(n.f, lines));
      const paths = [...new Set(hits.map((h) => h.f.newPath ?? h.f.oldPath))];
      if (paths.length !== 1) continue; // none, or ambiguous: leave it located in its message
      const from = hits[0]!;
      fd.newPath = paths[0];
      fd.oldPath = from.f.oldPath ?? paths[0];
      patch.damage.push(`file ${paths[0]} taken from ${from.p.messageId ? `<${from.p.messageId}>` : from.p.source.name}, whose diff holds the same code`);
    }
  }
}

/** Does `patch` hold the code of every file `quoted` quotes (at least two code lines each, in order)? */
export function holdsQuotedCode(patch: Patch, quoted: Patch): boolean {
  const files = quoted.files.filter((f) => codeLines(f).length >= 2);
  if (files.length === 0) return false;
  return files.every((q) => {
    const lines = codeLines(q);
    return patch.files.some((f) => containsInOrder(f, lines));
  });
}
