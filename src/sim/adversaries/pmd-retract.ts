/**
 * Adversary `pmd-retract`: khugepaged taking a PTE table out of its PMD through the file's rmap, after collapsing the
 * file range into a huge folio (mm/khugepaged.c retract_page_tables(), since v6.6 — 1d65b771bc08 "retract_page_tables()
 * without mmap or vma lock": i_mmap_rwsem for read, the PMD lock and the PTE table's lock only, no mmap_lock).
 *
 * Under the PMD lock (`bind.ptl`, the lock of `bind.pte`, which stands for the PMD) it looks at the entry; one that
 * still points to a table is cleared and flushed (pmdp_collapse_flush()) and, the locks dropped, the table page
 * (`bind.page`) is freed (pte_free_defer(): after an RCU grace period, which a path holding no RCU read lock does not
 * delay). With `bind.after`, once those threads returned, userspace touches the address a whole-table move installed
 * (`ptedst`, src/engine/path-program.ts DEST_PTE), when it is present: a walk through a table that was freed, or
 * through a page that was never a table, reaches a page the mm does not own (`no-stale-access`).
 */
import type { Instr, ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

const DEST = 'ptedst';

/** Retract the table `bind.pte` points to (page `bind.page`); later touch `ptedst` if `bind.after` is given. */
export function pmdRetract(bind: AdversaryBind): ThreadSpec {
  if (bind.page === undefined) throw new TypeError('adversary "pmd-retract" needs bind.page (the PTE table page)');
  const pmd = bind.pte;
  const ptl = bind.ptl ?? 'ptl0';
  const later: Instr[] = bind.after
    ? [
        ...bind.after.map((thread): Instr => ({ ctl: 'assume', cond: { test: 'thread-exited', thread } })),
        { op: 'pte-read', pte: DEST },
        { ctl: 'if', cond: { test: 'pte-present', pte: DEST, negate: true }, then: 'end' },
        { op: 'tlb-fill', pte: DEST, label: 'userspace touches the address the table was moved to' },
        { op: 'user-load', pte: DEST, label: 'Read through the moved table' },
        { ctl: 'label', name: 'end' },
      ]
    : [];
  return {
    name: bind.name ?? 'pmd-retract',
    role: 'khugepaged retract',
    program: [
      { op: 'lock', lock: ptl, label: 'retract_page_tables(): pmd_lock()' },
      { op: 'pte-read', pte: pmd, label: 'retract_page_tables(): is the PMD still a table?' },
      { ctl: 'if', cond: { test: 'pte-present', pte: pmd, negate: true }, then: 'gone' },
      { op: 'pte-clear-flush', pte: pmd, label: 'retract_page_tables(): pmdp_collapse_flush()' },
      { op: 'unlock', lock: ptl, label: 'retract_page_tables(): spin_unlock(pml)' },
      { op: 'page-free', page: bind.page, label: 'retract_page_tables(): pte_free_defer() [the PTE table freed]' },
      { ctl: 'goto', to: 'done' },
      { ctl: 'label', name: 'gone' },
      { op: 'unlock', lock: ptl, label: 'retract_page_tables(): spin_unlock(pml)' },
      { ctl: 'label', name: 'done' },
      ...later,
    ],
  };
}
