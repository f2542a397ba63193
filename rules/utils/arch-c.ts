/**
 * Paths of a small arch function (a TLB-flush hook) read from its text: the conditions taken, every call made
 * (arch TLB primitives are macros around inline assembly, which the front end's event paths do not show), and the
 * return. Handles blocks, if/else, loops (the body once), do/while, return, and #if/#ifdef/#else/#endif as
 * conditions on `defined(X)`. Anything else it does not understand (switch, goto) gives no paths. Pure.
 */
import { blankComments } from '../../src/c/blank-comments.ts';
import { callArgs } from './paths.ts';
import { closingParen } from '../../src/c/parens.ts';

export interface ArchCall {
  name: string;
  args: string[];
  /** The text ends inside the call: `args` are the ones shown. */
  partial?: boolean;
  /** 1-based line in the image text. */
  line: number;
}

export interface ArchCond {
  cond: string;
  taken: boolean;
  line: number;
}

export interface ArchPath {
  conds: ArchCond[];
  calls: ArchCall[];
  ret?: { value: string; line: number };
  /** The path runs into text the image does not show (the hunk stops before the function does). */
  cut: boolean;
}

export interface ArchFunction {
  paths: ArchPath[];
  /** The image shows where the function body starts (its header or opening brace, or a first declaration). */
  startSeen: boolean;
  /** Local variables and the expression last assigned to them (flow-insensitive). */
  locals: Map<string, string>;
}

type Node =
  | { k: 'seq'; items: Node[] }
  | { k: 'if'; cond: string; line: number; then: Node; else?: Node }
  | { k: 'loop'; body: Node }
  | { k: 'ret'; value: string; line: number }
  | { k: 'expr'; text: string; at: number }
  | { k: 'cut' };

const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'do', 'else', 'typeof', '__typeof__', 'defined']);

class Unsupported extends Error {}

/**
 * String literals' contents blanked (the quotes kept), every offset kept; character literals are skipped whole (a
 * `'"'` opens no string). Unlike the shared blankComments(), which keeps literals as they are, the statement
 * parser below must not see the parentheses, braces and semicolons of a message string (`pr_warn("x; (y)")`).
 * Run on text whose comments are already blanked.
 */
function blankStringContents(text: string): string {
  return text.replace(/'(?:\\.|[^'\\\n])*'|"(?:[^"\\\n]|\\.)*"/g, (m) => (m[0] === '"' ? `"${' '.repeat(Math.max(0, m.length - 2))}"` : m));
}

/** Preprocessor conditionals as C conditions on `defined(X)`, other directives blanked; same line count. */
function preprocess(text: string): string {
  return text
    .split('\n')
    .map((l) => {
      const t = l.trim();
      if (!t.startsWith('#')) return l;
      let m: RegExpExecArray | null;
      if ((m = /^#\s*ifdef\s+(\w+)/.exec(t))) return `if (defined(${m[1]})) {`;
      if ((m = /^#\s*ifndef\s+(\w+)/.exec(t))) return `if (!defined(${m[1]})) {`;
      if ((m = /^#\s*if\s+(.*)$/.exec(t))) return `if (${m[1]}) {`;
      if ((m = /^#\s*elif\s+(.*)$/.exec(t))) return `} else if (${m[1]}) {`;
      if (/^#\s*else\b/.test(t)) return '} else {';
      if (/^#\s*endif\b/.test(t)) return '}';
      return ' '.repeat(l.length);
    })
    .join('\n');
}

/** Offset of the parenthesis matching the one at `open`, or -1 when the text ends first. */
class Parser {
  i = 0;
  constructor(
    readonly s: string,
    readonly base: number,
  ) {}
  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }
  eof(): boolean {
    this.ws();
    return this.i >= this.s.length;
  }
  word(): string | undefined {
    this.ws();
    const m = /^[A-Za-z_]\w*/.exec(this.s.slice(this.i, this.i + 64));
    return m ? m[0] : undefined;
  }
  /** Parenthesised text after the cursor; undefined when the text ends inside it. */
  paren(): string | undefined {
    this.ws();
    if (this.s[this.i] !== '(') throw new Unsupported('expected (');
    const close = closingParen(this.s, this.i);
    if (close < 0) {
      this.i = this.s.length;
      return undefined;
    }
    const inner = this.s.slice(this.i + 1, close);
    this.i = close + 1;
    return inner;
  }
  /** Statements until an unmatched `}` (consumed, `closed`) or the end of the text. */
  block(): { node: Node; closed: boolean } {
    const items: Node[] = [];
    for (;;) {
      if (this.eof()) return { node: { k: 'seq', items: [...items, { k: 'cut' }] }, closed: false };
      if (this.s[this.i] === '}') {
        this.i++;
        return { node: { k: 'seq', items }, closed: true };
      }
      items.push(this.stmt());
    }
  }
  stmt(): Node {
    this.ws();
    const at = this.i;
    if (this.eof()) return { k: 'cut' };
    if (this.s[this.i] === '{') {
      this.i++;
      return this.block().node;
    }
    if (this.s[this.i] === ';') {
      this.i++;
      return { k: 'seq', items: [] };
    }
    const w = this.word();
    if (w === 'if') {
      this.i += 2;
      const line = this.base + at;
      const cond = this.paren();
      if (cond === undefined) return { k: 'cut' };
      const then = this.stmt();
      const save = this.i;
      if (this.word() === 'else') {
        this.i += 4;
        return { k: 'if', cond, line, then, else: this.stmt() };
      }
      this.i = save;
      return { k: 'if', cond, line, then };
    }
    if (w === 'for' || w === 'while') {
      this.i += w.length;
      if (this.paren() === undefined) return { k: 'cut' };
      return { k: 'loop', body: this.stmt() };
    }
    if (w === 'do') {
      this.i += 2;
      const body = this.stmt();
      if (this.word() !== 'while') return { k: 'seq', items: [body, { k: 'cut' }] };
      this.i += 5;
      if (this.paren() === undefined) return { k: 'seq', items: [body, { k: 'cut' }] };
      this.ws();
      if (this.s[this.i] === ';') this.i++;
      return { k: 'loop', body };
    }
    if (w === 'switch' || w === 'goto' || w === 'case' || w === 'default') throw new Unsupported(w);
    if (w === 'break' || w === 'continue') throw new Unsupported(w);
    // Expression statement (or return): up to the `;` at depth 0.
    let d = 0;
    let j = this.i;
    for (; j < this.s.length; j++) {
      const c = this.s[j];
      if (c === '(' || c === '[') d++;
      else if (c === ')' || c === ']') d--;
      else if (c === '{' && (d > 0 || /=\s*$/.test(this.s.slice(this.i, j)))) d++;
      else if (c === '{') throw new Unsupported('block in an expression');
      else if (c === '}' && d > 0) d--;
      else if (c === '}' && d === 0) break;
      else if (c === ';' && d === 0) break;
    }
    const text = this.s.slice(this.i, j);
    const ended = this.s[j] === ';';
    this.i = ended ? j + 1 : j;
    if (/^\s*[A-Za-z_]\w*\s*:(?!:)/.test(text) && !/\?/.test(text)) throw new Unsupported('label');
    const node: Node = w === 'return' ? { k: 'ret', value: text.replace(/^\s*return\b/, '').trim(), line: this.base + at } : { k: 'expr', text, at: this.base + at };
    return ended ? node : { k: 'seq', items: [node, { k: 'cut' }] };
  }
}

/** Every call in an expression (nested ones too), with its arguments; a call the text cuts keeps the ones it shows. */
function callsIn(text: string, at: number, lineOf: (off: number) => number): ArchCall[] {
  const out: ArchCall[] = [];
  const re = /([A-Za-z_]\w*)\s*\(/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const name = m[1]!;
    if (KEYWORDS.has(name) && name !== 'defined') continue;
    const open = m.index + m[0].length - 1;
    const close = closingParen(text, open);
    const args = callArgs(close < 0 ? text.slice(open) : text.slice(open, close + 1));
    // A call the text cuts right after a comma shows no argument there: no empty one is made up for it.
    if (close < 0 && args[args.length - 1] === '') args.pop();
    // A cast or declaration type before a parenthesis (`(unsigned long)`) is no call: only identifiers directly
    // followed by `(` reach here, and types are not followed by `(` in kernel code.
    out.push({ name, args, line: lineOf(at + m.index), ...(close < 0 ? { partial: true } : {}) });
  }
  return out;
}

const MAX_PATHS = 128;

/** Paths of the function whose image text is `text` (whole definition or a fragment). Undefined when not understood. */
export function archFunctionPaths(text: string): ArchFunction | undefined {
  const src = preprocess(blankStringContents(blankComments(text)));
  const lineStarts = [0];
  for (let i = 0; i < src.length; i++) if (src[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (off: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  // Where the body starts: after a header's `{`, after a leading `{`, or (a fragment) at the first statement.
  const brace = src.indexOf('{');
  const before = brace >= 0 ? src.slice(0, brace) : src;
  let bodyStart = 0;
  let startSeen = false;
  if (brace >= 0 && (before.trim() === '' || (/\)\s*$/.test(before) && !before.includes(';') && /[A-Za-z_]\w*\s*\(/.test(before)))) {
    bodyStart = brace + 1;
    startSeen = true;
  } else {
    // A fragment whose first statement declares a local with an initialiser is at the top of the body.
    startSeen = /^\s*(?:const\s+|unsigned\s+|signed\s+|struct\s+\w+\s+|bool\s+|int\s+|long\s+|u64\s+|u32\s+|pgd_t\s+|pmd_t\s+|pte_t\s+)+\**\s*[A-Za-z_]\w*\s*=/.test(src);
  }
  let root: Node;
  try {
    const p = new Parser(src.slice(bodyStart), 0);
    root = p.block().node;
    // Text after the brace that closed the body: the image started inside a nested block, so what the paths
    // saw was not the end of the function.
    if (src.slice(bodyStart + p.i).trim() !== '') root = { k: 'seq', items: [root, { k: 'cut' }] };
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
  const locals = new Map<string, string>();
  const paths: ArchPath[] = [];
  type St = { conds: ArchCond[]; calls: ArchCall[] };
  // Returns the states that fall through; finished paths go to `paths`.
  const walk = (n: Node, sts: St[]): St[] => {
    if (paths.length + sts.length > MAX_PATHS) throw new Unsupported('paths');
    switch (n.k) {
      case 'seq': {
        let cur = sts;
        for (const it of n.items) {
          if (cur.length === 0) break;
          cur = walk(it, cur);
        }
        return cur;
      }
      case 'if': {
        const t = walk(n.then, sts.map((s) => ({ conds: [...s.conds, { cond: n.cond, taken: true, line: lineOf(bodyStart + n.line) }], calls: s.calls })));
        const fSt = sts.map((s) => ({ conds: [...s.conds, { cond: n.cond, taken: false, line: lineOf(bodyStart + n.line) }], calls: s.calls }));
        const f = n.else ? walk(n.else, fSt) : fSt;
        return [...t, ...f];
      }
      case 'loop':
        return walk(n.body, sts);
      case 'ret': {
        const calls = callsIn(n.value, bodyStart + n.line, lineOf);
        for (const s of sts) paths.push({ conds: s.conds, calls: [...s.calls, ...calls], ret: { value: n.value, line: lineOf(bodyStart + n.line) }, cut: false });
        return [];
      }
      case 'expr': {
        const calls = callsIn(n.text, bodyStart + n.at, lineOf);
        const decl = /^\s*(?:[A-Za-z_][\w\s]*?\s+\**)?([A-Za-z_]\w*)\s*=\s*([\s\S]+)$/.exec(n.text);
        if (decl && !/[=!<>]=|^\s*\w+\s*\(/.test(n.text.split('=')[0]!)) locals.set(decl[1]!, decl[2]!.trim());
        return sts.map((s) => ({ conds: s.conds, calls: [...s.calls, ...calls] }));
      }
      case 'cut':
        for (const s of sts) paths.push({ conds: s.conds, calls: s.calls, cut: true });
        return [];
    }
  };
  try {
    const rest = walk(root, [{ conds: [], calls: [] }]);
    // Falling off the closing brace: the end of the function.
    for (const s of rest) paths.push({ conds: s.conds, calls: s.calls, cut: false });
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
  return { paths, startSeen, locals };
}
