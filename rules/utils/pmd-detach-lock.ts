/**
 * A PTE table taken out of its PMD (pmdp_collapse_flush()) by a path that no longer holds mmap_lock for write, where
 * the function held it before the patch (issue 11: a lock dropped from a path that changes a PMD). A reader that
 * decides on the PMD before taking the PMD lock and trusts mmap_lock for write to keep the table in place
 * (src/kernel-api/pmd-table-changers.ts PMD_TABLE_READERS: mremap's whole-table move) can then find it gone under its
 * lock and install what it read there as a table.
 *
 * The claim needs a catalogued reader whose trusting releases include the tree: the visible code must date the tree
 * at or after the reader's first release (api-since.ts) and before the release that re-validates it (api-until.ts);
 * otherwise the candidate carries that question (`unknown`). Only a function that took mmap_lock for write itself
 * before the patch (a lock or trylock, not an assertion) is considered: its callers then do not hold it (a trylock of
 * a lock the caller holds for write always fails, and the detach under it would never run), so the post-image runs
 * without it — unless it shows mmap_lock or a VMA lock held in any mode (taken, needed or asserted: the mover, which
 * holds mmap_lock for write and write-locks the VMAs, is then kept out).
 */
import type { Event, EventPath, FunctionImage, FunctionView } from '../../src/core/events.ts';
import { MMAP_OR_VMA_HELD, MMAP_WRITE_TAKERS, PMD_TABLE_READERS } from '../../src/kernel-api/pmd-table-changers.ts';
import type { PmdTableReader } from '../../src/kernel-api/pmd-table-changers.ts';
import { heldAssertions } from './lock-assertions.ts';
import { isTableDetach } from './emptied-table.ts';
import { isPtlAcquire, isPtlRelease, lockOf, stripStep } from './paths.ts';
import { treeAtLeast, treeBefore } from './tree-era.ts';

export interface UnlockedDetach {
  /** Path index and event of the detach. */
  detach: { index: number; event: Event };
  reader: PmdTableReader;
  /** The claim rests on the kernel release, when set. */
  unknown?: string;
}

/** Does this event take mmap_lock for write itself (a lock or a trylock; not an assertion that the caller holds it)? */
function takesMmapWrite(ev: Event): boolean {
  const mmap = ev.kind === 'mmap-lock' || ev.attrs.lockClass === 'mmap';
  if (mmap && (ev.kind === 'mmap-lock' || ev.kind === 'lock' || ev.kind === 'trylock') && ev.attrs.mode === 'write') return true;
  return ev.kind === 'call' && MMAP_WRITE_TAKERS.test(ev.callee);
}

/** Does the image show mmap_lock or a VMA lock held anywhere (taken in any mode, needed, or asserted)? */
function showsMmapHeld(image: FunctionImage): boolean {
  const mmap = (ev: Event): boolean => ev.kind === 'mmap-lock' || ev.attrs.lockClass === 'mmap' || ((ev.kind === 'call' || ev.kind === 'lock' || ev.kind === 'trylock') && MMAP_OR_VMA_HELD.test(ev.callee));
  if (image.events.some(mmap)) return true;
  if (heldAssertions(image).some((a) => a.cls === 'mmap')) return true;
  return /\b(?:mmap_assert_(?:write_)?locked|vma_assert_(?:write_)?locked|lockdep_assert_held\w*\s*\(\s*&[^)]*mmap_lock)\s*\(?/.test(image.text);
}

/** The unlocked detaches of one post-image path of a function that held mmap_lock for write before the patch. */
export function unlockedDetaches(fn: FunctionView, path: EventPath, views: readonly FunctionView[]): UnlockedDetach[] {
  const pre = fn.pre;
  const post = fn.post;
  // A fragment's unseen lines may take it: only a whole post-image shows that it is no longer held.
  if (!pre || !post || !post.complete || !pre.events.some(takesMmapWrite) || showsMmapHeld(post)) return [];
  const out: UnlockedDetach[] = [];
  const held = new Set<string>();
  path.steps.forEach((s, index) => {
    if (s.step !== 'event') return;
    const ev = stripStep(s);
    if (isPtlAcquire(ev)) held.add(lockOf(ev));
    else if (isPtlRelease(ev)) held.delete(lockOf(ev));
    // Only a detach made under a page-table lock: the mover's own lock then orders the two.
    if (!isTableDetach(ev) || held.size === 0) return;
    for (const reader of PMD_TABLE_READERS) {
      const questions: string[] = [];
      const since = treeAtLeast(views, reader.since);
      const before = treeBefore(views, reader.until);
      if (!since || !before) {
        questions.push(`whether the kernel this applies to is between v${reader.since.join('.')} and v${reader.until.join('.')}, where ${reader.kernel.split(' (')[0]} trusts mmap_lock for write to keep the table in place (the visible code ${!since ? 'shows no API that new' : 'does not date it before the re-validation'})`);
      }
      out.push({ detach: { index, event: ev }, reader, ...(questions.length ? { unknown: questions.join('; ') } : {}) });
    }
  });
  return out;
}
