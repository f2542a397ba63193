/**
 * Ground truth: seed 000 (2011, powerpc e500): futex's fault_in_user_writeable() used get_user_pages() to "fix up"
 * a fault. On software dirty-bit arches gup succeeds on a writable-but-clean PTE without setting the dirty bit, so
 * the atomic store faults again forever. Fixed by fixup_user_fault()/FOLL_FIXFAULT: gup with real fault semantics.
 */
import { pair } from './types.ts';

export const FUTEX_FIXUP_LIVELOCK = pair(
  'futex-fixup-livelock',
  'no-livelock',
  {
    buggy: 'futex retries its atomic store after get_user_pages(FOLL_WRITE), which does not set the software dirty bit: livelock on ppc-e500.',
    fixed: 'the fixup uses real fault semantics (FOLL_FIXFAULT / fixup_user_fault()): the dirty bit is set and the retry succeeds.',
  },
  (fixed) => ({
    name: `futex-fixup-livelock-${fixed ? 'fixed' : 'buggy'}`,
    arch: ['ppc-e500'],
    init: {
      pages: [{ name: 'page0' }],
      ptes: [{ name: 'uaddr', page: 'page0', write: true, dirty: false, young: true }],
    },
    threads: [
      {
        name: 'futex',
        role: 'futex_lock_pi',
        program: [
          { ctl: 'label', name: 'retry' },
          { op: 'user-store', pte: 'uaddr', nofault: true, label: 'futex_atomic_cmpxchg_inatomic(uaddr)' },
          { ctl: 'if', cond: { test: 'last-ok' }, then: 'done' },
          { op: 'mmap-lock', mode: 'read', label: 'down_read(&mm->mmap_sem)' },
          { op: 'gup', pte: 'uaddr', write: true, fixfault: fixed, label: fixed ? '__get_user_pages(FOLL_WRITE | FOLL_FIXFAULT)' : 'get_user_pages(current, mm, uaddr, 1, 1, 0)' },
          { op: 'mmap-unlock', mode: 'read', label: 'up_read(&mm->mmap_sem)' },
          { ctl: 'goto', to: 'retry' },
          { ctl: 'label', name: 'done' },
        ],
      },
    ],
  }),
);
