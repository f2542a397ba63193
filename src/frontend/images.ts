/**
 * Hunk → pre-image (context + deleted) and post-image (context + added) line lists, each line keeping its file line,
 * diff kind and input line.
 */
import type { DiffLine, Hunk } from '../core/patch.ts';
import { callArgs } from '../c/call-args.ts';
import { closingParen } from '../c/parens.ts';

/** One line of a reconstructed image. */
export interface ImageLine {
  text: string;
  fileLine?: number;
  diff?: 'add' | 'del' | 'ctx';
  inputLine?: number;
}

/** Which image of a function. */
export type Side = 'pre' | 'post';

function toImage(l: DiffLine): ImageLine {
  const out: ImageLine = { text: l.text, diff: l.type };
  if (l.inputLine !== undefined) out.inputLine = l.inputLine;
  return out;
}

/** The lines of one side of a hunk (pre: ctx + del with old line numbers; post: ctx + add with new ones). */
export function hunkImage(h: Hunk, side: Side): ImageLine[] {
  const out: ImageLine[] = [];
  let oldNo = h.oldStart;
  let newNo = h.newStart;
  for (const l of h.lines) {
    if (l.type === 'ctx') {
      const im = toImage(l);
      im.fileLine = side === 'pre' ? (l.oldLine ?? oldNo) : (l.newLine ?? newNo);
      out.push(im);
      oldNo++;
      newNo++;
    } else if (l.type === 'del') {
      if (side === 'pre') {
        const im = toImage(l);
        im.fileLine = l.oldLine ?? oldNo;
        out.push(im);
      }
      oldNo++;
    } else {
      if (side === 'post') {
        const im = toImage(l);
        im.fileLine = l.newLine ?? newNo;
        out.push(im);
      }
      newNo++;
    }
  }
  return out;
}

/** The function name a hunk header (`@@ ... @@ static int foo(struct x *y)`) names, if any. */
export function headerFunctionName(header: string): string | undefined {
  // A declaration (`static DECLARE_WAIT_QUEUE_HEAD(q);`, `extern int f(int);`) names no enclosing function.
  if (/;\s*$/.test(header)) return undefined;
  // `SYSCALL_DEFINE3(mprotect, ...)` defines the syscall's function (the pre-pass reads it as `mprotect`).
  const sys = /\b(?:COMPAT_)?SYSCALL_DEFINE\d\s*\(\s*(\w+)/.exec(header);
  if (sys) return sys[1];
  const re = /([A-Za-z_]\w*)\s*\(/g;
  let m: RegExpExecArray | null;
  let name: string | undefined;
  while ((m = re.exec(header))) {
    const n = m[1]!;
    if (KEYWORDS.has(n) || /^__(?:attribute__|releases|acquires|must_hold)$/.test(n)) continue;
    name = n;
    break;
  }
  return name;
}

/**
 * The parameters a hunk header's function line shows for function `name`, whitespace-normalised, in order. Diff
 * tools cut that line (git at 80 columns), so a parameter the cut runs through is left out, and the list may stop
 * short of the last parameter; `void` alone is no parameter.
 */
export function headingParams(header: string, name: string): string[] {
  const at = new RegExp(`\\b${name}\\s*\\(`).exec(header);
  if (!at) return [];
  const open = at.index + at[0].length - 1;
  const params = callArgs(header.slice(open));
  // Cut before the closing parenthesis: the text after the last comma may be a parameter's first words only.
  if (closingParen(header, open) < 0) params.pop();
  return tidyParams(params);
}

function tidyParams(ps: string[]): string[] {
  return ps.map((p) => p.replace(/\s+/g, ' ').trim()).filter((p) => p !== '' && p !== 'void');
}

/** C keywords and statement-like macros that are never function names. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'if', 'while', 'for', 'switch', 'return', 'sizeof', 'do', 'else', 'case', 'goto', 'typeof', '__typeof__',
  'defined', 'struct', 'union', 'enum', 'static', 'inline', 'EXPORT_SYMBOL', 'EXPORT_SYMBOL_GPL',
]);
