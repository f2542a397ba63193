// Fixture tests of flush-under-ptl's lost dirty bit check (rules/utils/dirty-bit.ts): a clear whose returned value,
// with the hardware's dirty bit, is thrown away while a migration or device entry keeps the page in use.
import rule from '../../rules/flush-under-ptl.ts';
import { testRule } from '../../src/rule-tester/rule-tester.ts';

testRule(rule, {
  valid: [
    'valid-dirty-bit-moved-to-folio.patch',
    'valid-dirty-bit-anon-zap-frees.c',
    'valid-dirty-bit-kept-in-migration-entry.c',
  ],
  invalid: [
    'invalid-dirty-bit-dropped-for-migration.patch',
    'invalid-dirty-bit-dropped-device-entry.c',
    'invalid-dirty-bit-dropped-then-ref-put.patch',
    'invalid-dirty-bit-from-value-read-before.patch',
  ],
});
