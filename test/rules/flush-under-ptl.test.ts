// Fixture tests of flush-under-ptl: annotated valid/invalid C and patches through the C front end.
import rule from '../../rules/flush-under-ptl.ts';
import { testRule } from '../../src/rule-tester/rule-tester.ts';

testRule(rule, {
  valid: [
    'valid-announce-retracted.c',
    'valid-batched-flush-announced.c',
    'valid-fork-copy-pmd-migration-branch.c',
    'valid-deferred-flush-announced.c',
    'valid-fix-flush-before-unlock.patch',
    'valid-fix-gather-entry-given.patch',
    'valid-fix-gather-finished-on-continue.patch',
    'valid-finish-forces-nested.c',
    'valid-clear-flush-checks-pending.c',
    'valid-gather-continue-unseen-loop.patch',
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
    'invalid-batched-flush-not-announced.c',
    'invalid-callback-wrprotect.c',
    'invalid-collect-clear-after-unlock.c',
    'invalid-flush-moved-after-unlock.patch',
    'invalid-move-helper-flush-left-to-caller.c',
    'invalid-gather-entry-beside.c',
    'invalid-gather-left-on-continue.patch',
    'invalid-finish-added-definition.patch',
    'invalid-clear-flush-skips-pending.c',
    'invalid-finish-ignores-nested.c',
    'invalid-finish-test-maybe-in-helper.c',
    'invalid-pmd-move-flush-after-unlock.c',
    'invalid-pte-move-flush-after-unlock.c',
    'invalid-range-not-widened-for-shared-pmd.c',
    'invalid-range-start-advanced.c',
  ],
});
