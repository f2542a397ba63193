/**
 * A quoted or header-less fragment does not name its file. When the same input set also holds the patch it was cut
 * from (the message a reply quotes, earlier in the mbox or thread), the fragment's file is the one whose hunks hold
 * the fragment's code, in order: the path is taken from there and the fragment says so in its damage notes. One
 * policy for every reader of several messages at once (check, inspect, scan's series).
 */
import type { FileDiff, Patch } from '../core/patch.ts';

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** A file's new-side code lines (context and added), normalised. */
function newSideText(fd: FileDiff): string[] {
  return fd.hunks.flatMap((h) => h.lines.filter((l) => l.type !== 'del').map((l) => norm(l.text)));
}

/** A line worth matching: at least a few characters, not a lone brace. */
const isCodeLine = (t: string): boolean => t.length >= 8 && !/^[{}();]*$/.test(t);

/** The fragment's code lines worth matching. */
function codeLines(fd: FileDiff): string[] {
  return newSideText(fd).filter(isCodeLine);
}

/** Do `needle`'s lines appear in `text`, in order? */
function containsInOrder(text: readonly string[], needle: readonly string[]): boolean {
  let i = 0;
  for (const t of text) if (t === needle[i] && ++i === needle.length) return true;
  return false;
}

interface Indexed<T> {
  owner: T;
  file: FileDiff;
  text: string[];
}

/**
 * The new-side lines of many files, read once, with an index from each line to the files holding it: a fragment is
 * compared only with the files that hold its first code line, so matching N fragments against M patches costs about
 * N + M, not N × M full comparisons (a public-inbox archive holds thousands of each).
 */
export class CodeIndex<T> {
  private readonly byLine = new Map<string, Indexed<T>[]>();

  constructor(entries: Iterable<{ owner: T; file: FileDiff }>) {
    for (const { owner, file } of entries) {
      const e: Indexed<T> = { owner, file, text: newSideText(file) };
      // Lookups are by a fragment's first code line: only code lines need an entry.
      for (const t of new Set(e.text.filter(isCodeLine))) {
        const list = this.byLine.get(t);
        if (list) list.push(e);
        else this.byLine.set(t, [e]);
      }
    }
  }

  /** The indexed files whose new side holds `lines` in order, in the order they were indexed. */
  holding(lines: readonly string[]): Array<{ owner: T; file: FileDiff }> {
    if (lines.length === 0) return [];
    return (this.byLine.get(lines[0]!) ?? []).filter((e) => containsInOrder(e.text, lines));
  }
}

/** Fill in the file of path-less fragments from the other patches of the same input set. */
export function recoverFragmentPaths(patches: Patch[]): void {
  const named = new CodeIndex(patches.flatMap((p) => p.files.filter((f) => (f.newPath ?? f.oldPath) !== undefined).map((f) => ({ owner: p, file: f }))));
  for (const patch of patches) {
    for (const fd of patch.files) {
      if (fd.newPath !== undefined || fd.oldPath !== undefined) continue;
      const lines = codeLines(fd);
      if (lines.length < 2) continue;
      const hits = named.holding(lines).filter((n) => n.owner !== patch);
      const paths = [...new Set(hits.map((h) => h.file.newPath ?? h.file.oldPath))];
      if (paths.length !== 1) continue; // none, or ambiguous: leave it located in its message
      const from = hits[0]!;
      fd.newPath = paths[0];
      fd.oldPath = from.file.oldPath ?? paths[0];
      patch.damage.push(`file ${paths[0]} taken from ${from.owner.messageId ? `<${from.owner.messageId}>` : from.owner.source.name}, whose diff holds the same code`);
    }
  }
}

/**
 * The first of `index`'s patches that holds the code of every file `quoted` quotes (at least two code lines each,
 * in order), or undefined.
 */
export function patchHoldingQuote<T>(index: CodeIndex<T>, quoted: Patch): T | undefined {
  const files = quoted.files.map(codeLines).filter((lines) => lines.length >= 2);
  if (files.length === 0) return undefined;
  const ownersOf = (lines: readonly string[]): Set<T> => new Set(index.holding(lines).map((h) => h.owner));
  let candidates = ownersOf(files[0]!);
  for (const lines of files.slice(1)) {
    if (candidates.size === 0) return undefined;
    const owners = ownersOf(lines);
    candidates = new Set([...candidates].filter((o) => owners.has(o)));
  }
  return candidates.values().next().value;
}
