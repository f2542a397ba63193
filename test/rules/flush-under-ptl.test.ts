// Fixture tests of flush-under-ptl: annotated valid/invalid C and patches through the C front end.
import rule from '../../rules/flush-under-ptl.ts';
import { testRule } from '../../src/rule-tester/rule-tester.ts';

testRule(rule, {
  valid: [
    'valid-deferred-flush-announced.c',
    'valid-fix-flush-before-unlock.patch',
    'valid-flush-before-unlock.c',
    'valid-gather-keeps-pages.c',
  ],
  invalid: [
    'invalid-callback-wrprotect.c',
    'invalid-collect-clear-after-unlock.c',
    'invalid-flush-moved-after-unlock.patch',
  ],
});
