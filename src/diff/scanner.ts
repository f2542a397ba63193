// Finds every diff in one quote-depth view of a text: git/unified file diffs, bare hunks and header-less `+` fragments.

import type { FileDiff, Hunk, InputProblem } from '../core/patch.ts';
import { isHunkHeader, parseDiffGitLine, parseHunkHeader, pathFromMarkerLine } from './hunk-header.ts';
import { isHardStop, readHunk } from './hunk-reader.ts';
import { leadingHeading } from './fragment-heading.ts';
import { isCodeLine, isCommentLine, isProseLine } from './line-kind.ts';
import type { ViewLine } from './quote.ts';

/** One file diff found in a view, with the view range it came from. */
export interface ScannedBlock {
  file: FileDiff;
  /** How the block was recognised. */
  kind: 'git' | 'unified' | 'bare-hunk' | 'fragment';
  /** First and last view index of the block (inclusive). */
  first: number;
  last: number;
  damage: string[];
  problems: InputProblem[];
}

/** Everything found in one view. `prose[i]` is true for non-blank view lines that are not part of any diff. */
export interface ViewScan {
  blocks: ScannedBlock[];
  prose: boolean[];
}

/** Options of a scan: `input` names problems; `defaultPath` is the path for hunks without a file header. */
export interface ScanOptions {
  input: string;
  defaultPath?: string;
  /** The view is quoted reply text (`>` depth > 0): a hunk cut short by the reply is trimmed, not malformed. */
  quoted?: boolean;
}

const EXT_HEADER =
  /^(index [0-9a-f]+\.\.[0-9a-f]+|old mode |new mode |deleted file mode |new file mode |similarity index |dissimilarity index |rename from |rename to |copy from |copy to )/;
const BASE85 = /^[A-Za-z][0-9A-Za-z!#$%&()*+;<=>?@^_`{|}~-]*$/;

interface FileHeader {
  oldPath?: string;
  newPath?: string;
  status: FileDiff['status'];
  binary: boolean;
  inputLine: number;
  blobs?: { old: string; new: string };
}

/** Scans a view for diffs. Never throws; malformed pieces become problems and damage notes. */
export function scanView(lines: ViewLine[], opts: ScanOptions): ViewScan {
  const blocks: ScannedBlock[] = [];
  const prose = new Array<boolean>(lines.length).fill(false);
  let lastHeader: FileHeader | undefined;
  let open: ScannedBlock | undefined; // block that a directly following hunk continues
  let i = 0;
  while (i < lines.length) {
    const t = lines[i]!.text;
    if (t.startsWith('diff --git ')) {
      const r = readGitHeader(lines, i);
      lastHeader = r.header;
      open = startBlock(blocks, r.header, 'git', i, r.next - 1);
      i = r.next;
      continue;
    }
    if (t.startsWith('--- ') && lines[i + 1]?.text.startsWith('+++ ') && isHunkHeader(lines[i + 2]?.text ?? '')) {
      const h = markerHeader(lines, i);
      lastHeader = h;
      open = startBlock(blocks, h, 'unified', i, i + 1);
      i += 2;
      continue;
    }
    const hh = isHunkHeader(t) ? parseHunkHeader(t) : undefined;
    if (hh) {
      let block = open;
      if (!block) {
        const h = headerForOrphan(lastHeader, opts);
        block = startBlock(blocks, h.header, 'bare-hunk', i, i);
        const note = h.note(lines[i]!.inputLine);
        if (note) block.damage.push(note);
      }
      const r = readHunk(lines, i, hh, opts.input, opts.quoted === true);
      block.file.hunks.push(r.hunk, ...(r.more ?? []));
      block.damage.push(...r.damage);
      block.problems.push(...r.problems);
      block.last = Math.max(block.last, r.next - 1);
      open = block;
      i = r.next;
      continue;
    }
    if ((t.startsWith('+') || t.startsWith('-')) && !t.startsWith('+++ ') && !t.startsWith('--- ')) {
      const f = readFragment(lines, i);
      if (f) {
        const h = headerForOrphan(lastHeader, opts);
        // The function's heading quoted as context right above the fragment: part of the fragment.
        const lead = leadingHeading(lines, i, (b) => isCodeLine(b) || isCommentLine(b));
        if (lead !== undefined) {
          for (let k = i - 1; k >= lead; k--) {
            f.hunk.lines.unshift({ type: 'ctx', text: lines[k]!.text.slice(1), inputLine: lines[k]!.inputLine });
            f.hunk.oldLines++;
            f.hunk.newLines++;
            prose[k] = false;
          }
          f.hunk.inputLine = lines[lead]!.inputLine;
        }
        const block = startBlock(blocks, h.header, 'fragment', lead ?? i, f.next - 1);
        block.file.hunks.push(f.hunk);
        const note = h.note(lines[i]!.inputLine);
        if (note) block.damage.push(note);
        block.damage.push(`fragment at line ${lines[i]!.inputLine}: no hunk header, line numbers unknown`);
        open = undefined;
        i = f.next;
        continue;
      }
    }
    if (t.trim() !== '') {
      prose[i] = true;
      open = undefined;
    }
    i++;
  }
  for (const b of blocks) {
    if (b.file.hunks.length === 0 && !b.file.binary && b.file.status !== 'renamed' && b.kind === 'unified') {
      b.problems.push({ code: 'MMR003', message: 'file header without hunks', input: opts.input, line: lines[b.first]!.inputLine });
    }
  }
  return { blocks, prose };
}

function startBlock(
  blocks: ScannedBlock[],
  h: FileHeader,
  kind: ScannedBlock['kind'],
  first: number,
  last: number,
): ScannedBlock {
  const file: FileDiff = { status: h.status, binary: h.binary, hunks: [] };
  if (h.oldPath !== undefined) file.oldPath = h.oldPath;
  if (h.newPath !== undefined) file.newPath = h.newPath;
  if (h.blobs !== undefined) file.blobs = h.blobs;
  const block: ScannedBlock = { file, kind, first, last, damage: [], problems: [] };
  blocks.push(block);
  return block;
}

function headerForOrphan(
  last: FileHeader | undefined,
  opts: ScanOptions,
): { header: FileHeader; note: (line: number) => string } {
  if (opts.defaultPath !== undefined) {
    return {
      header: { oldPath: opts.defaultPath, newPath: opts.defaultPath, status: 'modified', binary: false, inputLine: 0 },
      note: () => '',
    };
  }
  if (last && (last.newPath ?? last.oldPath) !== undefined) {
    const path = (last.newPath ?? last.oldPath)!;
    return {
      header: { oldPath: path, newPath: path, status: 'modified', binary: false, inputLine: last.inputLine },
      note: (line) => `line ${line}: no file header; path ${path} taken from the file header at line ${last.inputLine}`,
    };
  }
  return {
    header: { status: 'modified', binary: false, inputLine: 0 },
    note: (line) => `line ${line}: no file header; path unknown`,
  };
}

function markerHeader(lines: ViewLine[], i: number): FileHeader {
  let oldPath = pathFromMarkerLine(lines[i]!.text);
  let newPath = pathFromMarkerLine(lines[i + 1]!.text);
  // `diff -u linux.orig/mm/x.c linux/mm/x.c`: differing top directories name the same file (patch -p1).
  if (oldPath && newPath && oldPath !== newPath) {
    const o = oldPath.indexOf('/');
    const n = newPath.indexOf('/');
    if (o > 0 && n > 0 && oldPath.slice(o + 1) === newPath.slice(n + 1)) {
      oldPath = oldPath.slice(o + 1);
      newPath = newPath.slice(n + 1);
    }
  }
  const status: FileDiff['status'] = oldPath === undefined ? 'added' : newPath === undefined ? 'deleted' : oldPath !== newPath ? 'renamed' : 'modified';
  const h: FileHeader = { status, binary: false, inputLine: lines[i]!.inputLine };
  if (oldPath !== undefined) h.oldPath = oldPath;
  if (newPath !== undefined) h.newPath = newPath;
  return h;
}

/** Reads `diff --git` and its extended headers, `Binary files`/`GIT binary patch`, and the `---`/`+++` pair. */
function readGitHeader(lines: ViewLine[], i: number): { header: FileHeader; next: number } {
  const paths = parseDiffGitLine(lines[i]!.text);
  const h: FileHeader = { status: 'modified', binary: false, inputLine: lines[i]!.inputLine };
  if (paths) {
    h.oldPath = paths.oldPath;
    h.newPath = paths.newPath;
  }
  let j = i + 1;
  while (j < lines.length) {
    const t = lines[j]!.text;
    if (EXT_HEADER.test(t)) {
      const idx = /^index ([0-9a-f]{4,64})\.\.([0-9a-f]{4,64})\b/.exec(t);
      if (idx) h.blobs = { old: idx[1]!, new: idx[2]! };
      if (t.startsWith('new file mode')) h.status = 'added';
      else if (t.startsWith('deleted file mode')) h.status = 'deleted';
      else if (t.startsWith('rename from ')) {
        h.status = 'renamed';
        h.oldPath = t.slice('rename from '.length);
      } else if (t.startsWith('rename to ')) {
        h.status = 'renamed';
        h.newPath = t.slice('rename to '.length);
      }
      j++;
    } else if (t.startsWith('Binary files ')) {
      h.binary = true;
      j++;
      break;
    } else if (t === 'GIT binary patch') {
      h.binary = true;
      j++;
      while (j < lines.length) {
        const b = lines[j]!.text;
        const nextIsBlock = /^(literal|delta) \d+$/.test(lines[j + 1]?.text ?? '');
        if (/^(literal|delta) \d+$/.test(b) || (BASE85.test(b) && !b.startsWith('diff')) || (b === '' && nextIsBlock)) j++;
        else break;
      }
      break;
    } else if (t.startsWith('--- ') && lines[j + 1]?.text.startsWith('+++ ')) {
      const m = markerHeader(lines, j);
      if (m.oldPath === undefined) h.status = 'added';
      else if (m.newPath === undefined) h.status = 'deleted';
      j += 2;
      break;
    } else break;
  }
  if (h.status === 'added') delete h.oldPath;
  if (h.status === 'deleted') delete h.newPath;
  return { header: h, next: j };
}

/**
 * Reads a header-less run of `+`/`-` lines of C code (a diff fragment quoted without its headers). Accepts the run
 * only when it holds at least two lines of C code and little prose, so lists and reply text are not taken as diffs.
 */
function readFragment(lines: ViewLine[], i: number): { hunk: Hunk; next: number } | undefined {
  let j = i;
  let code = 0;
  let comment = 0;
  let proseLines = 0;
  let nonEmpty = 0;
  let adds = 0;
  let dels = 0;
  const ctxAt = new Set<number>();
  while (j < lines.length) {
    const t = lines[j]!.text;
    if (isHardStop(lines, j)) break;
    const c = t[0];
    if (c === ' ') {
      // Context lines quoted between runs of the fragment (or after it) belong to it.
      const run = contextRun(lines, j);
      if (run.end === j) break;
      for (let k = j; k < run.end; k++) ctxAt.add(k);
      j = run.end;
      if (!run.more) break;
      continue;
    }
    if (c !== '+' && c !== '-') break;
    if (t.startsWith('+++ ') || t.startsWith('--- ') || t === '-- ') break;
    const body = t.slice(1);
    if (c === '+') adds++;
    else dels++;
    if (body.trim() !== '') {
      nonEmpty++;
      if (isCodeLine(body)) code++;
      else if (isCommentLine(body)) comment++;
      else if (isProseLine(body)) proseLines++;
    }
    j++;
  }
  if (code < 2 || nonEmpty === 0) return undefined;
  if ((code + comment) / nonEmpty < 0.6 || proseLines / nonEmpty > 0.2) return undefined;
  const hunk: Hunk = {
    oldStart: 0,
    oldLines: dels,
    newStart: 0,
    newLines: adds,
    header: '',
    lines: [],
    inputLine: lines[i]!.inputLine,
  };
  // Trailing blank context is the quote's spacing, not the diff's.
  while (j > i && ctxAt.has(j - 1) && lines[j - 1]!.text.trim() === '') {
    ctxAt.delete(j - 1);
    j--;
  }
  for (let k = i; k < j; k++) {
    const l = lines[k]!;
    if (ctxAt.has(k)) {
      hunk.lines.push({ type: 'ctx', text: l.text.slice(1), inputLine: l.inputLine });
      hunk.oldLines++;
      hunk.newLines++;
      continue;
    }
    hunk.lines.push({ type: l.text[0] === '+' ? 'add' : 'del', text: l.text.slice(1), inputLine: l.inputLine });
  }
  return { hunk, next: j };
}

/**
 * The context lines (` ` prefix) from `j` of a header-less fragment: up to the first line that is not context, with
 * no reply text interleaved (`afterGap`), and only lines that read as code or are blank. `more` when a `+`/`-` line
 * of the fragment follows them directly.
 */
function contextRun(lines: ViewLine[], j: number): { end: number; more: boolean } {
  let k = j;
  while (k < lines.length && lines[k]!.text.startsWith(' ') && !(k > j && lines[k]!.afterGap)) {
    const body = lines[k]!.text.slice(1);
    if (body.trim() !== '' && !isCodeLine(body) && !isCommentLine(body)) break;
    k++;
  }
  const next = lines[k];
  const more =
    next !== undefined && k > j && !next.afterGap && !isHardStop(lines, k) && (next.text.startsWith('+') || next.text.startsWith('-')) &&
    !next.text.startsWith('+++ ') && !next.text.startsWith('--- ') && next.text !== '-- ';
  return { end: k, more };
}
