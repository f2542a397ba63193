// Fixture tests of sleep-in-atomic: annotated valid/invalid C and patches through the C front end.
import rule from '../../rules/sleep-in-atomic.ts';
import { testRule } from '../../src/rule-tester/rule-tester.ts';

testRule(rule, {
  valid: [
    'valid-split-after-unlock.c',
    'valid-unlock-kept-before-sleep.patch',
    'valid-allocating-lookup-before-spinlock.c',
    'valid-atomic-alloc-under-ptl.c',
    'valid-cond-resched-lock-own.c',
    'valid-resched-after-unmap.c',
    'valid-fix-alloc-before-lock.patch',
    'valid-fragment-lock-unknown.patch',
    'valid-fragment-unlock-after-gap.patch',
    'valid-helper-sleeps-conditionally.patch',
    'valid-resched-after-pte-walk.patch',
    'valid-fix-folio-trylock-under-ptl.patch',
    'valid-user-copy-under-kmap-atomic.c',
    'valid-alloc-after-rcu-unlock.c',
    'valid-user-read-under-lock-faults-off.c',
    'valid-huge-entry-handed-in.c',
  ],
  invalid: [
    'invalid-split-under-ptl.c',
    'invalid-allocating-lookup-under-spinlock.c',
    'invalid-unlock-deleted-before-sleep.patch',
    'invalid-gfp-kernel-under-page-table-lock.c',
    'invalid-cond-resched-under-pte-map.c',
    'invalid-mutex-under-pmd-lock.c',
    'invalid-sleep-after-unlock-before-unmap.c',
    'invalid-lock-widened-over-context-line.patch',
    'invalid-fragment-sleep-before-unlock.patch',
    'invalid-sleeping-helper-under-lock.patch',
    'invalid-resched-inside-pte-walk.patch',
    'invalid-sleeping-wrapper-two-levels.patch',
    'invalid-helper-allocates-under-caller-lock.patch',
    'invalid-alloc-under-rcu-read-lock.c',
    'invalid-mutex-under-irq-save.c',
    'invalid-alloc-with-handed-in-pte.c',
    'invalid-folio-lock-before-pte-use.patch',
  ],
});
