/**
 * Spinning locks a hunk fragment releases without taking them, beyond the page-table locks of
 * rules/utils/paths.ts fragmentEntryLocks(): `spin_unlock(&ctx->lock)`, `spin_unlock_irqrestore(&x->lock, flags)`,
 * `read_unlock(&kvm->mmu_lock)`, `write_unlock(&l)`. A release of a lock requires the lock to be held just before it
 * (include/linux/spinlock.h spin_unlock() → do_raw_spin_unlock(); lockdep reports a release of a lock not held), so
 * a lock released on the path that the path never takes was taken above the hunk and is held at every step between
 * the top of the fragment and that release — as far as nothing in between may have taken it instead:
 *
 * - a take on the path (lock, trylock), or a call handed the lock's address (`lookup(..., &ptl)`: rules/utils/paths.ts
 *   outParamLocks()), excludes the lock altogether (as fragmentEntryLocks() does);
 * - a call of a function the tool does not know (`attrs.opaque`) between the sleeping call and the release that is
 *   named as a lock operation (`demo_lock(ctx)`, `folio_lruvec_lock_irq(folio)`) or is given the lock or its owner
 *   itself (`begin_update(ctx)` under `ctx->lock`) may be what took it: then the lock is not known to be held at the
 *   call (unseenTakeBetween()).
 *
 * Whether unseen lines (a gap between hunks) lie between the call and the release is the caller's check
 * (heldThroughGaps() in rules/sleep-in-atomic.ts), as for the page-table locks.
 */
import type { Event, EventPath, FunctionImage } from '../../src/core/events.ts';
import type { LockClass } from '../../src/core/ops.ts';
import { baseName } from './contracts.ts';
import { lockOf, norm, positionalArgs, releasedUntaken, stripStep } from './paths.ts';

/** Spinning lock classes other than the page-table locks: spinlocks, rwlocks, a KVM mmu_lock. */
const SPIN_CLASSES: ReadonlySet<LockClass> = new Set(['spin', 'mmu']);

/** The marker callee of a spinlock held from above the hunk because the fragment releases it. */
export const SPIN_BEFORE_HUNK = '<before hunk, spinlock>';

/**
 * Spinning locks (not page-table locks) that `path` of a hunk fragment releases without taking them first: held from
 * above the hunk. None for a whole function (its entry locks are its annotations and its visible callers').
 */
export function fragmentSpinEntryLocks(image: FunctionImage, path: EventPath): Array<{ key: string; cls: LockClass; by: Event }> {
  return releasedUntaken(image, path, (ev) => {
    const cls = ev.attrs.lockClass;
    return ev.kind === 'unlock' && cls !== undefined && SPIN_CLASSES.has(cls) ? { cls, kind: 'lock', callee: SPIN_BEFORE_HUNK } : undefined;
  });
}

/**
 * The first call between steps `from` and the release of `key` after it of a function the tool does not know that may
 * have taken `key`: named as a lock operation, or given the lock or its owner (the lock expression's base) itself.
 * Undefined when there is none (or no release follows).
 */
export function unseenTakeBetween(path: EventPath, from: number, key: string): Event | undefined {
  const owner = baseName(key);
  for (let k = from + 1; k < path.steps.length; k++) {
    const s = path.steps[k];
    if (s?.step !== 'event') continue;
    if ((s.kind === 'unlock' || s.kind === 'pte-unmap-unlock') && lockOf(stripStep(s)) === key) return undefined;
    if (s.kind !== 'call' || s.attrs.opaque !== true) continue;
    const args = positionalArgs(s).map(norm);
    if (/lock/i.test(s.callee) || args.some((a) => a === key || (owner !== '' && a === owner))) return stripStep(s);
  }
  return undefined;
}
