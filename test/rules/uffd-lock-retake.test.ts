// Fixture tests of uffd-lock-retake: annotated valid/invalid C and patches through the C front end.
import rule from '../../rules/uffd-lock-retake.ts';
import { testRule } from '../../src/rule-tester/rule-tester.ts';

testRule(rule, {
  valid: [
    'valid-relock-before-continue.c',
    'valid-unlock-mapped-pointer.c',
  ],
  invalid: [
    'invalid-break-unlocks-pte-minus-one.patch',
    'invalid-continue-without-relock.c',
  ],
});
