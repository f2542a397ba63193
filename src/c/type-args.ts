/**
 * Types as macro arguments, rewritten in place into one identifier so the argument parses as an expression
 * (every line and column kept): `min_t(unsigned long, a, b)`, `clamp_t(unsigned int, v, lo, hi)`,
 * `alloc_percpu(void *)`, `va_arg(ap, unsigned int)`, `kmalloc_array(n, sizeof(u64), gfp)` stays as it is.
 * An argument is a type when it cannot be an expression: two or more type keywords (`unsigned long`,
 * `const char`, `struct x` after a keyword ...), or words followed by trailing `*` with nothing after them
 * (`void *`, `struct page *`, `u64 *`). Its non-word characters become `_` (`unsigned long` → `unsigned_long`).
 * A named parameter (`unsigned long addr`) is never matched: its last word is no type keyword.
 * `offsetof(T, a.b)` / `offsetof(T, a[1])`: the member designator becomes one identifier (`a_b`), since the
 * parser reads `offsetof` as a construct whose member is a single field name.
 */
import { blankComments } from './blank-comments.ts';

const TYPE_KEYWORDS = new Set([
  'const', 'volatile', 'signed', 'unsigned', 'short', 'long', 'int', 'char', 'void', 'bool', '_Bool', 'float',
  'double', 'struct', 'union', 'enum', '__signed__',
]);

/** Words before `(` that open no macro argument list. */
const NOT_A_CALL = new Set(['if', 'while', 'for', 'switch', 'return', 'sizeof', 'typeof', '__typeof__', '_Alignof', '__alignof__', 'defined']);

/** Is this (trimmed, single-line) argument text a type name that cannot be read as an expression? */
export function isTypeArgument(arg: string): boolean {
  const m = /^((?:[A-Za-z_]\w*\s+)*[A-Za-z_]\w*)\s*(\**)$/.exec(arg);
  if (!m) return false;
  const words = m[1]!.split(/\s+/);
  if (words.some((w) => NOT_A_CALL.has(w))) return false;
  if (m[2]) return true;
  if (words.length < 2) return false;
  // Every word a type keyword, except the tag after struct/union/enum.
  return words.every((w, i) => TYPE_KEYWORDS.has(w) || /^(?:struct|union|enum)$/.test(words[i - 1] ?? ''));
}

/** Top-level argument ranges [from, to) of the argument list opening at `open` in `code`, or undefined. */
function argumentRanges(code: string, open: number): Array<[number, number]> | undefined {
  const out: Array<[number, number]> = [];
  let depth = 0;
  let start = open + 1;
  const end = Math.min(code.length, open + 4000);
  for (let i = open; i < end; i++) {
    const c = code[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        out.push([start, i]);
        return out;
      }
    } else if (c === ',' && depth === 1) {
      out.push([start, i]);
      start = i + 1;
    } else if (c === ';') return undefined;
  }
  return undefined;
}

/** Replace [a, b) of `text` by `by` (same length). */
function put(text: string, a: number, by: string): string {
  return text.slice(0, a) + by + text.slice(a + by.length);
}

/** A type-shaped argument between `(` or `,` and `,` or `)` (checked further by isTypeArgument). */
const CANDIDATE = /([(,])(\s*)((?:[A-Za-z_]\w*[ \t]+)*[A-Za-z_]\w*[ \t]*\**)[ \t]*(?=[,)])/g;

/** Rewrite type arguments and `offsetof` member designators (see the module comment). */
export function rewriteTypeArguments(text: string): string {
  if (!/[A-Za-z_]\w*[ \t]*(?:[ \t][A-Za-z_]|\*)/.test(text)) return text;
  const code = blankComments(text);
  let out = text;
  CANDIDATE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CANDIDATE.exec(code))) {
    const arg = m[3]!.trimEnd();
    const at = m.index + 1 + m[2]!.length;
    // Let the closing `,` / `)` start the next candidate.
    CANDIDATE.lastIndex = at + m[3]!.length;
    if (!isTypeArgument(arg)) continue;
    if (m[1] === '(') {
      // A macro's argument list, not a cast or a grouping: a word (no keyword) right before the parenthesis.
      const w = /([A-Za-z_]\w*)\s*$/.exec(code.slice(Math.max(0, m.index - 64), m.index));
      if (!w || NOT_A_CALL.has(w[1]!)) continue;
    }
    out = put(out, at, arg.replace(/\W/g, '_'));
  }
  const off = /\boffsetof\s*\(/g;
  while ((m = off.exec(code))) {
    const args = argumentRanges(code, m.index + m[0].length - 1);
    const member = args?.[1];
    if (!member) continue;
    const raw = code.slice(member[0], member[1]);
    const arg = raw.trim();
    const at = member[0] + raw.length - raw.trimStart().length;
    if (arg && !arg.includes('\n') && /^[A-Za-z_][\w.\[\]\s>-]*$/.test(arg) && /[.\[\]>-]/.test(arg)) {
      out = put(out, at, arg.replace(/\W/g, '_'));
    }
  }
  return out;
}
