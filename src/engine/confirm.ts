/**
 * Confirms a candidate: runs its scenarios on each relevant arch preset, data invariants first (a lost write or a
 * freed page makes the clearest trace), protocol invariants second, and keeps the first violation found.
 */
import type { Simulation, FindingStatus } from '../core/finding.ts';
import type { Arch, InvariantName } from '../core/sim-contract.ts';
import { simulate } from '../sim/index.ts';
import { buildScenario, DATA_INVARIANTS } from './scenario-builder.ts';
import type { BuildInput } from './scenario-builder.ts';

export interface Confirmation {
  status: FindingStatus;
  simulation?: Simulation;
  /** Every run made (arch × invariant group), for stats. */
  runs: number;
}

/** Invariant groups to try in order: the hazard's data invariants, then its protocol invariants. */
export function invariantGroups(invariants: readonly InvariantName[]): InvariantName[][] {
  const data = invariants.filter((i) => DATA_INVARIANTS.includes(i));
  const protocol = invariants.filter((i) => !DATA_INVARIANTS.includes(i));
  return [data, protocol].filter((g) => g.length > 0);
}

/** Simulate a candidate (or its suggested fix, via input.pathOverride) on `archs`. */
export function confirm(input: BuildInput, archs: readonly Arch[]): Confirmation {
  const groups = invariantGroups(input.candidate.hazard.invariants);
  if (archs.length === 0) {
    return { status: 'unsimulated', runs: 0, simulation: undefined };
  }
  let runs = 0;
  let lastOk: Simulation | undefined;
  let inconclusive: Simulation | undefined;
  for (const arch of archs) {
    for (const group of groups) {
      const scenario = buildScenario(input, arch, group);
      const r = simulate(scenario, { arch });
      runs++;
      const sim: Simulation = {
        arch,
        verdict: r.verdict,
        states: r.states,
        transitions: r.transitions,
        ms: Math.round(r.ms * 10) / 10,
        scenario: scenario.name,
        ...(r.invariant ? { invariant: r.invariant } : {}),
        ...(r.bound ? { bound: r.bound } : {}),
        ...(r.trace ? { trace: r.trace } : {}),
      };
      if (r.verdict === 'violation') {
        // The violation rests on context the rule could not see: say so instead of confirming.
        const unknown = input.candidate.hazard.unknown;
        if (unknown) return { status: 'inconclusive', simulation: { ...sim, note: unknown }, runs };
        return { status: 'confirmed', simulation: sim, runs };
      }
      if (r.verdict === 'inconclusive') inconclusive ??= sim;
      else lastOk = sim;
    }
  }
  if (inconclusive) return { status: 'inconclusive', simulation: inconclusive, runs };
  return { status: 'refuted', simulation: lastOk, runs };
}
