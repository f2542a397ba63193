/**
 * Whole-file analysis with a SourceTree: the pre-image is the tree's file, the post-image is that file with the diff
 * applied; functions touched by added/removed lines are cut from the parsed files, every line mapped to the diff.
 */
import type { Node } from 'web-tree-sitter';
import type { FileDiff, InputProblem } from '../core/patch.ts';
import { functionName } from '../c/analyze.ts';
import { parseC } from '../c/parser.ts';
import { prepass } from '../c/prepass.ts';
import { applyFileDiff } from '../diff/apply.ts';
import { hunkImage, type ImageLine, type Side } from './images.ts';
import type { GatheredImage } from './hunk-mode.ts';
import { allCallers, calledDefs } from './tree-callers.ts';
import { treeMacroHookImages } from './macro-hooks.ts';

export interface Def {
  name: string;
  start: number; // 0-based row
  end: number;
}

function collectDefs(n: Node, out: Def[]): void {
  for (const c of n.namedChildren) {
    if (!c) continue;
    if (c.type === 'function_definition') {
      const name = functionName(c);
      if (name) out.push({ name, start: c.startPosition.row, end: c.endPosition.row });
    } else if (/^preproc_|^ERROR$|^linkage_specification$|^declaration_list$/.test(c.type)) collectDefs(c, out);
  }
}

/**
 * The function definitions of a whole file's text, remembered for the texts parsed last. A file is parsed up to
 * three times per patch (each side, then the other side again for a function changed on one side only), and a
 * series' next patch starts from the text the previous one produced: each text is parsed once. Parsing is
 * deterministic, so a remembered answer is the answer; the definitions are frozen (shared between callers).
 */
const DEFS = new Map<string, readonly Def[]>();
/** Bounds of the memo: texts remembered, and their total length (a long scan keeps only the most recent). */
const DEFS_MAX = 16;
const DEFS_MAX_CHARS = 16 << 20;
let defsChars = 0;

async function defsOf(text: string): Promise<readonly Def[]> {
  const hit = DEFS.get(text);
  if (hit) {
    // most recently used last
    DEFS.delete(text);
    DEFS.set(text, hit);
    return hit;
  }
  const tree = await parseC(prepass(text).text);
  const found: Def[] = [];
  collectDefs(tree.rootNode, found);
  tree.delete();
  const defs = Object.freeze(found.map((d) => Object.freeze(d)));
  if (text.length <= DEFS_MAX_CHARS) {
    DEFS.set(text, defs);
    defsChars += text.length;
    for (const k of DEFS.keys()) {
      if (DEFS.size <= DEFS_MAX && defsChars <= DEFS_MAX_CHARS) break;
      DEFS.delete(k);
      defsChars -= k.length;
    }
  }
  return defs;
}

function norm(s: string): string {
  return s.replace(/\s+/g, '');
}

/** Find `want` in `lines` near `at` (0-based), whitespace-insensitively; -1 when absent. */
function locate(lines: readonly string[], want: readonly string[], at: number): number {
  if (want.length === 0) return -1;
  const w = want.map(norm);
  const fits = (p: number): boolean => {
    if (p < 0 || p + w.length > lines.length) return false;
    for (let k = 0; k < w.length; k++) if (norm(lines[p + k]!) !== w[k]) return false;
    return true;
  };
  for (let d = 0; d <= 5000; d++) {
    if (fits(at - d)) return at - d;
    if (d > 0 && fits(at + d)) return at + d;
    if (at - d < 0 && at + d > lines.length) break;
  }
  return -1;
}

/** Per-file-line diff facts (0-based index) for one side, from the hunks located in the file. */
function lineFacts(fd: FileDiff, side: Side, fileLines: readonly string[]): Map<number, ImageLine> | undefined {
  const facts = new Map<number, ImageLine>();
  for (const h of fd.hunks) {
    const img = hunkImage(h, side);
    if (img.length === 0) continue;
    const expected = (side === 'pre' ? h.oldStart : h.newStart) - 1;
    const at = locate(fileLines, img.map((l) => l.text), expected);
    if (at < 0) return undefined;
    img.forEach((l, k) => facts.set(at + k, l));
  }
  return facts;
}

/** Result of tree mode for one file: per side, per function name, the image lines. */
export interface TreeImages {
  pre: Map<string, GatheredImage>;
  post: Map<string, GatheredImage>;
  /**
   * Unchanged functions of the file that call a changed one, per side (see tree-callers.ts): present only when they
   * are ALL the callers of that function (it is `static` and its name is used nowhere but in direct calls).
   */
  callers: { pre: Map<string, GatheredImage>; post: Map<string, GatheredImage> };
  /** Unchanged functions of the file that a changed one calls, per side (tree-callers.ts calledDefs). */
  callees: { pre: Map<string, GatheredImage>; post: Map<string, GatheredImage> };
}

/**
 * Build whole-function images from the tree. Returns undefined when the file cannot be read or the diff does not
 * locate in it (the caller falls back to hunk mode).
 */
export async function treeImages(
  fd: FileDiff,
  read: (path: string) => Promise<string | undefined>,
  problems: InputProblem[],
): Promise<TreeImages | undefined> {
  const oldPath = fd.oldPath ?? fd.newPath;
  let preText: string | undefined;
  if (fd.status === 'added') preText = '';
  else if (oldPath) preText = await read(oldPath);
  if (preText === undefined) return undefined;
  const applied = applyFileDiff(preText, fd);
  if (applied.problems.length) {
    problems.push(...applied.problems);
    return undefined;
  }
  const out: TreeImages = { pre: new Map(), post: new Map(), callers: { pre: new Map(), post: new Map() }, callees: { pre: new Map(), post: new Map() } };
  const parsed: Partial<Record<'pre' | 'post', { defs: readonly Def[]; facts: Map<number, ImageLine>; fileLines: string[] }>> = {};
  for (const side of ['pre', 'post'] as const) {
    const text = side === 'pre' ? preText : applied.text;
    const fileLines = text.split('\n');
    const facts = lineFacts(fd, side, fileLines);
    if (!facts) return undefined;
    const defs = await defsOf(text);
    const changedRows = [...facts.entries()].filter(([, l]) => l.diff === (side === 'pre' ? 'del' : 'add')).map(([r]) => r);
    for (const d of defs) {
      if (!changedRows.some((r) => r >= d.start && r <= d.end)) continue;
      if (!out[side].has(d.name)) out[side].set(d.name, { name: d.name, lines: defLines(d, facts, fileLines), whole: true, order: d.start });
    }
    parsed[side] = { defs, facts, fileLines };
  }
  // A function changed on one side only still gets its other image (e.g. lines only removed).
  await fillOtherSide(out, preText, applied.text, fd);
  // Arch TLB-flush hooks defined as macros, read from the whole file (a hunk may show a macro's body without its
  // `#define` line); a macro changed on one side only gets its other side's image too.
  const path = fd.newPath ?? oldPath ?? '';
  const macroNames = new Set<string>();
  for (const side of ['pre', 'post'] as const) {
    const p = parsed[side];
    if (p) for (const name of treeMacroHookImages(path, p.fileLines, p.facts, side).keys()) macroNames.add(name);
  }
  for (const side of ['pre', 'post'] as const) {
    const p = parsed[side];
    if (!p || macroNames.size === 0) continue;
    for (const [name, g] of treeMacroHookImages(path, p.fileLines, p.facts, side, macroNames)) if (!out[side].has(name)) out[side].set(name, g);
  }
  // The unchanged callers of the changed functions, when the file shows them all (tree-callers.ts).
  for (const side of ['pre', 'post'] as const) {
    const p = parsed[side];
    if (!p) continue;
    const changed = [...out[side].keys()];
    const callers = allCallers(fd.newPath ?? oldPath ?? '', p.defs, changed, p.fileLines);
    for (const d of callers) {
      out.callers[side].set(d.name, { name: d.name, lines: defLines(d, p.facts, p.fileLines), whole: true, order: d.start });
    }
    for (const d of calledDefs(p.defs, changed, p.fileLines, callers)) {
      out.callees[side].set(d.name, { name: d.name, lines: defLines(d, p.facts, p.fileLines), whole: true, order: d.start });
    }
  }
  return out;
}

/** The lines of a function definition with their diff facts (file line, diff kind, input line). */
function defLines(d: Def, facts: Map<number, ImageLine>, fileLines: readonly string[]): ImageLine[] {
  const lines: ImageLine[] = [];
  for (let r = d.start; r <= d.end; r++) {
    const f = facts.get(r);
    const l: ImageLine = { text: fileLines[r] ?? '', fileLine: r + 1 };
    if (f?.diff) l.diff = f.diff;
    if (f?.inputLine !== undefined) l.inputLine = f.inputLine;
    lines.push(l);
  }
  return lines;
}

async function fillOtherSide(out: TreeImages, preText: string, postText: string, fd: FileDiff): Promise<void> {
  for (const [side, other, text] of [
    ['pre', 'post', postText],
    ['post', 'pre', preText],
  ] as const) {
    const missing = [...out[side].keys()].filter((n) => !out[other].has(n));
    if (missing.length === 0) continue;
    const fileLines = text.split('\n');
    const facts = lineFacts(fd, other, fileLines) ?? new Map<number, ImageLine>();
    const defs = await defsOf(text);
    for (const name of missing) {
      const d = defs.find((x) => x.name === name);
      if (!d) continue;
      out[other].set(name, { name, lines: defLines(d, facts, fileLines), whole: true, order: d.start });
    }
  }
}
