/**
 * Fragments that leave a loop whose head they do not show. The front end closes that loop at the first unmatched `}`
 * after a `break` / `continue` (`while (__mmr_loop__) {`, src/c/prepass.ts openerFor()). That brace may instead end
 * an inner block (`if (...) { ...; break; }`) with the loop going on below it: then a `break` leaves the loop and
 * never reaches the code after the brace, which the model runs after it. Kernel style (one tab per nesting level)
 * tells the two apart when the code after the brace is at the function body's top level (one tab): no block is left
 * around it, so the brace ended the loop itself.
 */
import type { EventPath, FunctionImage } from '../../src/core/events.ts';
import { LOOP_COND } from '../../src/c/prepass.ts';

/**
 * Does the path leave a loop the front end invented through a `break`, with the code it then runs not at the
 * function body's top level? The question the unseen code answers, or undefined when the structure is certain.
 */
export function inventedLoopExitUnknown(image: FunctionImage, path: EventPath): string | undefined {
  if (image.complete) return undefined;
  const invented = new Set<number>();
  const lines = image.text.split('\n');
  for (const [i, s] of path.steps.entries()) {
    if (s.step !== 'control') continue;
    if (s.kind === 'loop-enter' && s.head.includes(LOOP_COND)) invented.add(s.loop);
    // A goto reaches its label whatever the braces are; a break reaches the code after the loop's own brace.
    if (s.kind !== 'loop-exit' || !invented.has(s.loop) || s.via !== 'break') continue;
    const next = path.steps[i + 1];
    if (!next || (next.step === 'control' && next.kind === 'truncated')) continue;
    const text = lines[next.loc.line - 1] ?? '';
    if (/^\t(?![\t ])/.test(text) || /^\s*$/.test(text)) continue;
    return `the unseen loop head: does the \`}\` after line ${s.loc.line} end the loop this path leaves, or an inner block inside it (then the exit does not reach line ${next.loc.line})?`;
  }
  return undefined;
}
