/**
 * Position-preserving kernel pre-pass: blanks annotations, turns iterator macros into loop heads, and wraps partial
 * hunks into a synthetic, balanced function so tree-sitter sees well-formed C.
 */
import type { ContextAnnotation } from '../core/events.ts';
import { ITERATOR_PATTERN } from '../kernel-api/catalogue.ts';
import { blankComments } from './blank-comments.ts';
import { scanC } from './scan.ts';
import { rewriteTypeArguments } from './type-args.ts';
import { closingParen } from './parens.ts';

/**
 * Annotation keywords blanked with spaces of the same length: section placement, inlining, sparse address spaces and
 * checker attributes (include/linux/compiler_types.h, compiler_attributes.h, init.h, cache.h).
 */
const WORD_ANNOTATIONS = [
  '__init', '__exit', '__initdata', '__initconst', '__exitdata', '__meminit', '__meminitdata', '__init_memblock',
  '__ref', '__refdata', '__must_check', '__always_inline', 'noinline', 'noinline_for_stack', '__rcu', '__user',
  '__kernel', '__iomem', '__percpu', '__read_mostly', '__ro_after_init', '__cold', '__hot', '__weak',
  '__maybe_unused', '__always_unused', '__used', '__visible', 'notrace', '__sched', '__kprobes', '__cpuinit',
  '__devinit', '__pure', '__noreturn', '__latent_entropy', '__randomize_layout', '__no_randomize_layout',
  '__private', '__deprecated', 'asmlinkage', '__nocast', '__bitwise', '__force', '__safe', '__init_or_module',
  '__flatten', '__noinline', '__packed', '__nocfi', '__noclone', '__malloc', '__no_sanitize_address',
  '__no_kcsan', '__no_sanitize_thread', '__no_sanitize_memory', '__no_stack_protector', '__noscs', 'noinstr',
  '__noinstr', '__cpuidle', '__lockfunc', '__attribute_const__', '__fastpath_inline', '__nonstring',
  '__always_used', '__net_init', '__net_exit', '__irq_entry', '__softirq_entry',
  '__exception_irq_entry', '__nostackprotector', 'inline', '__inline', '__inline__', '__signed__', '__volatile__',
];
/** Annotations with a parenthesised argument, blanked with their balanced parentheses. */
const CALL_ANNOTATIONS = [
  '__releases', '__acquires', '__must_hold', '__attribute__', '__aligned', '__section', '__printf', '__scanf',
  '__alloc_size', '__counted_by', '__cond_acquires', '__cond_releases', '__no_context_analysis',
  '__releases_shared', '__acquires_shared', '__must_hold_shared', '__cond_acquires_shared', '__cond_releases_shared',
  '__guarded_by', '__pt_guarded_by', '__free', '__cleanup', '__designated_init', '__assume_aligned',
  '__diagnose_as', '__realloc_size', '__nonnull', '__counted_by_ptr',
];

/** Context annotations kept on the FunctionImage (sparse / context analysis: who holds what on entry and exit). */
const CONTEXT_ANNOTATIONS = /\b(__(?:cond_)?(?:acquires|releases)(?:_shared)?|__must_hold(?:_shared)?)\s*\(/g;


/**
 * Context annotations in `header` (the function text before its body): each `__acquires(x)`, `__releases(x)`,
 * `__must_hold(x)`, `__cond_acquires(x)` / `__cond_releases(x)` and their `_shared` forms, in order.
 */
export function contextAnnotations(header: string): ContextAnnotation[] {
  const out: ContextAnnotation[] = [];
  const code = header.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
  CONTEXT_ANNOTATIONS.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CONTEXT_ANNOTATIONS.exec(code))) {
    const open = m.index + m[0].length - 1;
    const end = matchParen(code, open);
    if (end < 0) break;
    const word = m[1]!;
    const kind: ContextAnnotation['kind'] = word.startsWith('__must_hold')
      ? 'must-hold'
      : word.startsWith('__cond_')
        ? word.includes('acquires') ? 'cond-acquires' : 'cond-releases'
        : word.includes('acquires') ? 'acquires' : 'releases';
    const expr = code.slice(open + 1, end - 1).replace(/\s+/g, ' ').trim();
    out.push({ kind, expr, ...(word.endsWith('_shared') ? { shared: true } : {}) });
    CONTEXT_ANNOTATIONS.lastIndex = end;
  }
  return out;
}

const WORD_RE = new RegExp(`\\b(?:${WORD_ANNOTATIONS.join('|')})\\b`, 'g');
const CALL_RE = new RegExp(`\\b(?:${CALL_ANNOTATIONS.join('|')})\\s*\\(`, 'g');

function blank(s: string): string {
  return s.replace(/[^\n]/g, ' ');
}

/** End offset (exclusive) of the parenthesised group opening at `open`, or -1. */
/** The index just past the `)` that closes the `(` at `open`, or -1. */
function matchParen(text: string, open: number): number {
  const close = closingParen(text, open);
  return close < 0 ? -1 : close + 1;
}

/** Words that cannot be the type before a declarator: keywords, storage classes, qualifiers, tag keywords. */
const NOT_A_TYPE: ReadonlySet<string> = new Set([
  'return', 'else', 'case', 'goto', 'do', 'sizeof', 'typeof', '__typeof__', 'struct', 'union', 'enum', 'static',
  'extern', 'const', 'volatile', 'register', 'auto', 'typedef', 'if', 'while', 'for', 'switch', 'default', 'break',
  'continue', 'restrict', '__restrict', 'defined', 'define', 'undef', 'ifdef', 'ifndef', 'elif', 'pragma',
]);

/**
 * An unknown attribute-like word in a declaration: a bare `__word` between a type and a declarator name followed by
 * `(` (`void __hyp_text f(void)`, `static int __foo_section g(...)`) is an annotation (C has no other reading of
 * `T word name(`). The type before it must be an identifier that can name a type (not a keyword, storage class,
 * qualifier or `struct` tag keyword), so a type spelled `__u64` after `static` stays. Blanked in place.
 */
function blankUnknownDeclAttributes(text: string): string {
  const re = /\b([A-Za-z_]\w*)([ \t*]+)(__[a-z][a-z0-9_]*)(?=\s+\**\s*[A-Za-z_]\w*\s*\()/g;
  const out = text.replace(re, (m, type: string, gap: string, word: string) => (NOT_A_TYPE.has(type) ? m : type + gap + blank(word)));
  // An upper-case macro before the type of a definition at line start (`STATIC_NOPV void f(...)`): `W T name(` has
  // no other reading either; the type and the name stay.
  return out.replace(/^([ \t]*(?:(?:static|extern|inline)[ \t]+)*)([A-Z][A-Z0-9_]*)(?=[ \t]+(?:const[ \t]+)?(?:(?:struct|union|enum)[ \t]+)?[A-Za-z_]\w*[ \t*]+[A-Za-z_]\w*[ \t]*\()/gm, (_m, lead: string, word: string) => lead + blank(word));
}

/** Blank kernel annotations, keeping every character position. */
export function blankAnnotations(text: string): string {
  let out = blankUnknownDeclAttributes(text.replace(WORD_RE, (m) => blank(m)));
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

/** Same-length replacement of [a, b) (the replacement is padded with spaces; newlines in the range are kept). */
function overwrite(text: string, a: number, b: number, by: string): string {
  const seg = text.slice(a, b);
  if (seg.includes('\n') || by.length > seg.length) return text;
  return text.slice(0, a) + by.padEnd(seg.length, ' ') + text.slice(b);
}

/**
 * Kernel constructs tree-sitter's C grammar does not know, rewritten in place (every line and column kept):
 * - `static DEFINE_RATELIMIT_STATE(rs, ...)` inside a body: the storage class before a declaring macro is blanked
 *   (the macro then reads as a statement);
 * - `case A ... B:` ranges (GNU): the `... B` part is blanked;
 * - `SYSCALL_DEFINEn(name, T1, a1, ...)` / `COMPAT_SYSCALL_DEFINEn`: rewritten to `long name(T1 a1, ...)`.
 */
export function rewriteKernelConstructs(text: string): string {
  let out = text.replace(/(?<=^[ \t]+)(?:static|extern)(?=\s+(?:const\s+)?[A-Z][A-Z0-9_]*\s*\()/gm, (m) => blank(m));
  // A type as a macro argument (`container_of(p, struct page, lru)`, `alloc_percpu(struct x)`): the tag keyword is
  // blanked so the argument reads as an identifier.
  out = out.replace(/(?:(?<=\w\s*\(\s*)|(?<=,\s*))(?:struct|union|enum)(?=\s+[A-Za-z_]\w*\s*[,)])/g, (m) => blank(m));
  out = out.replace(/\bcase\b([^:;\n?]*?)(\s\.\.\.\s[^:;\n?]*?)(?=\s*:)/g, (m, _a: string, range: string) => m.slice(0, m.length - range.length) + blank(range));
  let m: RegExpExecArray | null;
  const sys = /\b(?:COMPAT_)?SYSCALL_DEFINE\d\s*\(\s*(\w+)\s*,?/g;
  const edits: Array<{ a: number; b: number; by: string }> = [];
  while ((m = sys.exec(out))) {
    const open = out.indexOf('(', m.index);
    const end = matchParen(out, open);
    if (end < 0) break;
    const nameAt = out.indexOf(m[1]!, open);
    // `SYSCALL_DEFINE3(` → `long`, the name stays, the comma after it becomes `(`, commas between a type and its
    // parameter name become spaces.
    const afterName = nameAt + m[1]!.length;
    const comma = out.indexOf(',', afterName);
    if (comma < 0 || comma > end) {
      // SYSCALL_DEFINE0(name): the whole head fits `long name(void)`.
      edits.push({ a: m.index, b: end, by: `long ${m[1]}(void)` });
      sys.lastIndex = end;
      continue;
    }
    edits.push({ a: m.index, b: open + 1, by: 'long' }, { a: comma, b: comma + 1, by: '(' });
    let k = 0;
    let depth = 0;
    for (let i = comma + 1; i < end - 1; i++) {
      const c = out[i];
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === ',' && depth === 0) {
        if (k % 2 === 0) edits.push({ a: i, b: i + 1, by: ' ' });
        k++;
      }
    }
    sys.lastIndex = end;
  }
  for (const e of edits.sort((x, y) => y.a - x.a)) out = overwrite(out, e.a, e.b, e.by);
  // Other types as macro arguments (`min_t(unsigned long, a, b)`, `alloc_percpu(void *)`), `offsetof(T, a.b)`;
  // after the SYSCALL_DEFINE rewrite, whose `T, a` pairs become named parameters.
  out = rewriteTypeArguments(out);
  return resolveConditionals(out);
}

const DIRECTIVE = /^\s*#\s*(if|ifdef|ifndef|elif|elifdef|elifndef|else|endif)\b(.*)$/;

/** Net brace / parenthesis balance of C text (outside comments and strings); `ok` when it never goes negative. */
function balance(text: string): { braces: number; parens: number; ok: boolean } {
  let braces = 0;
  let parens = 0;
  let ok = true;
  for (const p of scanC(text).puncts) {
    if (p.ch === '{') braces++;
    else if (p.ch === '}') braces--;
    else if (p.ch === '(') parens++;
    else if (p.ch === ')') parens--;
    if (braces < 0 || parens < 0) ok = false;
  }
  return { braces, parens, ok };
}

/** Last significant character of C text (comments and preprocessor lines skipped), or '' when none. */
function lastSignificant(text: string): string {
  const code = text
    .replace(/\/\*[\s\S]*?(?:\*\/|$)/g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .trimEnd();
  return code ? code[code.length - 1]! : '';
}

/**
 * Preprocessor conditionals inside the text: a group whose arms are each balanced statements (or declarations /
 * definitions) stays for the parser (the CFG explores every arm); a group that splits a statement, a block or an
 * expression across its arms, and a group the text shows only part of (its `#if` above the hunk or its `#endif`
 * below), keeps its first visible arm (`#if 0`: its `#else` arm): the other arms and the directive lines are blanked.
 * Lines and columns are kept.
 */
export function resolveConditionals(text: string): string {
  if (!/^\s*#\s*(?:if|ifdef|ifndef|elif|else|endif)\b/m.test(text)) return text;
  const lines = text.split('\n');
  const pre = scanC(text).preproc;
  interface Group {
    /** Directive line ranges [first, last] (with continuations); the first is the `#if` when seen. */
    directives: Array<[number, number]>;
    /** Arm line ranges [from, to) (text between directives); arm 0 starts at line 0 when the `#if` is unseen. */
    arms: Array<[number, number]>;
    ifSeen: boolean;
    zero: boolean;
  }
  const stack: Group[] = [];
  const blankLines = (a: number, b: number): void => {
    for (let i = a; i < b && i < lines.length; i++) lines[i] = blank(lines[i]!);
  };
  const finish = (g: Group, endSeen: boolean): void => {
    const armText = (k: number): string => lines.slice(g.arms[k]![0], g.arms[k]![1]).join('\n');
    let keep: number | 'all' = 0;
    if (g.zero) keep = g.arms.length > 1 ? 1 : -1;
    else if (g.ifSeen && endSeen) {
      const first = g.directives[0]![0];
      const before = lastSignificant(lines.slice(Math.max(0, first - 40), first).join('\n'));
      const atBoundary = before === '' || /[;{}:]/.test(before);
      const clean = g.arms.every((_, k) => {
        const t = armText(k);
        const b = balance(t);
        const last = lastSignificant(t);
        // An arm that continues an `if` (`else ...`) cannot stand alone either.
        const first = t.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ').trimStart();
        return b.ok && b.braces === 0 && b.parens === 0 && (last === '' || last === ';' || last === '}') && !/^else\b/.test(first);
      });
      if (atBoundary && clean) keep = 'all';
    }
    if (keep === 'all') return;
    for (const [a, b] of g.directives) blankLines(a, b + 1);
    g.arms.forEach(([a, b], k) => {
      if (k !== keep) blankLines(a, b);
    });
  };
  for (let i = 0; i < lines.length; i++) {
    const d = pre[i] ? DIRECTIVE.exec(lines[i]!) : null;
    if (!d) continue;
    let last = i;
    while (/\\\s*$/.test(lines[last]!) && last + 1 < lines.length) last++;
    const kind = d[1]!;
    if (kind.startsWith('if')) {
      stack.push({ directives: [[i, last]], arms: [[last + 1, lines.length]], ifSeen: true, zero: kind === 'if' && /^\s*0\s*(?:\/[/*].*)?$/.test(d[2]!) });
    } else {
      let g = stack[stack.length - 1];
      if (!g) {
        g = { directives: [], arms: [[0, lines.length]], ifSeen: false, zero: false };
        stack.push(g);
      }
      g.arms[g.arms.length - 1]![1] = i;
      g.directives.push([i, last]);
      if (kind === 'endif') {
        stack.pop();
        finish(g, true);
      } else g.arms.push([last + 1, lines.length]);
    }
    i = last;
  }
  while (stack.length) finish(stack.pop()!, false);
  return lines.join('\n');
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
  const re = /\b([a-z_][a-z0-9_]*)\s*\(/g;
  const edits: Array<{ at: number; insert: string }> = [];
  // Comments blanked (same offsets): a comment between the previous statement and the macro, or inside its head,
  // is no part of the statement-start test, and a macro name inside a comment is not rewritten.
  const code = blankComments(text);
  let m: RegExpExecArray | null;
  while ((m = re.exec(code))) {
    const name = m[1]!;
    // Iterator macros by name (`*for_each*`, `*foreach*`); any other lowercase macro call at statement start whose
    // argument list is followed by `{` on the same line is a loop-like block macro too (C has no other reading).
    // `scoped_guard(...)` / `scoped_cond_guard(...)` heads become `if(...)`: the CFG runs the body once under the guard.
    const scoped = name === 'scoped_guard' || name === 'scoped_cond_guard';
    const named = scoped || ITERATOR_PATTERN.test(name) || /(?:^|_)for_?each(?:_|$)/.test(name);
    if (!named && (STATEMENT_WORDS.has(name) || code[m.index + m[0].length - 1] !== '(')) continue;
    // Statement start: previous significant character is one of ; { } ) : or the word else / start of text.
    let j = m.index - 1;
    while (j >= 0 && /\s/.test(code[j]!)) j--;
    const prevOk = j < 0 || /[;{}):]/.test(code[j]!) || /\belse$/.test(code.slice(Math.max(0, j - 4), j + 1));
    if (!prevOk) continue;
    if (j >= 0 && code[j] === ')') {
      // `if (x) list_for_each(...)` is fine; a cast or call followed by the macro is not a statement start.
      const before = code.slice(0, j + 1);
      if (!/\b(?:if|while|for)\s*\(.*\)$/.test(before.slice(before.lastIndexOf('\n') + 1))) continue;
    }
    const open = m.index + m[0].length - 1;
    const end = matchParen(code, open);
    if (end < 0) continue;
    let k = end;
    while (k < code.length && /[ \t]/.test(code[k]!)) k++;
    if (code[k] === ';') continue; // a call, not a loop head
    if (!named && code[k] !== '{') continue;
    edits.push({ at: m.index, insert: scoped ? 'if(' : 'while(' }, { at: end, insert: ')' });
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

/** Words that are never block macros. */
const STATEMENT_WORDS: ReadonlySet<string> = new Set([
  'if', 'while', 'for', 'switch', 'return', 'sizeof', 'do', 'else', 'case', 'goto', 'typeof', '__typeof__', 'defined',
  '__attribute__', 'asm', '__asm__', '_Generic', 'alignof', '_Alignof', '__builtin_expect',
]);

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


/**
 * The synthetic opener for an unmatched `}` at `at` (the block's head is above the visible text), from what follows
 * the brace and what the region closed by it (from `regionStart`) holds: `do {` before `while`, `if (1) {` before
 * `else`, `switch (0) {` after `case` labels, `while (__mmr_loop__) {` when the region leaves an unseen loop with
 * `break`/`continue`, `(void)(struct __mmr_init__){` when the brace ends an initialiser (`};` / `},`), else
 * `if (__mmr_context__) {`.
 */
export function openerFor(text: string, at: number, regionStart: number): string {
  const after = text.slice(at + 1).replace(/^(?:\s|\/\*[\s\S]*?\*\/)*/, '');
  const region = text.slice(regionStart, at);
  if (/^while\b/.test(after)) return 'do {';
  if (/^else\b/.test(after)) return 'if (1) {';
  if (/(?:^|[;{}:]\s*)(?:case\b[^:]*|default\s*):/.test(region)) return 'switch (0) {';
  if (exitsUnseenLoop(region)) return `while (${LOOP_COND}) {`;
  if (/^[;,]/.test(after) && !/;\s*$/.test(region.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '').trimEnd()) && /(?:^\s*|[,{]\s*)\.\w+\s*=|^\s*\[[^\]]+\]\s*=/m.test(region)) {
    return '(void)(struct __mmr_init__){';
  }
  return `if (${CONTEXT_COND}) {`;
}

/**
 * How a text starts before its first statement boundary: with `n` closing parentheses whose openers are above it.
 * `header` when they end a function header (`)` then `{` on a later line, or nothing), `control` when they end an
 * `if`/loop head (`) {` on the same line; `unbraced` when a statement starts on a later line instead: `... == 0)`
 * then `return -EINVAL;` — no expression goes on with a word after its closing parenthesis and a line break),
 * `statement` when they end an expression (`);`, `),`, `) &&` ...).
 */
export function leadingTail(text: string): { n: number; kind: 'header' | 'control' | 'statement'; unbraced?: true } | undefined {
  const sc = scanC(text);
  let depth = 0;
  let n = 0;
  let lastClose = -1;
  for (const p of sc.puncts) {
    if (p.ch === '(' || p.ch === '[') depth++;
    else if (p.ch === ')' || p.ch === ']') {
      if (depth === 0) {
        if (p.ch === ']') return undefined;
        n++;
        lastClose = p.at;
      } else depth--;
    } else if (depth === 0 && (p.ch === ';' || p.ch === '{' || p.ch === '}')) break;
  }
  if (n === 0) return undefined;
  const rest = text.slice(lastClose + 1);
  const next = /^(?:\s|\/\*[\s\S]*?\*\/|\/\/[^\n]*)*/.exec(rest)![0];
  const c = rest[next.length];
  if (c === undefined) return { n, kind: 'header' };
  if (c === '{') return { n, kind: next.includes('\n') ? 'header' : 'control' };
  if (next.includes('\n') && /[A-Za-z_]/.test(c)) return { n, kind: 'control', unbraced: true };
  return { n, kind: 'statement' };
}

/**
 * What completes a text cut in the middle of a statement: `0` after a dangling operator or comma (`f(a,` → `f(a, 0`),
 * nothing after an operand. Comments and preprocessor lines are skipped.
 */
export function operandFill(text: string): string {
  const code = text
    .replace(/\/\*[\s\S]*?(?:\*\/|$)/g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .split('\n')
    .filter((l) => !/^\s*#/.test(l) && !/\\\s*$/.test(l))
    .join('\n')
    .trimEnd();
  if (/(?:\+\+|--|->)$/.test(code)) return /->$/.test(code) ? '__mmr_field__' : '';
  return /[,=+\-*/%&|^<>!?~]$/.test(code) ? '0' : '';
}

/**
 * The invented `if` for a fragment that starts inside an `if` statement whose head is above it (comments and
 * preprocessor lines skipped): `if (__mmr_context__) ;` when the first statement is `else` / `else if (...)` (the
 * arms above are unseen), `if (__mmr_context__)` when it is one plain statement followed by `else` (the tail of an
 * unbraced arm: `kfree(p);` then `else ...`). Both branches are paths; the invented condition keeps the image
 * incomplete. Undefined otherwise.
 */
export function elseOpener(fragment: string): string | undefined {
  const code = blankComments(fragment)
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n');
  if (/^\s*else\b/.test(code)) return `if (${CONTEXT_COND}) ;`;
  const m = /^\s*([^;{}]*);\s*else\b/.exec(code);
  if (m && !/^(?:if|for|while|switch|do|else|case|default)\b/.test(m[1]!) && !/^\w+\s*:(?!:)/.test(m[1]!)) return `if (${CONTEXT_COND})`;
  return undefined;
}

/** Identifier used for synthetic wrapper functions. */
export const SYNTHETIC_NAME = '__mmr_fragment__';

/**
 * Wrap a fragment of a function body (a hunk's lines) in a synthetic function, balancing what the hunk cut:
 * a leading comment tail, a leading statement tail (`... b);` whose opening parenthesis is above the hunk),
 * unmatched `}` / `} while (...)` / `} else`, a function-header tail, unclosed openers, a dangling operator at the
 * end.
 */
export function wrapFragment(fragment: string): Wrapped {
  const notes: string[] = [];
  const sc = scanC(fragment);
  const openers: string[] = [];
  const stack: Array<{ ch: string; at: number }> = [];
  let headerTail = false;
  let sawBrace = false;
  let regionStart = 0;
  const tail = leadingTail(fragment);
  let tailPrefix = '';
  if (tail && tail.kind !== 'header') {
    // A statement or block head cut by the hunk: open its parentheses synthetically.
    for (let i = 0; i < tail.n; i++) stack.push({ ch: '(', at: -1 });
    // A braced head whose body leaves an unseen loop is that loop; an unbraced head's one statement is an `if` arm.
    const head = !tail.unbraced && exitsUnseenLoop(fragment) ? 'while' : 'if';
    tailPrefix = tail.kind === 'control' ? `${head} ${'('.repeat(tail.n)}` : '('.repeat(tail.n);
    notes.push(`fragment starts inside a ${tail.kind === 'control' ? 'block head' : 'statement'}`);
  }
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
        openers.push(openerFor(fragment, p.at, regionStart));
        regionStart = p.at + 1;
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
    if (tailPrefix) prefixParts.push(tailPrefix);
    else {
      const opener = elseOpener(fragment);
      if (opener) {
        prefixParts.push(opener);
        notes.push('fragment starts in an if whose head is unseen');
      }
    }
  }
  if (sc.startsInComment) {
    prefixParts.push('/*');
    notes.push('fragment starts inside a comment');
  }
  const closers: string[] = [];
  if (sc.endsInComment) closers.push('*/');
  const fill = stack.length > 0 && stack[stack.length - 1]!.ch !== '{' ? operandFill(fragment) : '';
  if (fill) {
    closers.push(fill);
    notes.push('fragment ends inside an expression');
  }
  for (let i = stack.length - 1; i >= 0; i--) {
    const s = stack[i]!;
    if (s.ch === '(') closers.push(')');
    else if (s.ch === '[') closers.push(']');
    else {
      const before = s.at >= 0 ? fragment.slice(Math.max(0, s.at - 40), s.at) : '';
      // An initialiser's brace (after `=`, `,`, `(` or another initialiser brace) closes without a statement end.
      if (/[=,({]\s*$/.test(before)) closers.push('}');
      else closers.push(';', /\bdo\s*$/.test(before) ? '} while (0);' : '}');
    }
  }
  if (stack.length) notes.push(`${stack.length} unclosed opener(s)`);
  if (!headerTail) closers.push(';', '}');
  else if (!sawBrace) closers.push('{', '}');
  const text = `${prefixParts.join(' ')}\n${fragment}\n${closers.join(' ')}\n`;
  return { text, lineOffset: 1, notes };
}

/** Full pre-pass of a function text or file: annotations, kernel constructs, preprocessor groups, iterator loops. */
export function prepass(text: string): { text: string; shifts: ColumnShift[] } {
  return loopifyIterators(rewriteKernelConstructs(blankAnnotations(text)));
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
