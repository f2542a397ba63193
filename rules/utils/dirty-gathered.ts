/**
 * A dirty shared page handed to an mmu_gather before its TLB entry is flushed (mm/memory.c zap_pte_range(): the
 * class of 1cf35d47712d "mm: split 'tlb_flush_mmu()' into tlb flushing and memory freeing parts" and 5df397dec7c4
 * "mm: delay page_remove_rmap() until after the TLB has been flushed"). The entry is cleared under the page-table
 * lock and given to the gather, and the page is marked dirty (set_page_dirty(), folio_mark_dirty()) from the
 * cleared value. Once the lock is dropped with the flush still deferred, writeback (folio_mkclean(), which skips a
 * page with no mapping left and needs the page-table lock of an entry to see it) cleans and writes the page while
 * another CPU still stores through its stale, dirty TLB entry: the store is lost when the clean page is dropped.
 */
import type { Event, EventPath, FunctionImage, PathStep } from '../../src/core/events.ts';
import { LockState, firstGapBetween, fragmentEntryLocks, gapsOf, norm, stripStep } from './paths.ts';

export interface DirtyGathered {
  clear: Event;
  dirty: Event;
  /** Path step indexes of the dirtying and the release. */
  dirtyIndex: number;
  releaseIndex: number;
  release: Event;
  /** A branch on the path that showed the page file-backed (`!PageAnon(page)` taken, `folio_test_anon(folio)` not). */
  fileBacked: boolean;
}

/** Clears of a huge entry (hugetlbfs has no writeback; a PMD-level THP zap is another shape) are left out. */
const HUGE_CLEAR = /huge|pmd|pud/;
const ANON_TEST = /^(!\s*)?(?:PageAnon|folio_test_anon)\s*\(\s*[\w>.-]+\s*\)$/;

/**
 * The first release of the page-table lock on the path with a page marked dirty, after an entry was cleared under
 * that lock with a gather open (the caller's or the path's own), and no TLB flush (a gather flush, a ranged flush)
 * in between. A path that skips a guarded flush (`guards`: `if (force_flush) tlb_flush_mmu_tlbonly(tlb)`) after
 * the page was dirtied and before the release is, by the kernel's counting idiom, one that dirtied nothing needing it.
 */
export function dirtyGatheredBeforeFlush(
  image: FunctionImage,
  path: EventPath,
  callerGather: boolean,
  guards: ReadonlySet<string>,
): DirtyGathered | undefined {
  const state = new LockState(fragmentEntryLocks(image, path));
  let gather = callerGather;
  let cleared: Event | undefined;
  let dirtied: { clear: Event; dirty: Event; dirtyIndex: number } | undefined;
  let fileBacked = false;
  for (let i = 0; i < path.steps.length; i++) {
    const s = path.steps[i] as PathStep;
    if (s.step === 'control') {
      const anon = s.kind === 'branch' ? ANON_TEST.exec(norm(s.cond)) : null;
      // The last test of the page's kind on the path decides (another iteration tests another page).
      if (s.kind === 'branch' && anon) fileBacked = (anon[1] !== undefined) === s.taken;
      if (dirtied && s.kind === 'branch' && !s.taken && guards.has(norm(s.cond))) return undefined;
      continue;
    }
    const ev = stripStep(s);
    switch (ev.kind) {
      case 'gather-init':
      // Handing something to a gather (tlb_remove_tlb_entry(), __tlb_remove_page()) is itself evidence that one is
      // open: in a hunk whose header cuts the signature, the caller's `struct mmu_gather *` is not seen otherwise.
      case 'gather-remove':
        gather = true;
        break;
      case 'pte-clear':
        if (state.ptlHeld() && ev.attrs.flushes !== true && (ev.attrs.effects === undefined || ev.attrs.effects.includes('clear')) && !HUGE_CLEAR.test(ev.callee)) cleared = ev;
        break;
      case 'page-dirty':
        if (cleared && gather && state.ptlHeld()) dirtied = { clear: cleared, dirty: ev, dirtyIndex: i };
        break;
      case 'tlb-flush':
      case 'gather-flush':
      case 'gather-finish':
        cleared = undefined;
        dirtied = undefined;
        break;
      default:
        break;
    }
    const res = state.apply(ev);
    if (dirtied && res.released.some((r) => r.cls === 'ptl')) {
      // Unseen lines between the dirtying and the release may hold the flush (zap_pte_range()'s
      // `if (force_flush) tlb_flush_mmu_tlbonly(tlb)` sits just above its pte_unmap_unlock()): no claim then.
      const from = dirtied.dirty.loc.fileLine;
      const to = ev.loc.fileLine;
      if (!image.complete && (from === undefined || to === undefined || firstGapBetween(gapsOf(image), from, to) !== undefined)) return undefined;
      return { ...dirtied, releaseIndex: i, release: ev, fileBacked };
    }
  }
  return undefined;
}
