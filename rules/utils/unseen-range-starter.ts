/**
 * Unseen code that may have started an invalidation window: a call of a function the tool cannot see (an opaque
 * `call` event: not in the catalogue, not a changed function of the patch shown whole) that the path makes before an
 * `mmu_notifier_invalidate_range_end()` and that is given that end's range object (`&range`, `range`, a field of it)
 * or, for the old API (`_end(mm, start, end)`), both of its bounds. Such a helper
 * (`wp_range_begin(&range, vma, start, end)` replacing `mmu_notifier_range_init(); ..._start(&range)`) may call
 * `mmu_notifier_invalidate_range_start()` itself: an end reached after it is not known to be stray.
 *
 * A helper given only the bounds of a range *object* is not asked about: it cannot start a window on that object
 * (the notifier API takes the `struct mmu_notifier_range *`). Nor is one the code calls, on some path of either
 * image, before a visible start of the same range (a setup helper: the window would be started twice).
 */
import type { Event, EventPath, FunctionImage, FunctionView } from '../../src/core/events.ts';
import { baseName } from './contracts.ts';
import { callArgs, norm, stripStep } from './paths.ts';

/** Does this changed (or tree) function, seen whole, visibly start nothing and call nothing unseen? */
function seenNotStarting(view: FunctionView | undefined, side: 'pre' | 'post'): boolean {
  const img = view ? (side === 'pre' ? view.pre : view.post) : undefined;
  if (!img?.complete) return false;
  return !img.events.some((e) => e.kind === 'notifier-start' || (e.kind === 'call' && e.attrs.opaque === true));
}

/** Do these argument expressions name the end's range object, or (old API) both of its bounds? */
function namesRange(exprs: readonly string[], end: Event): boolean {
  const args = exprs.map(norm);
  if (end.args.range !== undefined) {
    const base = baseName(norm(end.args.range));
    return base !== '' && args.some((a) => baseName(a) === base);
  }
  const { start, end: last } = end.args;
  if (start === undefined || last === undefined) return false;
  return args.includes(norm(start)) && args.includes(norm(last));
}

/** Is the opaque call given the end's range object, or (old API) both of its bounds? */
function givenRange(call: Event, end: Event): boolean {
  return namesRange(callArgs(call.text), end);
}

/** Does this notifier start open the window over the end's range? */
function startsRange(start: Event, end: Event): boolean {
  return namesRange(Object.values(start.args), end);
}

/**
 * Is `callee`, given this range, followed by a visible start of the same range on some path of the images (this one
 * or the other side's)? Then it does not start the window itself: the code would start it twice.
 */
function followedByStart(callee: string, end: Event, images: ReadonlyArray<FunctionImage | undefined>): boolean {
  return images.some((img) =>
    (img?.paths ?? []).some((p) => {
      const at = p.steps.findIndex((s) => s.step === 'event' && s.kind === 'call' && s.callee === callee && givenRange(stripStep(s), end));
      return at >= 0 && p.steps.slice(at + 1).some((s) => s.step === 'event' && s.kind === 'notifier-start' && startsRange(stripStep(s), end));
    }),
  );
}

/**
 * The first opaque call on `path` before step `endIndex` that is given the range of the end at that step, unless the
 * patch (or the tree) shows the callee whole with no start and nothing unseen in it, or the images call it before a
 * visible start of the same range.
 */
export function unseenRangeStarter(
  path: EventPath,
  endIndex: number,
  end: Event,
  known: readonly FunctionView[],
  side: 'pre' | 'post',
  images: ReadonlyArray<FunctionImage | undefined> = [],
): Event | undefined {
  for (const s of path.steps.slice(0, endIndex)) {
    if (s.step !== 'event' || s.kind !== 'call' || s.attrs.opaque !== true) continue;
    const call = stripStep(s);
    if (!givenRange(call, end)) continue;
    if (seenNotStarting(known.find((f) => f.name === call.callee), side)) continue;
    if (followedByStart(call.callee, end, images)) continue;
    return call;
  }
  return undefined;
}

/** The question a claim that rests on such a call names. */
export function unseenStarterQuestion(call: Event, end: Event): string {
  const range = end.args.range !== undefined ? norm(end.args.range) : `${norm(end.args.start)}..${norm(end.args.end)}`;
  const line = call.loc.fileLine ?? call.loc.line;
  return `depends on ${call.callee}() (line ${line}), which the diff does not show: does it start the invalidation of ${range} that the end at line ${end.loc.fileLine ?? end.loc.line} closes?`;
}
