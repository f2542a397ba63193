/**
 * Splits a reconstructed hunk image into function pieces: whole (or cut) function definitions found in it, and the
 * body fragment of the enclosing function the hunk starts in. Works on unindented (mail-mangled) text too: it
 * relies on brace depth, not on indentation alone.
 */
import { blankAnnotations, leadingTail } from '../c/prepass.ts';
import { scanC } from '../c/scan.ts';
import { KEYWORDS } from './images.ts';

/** A piece of an image that belongs to one function. */
export interface Piece {
  /** Function name, or undefined for the enclosing function (named by the caller from the hunk header). */
  name?: string;
  /** 0-based line range [start, end] in the image. */
  start: number;
  end: number;
  /** The piece starts with the function's header (a definition found in the hunk). */
  hasHeader: boolean;
  /** The piece's closing brace is in the image. */
  closed: boolean;
}

/**
 * A hunk that starts inside a comment (its first ` */` comes before any `/*`: the tail of a doc comment above a
 * function) would make the definition after it look like comment text: blank that tail, keeping line breaks.
 */
function blankCommentTail(text: string): string {
  const close = text.indexOf('*/');
  if (close < 0) return text;
  const open = text.indexOf('/*');
  if (open >= 0 && open < close) return text;
  return text.slice(0, close + 2).replace(/[^\n]/g, ' ') + text.slice(close + 2);
}

const HEADER_RE = /^([\w\s*]*?[\w*])\s+\**\s*([A-Za-z_]\w*)\s*\(([\s\S]*)\)\s*$/;

/** Segment image lines into function pieces. */
export function segmentImage(lines: readonly string[], opts: { headerNamed: boolean }): Piece[] {
  const text = blankCommentTail(blankAnnotations(lines.join('\n')));
  const sc = scanC(text);
  // Depth at each punct, relative to the start of the image.
  let depth = 0;
  let minDepth = 0;
  const braces: Array<{ ch: '{' | '}'; line: number; at: number; depthBefore: number }> = [];
  for (const p of sc.puncts) {
    if (p.ch === '{') {
      braces.push({ ch: '{', line: p.line, at: p.at, depthBefore: depth });
      depth++;
    } else if (p.ch === '}') {
      braces.push({ ch: '}', line: p.line, at: p.at, depthBefore: depth });
      depth--;
      minDepth = Math.min(minDepth, depth);
    }
  }
  const fileDepth = minDepth;
  const pieces: Piece[] = [];
  // Enclosing piece: from the start to where depth returns to file scope (when it does).
  let cursor = 0; // offset where file scope resumes
  let firstDefAt = -1;
  if (minDepth < 0) {
    const close = braces.find((b) => b.ch === '}' && b.depthBefore - 1 === fileDepth);
    if (close && closesFunction(text, lines, close.line, close.at)) {
      // File-scope text closed by the brace (the tail of a struct or enum definition) is no function.
      if (bodyLike(lines.slice(0, close.line + 1), sc.preproc, imageIndented(lines))) pieces.push({ start: 0, end: close.line, hasHeader: false, closed: true });
      cursor = close.at + 1;
    } else {
      // The image starts deeper than the function body and never leaves the function: all of it is the body.
      if (!bodyLike(lines, sc.preproc, imageIndented(lines))) return [];
      return [{ start: 0, end: lines.length - 1, hasHeader: false, closed: false }];
    }
  }
  // Function definitions at file depth.
  let regionStart = cursor;
  for (let i = 0; i < braces.length; i++) {
    const b = braces[i]!;
    if (b.at < cursor) continue;
    if (b.ch === '}' && b.depthBefore - 1 === fileDepth) {
      regionStart = b.at + 1;
      continue;
    }
    if (b.ch !== '{' || b.depthBefore !== fileDepth) continue;
    const region = lastStatement(text.slice(regionStart, b.at));
    const hdr = parseHeader(region.text);
    const close = braces.slice(i + 1).find((c) => c.ch === '}' && c.depthBefore - 1 === fileDepth);
    const endLine = close ? close.line : lines.length - 1;
    if (hdr) {
      const startOffset = regionStart + region.offset;
      const startLine = lineOf(text, startOffset);
      if (firstDefAt < 0) firstDefAt = startOffset;
      pieces.push({ name: hdr, start: startLine, end: endLine, hasHeader: true, closed: !!close });
    } else if (regionStart === 0 && minDepth === 0 && /\)\s*$/.test(region.text) && unmatchedClose(region.text)) {
      // The image starts inside the enclosing function's header (a header tail): the piece runs from the start.
      pieces.push({ start: 0, end: endLine, hasHeader: false, closed: !!close });
      firstDefAt = 0;
    }
    regionStart = close ? close.at + 1 : text.length;
    if (!close) break;
    i = braces.indexOf(close);
  }
  if (minDepth === 0 && firstDefAt !== 0) {
    // Statements before the first definition belong to the enclosing function when the hunk names one or they are
    // indented like a function body.
    const endOffset = firstDefAt < 0 ? text.length : firstDefAt;
    const before = text.slice(0, endOffset);
    const beforeLines = before.split('\n');
    const code = beforeLines.filter((l, k) => !sc.preproc[k] && isCode(l) && !/\\\s*$/.test(l));
    const indented = code.some((l) => /^[ \t]+\S/.test(l));
    // Statements of a body, not file-scope declarations (prototypes, struct members, enum constants, externs at
    // column 0), before the first definition.
    const body = bodyLike(beforeLines, sc.preproc, imageIndented(lines));
    if (code.length > 0 && body && (opts.headerNamed || indented)) {
      let end = beforeLines.length - 1;
      if (firstDefAt >= 0) end = Math.max(0, lineOf(text, endOffset) - 1);
      pieces.unshift({ start: 0, end, hasHeader: false, closed: false });
    }
  }
  return pieces.sort((a, b) => a.start - b.start);
}

/** Lines that begin file-scope constructs (a function header, a declaration, a preprocessor line, a doc comment). */
const FILE_SCOPE_START = /^(?:static|extern|struct|union|enum|typedef|inline|const|void|int|long|unsigned|bool|char|#|EXPORT_SYMBOL|SYSCALL_DEFINE|DEFINE_|__\w+|[A-Za-z_]\w*_t\b|\/\*\*|[A-Za-z_]\w*\s+\**[A-Za-z_]\w*\s*[(;=\[])/;

/** Is the `}` on `line` the enclosing function's closing brace (rather than an inner block's)? */
function closesFunction(text: string, lines: readonly string[], line: number, at: number): boolean {
  const indented = lines.some((l) => /^[ \t]+\S/.test(l));
  const braceLine = lines[line] ?? '';
  if (indented) return /^\}/.test(braceLine);
  // Mail-mangled (no indentation anywhere): decide from what follows.
  const rest = text.slice(at + 1).split('\n').slice(1).map((l) => l.trim()).filter((l) => l && !/^(?:\*|\/\/)/.test(l) && !l.endsWith('*/'));
  return rest.length === 0 || FILE_SCOPE_START.test(rest[0]!);
}

function lineOf(text: string, offset: number): number {
  let n = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** The text after the last file-scope statement end (`;`) in a region, with its offset in the region. */
function lastStatement(region: string): { text: string; offset: number } {
  const stripped = region.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/\/\/[^\n]*/g, (m) => ' '.repeat(m.length));
  const lines = stripped.split('\n');
  // Drop preprocessor lines.
  const clean = lines.map((l) => (/^\s*#/.test(l) ? ' '.repeat(l.length) : l)).join('\n');
  const semi = clean.lastIndexOf(';');
  let off = semi + 1;
  while (off < clean.length && /\s/.test(clean[off]!)) off++;
  return { text: clean.slice(off), offset: off };
}

function parseHeader(h: string): string | undefined {
  const t = h.replace(/\s+/g, ' ').trim();
  const sys = /^(?:COMPAT_)?SYSCALL_DEFINE\d\s*\(\s*(\w+)[\s\S]*\)$/.exec(t);
  if (sys) return sys[1];
  if (!t || /[=;]/.test(t)) return undefined;
  const m = HEADER_RE.exec(t);
  if (!m) return undefined;
  const name = m[2]!;
  const prefix = m[1]!.trim();
  if (KEYWORDS.has(name) || /^(?:else|return|do|case)$/.test(prefix.split(' ').pop() ?? '')) return undefined;
  if (/\b(?:struct|union|enum)\s*$/.test(prefix) && !/\*/.test(t)) return undefined;
  return name;
}

function unmatchedClose(s: string): boolean {
  let d = 0;
  for (const c of s) {
    if (c === '(') d++;
    else if (c === ')' && --d < 0) return true;
  }
  return false;
}

/** Some code line of the image is indented (the text keeps its indentation; mail-mangled text does not). */
export function imageIndented(lines: readonly string[]): boolean {
  let code = 0;
  let deep = 0;
  for (const l of lines) {
    if (!/\S/.test(l) || /^\s*(?:\*|\/\*|\/\/|#)/.test(l)) continue;
    code++;
    // Two columns or more: a mangled line keeps at most the one space of its lost diff marker.
    if (/^(?:\t| {2,})\s*\S/.test(l)) deep++;
  }
  return code > 0 && deep * 3 >= code;
}

const STATEMENT_KEYWORD = /^(?:if|for|while|do|switch|return|goto|break|continue|case|default|else)\b/;
const TYPE_WORD = '(?:const|volatile|static|unsigned|signed|struct\\s+\\w+|union\\s+\\w+|enum\\s+\\w+|[A-Za-z_]\\w*)';
/** A plain declaration without initialiser: `unsigned long end;`, `pte_t *pte, entry;`, `int a[4];`. */
const PLAIN_DECL = new RegExp(`^(?:${TYPE_WORD}\\s+)+\\**\\s*[A-Za-z_]\\w*\\s*(?:\\[[^\\]]*\\])?(?:\\s*,\\s*\\**\\s*[A-Za-z_]\\w*\\s*(?:\\[[^\\]]*\\])?)*\\s*;`);
/** A prototype or function-pointer member: two or more words (or a `*`) before the name's `(`. */
const PROTOTYPE = new RegExp(`^(?:${TYPE_WORD}\\s*\\**\\s+|\\**\\s*)+\\**\\s*(?:\\(\\s*\\*\\s*)?[A-Za-z_]\\w*\\s*\\)?\\s*\\(`);

/** Is the statement starting with `t` (trimmed) a declaration that holds no code (no initialiser, no call)? */
function declarationOnly(t: string): boolean {
  if (STATEMENT_KEYWORD.test(t) || /^[}{]/.test(t)) return false;
  if (/^(?:extern|typedef)\b/.test(t) || /^(?:struct|union|enum)\b[^=(]*\{/.test(t)) return true;
  if (/^[A-Z][A-Z0-9_]*\s*(?:=\s*[^;]*)?,?\s*$/.test(t)) return true; // an enum constant
  if (PLAIN_DECL.test(t)) return true;
  if (/=/.test(t.split('(')[0]!)) return false;
  const m = PROTOTYPE.exec(t);
  // `foo(x);` is a call (one word before the parenthesis); `int foo(x);`, `void (*fn)(...)` declare.
  return m !== null && (/\(\s*\*/.test(m[0]) || /\S\s+\**\s*[A-Za-z_]\w*\s*\($/.test(m[0]) || /\*\s*[A-Za-z_]\w*\s*\($/.test(m[0]));
}

/**
 * Do these lines hold statements of a function body? File-scope text does not: prototypes, struct members, enum
 * constants, extern / typedef declarations, and (when the image keeps its indentation) anything at column 0.
 * Statement starts are lines that follow a `;`, `{` or `}` outside parentheses.
 */
function bodyLike(lines: readonly string[], preproc: readonly boolean[], indented: boolean): boolean {
  // Lines that end a statement or header begun above the text (`... address);`) start nothing.
  let prev = leadingTail(lines.join('\n')) ? ',' : ';';
  let depth = 0;
  let inComment = false;
  let lastCode = -1;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const stripped = raw.replace(/\/\*.*?\*\//g, ' ').replace(/\/\/.*$/, '');
    let code = stripped;
    if (inComment) {
      const end = code.indexOf('*/');
      if (end < 0) continue;
      code = code.slice(end + 2);
      inComment = false;
    }
    const open = code.indexOf('/*');
    if (open >= 0) {
      code = code.slice(0, open);
      inComment = true;
    }
    if (preproc[i] || code.trim() === '') continue;
    const t = code.trim();
    // The rest of a comment the text starts inside (` * text`, ` */`): no statement, and it ends none.
    if (/^\*(?:\/|\s|$)/.test(t)) continue;
    // A label (`out_unlock:`, `case X:`, `default:`) ends nothing but precedes a statement: what follows it starts one.
    if (depth === 0 && (/[;{}]/.test(prev) || (prev === ':' && /^[ \t]*(?:[A-Za-z_]\w*|case\b[^?]*|default)\s*:\s*$/.test(lines[lastCode] ?? ''))) && !/^\*/.test(t)) {
      const col = /^[ \t]+/.test(code);
      if ((col || !indented) && !declarationOnly(t)) return true;
    }
    for (const ch of t) {
      if (ch === '(') depth++;
      else if (ch === ')') depth = Math.max(0, depth - 1);
    }
    prev = t[t.length - 1]!;
    lastCode = i;
  }
  return false;
}

function isCode(l: string): boolean {
  const t = l.trim();
  return t.length > 0 && !/^(?:\/\*|\*|\/\/)/.test(t);
}
