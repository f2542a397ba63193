/**
 * Adversary `mremap-table-move`: mremap() moving a whole PTE table from one PMD to another (mm/mremap.c, v5.1–v6.11).
 *
 * move_page_tables() holds mmap_lock for write. It reads the source PMD with no page-table lock (get_old_pmd(), then
 * `pmd_trans_huge(*old_pmd)` / `is_swap_pmd()` / the extent) and, for an entry that points to a page table, calls
 * move_pgt_entry(NORMAL_PMD) → move_normal_pmd(). That takes the PMD locks (pmd_lock(old_pmd), the destination's
 * nested), reads `pmd = *old_pmd`, clears it and installs `pmd_populate(mm, new_pmd, pmd_pgtable(pmd))` — before
 * v6.12 with no look at what it read ("mm/mremap: fix move_normal_pmd/retract_page_tables race" added
 * `if (!pmd_present(pmd) || pmd_leaf(pmd)) goto out_unlock`). mmap_lock for write was what kept every PMD clearer
 * out between the lockless read and the lock; a path that takes the table out without it (khugepaged's
 * retract_page_tables() since v6.6: i_mmap_rwsem for read and the PMD lock) can empty the PMD in that window, and
 * pmd_pgtable() of an entry that is no longer a table names a page that is not one (pfn 0 on x86): the destination
 * then points at a page the mm does not own as its page table.
 *
 * Since v5.14 move_pgt_entry() takes the rmap locks (i_mmap_rwsem for write) around move_normal_pmd(), but only after
 * the PMD was read: they order the move after a retract holding i_mmap_rwsem for read, they do not keep one out of the
 * window between the read and the lock, so the model leaves them out.
 *
 * In the model `bind.pte` is the source PMD (its page is the PTE table), the destination is the move's own entry
 * (`ptedst`), and `bind.newPage` (a free page) stands for the page pmd_pgtable() of a non-table entry names. Once the
 * move is done, userspace touches the new address: through a table that is not one, that access reaches a page the
 * mm does not own (`no-stale-access`). A move that finds the entry still a table installs it and loses nothing.
 */
import type { ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** The entry a whole-table move installs (src/engine/path-program.ts DEST_PTE). */
const DEST = 'ptedst';

/** Move the table `bind.pte` points to into `ptedst`, deciding on a lockless read, then access the new address. */
export function mremapTableMove(bind: AdversaryBind): ThreadSpec {
  if (bind.newPage === undefined) throw new TypeError('adversary "mremap-table-move" needs bind.newPage (the page pmd_pgtable() of a non-table entry names)');
  const pmd = bind.pte;
  return {
    name: bind.name ?? 'mremap-table-move',
    role: 'mremap',
    program: [
      { op: 'mmap-lock', mode: 'write', label: 'mremap(): mmap_write_lock()' },
      { op: 'pte-read', pte: pmd, label: 'move_page_tables(): the PMD read with no page-table lock: a table, move it whole' },
      { ctl: 'if', cond: { test: 'pte-present', pte: pmd, negate: true }, then: 'skip' },
      { op: 'lock', lock: bind.ptl ?? 'ptl0', label: 'move_normal_pmd(): pmd_lock(old_pmd)' },
      // pmd_clear() and, before the lock is dropped, flush_tlb_range() of the old range: one step in the model.
      { op: 'pte-clear-flush', pte: pmd, label: 'move_normal_pmd(): pmd = *old_pmd; pmd_clear(old_pmd); flush_tlb_range()' },
      { ctl: 'if', cond: { test: 'pte-present', pte: pmd }, then: 'table' },
      { op: 'pte-set', pte: DEST, page: bind.newPage, effects: ['new-page'], label: 'move_normal_pmd(): pmd_populate(new_pmd, pmd_pgtable(pmd)) of an entry that is no longer a table: a page that is not one' },
      { ctl: 'goto', to: 'moved' },
      { ctl: 'label', name: 'table' },
      { op: 'pte-set', pte: DEST, from: pmd, effects: ['unknown'], label: 'move_normal_pmd(): pmd_populate(new_pmd, pmd_pgtable(pmd))' },
      { ctl: 'label', name: 'moved' },
      { op: 'unlock', lock: bind.ptl ?? 'ptl0', label: 'move_normal_pmd(): spin_unlock(old_ptl)' },
      { op: 'mmap-unlock', mode: 'write', label: 'mremap(): mmap_write_unlock()' },
      { op: 'pte-read', pte: DEST },
      { ctl: 'if', cond: { test: 'pte-present', pte: DEST, negate: true }, then: 'skip' },
      { op: 'tlb-fill', pte: DEST, label: 'userspace touches the new address: a walk through the moved table' },
      { op: 'user-load', pte: DEST, label: 'Read through the moved table' },
      { ctl: 'label', name: 'skip' },
    ],
  };
}
