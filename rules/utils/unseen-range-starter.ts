/**
 * Unseen code that may have started an invalidation window: a call of a function the tool cannot see (an opaque
 * `call` event: not in the catalogue, not a changed function of the patch shown whole) that the path makes before an
 * `mmu_notifier_invalidate_range_end()` and that is given that end's range object (`&range`, `range`, a field of it)
 * or, for the old API (`_end(mm, start, end)`), both of its bounds. Such a helper
 * (`wp_range_begin(&range, vma, start, end)` replacing `mmu_notifier_range_init(); ..._start(&range)`) may call
 * `mmu_notifier_invalidate_range_start()` itself: an end reached after it is not known to be stray.
 *
 * A helper given only the bounds of a range *object* is not asked about: it cannot start a window on that object
 * (the notifier API takes the `struct mmu_notifier_range *`).
 */
import type { Event, EventPath, FunctionView } from '../../src/core/events.ts';
import { baseName } from './contracts.ts';
import { callArgs, norm, stripStep } from './paths.ts';

/** Does this changed (or tree) function, seen whole, visibly start nothing and call nothing unseen? */
function seenNotStarting(view: FunctionView | undefined, side: 'pre' | 'post'): boolean {
  const img = view ? (side === 'pre' ? view.pre : view.post) : undefined;
  if (!img?.complete) return false;
  return !img.events.some((e) => e.kind === 'notifier-start' || (e.kind === 'call' && e.attrs.opaque === true));
}

/** Is the opaque call given the end's range object, or (old API) both of its bounds? */
function givenRange(call: Event, end: Event): boolean {
  const args = callArgs(call.text).map(norm);
  if (end.args.range !== undefined) {
    const base = baseName(norm(end.args.range));
    return base !== '' && args.some((a) => baseName(a) === base);
  }
  const { start, end: last } = end.args;
  if (start === undefined || last === undefined) return false;
  return args.includes(norm(start)) && args.includes(norm(last));
}

/**
 * The first opaque call on `path` before step `endIndex` that is given the range of the end at that step, unless the
 * patch (or the tree) shows the callee whole with no start and nothing unseen in it.
 */
export function unseenRangeStarter(path: EventPath, endIndex: number, end: Event, known: readonly FunctionView[], side: 'pre' | 'post'): Event | undefined {
  for (const s of path.steps.slice(0, endIndex)) {
    if (s.step !== 'event' || s.kind !== 'call' || s.attrs.opaque !== true) continue;
    const call = stripStep(s);
    if (!givenRange(call, end)) continue;
    if (seenNotStarting(known.find((f) => f.name === call.callee), side)) continue;
    return call;
  }
  return undefined;
}

/** The question a claim that rests on such a call names. */
export function unseenStarterQuestion(call: Event, end: Event): string {
  const range = end.args.range !== undefined ? norm(end.args.range).replace(/^&/, '') : `${norm(end.args.start)}..${norm(end.args.end)}`;
  const line = call.loc.fileLine ?? call.loc.line;
  return `depends on ${call.callee}() (line ${line}), which the diff does not show: does it start the invalidation of ${range} that the end at line ${end.loc.fileLine ?? end.loc.line} closes?`;
}
