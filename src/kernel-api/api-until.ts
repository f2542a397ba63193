/**
 * Kernel functions whose use in the visible code dates the tree before a release: each was removed from mainline in
 * the cycle of the release given (a tree that still calls it is older). The counterpart of api-since.ts, for rules
 * whose claim holds only up to a release (src/kernel-api/pmd-table-changers.ts: a reader re-validated since then).
 */
import type { ApiSince } from './api-since.ts';

export interface ApiUntil extends Omit<ApiSince, 'since'> {
  /** Mainline release by which it was gone, [major, minor]. */
  until: readonly [number, number];
}

export const API_UNTIL: readonly ApiUntil[] = [
  // mm/khugepaged.c collapse_and_free_pmd(): folded into collapse_pte_mapped_thp() / retract_page_tables() by Hugh
  // Dickins' "mm: free retracted page table by RCU" series (v6.6: 1043173eb5eb, 1d65b771bc08).
  { pattern: /\bcollapse_and_free_pmd\s*\(/, until: [6, 6], what: 'collapse_and_free_pmd() (mm/khugepaged.c, gone in v6.6)' },
];
