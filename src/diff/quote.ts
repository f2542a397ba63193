// Splits mail text into per-quote-depth views (`> `, `> > `, `>>`, `>` without a space), keeping input line numbers.

import { ELISION } from './line-kind.ts';

/** One line of a view: the text with its quote prefix removed and the 1-based line in the decoded input. */
export interface ViewLine {
  text: string;
  inputLine: number;
  /** True when lines of another quote depth were skipped right before this line (reply text interleaved). */
  afterGap: boolean;
  /**
   * True when those skipped lines hold an elision mark (`[...]`, `<snip>`) written outside the quote: the reviewer
   * cut quoted lines there.
   */
  afterElision?: boolean;
}

/** All lines of one quote depth, in input order. */
export interface QuoteView {
  depth: number;
  lines: ViewLine[];
}

const QUOTE_RE = /^>(?: ?>)*/;

/**
 * Splits a line into its quote depth and content. The depth is the number of `>` markers at the start (a single
 * optional space may separate markers); one space after the last marker is part of the quote prefix.
 */
export function splitQuote(line: string): { depth: number; text: string } {
  const m = QUOTE_RE.exec(line);
  if (!m) return { depth: 0, text: line };
  let depth = 0;
  for (const ch of m[0]) if (ch === '>') depth++;
  let rest = line.slice(m[0].length);
  if (rest.startsWith(' ')) rest = rest.slice(1);
  return { depth, text: rest };
}

/** Splits decoded text into lines (LF or CRLF), without the line terminators. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/**
 * Builds one view per quote depth present in the text, sorted by depth. `lineOffset` is added to input line numbers
 * (for text that starts part-way into a larger input).
 */
export function buildQuoteViews(lines: string[], lineOffset = 0): QuoteView[] {
  const byDepth = new Map<number, QuoteView>();
  const lastIndex = new Map<number, number>();
  const keepSpace = noSpaceDepths(lines);
  // Index of the last elision mark seen at each depth (for afterElision of the lines of other depths).
  let lastElision = -1;
  let lastElisionDepth = -1;
  for (let i = 0; i < lines.length; i++) {
    let { depth, text } = splitQuote(lines[i]!);
    if (depth > 0 && keepSpace.has(depth)) text = rawRest(lines[i]!);
    let view = byDepth.get(depth);
    if (!view) {
      view = { depth, lines: [] };
      byDepth.set(depth, view);
    }
    const prev = lastIndex.get(depth);
    const afterGap = prev !== undefined && prev !== i - 1;
    const line: ViewLine = { text, inputLine: i + 1 + lineOffset, afterGap };
    if (afterGap && lastElision > prev! && lastElisionDepth !== depth) line.afterElision = true;
    view.lines.push(line);
    lastIndex.set(depth, i);
    if (ELISION.test(text)) {
      lastElision = i;
      lastElisionDepth = depth;
    }
  }
  return [...byDepth.values()].sort((a, b) => a.depth - b.depth);
}

function rawRest(line: string): string {
  const m = QUOTE_RE.exec(line);
  return m ? line.slice(m[0].length) : line;
}

/**
 * Quote depths written in the `>` style without a space (`>+added`, `>-removed`, `>@@`): there a space after the
 * markers belongs to the diff line (a context line), so it must not be stripped as part of the quote prefix.
 */
function noSpaceDepths(lines: string[]): Set<number> {
  const tight = new Map<number, number>();
  const spaced = new Map<number, number>();
  for (const l of lines) {
    const m = QUOTE_RE.exec(l);
    if (!m) continue;
    const rest = l.slice(m[0].length);
    const depth = [...m[0]].filter((c) => c === '>').length;
    if (/^[+-]\S|^@@ -|^diff --git /.test(rest)) tight.set(depth, (tight.get(depth) ?? 0) + 1);
    else if (/^ ([+-]\S|@@ -|diff --git )/.test(rest)) spaced.set(depth, (spaced.get(depth) ?? 0) + 1);
  }
  const out = new Set<number>();
  for (const [d, n] of tight) if (n > (spaced.get(d) ?? 0)) out.add(d);
  return out;
}
