/**
 * Fragments that leave a loop whose head they do not show. The front end closes that loop at the first unmatched `}`
 * whose region has a `break` / `continue` (`while (__mmr_loop__) {`, src/c/prepass.ts openerFor()). That brace may
 * instead end an inner block (`if (...) { ...; break; }`) with the loop going on below it: then a `break` leaves the
 * loop and never reaches the code after the brace, and falling off the brace is not the back edge (the code below it
 * runs first), while the model runs it the other way round. Kernel style (one tab per nesting level) tells the two
 * apart when the brace is at one tab: it ends a statement of the function body's top level, with no block around it
 * where the loop could be, so it ends the loop itself.
 */
import type { EventPath, FunctionImage } from '../../src/core/events.ts';
import { LOOP_COND, openerFor } from '../../src/c/prepass.ts';
import { scanC } from '../../src/c/scan.ts';

/**
 * Lines (1-based) of the braces that end a loop the front end invented: unmatched `}` it pairs with
 * `while (__mmr_loop__) {` as wrapFragment() does, and the `}` matching such an opener written into the image text
 * (a gap between hunks joined with it, src/frontend/gap.ts).
 */
function inventedLoopBraces(text: string): number[] {
  const stack: Array<{ ch: string; invented: boolean }> = [];
  const lines: number[] = [];
  const lineOf = (at: number): number => text.slice(0, at).split('\n').length;
  const written = new RegExp(`\\bwhile\\s*\\(\\s*${LOOP_COND}\\s*\\)\\s*$`);
  let regionStart = 0;
  let sawBrace = false;
  for (const p of scanC(text).puncts) {
    if (p.ch === '(' || p.ch === '[' || p.ch === '{') {
      stack.push({ ch: p.ch, invented: p.ch === '{' && written.test(text.slice(Math.max(0, p.at - 80), p.at)) });
      if (p.ch === '{') sawBrace = true;
      continue;
    }
    const want = p.ch === ')' ? '(' : p.ch === ']' ? '[' : p.ch === '}' ? '{' : undefined;
    if (want === undefined) continue;
    const top = stack[stack.length - 1];
    if (top && top.ch === want) {
      stack.pop();
      if (top.invented) lines.push(lineOf(p.at));
      continue;
    }
    // A function-header tail: the fragment starts at the signature, nothing is invented around the body.
    if (stack.length === 0 && want === '(' && !sawBrace) return lines;
    if (stack.length === 0 && want === '{') {
      if (openerFor(text, p.at, regionStart).includes(LOOP_COND)) lines.push(lineOf(p.at));
      regionStart = p.at + 1;
    }
  }
  return lines;
}

/** Per image: the invented loops' closing braces, and those not at the function body's top level (one tab). */
interface BraceLayout {
  braces: number[];
  nested: number[];
}

const layoutCache = new WeakMap<FunctionImage, BraceLayout>();

function braceLayout(image: FunctionImage): BraceLayout {
  const cached = layoutCache.get(image);
  if (cached) return cached;
  const braces = inventedLoopBraces(image.text);
  const lines = image.text.split('\n');
  const layout = { braces, nested: braces.filter((l) => !/^\t\}/.test(lines[l - 1] ?? '')) };
  layoutCache.set(image, layout);
  return layout;
}

/**
 * Does the path leave a loop the front end invented through a `break`, or go round it by falling off its brace,
 * where that brace is not at the function body's top level? The question the unseen code answers, or undefined when
 * the structure is certain (a `continue` and a `goto` go where they go whatever the braces are).
 */
export function inventedLoopExitUnknown(image: FunctionImage, path: EventPath): string | undefined {
  if (image.complete) return undefined;
  const invented = new Set<number>();
  let layout: BraceLayout | undefined;
  for (const s of path.steps) {
    if (s.step !== 'control') continue;
    if (s.kind === 'loop-enter' && s.head.includes(LOOP_COND)) invented.add(s.loop);
    const leaves = s.kind === 'loop-exit' && s.via === 'break';
    const wraps = s.kind === 'loop-next' && s.via === 'end';
    if (!(leaves || wraps) || !invented.has(s.loop)) continue;
    layout ??= braceLayout(image);
    const { braces, nested } = layout;
    if (braces.length > 0 && nested.length === 0) continue;
    const at = nested[0] ?? braces[0];
    return `the unseen loop head: does the \`}\`${at !== undefined ? ` at line ${at}` : ''} end the loop this path ${leaves ? 'breaks out of' : 'goes round'}, or an inner block inside it (then the ${leaves ? 'break does not reach the code below it' : 'code below it runs before the next iteration'})?`;
  }
  return undefined;
}
