/**
 * The rule registry: every rule of rules/, sorted by id. Adding a rule = rules/<id>.ts + docs/rules/<id>.md +
 * test/rules/<id>.test.ts + fixtures/rules/<id>/ + one line here (scripts/check-rules.ts checks all five).
 */
import type { Rule } from '../src/core/rule.ts';
import faultFixup from './fault-fixup.ts';
import flushUnderPtl from './flush-under-ptl.ts';
import fullmmMisuse from './fullmm-misuse.ts';
import notifierSymmetry from './notifier-symmetry.ts';
import sleepInAtomic from './sleep-in-atomic.ts';
import uffdLockRetake from './uffd-lock-retake.ts';

/**
 * All rules, sorted by id. By code unit, not localeCompare(): ids are kebab-case file stems ([a-z0-9-]), which both
 * orders agree on (test/rules/registry-order.test.ts), and the registry is built on every run, where localeCompare's
 * first call initialises the ICU collator (~9 ms of a `check` that otherwise never compares strings that way).
 */
export const RULES: readonly Rule[] = Object.freeze(
  [faultFixup, flushUnderPtl, fullmmMisuse, notifierSymmetry, sleepInAtomic, uffdLockRetake].sort((a, b) => (a.meta.id < b.meta.id ? -1 : a.meta.id > b.meta.id ? 1 : 0)),
);

/** The rule with this id, or undefined. */
export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
