/**
 * Adversary `uffd-fill`: a userfaultfd fill (UFFDIO_COPY) into an empty entry of a private VMA, and what the address
 * shows afterwards.
 *
 * mm/userfaultfd.c mfill_atomic() takes mmap_lock for read (the per-VMA lock since 6.7), allocates a page, copies the
 * user's data into it (mfill_atomic_pte_copy()) and installs it with mfill_atomic_install_pte(): under the PTL, an
 * entry that is not none is -EEXIST; else set_pte_at() of the new page. On a private file VMA it inserts this anon
 * page without looking at the page cache, so the page lock of a file folio being collapsed does not keep it out
 * (the reason for "mm/khugepaged: fix collapse_pte_mapped_thp() versus uffd"). Only the PTL (or an exclusive lock it
 * needs: mmap_lock for write) keeps it out of a page table that another thread emptied and is about to detach.
 *
 * The data the fill put in is modelled as a store through the new entry made under the PTL. With `bind.after` (the
 * threads that empty and detach the table), once they returned the address is touched again: an empty entry is
 * filled from the page cache with `bind.page` (the file's page: the collapsed huge page a PMD maps after a collapse),
 * and the end-of-run check reports `no-lost-write` when the address then lacks the fill's data — an entry installed
 * into a table that was detached afterwards (pmdp_collapse_flush() + pte_free_defer()) was dropped with its page.
 */
import type { Instr, ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** Fill `bind.pte` with `bind.newPage` if it is empty; later map `bind.page` there if it is empty again. */
export function uffdFill(bind: AdversaryBind): ThreadSpec {
  if (bind.page === undefined || bind.newPage === undefined) throw new TypeError('adversary "uffd-fill" needs bind.page and bind.newPage');
  const pte = bind.pte;
  const wait: Instr[] = (bind.after ?? []).map((thread): Instr => ({ ctl: 'assume', cond: { test: 'thread-exited', thread } }));
  return {
    name: bind.name ?? 'uffd-fill',
    role: 'userfaultfd fill',
    program: [
      { op: 'mmap-lock', mode: 'read', label: 'mfill_atomic(): mmap_read_lock()' },
      { op: 'pte-map-lock', pte, label: 'mfill_atomic_install_pte(): pte_offset_map_lock()' },
      { op: 'pte-read', pte },
      { ctl: 'if', cond: { test: 'pte-present', pte }, then: 'exists' },
      { op: 'pte-set', pte, page: bind.newPage, effects: ['new-page', 'mkwrite', 'mkdirty'], label: 'mfill_atomic_install_pte(): set_pte_at() of the filled page' },
      { op: 'user-store', pte, label: 'the data UFFDIO_COPY copied in' },
      { ctl: 'label', name: 'exists' },
      { op: 'pte-unmap-unlock', pte },
      { op: 'mmap-unlock', mode: 'read' },
      ...wait,
      // A later access: an empty entry is filled from the page cache (or the PMD the collapse installed maps it).
      { op: 'pte-map-lock', pte, label: 'a later fault: pte_offset_map_lock()' },
      { op: 'pte-read', pte },
      { ctl: 'if', cond: { test: 'pte-present', pte }, then: 'mapped' },
      { op: 'pte-set', pte, page: bind.page, effects: ['new-page'], label: 'a later fault maps the file page (the collapsed folio)' },
      { ctl: 'label', name: 'mapped' },
      { op: 'pte-unmap-unlock', pte },
    ],
  };
}
