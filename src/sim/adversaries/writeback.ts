/**
 * Adversary `writeback`: page writeback (page_mkclean + write to disk) followed by reclaim dropping the clean page.
 */
import type { ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** Write back and try to reclaim `bind.page` (required). */
export function writeback(bind: AdversaryBind): ThreadSpec {
  if (bind.page === undefined) throw new TypeError('adversary "writeback" needs bind.page');
  return {
    name: bind.name ?? 'writeback',
    role: 'page writeback',
    program: [
      { op: 'lock', lock: bind.page, label: 'lock_page()' },
      // folio_clear_dirty_for_io(): clean the PTEs (their dirty bits go to PG_dirty), then test-and-clear PG_dirty;
      // a dirty mark made after that (a zap of a dirty PTE) survives the I/O.
      { op: 'page-mkclean', page: bind.page, clearDirty: true, label: 'page_mkclean_one()' },
      { op: 'writeback', page: bind.page, clearDirty: false },
      { op: 'unlock', lock: bind.page, label: 'unlock_page()' },
      { op: 'reclaim-drop', page: bind.page },
    ],
  };
}
