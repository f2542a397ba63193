// Fixture tests of uffd-lock-retake: annotated valid/invalid C and patches through the C front end.
import rule from '../../rules/uffd-lock-retake.ts';
import { testRule } from '../../src/rule-tester/rule-tester.ts';

testRule(rule, {
  valid: [
    'valid-fault-retake-checks-pte-same.c',
    'valid-hunk-retake-updates-orig-pte.patch',
    'valid-kernel-walk-no-unmap.c',
    'valid-lockless-read-checked-with-pte-same.patch',
    'valid-nolock-map-then-spin-lock.c',
    'valid-null-map-returns-early.patch',
    'valid-pte-same-after-retake.patch',
    'valid-relock-before-continue.c',
    'valid-retake-updates-orig-pte.patch',
    'valid-returns-locked-pte-to-caller.c',
    'valid-split-and-remap-start-pte.c',
    'valid-unlock-mapped-pointer.c',
    'valid-unmap-cursor-minus-one-after-walk.patch',
    'valid-unmap-start-after-alias-cursor-walk.patch',
    'valid-unmap-of-pte-offset-map.patch',
    'valid-unmap-unlock-after-get-locked-pte.patch',
    'valid-unmap-unlock-once-per-path.patch',
    'valid-zap-loop-drops-and-retries.c',
  ],
  invalid: [
    'invalid-break-unlocks-pte-minus-one.patch',
    'invalid-continue-without-relock.c',
    'invalid-fault-retake-without-pte-same.patch',
    'invalid-hunk-unlocks-stale-orig-pte.patch',
    'invalid-lockless-read-then-write-under-lock.patch',
    'invalid-spin-unlock-leaves-pte-mapped.patch',
    'invalid-stale-orig-pte-after-retake.patch',
    'invalid-stale-pte-value-after-retake.patch',
    'invalid-unmap-address-of-pte-copy.patch',
    'invalid-unmap-after-null-map.patch',
    'invalid-unmap-cursor-past-walk.patch',
    'invalid-unmap-of-kernel-pte.patch',
    'invalid-unmap-unlock-twice.patch',
  ],
});
