/**
 * Rule tester public API: `runRule` (also used by the engine), fixture expectations and the test harness.
 */
export { runRule, runRules, dedupeCandidates, ALTERNATIVE_PATHS, fillTemplate, RuleCrashError } from './run-rule.ts';
