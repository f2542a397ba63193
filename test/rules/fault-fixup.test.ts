// Fixture tests of fault-fixup: annotated valid/invalid C and patches through the C front end.
import rule from '../../rules/fault-fixup.ts';
import { testRule } from '../../src/rule-tester/rule-tester.ts';

testRule(rule, {
  valid: [
    'valid-fixup-user-fault.c',
    'valid-plain-gup-user.c',
    'valid-lookup-with-pagefaults-disabled.c',
    'valid-atomic-read-then-read-pinned-page.c',
    'valid-atomic-read-then-read-pinned-page-returns-count.c',
    'valid-retry-after-real-fault-in.c',
  ],
  invalid: [
    'invalid-fault-in-gup.c',
    'invalid-retry-with-gup.c',
    'invalid-atomic-access-returns-gup-result.c',
    'invalid-loop-retry-with-gup.c',
  ],
});
