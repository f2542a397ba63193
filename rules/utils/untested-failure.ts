/**
 * A failable call whose result no path step tests: thrown away (`mmu_notifier_invalidate_range_start_nonblock(&r);`)
 * or tested by an `if` whose arms the front end merged because they hold no event
 * (`if (mmu_notifier_invalidate_range_start_nonblock(&r)) ret = false;`). The code after it runs whichever way the
 * call went, so both outcomes are executions of the visible code: the path as enumerated (read as success) and a
 * variant with the failure made explicit, a synthetic branch on the call right after it (the form
 * rules/utils/failure.ts and the engine's path program read as "failed": the call did nothing).
 */
import type { Event, EventPath, FunctionImage } from '../../src/core/events.ts';
import { offsetOf, resultDiscarded } from './discarded-result.ts';
import { callOutcome, failureOf } from './failure.ts';
import { gapsOf } from './paths.ts';
import { closingParen } from '../../src/c/parens.ts';

/**
 * Is the call the whole condition of an `if` (`if (call)`, `if (!call)`, `if (unlikely(call))`, `if (call != 0)`)? The
 * slicer keeps such a branch only when its arms differ in events or opaque calls, so a path without a branch on it
 * took either arm.
 */
function wholeIfCondition(text: string, ev: Event): boolean {
  const at = offsetOf(text, ev.loc.line, ev.loc.column);
  if (at < 0 || !text.startsWith(ev.callee, at)) return false;
  const before = text.slice(Math.max(0, at - 40), at).replace(/\s+/g, '');
  if (!/\bif\((?:(?:un)?likely\()?!?$/.test(before)) return false;
  const open = text.indexOf('(', at + ev.callee.length);
  if (open < 0 || text.slice(at + ev.callee.length, open).trim() !== '') return false;
  const close = closingParen(text, open);
  return close >= 0 && /^\s*(?:!=\s*0\s*)?\)?\s*\)/.test(text.slice(close + 1));
}

const gapSets = new WeakMap<FunctionImage, ReadonlySet<number>>();

/** The image's hunk gaps (file lines after which unseen lines lie), as a set built once per image. */
function gapSetOf(image: FunctionImage): ReadonlySet<number> {
  let gaps = gapSets.get(image);
  if (gaps === undefined) {
    gaps = new Set(gapsOf(image));
    gapSets.set(image, gaps);
  }
  return gaps;
}

/** Does a hunk gap lie between image lines `from` and `to` (unseen code that may test the result)? */
function gapBetween(image: FunctionImage, gaps: ReadonlySet<number>, from: number, to: number): boolean {
  for (let l = from; l < to; l++) {
    const fl = image.lineInfo[l - 1]?.fileLine;
    if (fl !== undefined && gaps.has(fl)) return true;
  }
  return false;
}

/**
 * The failure variants of a path: for each call of `callees` whose result the path never tests (thrown away, or an
 * `if` on it merged away), the path with a failure branch inserted right after it. Only the events up to the next
 * hunk gap are known to run after the call untested: the variant is cut there (a `truncated` step).
 */
export function untestedFailureVariants(image: FunctionImage, path: EventPath, callees: ReadonlySet<string>): EventPath[] {
  const out: EventPath[] = [];
  const gaps = gapSetOf(image);
  path.steps.forEach((s, i) => {
    if (s.step !== 'event' || !callees.has(s.callee) || !failureOf(s)) return;
    if (callOutcome(path, i) !== undefined) return;
    const discarded = resultDiscarded(image, s) !== undefined;
    if (!discarded && (s.result !== undefined || !wholeIfCondition(image.text, s))) return;
    const steps = [...path.steps];
    steps.splice(i + 1, 0, { step: 'control', kind: 'branch', cond: s.text, taken: true, loc: s.loc });
    const withFail: EventPath = { steps, complete: path.complete };
    // Cut at the first step past a hunk gap: code there may test the result (`ret = …` is not handled at all).
    const cut = withFail.steps.findIndex((t, k) => k > i + 1 && gapBetween(image, gaps, s.loc.line, t.loc.line));
    if (cut < 0) {
      out.push(withFail);
      return;
    }
    out.push({ steps: [...withFail.steps.slice(0, cut), { step: 'control', kind: 'truncated', reason: 'hunk gap after an untested result', loc: withFail.steps[cut]!.loc }], complete: false });
  });
  return out;
}
