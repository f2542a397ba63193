/**
 * An atomic section a hunk fragment closes without opening it: opened above the hunk, and open at every step between
 * the top of the fragment and that close — as far as nothing in between may have opened it instead. A close needs
 * its open (include/linux/rcupdate.h rcu_read_unlock() ends the read-side section rcu_read_lock() began, lockdep
 * reports an unbalanced one; include/linux/preempt.h preempt_enable() undoes a preempt_disable(), the preempt count
 * would underflow otherwise; kunmap_atomic() ends a kmap_atomic(); local_bh_enable() a local_bh_disable()).
 * Interrupt sections are left out: `local_irq_enable()` and `local_irq_restore(flags)` do not say interrupts were
 * off before them (a restore returns to a saved state, which may have been on).
 *
 * Conservative: the close must follow the sleeping call with no unseen lines (a gap between hunks) and no call of a
 * function the tool does not know (`attrs.opaque`: it may open the section itself) in between. Closes that only end
 * a section as part of a lock release (`spin_unlock_irq()`) are not used here.
 */
import type { Event, EventPath, FunctionImage } from '../../src/core/events.ts';
import { SECTION_CALLS } from '../../src/kernel-api/atomic-sections.ts';
import type { SectionKind } from '../../src/kernel-api/atomic-sections.ts';
import { firstGapBetween, stripStep } from './paths.ts';

/** Section kinds whose close proves the section was open just before it. */
const PROVING: ReadonlySet<SectionKind> = new Set(['rcu', 'preempt', 'softirq', 'kmap']);

/**
 * The first close after step `at` of `path` of a section no step between `at` and it opened, when it proves the
 * section open at `at` (above): its kind, its step index and event. Undefined for whole functions.
 */
export function sectionClosedBelow(image: FunctionImage, path: EventPath, at: number, gaps: readonly number[]): { kind: SectionKind; close: number; event: Event } | undefined {
  if (image.complete) return undefined;
  const from = path.steps[at]?.loc.fileLine;
  if (from === undefined) return undefined;
  const depth = new Map<SectionKind, number>();
  for (let k = at + 1; k < path.steps.length; k++) {
    const s = path.steps[k];
    if (s?.step !== 'event') continue;
    if (s.kind === 'call' && s.attrs.opaque === true) return undefined;
    const sc = SECTION_CALLS[s.callee];
    if (!sc || !PROVING.has(sc.kind)) continue;
    const d = depth.get(sc.kind) ?? 0;
    if (sc.opens) depth.set(sc.kind, d + 1);
    else if (d > 0) depth.set(sc.kind, d - 1);
    else {
      const to = s.loc.fileLine;
      if (to === undefined || firstGapBetween(gaps, from, to) !== undefined) return undefined;
      return { kind: sc.kind, close: k, event: stripStep(s) };
    }
  }
  return undefined;
}
