/**
 * Position-preserving kernel pre-pass: blanks annotations, turns iterator macros into loop heads, and wraps partial
 * hunks into a synthetic, balanced function so tree-sitter sees well-formed C.
 */
import { ITERATOR_PATTERN } from '../kernel-api/catalogue.ts';
import { scanC } from './scan.ts';

/** Annotation keywords blanked with spaces of the same length. */
const WORD_ANNOTATIONS = [
  '__init', '__exit', '__initdata', '__meminit', '__ref', '__must_check', '__always_inline', 'noinline',
  'noinline_for_stack', '__rcu', '__user', '__iomem', '__percpu', '__read_mostly', '__ro_after_init', '__cold',
  '__hot', '__weak', '__maybe_unused', '__always_unused', '__used', '__visible', 'notrace', '__sched', '__kprobes',
  '__cpuinit', '__devinit', '__pure', '__noreturn', '__latent_entropy', '__randomize_layout', '__private',
  '__deprecated', 'asmlinkage', '__nocast', '__bitwise', '__force', '__safe', '__init_or_module', '__flatten',
  '__noinline', '__packed', '__ref', '__nocfi', '__noclone', '__malloc', '__no_sanitize_address', 'inline',
];
/** Annotations with a parenthesised argument, blanked with their balanced parentheses. */
const CALL_ANNOTATIONS = [
  '__releases', '__acquires', '__must_hold', '__attribute__', '__aligned', '__section', '__printf', '__scanf',
  '__alloc_size', '__counted_by', '__cond_acquires', '__cond_releases', '__no_context_analysis',
];

const WORD_RE = new RegExp(`\\b(?:${WORD_ANNOTATIONS.join('|')})\\b`, 'g');
const CALL_RE = new RegExp(`\\b(?:${CALL_ANNOTATIONS.join('|')})\\s*\\(`, 'g');

function blank(s: string): string {
  return s.replace(/[^\n]/g, ' ');
}

/** End offset (exclusive) of the parenthesised group opening at `open`, or -1. */
function matchParen(text: string, open: number): number {
  let d = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '(') d++;
    else if (c === ')' && --d === 0) return i + 1;
  }
  return -1;
}

/** Blank kernel annotations, keeping every character position. */
export function blankAnnotations(text: string): string {
  let out = text.replace(WORD_RE, (m) => blank(m));
  CALL_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  const cuts: Array<[number, number]> = [];
  while ((m = CALL_RE.exec(out))) {
    const open = m.index + m[0].length - 1;
    const end = matchParen(out, open);
    if (end < 0) continue;
    cuts.push([m.index, end]);
    CALL_RE.lastIndex = end;
  }
  for (let k = cuts.length - 1; k >= 0; k--) {
    const [a, b] = cuts[k]!;
    out = out.slice(0, a) + blank(out.slice(a, b)) + out.slice(b);
  }
  return out;
}

/** One column shift introduced on a line by a rewrite (for mapping columns back). */
export interface ColumnShift {
  /** 0-based line. */
  line: number;
  /** Column (in the rewritten text) from which the shift applies. */
  col: number;
  delta: number;
}

/**
 * Rewrite `X_for_each_Y(args)` at statement start into `while(X_for_each_Y(args))` so loops are loops. Line numbers
 * are preserved; column shifts are reported.
 */
export function loopifyIterators(text: string): { text: string; shifts: ColumnShift[] } {
  const re = /\b([a-z0-9_]*for_each[a-z0-9_]*)\s*\(/g;
  const edits: Array<{ at: number; insert: string }> = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const name = m[1]!;
    if (!ITERATOR_PATTERN.test(name)) continue;
    // Statement start: previous significant character is one of ; { } ) : or the word else / start of text.
    let j = m.index - 1;
    while (j >= 0 && /\s/.test(text[j]!)) j--;
    const prevOk = j < 0 || /[;{}):]/.test(text[j]!) || /\belse$/.test(text.slice(Math.max(0, j - 4), j + 1));
    if (!prevOk) continue;
    if (j >= 0 && text[j] === ')') {
      // `if (x) list_for_each(...)` is fine; a cast or call followed by the macro is not a statement start.
      const before = text.slice(0, j + 1);
      if (!/\b(?:if|while|for)\s*\(.*\)$/.test(before.slice(before.lastIndexOf('\n') + 1))) continue;
    }
    const open = m.index + m[0].length - 1;
    const end = matchParen(text, open);
    if (end < 0) continue;
    let k = end;
    while (k < text.length && /[ \t]/.test(text[k]!)) k++;
    if (text[k] === ';') continue; // a call, not a loop head
    edits.push({ at: m.index, insert: 'while(' }, { at: end, insert: ')' });
    re.lastIndex = end;
  }
  if (edits.length === 0) return { text, shifts: [] };
  edits.sort((a, b) => a.at - b.at);
  let out = '';
  let last = 0;
  const shifts: ColumnShift[] = [];
  let line = 0;
  let lineStartOut = 0;
  for (const e of edits) {
    const chunk = text.slice(last, e.at);
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] === '\n') {
        line++;
        lineStartOut = out.length + i + 1;
      }
    }
    out += chunk;
    shifts.push({ line, col: out.length - lineStartOut, delta: e.insert.length });
    out += e.insert;
    last = e.at;
  }
  out += text.slice(last);
  return { text: out, shifts };
}

/** Map a column in rewritten text back to the original column. */
export function unshiftColumn(shifts: readonly ColumnShift[], line: number, col: number): number {
  let c = col;
  for (let i = shifts.length - 1; i >= 0; i--) {
    const s = shifts[i]!;
    if (s.line === line && c > s.col) c = Math.max(s.col, c - s.delta);
  }
  return c;
}

/** Result of wrapping a fragment. */
export interface Wrapped {
  /** Text to parse. Line k+1 of it is line k of the fragment (line 0 is the synthetic header). */
  text: string;
  /** Number of synthetic lines before the fragment's first line. */
  lineOffset: number;
  /** What the balancer had to do (for problems / debugging). */
  notes: string[];
}

/** Condition of a block whose head the fragment does not show (the block may or may not be entered). */
export const CONTEXT_COND = '__mmr_context__';

/** Condition of a loop whose head the fragment does not show (its body's `break`/`continue` are visible). */
export const LOOP_COND = '__mmr_loop__';

/**
 * Does a region closed by an unmatched `}` break out of / continue a loop the fragment does not show? True when
 * it has a `break;` or `continue;` and no loop or switch of its own that could be their target: then the `}` is
 * the end of that loop's body, and what follows it runs after the loop.
 */
function exitsUnseenLoop(region: string): boolean {
  const code = region.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/gm, ' ');
  if (!/\b(?:break|continue)\s*;/.test(code)) return false;
  return !/\b(?:for|while|switch)\s*\(|\bdo\s*\{|_for_each\w*\s*\(/.test(code);
}

/** Identifier used for synthetic wrapper functions. */
export const SYNTHETIC_NAME = '__mmr_fragment__';

/**
 * Wrap a fragment of a function body (a hunk's lines) in a synthetic function, balancing what the hunk cut:
 * a leading comment tail, unmatched `}` / `} while (...)` / `} else`, a function-header tail, unclosed openers.
 */
export function wrapFragment(fragment: string): Wrapped {
  const notes: string[] = [];
  const sc = scanC(fragment);
  const openers: string[] = [];
  const stack: Array<{ ch: string; at: number }> = [];
  let headerTail = false;
  let sawBrace = false;
  let regionStart = 0;
  for (const p of sc.puncts) {
    if (p.ch === '(' || p.ch === '[' || p.ch === '{') {
      stack.push({ ch: p.ch, at: p.at });
      if (p.ch === '{') sawBrace = true;
    } else if (p.ch === ')' || p.ch === ']' || p.ch === '}') {
      const want = p.ch === ')' ? '(' : p.ch === ']' ? '[' : '{';
      if (stack.length && stack[stack.length - 1]!.ch === want) {
        stack.pop();
        continue;
      }
      if (stack.length === 0 && want === '(' && !sawBrace && openers.length === 0) {
        headerTail = true;
        openers.push('(');
        continue;
      }
      if (stack.length === 0 && want === '{') {
        const after = fragment.slice(p.at + 1).trimStart();
        const hasCase = /(?:^|[;{}:]\s*)(?:case\b[^:]*|default\s*):/.test(fragment.slice(regionStart, p.at));
        const regionStart0 = regionStart;
        regionStart = p.at + 1;
        if (/^while\b/.test(after)) openers.push('do {');
        else if (/^else\b/.test(after)) openers.push('if (1) {');
        else if (hasCase) openers.push('switch (0) {');
        else if (exitsUnseenLoop(fragment.slice(regionStart0, p.at))) openers.push(`while (${LOOP_COND}) {`);
        else openers.push(`if (${CONTEXT_COND}) {`);
        notes.push(`unmatched '}' at offset ${p.at}`);
      }
      // Mismatched bracket kinds inside: ignore (tree-sitter recovers).
    }
  }
  const prefixParts: string[] = [];
  if (headerTail) {
    prefixParts.push(`void ${SYNTHETIC_NAME}(`);
    notes.push('fragment starts inside a function header');
    if (openers.length > 1) notes.push('unmatched closers after a header tail are ignored');
  } else {
    prefixParts.push(`void ${SYNTHETIC_NAME}(void) {`);
    const hasTopCase = openers.length === 0 && /(?:^|[;{}]\s*)case\b[^:]*:/.test(fragment) && !/\bswitch\s*\(/.test(fragment);
    if (hasTopCase) {
      prefixParts.push('switch (0) {');
      stack.unshift({ ch: '{', at: -1 });
      notes.push('fragment starts inside a switch');
    }
    for (let i = openers.length - 1; i >= 0; i--) prefixParts.push(openers[i]!);
  }
  if (sc.startsInComment) {
    prefixParts.push('/*');
    notes.push('fragment starts inside a comment');
  }
  const closers: string[] = [];
  if (sc.endsInComment) closers.push('*/');
  for (let i = stack.length - 1; i >= 0; i--) {
    const s = stack[i]!;
    if (s.ch === '(') closers.push(')');
    else if (s.ch === '[') closers.push(']');
    else {
      const before = s.at >= 0 ? fragment.slice(Math.max(0, s.at - 40), s.at) : '';
      closers.push(';', /\bdo\s*$/.test(before) ? '} while (0);' : '}');
    }
  }
  if (stack.length) notes.push(`${stack.length} unclosed opener(s)`);
  if (!headerTail) closers.push(';', '}');
  else if (!sawBrace) closers.push('{', '}');
  const text = `${prefixParts.join(' ')}\n${fragment}\n${closers.join(' ')}\n`;
  return { text, lineOffset: 1, notes };
}

/** Full pre-pass of a function text or file: annotations + iterator loops. */
export function prepass(text: string): { text: string; shifts: ColumnShift[] } {
  return loopifyIterators(blankAnnotations(text));
}

/** Close what a cut-off function definition left open (the text starts with the header): no prefix needed. */
export function closeFragment(text: string): string {
  const sc = scanC(text);
  const stack: string[] = [];
  for (const p of sc.puncts) {
    if (p.ch === '(' || p.ch === '[' || p.ch === '{') stack.push(p.ch);
    else if (p.ch === ')' || p.ch === ']' || p.ch === '}') {
      const want = p.ch === ')' ? '(' : p.ch === ']' ? '[' : '{';
      if (stack[stack.length - 1] === want) stack.pop();
    }
  }
  const closers: string[] = [];
  if (sc.endsInComment) closers.push('*/');
  for (let i = stack.length - 1; i >= 0; i--) {
    const c = stack[i]!;
    closers.push(c === '(' ? ')' : c === '[' ? ']' : '; }');
  }
  return closers.length ? `${text}\n${closers.join(' ')}\n` : text;
}
