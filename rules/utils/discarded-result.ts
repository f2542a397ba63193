/**
 * Is a call's result thrown away (`pte_offset_map_lock(mm, pmd, addr, &ptl);` as a statement of its own)? Read
 * from the image text: the call starts a statement (the code before it ends with `;`, `{` or `}`, or is a `(void)`
 * cast) and is followed by `;`. A call assigned, returned, tested, passed on or written after `?:` is not, nor one
 * with no code before it in the image (a fragment may start in the middle of `pte =\n pte_offset_map_lock(...)`).
 */
import type { Event, FunctionImage } from '../../src/core/events.ts';
import { closingParen } from '../../src/c/parens.ts';

/** Offset in `text` of 0-based column `column` on 1-based line `line`. */
export function offsetOf(text: string, line: number, column: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return -1;
    at = nl + 1;
  }
  return at + column;
}

/** The code before `at`, comments and preprocessor lines blanked (line breaks kept), trimmed at the end. */
function codeBefore(text: string, at: number): string {
  return text
    .slice(0, at)
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/\/\/[^\n]*/g, ' ')
    .split('\n')
    .map((l) => (/^\s*#/.test(l) ? '' : l))
    .join('\n')
    .trimEnd();
}

/**
 * Does the call event `ev` stand alone as an expression statement, its result unused? Gives the image line where
 * the code before it ends (the caller checks that no hunk gap lies between), or undefined.
 */
export function resultDiscarded(image: FunctionImage, ev: Event): { prevLine: number } | undefined {
  const found = discardedAt(image.text, ev);
  return found === undefined ? undefined : { prevLine: found };
}

function discardedAt(text: string, ev: Event): number | undefined {
  const start = offsetOf(text, ev.loc.line, ev.loc.column);
  if (start < 0 || !text.startsWith(ev.callee, start)) return undefined;
  let before = codeBefore(text, start);
  const cast = /\(\s*void\s*\)$/.exec(before);
  if (cast) before = before.slice(0, cast.index).trimEnd();
  if (!/[;{}]$/.test(before)) return undefined;
  const prevLine = before.split('\n').length;
  // The call's closing parenthesis, then `;`.
  const open = text.indexOf('(', start + ev.callee.length);
  if (open < 0 || text.slice(start + ev.callee.length, open).trim() !== '') return undefined;
  const close = closingParen(text, open);
  return close >= 0 && /^\s*;/.test(text.slice(close + 1)) ? prevLine : undefined;
}
