/**
 * Run a scenario on one arch preset (or several): compile, explore, minimise the counterexample, build the trace.
 */
import type { Trace } from '../core/finding.ts';
import type { Arch, InvariantName } from '../core/sim-contract.ts';
import { archModel } from './arch.ts';
import { compile } from './compile.ts';
import { exploreDfs } from './explore-dfs.ts';
import { minimisePath } from './minimise.ts';
import { MmModel } from './model.ts';
import { parseScenario } from './scenario.ts';
import type { Scenario } from './scenario.ts';
import { buildTrace } from './trace.ts';

/** A simulation verdict (the `Simulation` of src/core/finding.ts, plus the scenario name). */
export interface SimResult {
  verdict: 'violation' | 'ok' | 'inconclusive';
  invariant?: InvariantName;
  arch: Arch;
  states: number;
  transitions: number;
  ms: number;
  bound?: string;
  trace?: Trace;
  scenario: string;
}

export interface SimOptions {
  arch?: Arch;
  maxStates?: number;
  maxMs?: number;
  /** Skip counterexample minimisation (benchmarks). */
  noMinimise?: boolean;
}

export const DEFAULT_MAX_STATES = 200_000;
export const DEFAULT_MAX_MS = 5_000;

/** Simulate `s` on one arch (default: the scenario's first preset, else x86). Throws TypeError on an invalid scenario. */
export function simulate(s: Scenario, opts: SimOptions = {}): SimResult {
  const parsed = parseScenario(s);
  if (!parsed.ok) throw new TypeError(`invalid scenario "${String((s as { name?: unknown }).name)}": ${parsed.errors.join('; ')}`);
  const arch: Arch = opts.arch ?? s.arch?.[0] ?? 'x86';
  const c = compile(parsed.scenario);
  const model = new MmModel(c, archModel(arch));
  const maxStates = opts.maxStates ?? s.bounds?.maxStates ?? DEFAULT_MAX_STATES;
  const maxMs = opts.maxMs ?? s.bounds?.maxMs ?? DEFAULT_MAX_MS;
  const t0 = performance.now();
  const r = exploreDfs(model, {
    maxStates,
    maxMs,
    ...(c.checked[4] === 1 ? { deadlock: 'lock-balance' as const } : {}),
    ...(c.checked[10] === 1 ? { livelock: 'no-livelock' as const } : {}),
  });
  const out: SimResult = { verdict: r.verdict, arch, states: r.states, transitions: r.transitions, ms: r.ms, scenario: s.name };
  if (r.bound !== undefined) out.bound = r.bound;
  if (r.verdict === 'violation' && r.invariant !== undefined && r.path !== undefined) {
    out.invariant = r.invariant;
    let path = r.path;
    let cycle = r.cycleStart;
    if (r.invariant !== 'no-livelock' && !opts.noMinimise) {
      const min = minimisePath(model, r.invariant, path, maxStates);
      if (min !== path) cycle = undefined;
      path = min;
    }
    out.trace = buildTrace(model.m, path, r.invariant, cycle);
    out.ms = Math.round((performance.now() - t0) * 100) / 100;
  }
  return out;
}

/** Run each arch in order; the first violation wins, else the last ok/inconclusive result. */
export function simulateAll(s: Scenario, archs: Arch[], opts: Omit<SimOptions, 'arch'> = {}): SimResult {
  let last: SimResult | undefined;
  const list = archs.length > 0 ? archs : (s.arch ?? ['x86']);
  for (const arch of list) {
    last = simulate(s, { ...opts, arch });
    if (last.verdict === 'violation') return last;
  }
  return last!;
}
