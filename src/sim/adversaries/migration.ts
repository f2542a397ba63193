/**
 * Adversary `migration`: try_to_migrate(): clear + flush under the PTL, copy the page, remap the copy, free the old.
 */
import type { ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** Migrate `bind.page` (required) mapped by `bind.pte` to `bind.newPage` (required). */
export function migration(bind: AdversaryBind): ThreadSpec {
  if (bind.page === undefined || bind.newPage === undefined) throw new TypeError('adversary "migration" needs bind.page and bind.newPage');
  return {
    name: bind.name ?? 'migration',
    role: 'migration',
    program: [
      { op: 'lock', lock: bind.page, label: 'folio_lock()' },
      { op: 'pte-map-lock', pte: bind.pte },
      { op: 'pte-read', pte: bind.pte },
      { ctl: 'if', cond: { test: 'pte-present', pte: bind.pte, negate: true }, then: 'none' },
      { op: 'pte-clear-flush', pte: bind.pte, label: 'ptep_clear_flush() [migration entry]' },
      { op: 'pte-unmap-unlock', pte: bind.pte },
      { op: 'page-get', page: bind.newPage, copy: bind.page, label: 'folio_migrate_copy()' },
      { op: 'pte-map-lock', pte: bind.pte },
      { op: 'pte-set', pte: bind.pte, effects: ['new-page'], page: bind.newPage, label: 'remove_migration_pte()' },
      { op: 'pte-unmap-unlock', pte: bind.pte },
      { op: 'unlock', lock: bind.page, label: 'folio_unlock()' },
      { op: 'page-free', page: bind.page },
      { ctl: 'goto', to: 'out' },
      { ctl: 'label', name: 'none' },
      { op: 'pte-unmap-unlock', pte: bind.pte },
      { op: 'unlock', lock: bind.page, label: 'folio_unlock()' },
      { ctl: 'label', name: 'out' },
    ],
  };
}
