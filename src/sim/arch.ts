/**
 * Architecture presets: how accessed/dirty bits are managed and whether a fullmm gather invalidates the TLB.
 */
import type { Arch } from '../core/sim-contract.ts';

export interface ArchModel {
  name: Arch;
  /** Hardware sets A/D bits atomically on a walk (x86, arm64 DBM); otherwise a store to a clean PTE faults. */
  hwAccessDirty: boolean;
  /** tlb_finish_mmu() on a fullmm gather skips TLB invalidation (arm64: the ASID is assumed dead). */
  fullmmSkipsFlush: boolean;
}

const PRESETS: Record<Arch, ArchModel> = {
  x86: { name: 'x86', hwAccessDirty: true, fullmmSkipsFlush: false },
  arm64: { name: 'arm64', hwAccessDirty: true, fullmmSkipsFlush: true },
  'arm64-nodbm': { name: 'arm64-nodbm', hwAccessDirty: false, fullmmSkipsFlush: true },
  'ppc-e500': { name: 'ppc-e500', hwAccessDirty: false, fullmmSkipsFlush: false },
};

/** The model of one preset. */
export function archModel(a: Arch): ArchModel {
  return PRESETS[a];
}
