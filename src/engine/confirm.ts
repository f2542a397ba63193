/**
 * Confirms a candidate: runs its scenarios on each relevant arch preset, data invariants first (a lost write or a
 * freed page makes the clearest trace), protocol invariants second, and keeps the first violation found.
 *
 * Soundness: a violation is `confirmed` only when it holds for every completion of the code the tool cannot see
 * (unseen.ts): the default completion is simulated first; when it violates, every other admissible completion is
 * simulated with the same arch and invariants, and one that does not violate makes the verdict `inconclusive`, with
 * the question the unseen code would answer. A candidate whose rule named unseen code it depends on
 * (Candidate.unseen) is never confirmed either.
 */
import type { Simulation, FindingStatus } from '../core/finding.ts';
import type { Arch, InvariantName } from '../core/sim-contract.ts';
import type * as Simulator from '../sim/simulate.ts';
import { buildScenario, completionsFor, DATA_INVARIANTS } from './scenario-builder.ts';
import type { BuildInput } from './scenario-builder.ts';
import { unseenReason } from './unseen.ts';

let simulator: typeof Simulator | undefined;

/**
 * Loads the simulator (and its scenario validation) once per process. checkPatches awaits it before confirming
 * the first candidate, so reviews that raise no candidate never load it.
 */
export async function loadSimulator(): Promise<void> {
  simulator ??= await import('../sim/simulate.ts');
}

export interface Confirmation {
  status: FindingStatus;
  simulation?: Simulation;
  /** Every run made (arch × invariant group × completion), for stats. */
  runs: number;
  /**
   * Set when a violation was found under some completion of the unseen code but not under all (or the rule said
   * the claim depends on unseen code): the question that code would answer. The status is then `inconclusive`.
   */
  dependsOn?: string;
  /** What the reported simulation assumed about unseen code (established facts and chosen completions). */
  assumes?: string[];
  /** On an inconclusive verdict with a companion path: companionOpen() of the input (computed once per confirm()). */
  companionOpen?: string[];
}

/** Invariant groups to try in order: the hazard's data invariants, then its protocol invariants. */
export function invariantGroups(invariants: readonly InvariantName[]): InvariantName[][] {
  const data = invariants.filter((i) => DATA_INVARIANTS.includes(i));
  const protocol = invariants.filter((i) => !DATA_INVARIANTS.includes(i));
  return [data, protocol].filter((g) => g.length > 0);
}

function run(input: BuildInput, arch: Arch, group: InvariantName[], completion: number): Simulation {
  const scenario = buildScenario({ ...input, completion }, arch, group);
  if (!simulator) throw new Error('the simulator is not loaded (await loadSimulator() first)');
  const r = simulator.simulate(scenario, { arch });
  return {
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
}

/**
 * The unseen code a rule said its claim depends on: Candidate.unseen, or Hazard.unknown (the same idea as spelled
 * by the lockrules branch; read structurally so both spellings are honoured); else the front end's word that the
 * path itself runs only for some contents of a hunk gap (EventPath.unseenBranch).
 */
export function ruleUnseen(c: BuildInput['candidate']): string | undefined {
  return c.unseen ?? (c.hazard as { unknown?: string }).unknown ?? c.path.unseenBranch;
}

/**
 * The unseen code the companion path (a second patched thread, run under its default completion) depends on: its
 * open choices and the rule's own declared dependence. A violation found with the companion is confirmed only when
 * the companion has none, since its other completions are not simulated.
 */
export function companionOpen(input: BuildInput): string[] {
  const c = input.companion;
  if (!c) return [];
  const comps = completionsFor({ candidate: c.candidate, path: c.path, fn: c.fn, fragment: c.fragment === true, ...(c.facts ? { facts: c.facts } : {}) });
  const declared = ruleUnseen(c.candidate);
  return [...comps.questions, ...comps.dropped, ...(declared ? [declared] : [])].map((q) => `(the other patched path in ${c.fn}()) ${q}`);
}

/** Why a violation the adversaries reach without the patched code is not confirmed. */
const BASELINE_VIOLATES = 'whether the violation needs the patched code at all: the simulated adversaries reach it on their own (a limit of their model)';

/**
 * A violation that is the patched code's: the scenario as built when its adversaries alone reach no violation;
 * otherwise the first scenario without one of the adversaries that still violates while its adversaries alone do
 * not. `found` is undefined when there is none.
 */
function ownViolation(input: BuildInput, first: Simulation, arch: Arch, group: InvariantName[]): { found?: { input: BuildInput; sim: Simulation }; runs: number } {
  const advs = input.candidate.hazard.adversaries;
  if (advs.length === 0) return { found: { input, sim: first }, runs: 0 };
  let runs = 1;
  if (run({ ...input, baseline: true }, arch, group, 0).verdict !== 'violation') return { found: { input, sim: first }, runs };
  // With one adversary, leaving it out leaves none: nothing to try.
  for (const adv of advs.length > 1 ? advs : []) {
    const without: BuildInput = { ...input, without: [...(input.without ?? []), adv] };
    const sim = run(without, arch, group, 0);
    runs++;
    if (sim.verdict !== 'violation') continue;
    const base = run({ ...without, baseline: true }, arch, group, 0);
    runs++;
    if (base.verdict !== 'violation') return { found: { input: without, sim }, runs };
  }
  return { runs };
}

/** Simulate a candidate (or its suggested fix, via input.pathOverride) on `archs`. */
export function confirm(input: BuildInput, archs: readonly Arch[]): Confirmation {
  const groups = invariantGroups(input.candidate.hazard.invariants);
  if (archs.length === 0) {
    return { status: 'unsimulated', runs: 0, simulation: undefined };
  }
  const comps = completionsFor(input);
  // The companion is the same for every arch, group and adversary subset tried: its open questions once.
  let open: string[] | undefined;
  const companionQuestions = (): string[] => (open ??= companionOpen(input));
  const inconclusiveWith = (c: Confirmation): Confirmation => (input.companion ? { ...c, companionOpen: companionQuestions() } : c);
  let runs = 0;
  let lastOk: Simulation | undefined;
  let inconclusive: Simulation | undefined;
  let split: { sim: Simulation; questions: string[]; assumes: string[] } | undefined;
  for (const arch of archs) {
    for (const group of groups) {
      let used = input;
      let sim = run(input, arch, group, 0);
      runs++;
      if (sim.verdict === 'violation') {
        // The violation must be the patched code's: the adversaries alone, from the same state, must not reach it.
        // When they do (a limit of their model), each adversary is left out in turn: a violation that remains while
        // the remaining adversaries alone reach none is the patched code's.
        const own = ownViolation(input, sim, arch, group);
        runs += own.runs;
        if (!own.found) {
          split ??= { sim, questions: [BASELINE_VIOLATES], assumes: comps.list[0]?.assumes ?? [] };
          continue;
        }
        used = own.found.input;
        sim = own.found.sim;
        // Every other completion of the unseen code must violate too.
        const holds: string[] = [];
        for (let k = 1; k < comps.list.length; k++) {
          const other = run(used, arch, group, k);
          runs++;
          if (other.verdict !== 'violation') holds.push(...(comps.list[k]?.assumes ?? []));
        }
        const assumes = comps.list[0]?.assumes ?? [];
        const questions = [...(holds.length > 0 ? comps.questions : []), ...companionQuestions()];
        if (questions.length === 0 && comps.dropped.length === 0 && !ruleUnseen(input.candidate)) {
          return { status: 'confirmed', simulation: sim, runs, ...(assumes.length > 0 ? { assumes } : {}) };
        }
        split ??= { sim, questions: [...questions, ...comps.dropped], assumes };
        continue;
      }
      if (sim.verdict === 'inconclusive') inconclusive ??= sim;
      else lastOk = sim;
    }
  }
  if (split) {
    const declared = ruleUnseen(input.candidate);
    const reason = split.questions.length > 0 ? unseenReason(split.questions) : (declared as string);
    const full = declared && split.questions.length > 0 ? `${reason}; ${declared}` : reason;
    return inconclusiveWith({
      status: 'inconclusive',
      simulation: { ...split.sim, note: full },
      runs,
      dependsOn: full,
      ...(split.assumes.length > 0 ? { assumes: split.assumes } : {}),
    });
  }
  if (inconclusive) return inconclusiveWith({ status: 'inconclusive', simulation: inconclusive, runs });
  // No violation, but the safety would rest on unseen code the program does not model: not a refutation.
  if (comps.unmodelled) {
    const reason = unseenReason([comps.unmodelled]);
    return inconclusiveWith({ status: 'inconclusive', ...(lastOk ? { simulation: { ...lastOk, note: reason } } : {}), runs, dependsOn: reason });
  }
  return { status: 'refuted', simulation: lastOk, runs };
}

/**
 * Does a rewritten path (a suggested fix, via input.pathOverride) remove the violation? Only when no completion of
 * the unseen code violates on `arch` and no run hit a bound.
 */
export function fixVerdict(input: BuildInput, arch: Arch): { verdict: 'removes-violation' | 'still-violates' | 'not-simulated'; runs: number } {
  const comps = completionsFor(input);
  let runs = 0;
  let unsure = false;
  for (const group of invariantGroups(input.candidate.hazard.invariants)) {
    for (let k = 0; k < comps.list.length; k++) {
      const sim = run(input, arch, group, k);
      runs++;
      if (sim.verdict === 'violation') return { verdict: 'still-violates', runs };
      if (sim.verdict === 'inconclusive') unsure = true;
    }
  }
  return { verdict: unsure ? 'not-simulated' : 'removes-violation', runs };
}
