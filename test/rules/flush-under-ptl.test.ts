// Fixture tests of flush-under-ptl: annotated valid/invalid C and patches through the C front end.
import rule from '../../rules/flush-under-ptl.ts';
import { testRule } from '../../src/rule-tester/rule-tester.ts';

testRule(rule, {
  valid: [
    'valid-announce-retracted.c',
    'valid-arch-gather-freed-tables-reach.patch',
    'valid-arch-gather-full-flush-when-tables-freed.patch',
    'valid-arch-mm-flush-broadcast.patch',
    'valid-arch-range-leaf-only-own-collapse.patch',
    'valid-fix-arch-level-hint-no-ttl-for-freed-tables.patch',
    'valid-batched-flush-announced.c',
    'valid-deferred-flush-announced.c',
    'valid-fix-flush-before-unlock.patch',
    'valid-fix-gather-entry-given.patch',
    'valid-flush-before-unlock.c',
    'valid-fork-copy-wrprotect.c',
    'valid-gather-entry-given.c',
    'valid-gather-keeps-pages.c',
    'valid-pmd-move-flush-under-lock.c',
    'valid-pte-move-flush-under-lock.c',
    'valid-range-start-saved.c',
    'valid-range-widened-for-shared-pmd.c',
  ],
  invalid: [
    'invalid-announce-not-retracted.c',
    'invalid-arch-gather-hook-no-op-path.patch',
    'invalid-arch-gather-range-leaf-only.patch',
    'invalid-arch-level-hint-ignores-freed-tables.patch',
    'invalid-arch-mm-flush-local-single-user.patch',
    'invalid-arch-page-flush-level-hint.patch',
    'invalid-batched-flush-not-announced.c',
    'invalid-callback-wrprotect.c',
    'invalid-collect-clear-after-unlock.c',
    'invalid-flush-moved-after-unlock.patch',
    'invalid-gather-entry-beside.c',
    'invalid-pmd-move-flush-after-unlock.c',
    'invalid-pte-move-flush-after-unlock.c',
    'invalid-range-not-widened-for-shared-pmd.c',
    'invalid-range-start-advanced.c',
  ],
});
