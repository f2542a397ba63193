/** Decides cheaply, from a PR file's path and patch text, whether mmreview should analyse it (and says why not). */
import { globMatcher } from './glob.ts';
import type { AppConfig } from './config.ts';

/**
 * Kernel APIs whose use makes a file worth analysing wherever it lives: page-table walking and PTE updates, TLB
 * flushing, mmu_gather, MMU notifiers (calls, `__` internals and the `ops->` callbacks), userfaultfd, gup fault
 * fix-ups.
 */
const MM_API =
  /(?:\b_{0,2}(?:pte_offset_map(?:_lock|_nolock|_ro_nolock|_rw_nolock)?|pte_unmap(?:_unlock)?|pte_lockptr|pmd_lock|pmd_trans_huge_lock|ptep_\w+|set_ptes?(?:_at)?|set_pte_at_notify|pte_mk\w+|pte_wrprotect|pte_clear|pte_same|flush_tlb_\w+|tlb_gather_mmu\w*|tlb_finish_mmu|tlb_flush_\w+|tlb_remove_\w+|(?:inc|dec)_tlb_flush_pending|mm_tlb_flush_\w+|mmu_notifier_\w+|userfaultfd_\w+|handle_userfault|uffd_\w+|fixup_user_fault|get_user_pages\w*|pin_user_pages\w*|apply_to_page_range|walk_page_range\w*)|(?:->|\.)(?:invalidate_range_start|invalidate_range_end|invalidate_range|invalidate_page|change_pte|clear_flush_young|clear_young|test_young|arch_invalidate_secondary_tlbs))\s*\(/;

/** Why a file is (not) analysed. */
export type Relevance =
  | { relevant: true; reason: 'path' | 'api' }
  | { relevant: false; reason: 'ignored' | 'not-c' | 'removed' | 'no-patch' | 'no-mm-api' };

/** A PR file as `pulls.listFiles` returns it (the fields we read). */
export interface PrFileLike {
  filename: string;
  status: string;
  patch?: string | undefined;
}

/** Build the relevance test for one configuration. */
export function relevanceFilter(config: AppConfig): (file: PrFileLike) => Relevance {
  const inPaths = globMatcher(config.paths);
  const ignored = globMatcher(config.ignore);
  return (file) => {
    if (ignored(file.filename)) return { relevant: false, reason: 'ignored' };
    if (!/\.(?:c|h)$/.test(file.filename)) return { relevant: false, reason: 'not-c' };
    if (file.status === 'removed') return { relevant: false, reason: 'removed' };
    if (!file.patch) return { relevant: false, reason: 'no-patch' };
    if (inPaths(file.filename)) return { relevant: true, reason: 'path' };
    if (config.detectApis && patchUsesMmApi(file.patch)) return { relevant: true, reason: 'api' };
    return { relevant: false, reason: 'no-mm-api' };
  };
}

/** True when any line of the patch (added, removed or context) calls one of the mm APIs. */
export function patchUsesMmApi(patch: string): boolean {
  return MM_API.test(patch);
}
