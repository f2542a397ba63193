/**
 * Ground truth: uffd-wp and wp_page_copy() (seed 003 thread, userfaultfd-wp series 2019): a COW fault path that
 * copies and maps the new page writable without checking pte_uffd_wp() silently drops the monitor's write
 * protection: userspace writes succeed after UFFDIO_WRITEPROTECT returned. Fixed: do_wp_page() hands uffd-wp PTEs
 * to handle_userfault() before any copy.
 */
import { buildAdversary } from '../adversaries/index.ts';
import { pair } from './types.ts';

export const UFFD_WP_COW = pair(
  'uffd-wp-cow',
  'write-protect-holds',
  {
    buggy: 'A write fault copies a uffd-wp protected page with wp_page_copy() without checking pte_uffd_wp(): the copy is mapped writable and the protection is lost.',
    fixed: 'do_wp_page() checks userfaultfd_pte_wp() first and hands the fault to handle_userfault().',
  },
  (fixed) => ({
    name: `uffd-wp-cow-${fixed ? 'fixed' : 'buggy'}`,
    arch: ['x86'],
    init: {
      pages: [{ name: 'page0' }, { name: 'page1', free: true }],
      ptes: [{ name: 'pte0', page: 'page0', write: false, dirty: false }],
    },
    threads: [
      {
        name: 'monitor',
        role: 'UFFDIO_WRITEPROTECT',
        program: [
          { op: 'mmap-lock', mode: 'read' },
          { op: 'pte-map-lock', pte: 'pte0' },
          { op: 'pte-modify-start', pte: 'pte0' },
          { op: 'pte-modify-commit', pte: 'pte0', effects: ['uffd-wp'], label: 'ptep_modify_prot_commit(pte_mkuffd_wp(pte_wrprotect()))' },
          { op: 'pte-unmap-unlock', pte: 'pte0' },
          { op: 'tlb-flush', scope: 'page', pte: 'pte0' },
          { op: 'mmap-unlock', mode: 'read' },
        ],
      },
      fixed
        ? { ...buildAdversary('cow', { pte: 'pte0', newPage: 'page1', name: 'wp_fault' }), role: 'do_wp_page' }
        : {
            name: 'wp_fault',
            role: 'do_wp_page',
            program: [
              { op: 'mmap-lock', mode: 'read' },
              { op: 'pte-map-lock', pte: 'pte0', label: 'vmf->pte = pte_offset_map_lock()' },
              { op: 'pte-read', pte: 'pte0', label: 'vmf->orig_pte = *vmf->pte' },
              { op: 'pte-unmap-unlock', pte: 'pte0', label: 'pte_unmap_unlock(vmf->pte, vmf->ptl)' },
              { op: 'wp-page-copy', pte: 'pte0', page: 'page1', label: 'wp_page_copy(vmf)' },
              { op: 'mmap-unlock', mode: 'read' },
            ],
          },
      { name: 'user', role: 'userspace', program: [{ op: 'user-store', pte: 'pte0' }] },
    ],
  }),
);
