// Fixture tests of flush-under-ptl's clear-then-copy check (rules/utils/clear-then-copy.ts): a cleared entry's page
// copied before the TLB flush, then the copy mapped (a stale-TLB store after the copy is lost).
import rule from '../../rules/flush-under-ptl.ts';
import { testRule } from '../../src/rule-tester/rule-tester.ts';

testRule(rule, {
  valid: [
    'valid-collapse-flush-before-copy.patch',
    'valid-replace-page-clear-flush-then-copy.c',
  ],
  invalid: [
    'invalid-collapse-copy-before-flush.patch',
    'invalid-replace-page-copy-before-flush.c',
  ],
});
