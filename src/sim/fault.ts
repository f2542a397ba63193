/**
 * The page-fault handler as the model runs it (handle_mm_fault on a present PTE), called with the PTL free.
 */
import { PG, PT, pageAt, pteAt } from './layout.ts';
import { clearMark, fillTlb, note } from './machine.ts';
import type { Machine, Recorder } from './machine.ts';

const MARK_WP = 1;

/**
 * Fault on PTE e for thread t. Returns 1 when the access can be retried successfully, 0 when the fault fails
 * (PTE not present: the page is gone; uffd-wp: the fault goes to the userfaultfd monitor).
 * A read fault sets young; a write fault on a writable PTE sets young+dirty (+PG_dirty); a write fault on a
 * write-protected PTE reuses the page (do_wp_page): write+dirty, the write is now tracked, so the protection
 * promise for e is legitimately over. The thread's TLB entry is refilled from the new PTE.
 */
export function faultCore(m: Machine, s: Int32Array, t: number, e: number, write: boolean, rec?: Recorder): number {
  const po = pteAt(m.L, e);
  if (s[po + PT.present] !== 1) {
    note(rec, 'PTE not present: fault fails');
    return 0;
  }
  s[po + PT.young] = 1;
  if (write) {
    if (s[po + PT.write] !== 1) {
      if (s[po + PT.uffdWp] === 1) {
        note(rec, 'uffd-wp: fault goes to the monitor');
        return 0;
      }
      s[po + PT.write] = 1;
      clearMark(m, s, e, MARK_WP);
      note(rec, 'write fault: page reused writable');
    }
    s[po + PT.dirty] = 1;
    s[po + PT.softDirty] = 1;
    s[pageAt(m.L, s[po + PT.page]!) + PG.dirty] = 1;
  }
  fillTlb(m, s, t, e);
  return 1;
}
