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

/** Rewrite type arguments and `offsetof` member designators (see the module comment). */
export function rewriteTypeArguments(text: string): string {
  if (!/\(/.test(text)) return text;
  const code = blankComments(text);
  let out = text;
  const re = /\b([A-Za-z_]\w*)\s*\(/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(code))) {
    const name = m[1]!;
    if (NOT_A_CALL.has(name)) continue;
    const open = m.index + m[0].length - 1;
    const args = argumentRanges(code, open);
    if (!args) continue;
    args.forEach(([a, b], k) => {
      const raw = code.slice(a, b);
      const lead = raw.length - raw.trimStart().length;
      const arg = raw.trim();
      if (!arg || arg.includes('\n')) return;
      const at = a + lead;
      if (name === 'offsetof' && k === 1) {
        if (/^[A-Za-z_][\w.\[\]\s>-]*$/.test(arg) && /[.\[\]>-]/.test(arg)) out = put(out, at, arg.replace(/\W/g, '_'));
        return;
      }
      if (isTypeArgument(arg)) out = put(out, at, arg.replace(/\W/g, '_'));
    });
  }
  return out;
}
