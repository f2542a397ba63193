// Fixture tests of notifier-symmetry: annotated valid/invalid C and patches through the C front end.
import rule from '../../rules/notifier-symmetry.ts';
import { testRule } from '../../src/rule-tester/rule-tester.ts';

testRule(rule, {
  valid: [
    'valid-bracketed-replace.c',
    'valid-caller-brackets.c',
    'valid-nonblock-under-lock.c',
  ],
  invalid: [
    'invalid-blockable-start-under-ptl.c',
    'invalid-bracket-removed.patch',
    'invalid-early-return-skips-end.c',
  ],
});
