/**
 * Adversary `uffd-monitor`: a userfaultfd monitor resolving a write-protect fault (UFFDIO_WRITEPROTECT, mode 0).
 */
import type { ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** Un-write-protect `bind.pte`. */
export function uffdMonitor(bind: AdversaryBind): ThreadSpec {
  return {
    name: bind.name ?? 'uffd-monitor',
    role: 'uffd monitor',
    program: [
      { op: 'mmap-lock', mode: 'read' },
      { op: 'pte-map-lock', pte: bind.pte },
      { op: 'pte-modify-start', pte: bind.pte },
      { op: 'pte-modify-commit', pte: bind.pte, effects: ['uffd-unwp', 'mkwrite'], label: 'ptep_modify_prot_commit(pte_clear_uffd_wp())' },
      { op: 'pte-unmap-unlock', pte: bind.pte },
      { op: 'tlb-flush', scope: 'page', pte: bind.pte },
      { op: 'mmap-unlock', mode: 'read' },
    ],
  };
}
