/**
 * The function a header-less quoted fragment belongs to, from the context lines quoted right above it: a reviewer who
 * trims the `@@` line often keeps the function's header (` static int f(pmd_t *pmd,` / ` {`) as context. Read only
 * from a run of context lines that reaches the fragment with nothing cut in between (no elision, no reply text, no
 * function end), so the header is the fragment's own.
 */
import type { ViewLine } from './quote.ts';

/** Lines a run of context may span above the fragment. */
const MAX_LEAD = 12;

const STATEMENT = /^(?:if|for|while|do|switch|return|else|case|goto|sizeof|typeof)\b/;

/** A function definition's first line, at column 0 in kernel style (`static int f(pmd_t *pmd,`), not a declaration. */
export function isFunctionHeading(body: string): boolean {
  if (!/^[A-Za-z_]/.test(body) || STATEMENT.test(body)) return false;
  if (/;\s*(?:\/\*.*\*\/\s*)?$/.test(body) || /=/.test(body.split('(')[0] ?? '')) return false;
  return /^[A-Za-z_][\w\s*]*?\b[A-Za-z_]\w*\s*\(/.test(body);
}

/**
 * Index of the first context line of the run right above `i` that starts with a function heading, or undefined.
 * Context lines are the view's lines that start with one space (the diff's context prefix).
 */
export function leadingHeading(lines: readonly ViewLine[], i: number): number | undefined {
  for (let k = i; k > 0 && i - k < MAX_LEAD; k--) {
    // Lines of another quote depth were skipped right before line k: reply text cut the run.
    if (lines[k]!.afterGap) return undefined;
    const t = lines[k - 1]!.text;
    if (!t.startsWith(' ')) return undefined;
    const body = t.slice(1);
    // The end of a function: the fragment is not in the one whose heading lies above.
    if (/^\}/.test(body)) return undefined;
    if (isFunctionHeading(body)) return k - 1;
  }
  return undefined;
}
