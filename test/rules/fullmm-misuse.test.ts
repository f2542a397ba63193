// Fixture tests of fullmm-misuse: annotated valid/invalid C and patches through the C front end.
import rule from '../../rules/fullmm-misuse.ts';
import { testRule } from '../../src/rule-tester/rule-tester.ts';

testRule(rule, {
  valid: [
    'valid-exit-mmap.c',
    'valid-fix-ranged-gather.patch',
    'valid-fullmm-assigned-in-teardown.patch',
    'valid-fullmm-assigned-with-freed-tables.c',
    'valid-flush-hook-skips-fullmm-leaf-only.patch',
    'valid-fullmm-helper-called-from-exit-mmap.patch',
    'valid-legacy-range-in-exit-mmap.c',
    'valid-ranged-gather.c',
    'valid-ranged-gather-after-eintr-exit.patch',
  ],
  invalid: [
    'invalid-flush-hook-skips-fullmm.patch',
    'invalid-fullmm-assigned-on-live-mm.patch',
    'invalid-fullmm-helper-called-from-syscall.patch',
    'invalid-proc-write-fullmm.c',
    'invalid-reaper-legacy-range.c',
    'invalid-fullmm-after-eintr-exit.patch',
    'invalid-fullmm-user-param-in-hunk-header.patch',
    'invalid-fullmm-child-mm-after-eintr.patch',
    'invalid-fullmm-on-borrowed-active-mm.patch',
    'invalid-fullmm-other-mm-pinned.patch',
  ],
});
