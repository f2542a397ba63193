/**
 * Adversary `cow`: a write fault doing copy-on-write (do_wp_page → wp_page_copy), handing uffd-wp PTEs to the monitor.
 */
import type { ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** COW write fault on `bind.pte` into `bind.newPage` (required). */
export function cow(bind: AdversaryBind): ThreadSpec {
  if (bind.newPage === undefined) throw new TypeError('adversary "cow" needs bind.newPage');
  return {
    name: bind.name ?? 'cow',
    role: 'COW fault',
    program: [
      { op: 'mmap-lock', mode: 'read' },
      { op: 'pte-map-lock', pte: bind.pte },
      { op: 'pte-read', pte: bind.pte },
      { ctl: 'if', cond: { test: 'pte-uffd-wp', pte: bind.pte }, then: 'uffd' },
      { ctl: 'if', cond: { test: 'pte-present', pte: bind.pte, negate: true }, then: 'none' },
      // do_wp_page() only runs for a write fault on a present, write-protected PTE: otherwise nothing to copy
      { ctl: 'if', cond: { test: 'pte-write', pte: bind.pte }, then: 'none' },
      { op: 'pte-unmap-unlock', pte: bind.pte },
      { op: 'wp-page-copy', pte: bind.pte, page: bind.newPage },
      { op: 'mmap-unlock', mode: 'read' },
      { ctl: 'goto', to: 'out' },
      { ctl: 'label', name: 'none' },
      { op: 'pte-unmap-unlock', pte: bind.pte },
      { op: 'mmap-unlock', mode: 'read' },
      { ctl: 'goto', to: 'out' },
      { ctl: 'label', name: 'uffd' },
      { op: 'pte-unmap-unlock', pte: bind.pte },
      { op: 'handle-userfault' },
      { ctl: 'label', name: 'out' },
    ],
  };
}
