/**
 * The context quoted right above a header-less fragment, and the function it belongs to: a reviewer who trims the
 * `@@` line often keeps the function's header (` static int f(pmd_t *pmd,` / ` {`) as context. A heading is taken
 * only from a run of context lines that reaches the fragment with nothing cut in between (no elision, no reply text,
 * no function end), so the header is the fragment's own.
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
 * Index of the first context line of the run right above `i` that belongs to the fragment: from a function heading
 * when the run shows one (nothing cut in between), else the code-like context lines right above (up to MAX_LEAD,
 * stopping at a function end or a line that does not read as code). Undefined when there is none.
 * Context lines are the view's lines that start with one space (the diff's context prefix).
 */
export function leadingHeading(lines: readonly ViewLine[], i: number, isCode: (body: string) => boolean = () => false): number | undefined {
  let first: number | undefined;
  for (let k = i; k > 0 && i - k < MAX_LEAD; k--) {
    // Lines of another quote depth were skipped right before line k: reply text cut the run.
    if (lines[k]!.afterGap) break;
    const t = lines[k - 1]!.text;
    if (!t.startsWith(' ')) break;
    const body = t.slice(1);
    // The end of a function: the fragment is not in the one whose heading lies above.
    if (/^\}/.test(body)) break;
    if (isFunctionHeading(body)) return k - 1;
    if (body.trim() !== '' && !isCode(body)) break;
    first = k - 1;
  }
  // Leading blank context is the quote's spacing.
  while (first !== undefined && first < i && lines[first]!.text.trim() === '') first = first + 1 < i ? first + 1 : undefined;
  return first;
}
