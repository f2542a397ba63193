/**
 * Joining two hunks of one function across the lines the diff does not show. The code before the gap may stop in
 * the middle of a statement or inside blocks the code after the gap has already left; the code after the gap may
 * start inside a statement or inside blocks opened in the unseen lines. `gapJoin` returns synthetic lines (no file
 * line, no diff kind) that make the two sides one well-formed body:
 * - a comment left open before the gap is closed, one opened after it is reopened;
 * - a statement cut before the gap is completed (`f(a,` → `f(a, 0);`, `if (x)` → `if (x) ;`);
 * - blocks still open before the gap that the first statement after it is outside of (by the kernel's indentation)
 *   are closed;
 * - blocks the code after the gap closes but the code before it never opened get synthetic openers chosen as for a
 *   hunk that starts inside a block (`do {`, `if (1) {`, `switch (0) {`, `while (__mmr_loop__) {`,
 *   `if (__mmr_context__) {`);
 * - a statement tail after the gap (`... b);`) gets its opening parentheses.
 * Without indentation (mail-mangled text) no block is closed by column, and openers only balance what the code
 * after the gap closes.
 */
import { leadingTail, openerFor, operandFill } from '../c/prepass.ts';
import { scanC } from '../c/scan.ts';
import { imageIndented } from './segment.ts';

/** Visual column of a line's first non-blank character (tabs to multiples of 8), or -1 for a blank line. */
function column(line: string): number {
  let c = 0;
  for (const ch of line) {
    if (ch === ' ') c++;
    else if (ch === '\t') c = (Math.floor(c / 8) + 1) * 8;
    else return c;
  }
  return -1;
}

/** Indentation step of the text: 8 when tab-indented, else the smallest positive indentation (at least 2). */
function indentUnit(lines: readonly string[]): number {
  let min = Infinity;
  for (const l of lines) {
    if (/^\t/.test(l)) return 8;
    const c = column(l);
    if (c > 0) min = Math.min(min, c);
  }
  return Number.isFinite(min) ? Math.max(2, min) : 8;
}

/** True for lines that are code (not blank, not a comment line, not a preprocessor line). */
function codeLines(text: string): boolean[] {
  const sc = scanC(text);
  const lines = text.split('\n');
  let inComment = sc.startsInComment;
  return lines.map((l, i) => {
    const t = l.trim();
    const wasIn = inComment;
    // Track block comments roughly, line by line.
    const open = t.lastIndexOf('/*');
    const close = t.lastIndexOf('*/');
    if (open >= 0 && open > close) inComment = true;
    else if (close >= 0) inComment = false;
    if (sc.preproc[i] || t === '' || wasIn || /^(?:\/\*|\*|\/\/)/.test(t)) return false;
    return true;
  });
}

/** Synthetic lines to insert between `before` and `after` (two pieces of one function separated by unseen lines). */
export function gapJoin(before: readonly string[], after: readonly string[]): string[] {
  const out: string[] = [];
  const a = before.join('\n');
  const b = after.join('\n');
  const sa = scanC(a);
  if (sa.endsInComment) out.push('*/');
  // Open parentheses / brackets / braces at the end of `before`.
  const stack: Array<{ ch: string; at: number; line: number }> = [];
  for (const p of sa.puncts) {
    if (p.ch === '(' || p.ch === '[' || p.ch === '{') stack.push({ ch: p.ch, at: p.at, line: p.line });
    else if (p.ch === ')' || p.ch === ']' || p.ch === '}') {
      const want = p.ch === ')' ? '(' : p.ch === ']' ? '[' : '{';
      const k = stack.map((s) => s.ch).lastIndexOf(want);
      if (k >= 0) stack.splice(k);
    }
  }
  // Complete a statement cut before the gap.
  let closing = '';
  if (stack.length && stack[stack.length - 1]!.ch !== '{') closing += operandFill(a) + forHeaderFill(a, stack[stack.length - 1]!);
  while (stack.length && stack[stack.length - 1]!.ch !== '{') closing += stack.pop()!.ch === '(' ? ')' : ']';
  const code = a.replace(/\/\*[\s\S]*?(?:\*\/|$)/g, ' ').replace(/\/\/[^\n]*/g, ' ').split('\n').filter((l) => !/^\s*#/.test(l)).join('\n').trimEnd();
  const last = code ? code[code.length - 1]! : '';
  if (closing || (last && !/[;{}]/.test(last))) closing = `${closing}${closing ? '' : operandFill(a)};`;
  if (closing) out.push(closing);

  // Where does the code after the gap start? Its first statement's line (after a leading statement tail).
  const tail = leadingTail(b);
  const bCode = codeLines(b);
  const bLines = b.split('\n');
  let firstLine = bCode.indexOf(true);
  if (tail) {
    const sb = scanC(b);
    let depth = 0;
    for (const p of sb.puncts) {
      if (p.ch === '(' || p.ch === '[') depth++;
      else if ((p.ch === ')' || p.ch === ']') && depth > 0) depth--;
      else if (depth === 0 && (p.ch === ';' || p.ch === '{')) {
        const nxt = bCode.findIndex((c, i) => c && i > p.line);
        if (nxt >= 0) firstLine = nxt;
        break;
      }
    }
  }
  const aLines = a.split('\n');
  const indented = imageIndented([...aLines, ...bLines]);
  const unit = indentUnit([...aLines, ...bLines]);
  // Unmatched closing braces of `after`, in order, with the opener each one needs.
  const sb = scanC(b);
  const unmatched: number[] = [];
  {
    let depth = 0;
    for (const p of sb.puncts) {
      if (p.ch === '{') depth++;
      else if (p.ch === '}') {
        if (depth > 0) depth--;
        else unmatched.push(p.at);
      }
    }
  }
  const openBraces = stack.filter((s) => s.ch === '{');
  let synthetic = 0;
  let unseenHead = false;
  if (indented && firstLine >= 0) {
    const startLine = bLines[firstLine]!;
    const c = column(startLine);
    const closes = /^\s*\}/.test(startLine);
    const headCol = (s: { line: number }): number => column(aLines[s.line] ?? '');
    // Close blocks of `before` that the first statement after the gap is outside of.
    let closed = 0;
    const closedBlocks: typeof openBraces = [];
    while (openBraces.length) {
      const h = headCol(openBraces[openBraces.length - 1]!);
      if (h < 0 || !(closes ? h > c : h >= c)) break;
      closedBlocks.push(openBraces.pop()!);
      closed++;
    }
    if (closed) out.push(closedBlocks.map((s) => (/\bdo\s*$/.test(a.slice(Math.max(0, s.at - 40), s.at)) ? '; } while (0);' : '; }')).join(' '));
    // Blocks opened in the unseen lines: closing braces of `after`, in order, whose column (the column of their
    // block's head) is deeper than the innermost block `before` left open. (The first statement's own column is no
    // guide: it may be the unbraced body of an unseen `if`.)
    const inner = openBraces.length ? headCol(openBraces[openBraces.length - 1]!) : lastLevelColumn(a, sa) - unit;
    for (const at of unmatched) {
      if (column(bLines[lineAt(b, at)]!) <= inner) break;
      synthetic++;
    }
    // A first statement deeper than its block's body is the unbraced body of an unseen `if`/loop head: it may or
    // may not run.
    const head = synthetic > 0 ? column(bLines[lineAt(b, unmatched[0]!)]!) : inner;
    // But a run of statements at that deeper column is the body of an unseen braced block (`for (...) {`) around
    // the whole run, not an unbraced body: the next statement at the first one's column or shallower tells.
    if (!closes && !tail && c > head + unit && !deeperRun(bLines, bCode, firstLine, c)) unseenHead = true;
  }
  // A closing brace of `after` must not close the function's body early: when `before` holds the function's open
  // body, every closing brace beyond the blocks it left open gets an opener here. (When `before` is itself inside
  // the body with no block open, such braces close blocks both sides are inside: the fragment wrapper opens them.)
  const holdsBody = openBraces.length > 0 && (!indented || column(aLines[openBraces[0]!.line] ?? '') === 0);
  if (holdsBody) synthetic = Math.max(synthetic, unmatched.length - openBraces.length);
  const openers: string[] = [];
  for (let i = 0; i < synthetic; i++) {
    const at = unmatched[i];
    openers.push(at === undefined ? 'if (__mmr_context__) {' : openerFor(b, at, i === 0 ? 0 : unmatched[i - 1]! + 1));
  }
  // Innermost opener last: the first unmatched brace closes the innermost.
  if (openers.length) out.push(openers.reverse().join(' '));
  if (tail && tail.kind !== 'header') out.push(tail.kind === 'control' ? `if ${'('.repeat(tail.n)}` : '('.repeat(tail.n));
  if (unseenHead) out.push('if (__mmr_context__)');
  if (sb.startsInComment) out.push('/*');
  return out;
}

/**
 * The clauses missing from a `for (` header cut before the gap (`for (i = 0, pte = start_pte;` with the condition and
 * step on the unseen next line): an unknown condition and an empty step, so that the header closes as
 * `for (i = 0, pte = start_pte; __mmr_for_cond__;)` — a loop of unknown count (a condition of its own: the
 * fragment's `__mmr_context__` is one value, tested once per path) — instead of `for (...;)`, which is no C.
 * Empty for any other open parenthesis or a header that already has both semicolons.
 */
function forHeaderFill(a: string, open: { ch: string; at: number }): string {
  if (open.ch !== '(' || !/\bfor\s*$/.test(a.slice(Math.max(0, open.at - 12), open.at))) return '';
  const inner = a.slice(open.at + 1).replace(/\/\*[\s\S]*?(?:\*\/|$)/g, ' ').replace(/\/\/[^\n]*/g, ' ');
  let depth = 0;
  let semis = 0;
  for (const ch of inner) {
    if (ch === '(' || ch === '[') depth++;
    else if ((ch === ')' || ch === ']') && depth > 0) depth--;
    else if (ch === ';' && depth === 0) semis++;
  }
  if (semis === 1) return ' __mmr_for_cond__;';
  if (semis === 0) return '; __mmr_for_cond__;';
  return '';
}

/**
 * True when the statement after the one starting on `first` (at column `c`) is at the same column: a run of
 * statements, not the single unbraced body of an `if`/loop head. Deeper lines (continuations, nested blocks) and
 * the first statement's own closing braces at column `c` (`}`, `} else {`) are skipped.
 */
function deeperRun(lines: readonly string[], code: readonly boolean[], first: number, c: number): boolean {
  for (let j = first + 1; j < lines.length; j++) {
    if (!code[j]) continue;
    const cj = column(lines[j]!);
    if (cj > c) continue;
    if (cj < c) return false;
    if (/^\s*\}/.test(lines[j]!)) continue;
    return true;
  }
  return false;
}

function lineAt(text: string, offset: number): number {
  let n = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/**
 * Statement column of the block a text with no open braces ends in: the smallest column of its code lines after its
 * last unmatched `}` (deeper lines are nested blocks or continuations).
 */
function lastLevelColumn(text: string, sc: ReturnType<typeof scanC>): number {
  let depth = 0;
  let from = 0;
  for (const p of sc.puncts) {
    if (p.ch === '{') depth++;
    else if (p.ch === '}') {
      if (depth > 0) depth--;
      else from = p.line + 1;
    }
  }
  const lines = text.split('\n');
  const code = codeLines(text);
  let min = Infinity;
  for (let i = from; i < lines.length; i++) if (code[i]) min = Math.min(min, column(lines[i]!));
  return Number.isFinite(min) ? min : 8;
}
