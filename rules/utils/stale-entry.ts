/**
 * What may re-validate, or keep unchanged, a page-table entry read before the page-table lock was dropped and
 * re-taken (uffd-lock-retake `staleValue`, drop/re-take form).
 *
 * - A call the catalogue does not know, made after the re-take and handed the entry pointer (or the fault
 *   descriptor that owns it: `vmf_pte_changed(vmf)`, a helper of the patch comparing `*pte` with the old value),
 *   may compare the entry with what was read: the claim never rests on such a call doing nothing.
 * - An exclusive lock (mmap_lock or i_mmap_rwsem held for write: taken on the path, or asserted with
 *   `mmap_assert_write_locked()` / `i_mmap_assert_write_locked()` / `lockdep_assert_held_write()`) held from before
 *   the drop to the re-take keeps out every writer that needs it (faults and madvise/munmap zaps under the
 *   mmap_lock; PMD unsharing under i_mmap_rwsem). Writers that do not (rmap walkers: reclaim, migration,
 *   truncation; a fault under the per-VMA lock) may still change the entry: whether they can here depends on code
 *   the tool does not see (the page's lock and pins, the VMA's write lock), so the finding is at most inconclusive.
 */
import type { Event, EventPath, FunctionImage } from '../../src/core/events.ts';
import { EXCLUSIVE_CLASSES } from '../../src/kernel-api/lock-assertions.ts';
import { callHandsEntry } from './fault-snapshot.ts';
import { heldAssertions } from './lock-assertions.ts';
import { norm, stripStep } from './paths.ts';

/**
 * May this event, after the re-take, compare the entry `key` points at with the value read before the drop
 * (callHandsEntry(): an opaque call handed the pointer, an offset into its table, or the structure owning it)?
 */
export function callMayCompare(ev: Event, key: string): boolean {
  return callHandsEntry(ev, key);
}

/** The lock an mmap_lock / i_mmap_rwsem operation names (`mmap_write_lock(mm)` → `mm->mmap_lock`). */
function lockName(cls: string, ev: Event): string {
  const arg = norm(ev.args.lock ?? ev.args.mm ?? '');
  const field = cls === 'mmap' ? 'mmap_lock' : 'i_mmap_rwsem';
  if (arg === '') return field;
  return /(?:mmap_lock|mmap_sem|i_mmap_rwsem)$/.test(arg) ? arg : `${arg}->${field}`;
}

/** An exclusive lock held at a step: what holds it and since which image line. */
export interface ExclusiveHold {
  lock: string;
  /** `taken` on the path, or `asserted` by the code. */
  how: 'taken' | 'asserted';
  line: number;
}

/**
 * For each step of the path, the exclusive lock (EXCLUSIVE_CLASSES held for write) held there, if any: taken on the
 * path (`mmap_write_lock()`, `i_mmap_lock_write()`) and not yet released or downgraded, or asserted by the code at
 * or before the step's line (`mmap_assert_write_locked(mm)`) and not released on the path since.
 */
export function exclusiveHolds(image: FunctionImage, path: EventPath): Array<ExclusiveHold | undefined> {
  const asserted = heldAssertions(image).filter((a) => a.mode === 'write' && EXCLUSIVE_CLASSES.has(a.cls));
  const held = new Map<string, ExclusiveHold>();
  const released = new Set<string>();
  const classOf = (ev: Event): string | undefined => (ev.kind === 'mmap-lock' || ev.kind === 'mmap-unlock' || ev.attrs.lockClass === 'mmap' ? 'mmap' : ev.attrs.lockClass === 'i_mmap' ? 'i_mmap' : undefined);
  return path.steps.map((s) => {
    for (const a of asserted) if (a.line <= s.loc.line && !released.has(a.cls) && !held.has(a.cls)) held.set(a.cls, { lock: a.lock, how: 'asserted', line: a.line });
    if (s.step === 'event') {
      const ev = stripStep(s);
      const cls = classOf(ev);
      if (cls && (ev.kind === 'mmap-lock' || ev.kind === 'lock') && ev.attrs.mode === 'write') held.set(cls, { lock: lockName(cls, ev), how: 'taken', line: ev.loc.line });
      else if (cls && (ev.kind === 'mmap-unlock' || ev.kind === 'unlock')) {
        held.delete(cls);
        released.add(cls);
      } else if (ev.kind === 'call' && /^mmap_write_downgrade$/.test(ev.callee)) {
        held.delete('mmap');
        released.add('mmap');
      }
    }
    return held.values().next().value;
  });
}
