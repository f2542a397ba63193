/**
 * Adversary `clean-reclaim`: reclaim of a page that looks clean (mm/vmscan.c shrink_folio_list()).
 *
 * A file page, or an anonymous page in the swap cache, whose PG_dirty is clear and that no entry maps dirty holds
 * nothing that is not on disk (or swap) as far as the kernel knows: try_to_unmap() unmaps it (moving the dirty bits
 * of the entries it clears to the folio) and, still clean, __remove_folio() drops it without writing it. A dirty bit
 * that a path cleared from an entry and never moved to the folio (mm/rmap.c try_to_migrate_one(): `if
 * (pte_dirty(pteval)) folio_mark_dirty(folio)`) is then missing, and the stores it recorded are lost with the page:
 * `reclaim-drop` reports `no-lost-write` when the dropped page's data differs from the disk copy.
 *
 * With `bind.after` it waits (`assume thread-exited`) until those threads (the path that cleared the entry and left
 * the page in use: a migration entry installed, the page kept in the page cache) returned, as reclaim finds the page
 * only once that path let go of it (the folio lock a migration holds, its isolation from the LRU).
 */
import type { Instr, ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** Reclaim `bind.page` (required) as a clean page once every thread of `bind.after` (when given) has returned. */
export function cleanReclaim(bind: AdversaryBind): ThreadSpec {
  if (bind.page === undefined) throw new TypeError('adversary "clean-reclaim" needs bind.page');
  const wait: Instr[] = (bind.after ?? []).map((thread): Instr => ({ ctl: 'assume', cond: { test: 'thread-exited', thread } }));
  return {
    name: bind.name ?? 'clean-reclaim',
    role: 'reclaim',
    program: [...wait, { op: 'reclaim-drop', page: bind.page, label: 'shrink_folio_list(): unmap, drop if clean' }],
  };
}
