/**
 * All ground-truth cases (buggy + fixed per pair), in a fixed order.
 */
import { CLEAR_REFS_FULLMM } from './clear-refs-fullmm.ts';
import { COLLAPSE_COPY_FLUSH } from './collapse-copy-flush.ts';
import { FUTEX_FIXUP_LIVELOCK } from './futex-fixup-livelock.ts';
import { KHUGEPAGED_NOTIFIERS } from './khugepaged-notifiers.ts';
import { KSM_CHANGE_PTE } from './ksm-change-pte.ts';
import { MADV_FREE_CLEAR_REFS } from './madv-free-clear-refs.ts';
import { MIGRATE_VMA_FLUSH } from './migrate-vma-flush.ts';
import { MREMAP_STALE_TLB } from './mremap-stale-tlb.ts';
import { PTE_LOOP_UNLOCKED } from './pte-loop-unlocked.ts';
import { UFFD_WP_COW } from './uffd-wp-cow.ts';
import type { GroundTruth } from './types.ts';

export type { GroundTruth } from './types.ts';

export const GROUND_TRUTH: GroundTruth[] = [
  ...MREMAP_STALE_TLB,
  ...MIGRATE_VMA_FLUSH,
  ...MADV_FREE_CLEAR_REFS,
  ...UFFD_WP_COW,
  ...CLEAR_REFS_FULLMM,
  ...KHUGEPAGED_NOTIFIERS,
  ...KSM_CHANGE_PTE,
  ...PTE_LOOP_UNLOCKED,
  ...FUTEX_FIXUP_LIVELOCK,
  ...COLLAPSE_COPY_FLUSH,
];
