// Fixture tests of notifier-symmetry: annotated valid/invalid C and patches through the C front end.
import rule from '../../rules/notifier-symmetry.ts';
import { testRule } from '../../src/rule-tester/rule-tester.ts';

testRule(rule, {
  valid: [
    'valid-bracketed-replace.c',
    'valid-caller-brackets.c',
    'valid-nonblock-under-lock.c',
    'valid-nonblock-failure-branch.c',
    'valid-nonblock-result-tested.c',
    'valid-window-widened-for-shared-pmd.c',
    'valid-window-widened-on-hugetlb-branch.c',
    'valid-nonblock-checked-before-range-zap.c',
    'valid-window-handed-to-caller.patch',
    'valid-window-opened-above-hunk.patch',
    'valid-notify-helper-called-inside-window.patch',
    'valid-window-moved-to-caller.patch',
    'valid-window-moved-into-callee.patch',
    'valid-pte-change-window-moved-to-caller.patch',
    'valid-start-moved-into-helper.patch',
    'valid-goto-label-below-hunk-after-end.patch',
  ],
  invalid: [
    'invalid-blockable-start-under-ptl.c',
    'invalid-bracket-removed.patch',
    'invalid-early-return-skips-end.c',
    'invalid-nonblock-failure-ends.c',
    'invalid-window-handed-to-caller-leaks.patch',
    'invalid-pte-change-after-window-closed.patch',
    'invalid-notify-helper-called-outside-window.patch',
    'invalid-blockable-start-must-hold.c',
    'invalid-early-return-inside-window-above-hunk.patch',
    'invalid-window-removed-around-unseen-helper.patch',
    'invalid-notify-value-computed-above.patch',
    'invalid-nonblock-failure-ends-late.patch',
    'invalid-nonblock-result-discarded.c',
    'invalid-nonblock-failure-only-noted.patch',
    'invalid-window-not-widened-for-shared-pmd.c',
    'invalid-nonblock-ignored-before-range-zap.c',
    'invalid-walk-callback-bracket-other-branch.c',
    'invalid-goto-label-below-hunk.patch',
  ],
});
