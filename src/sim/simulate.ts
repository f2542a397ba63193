/**
 * Run a scenario on one arch preset (or several): compile, explore, minimise the counterexample, build the trace.
 */
import { createHash } from 'node:crypto';
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
import { semanticsOf, type Explored } from './explored.ts';

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
  /**
   * Reuse the result of an identical earlier simulation in this process (same scenario, arch and limits; default
   * true). Benchmarks that time the exploration itself turn it off.
   */
  cache?: boolean;
}

/** Results by scenario hash (SHA-256 of the scenario's JSON plus arch and limits), for this process. Bounded, oldest out. */
const RESULTS = new Map<string, SimResult>();
const RESULTS_MAX = 512;

/**
 * Explorations by the hash of the scenario's semantics (sim/explored.ts: the scenario without its name, description,
 * thread roles, instruction labels and source locations, plus arch and limits): a scenario that differs from an
 * explored one only in what its trace shows (the same code at other lines, or in a function of another name) has the
 * same state space, verdict and minimised counterexample, so only its trace is built again. Bounded, oldest out.
 */
const EXPLORED = new Map<string, Explored>();

const cacheStats = { hits: 0, misses: 0, reused: 0 };

/** Forget every cached simulation result and exploration and reset the counters (tests). */
export function clearSimulationCache(): void {
  RESULTS.clear();
  EXPLORED.clear();
  cacheStats.hits = 0;
  cacheStats.misses = 0;
  cacheStats.reused = 0;
}

/**
 * How many simulate() calls were answered from the cache (`hits`), how many were not (`misses`), and how many of
 * those took the exploration of a scenario with the same semantics instead of exploring (`reused`).
 */
export function simulationCacheStats(): { hits: number; misses: number; reused: number; size: number } {
  return { ...cacheStats, size: RESULTS.size };
}

/**
 * Expected number of states of a compiled scenario, to pre-size the visited set: the product of the threads'
 * program-counter ranges (a rough reachable-control-state bound), within [1024, maxStates + 1].
 */
export function expectedStates(c: { threads: ReadonlyArray<{ code: readonly unknown[] }> }, maxStates: number): number {
  let n = 1;
  for (const t of c.threads) {
    n *= t.code.length + 1;
    if (n > maxStates) break;
  }
  return Math.max(1024, Math.min(n, maxStates + 1));
}

export const DEFAULT_MAX_STATES = 200_000;
/**
 * Wall-clock limit: a last-resort safety net only, far above any normal run. Verdicts are bounded by states (the
 * same on every machine); a result cut by this limit depends on the machine and its load, and says so (`time>`).
 */
export const DEFAULT_MAX_MS = 60_000;

/** Simulate `s` on one arch (default: the scenario's first preset, else x86). Throws TypeError on an invalid scenario. */
export function simulate(s: Scenario, opts: SimOptions = {}): SimResult {
  if (opts.cache === false) return run(s, opts);
  const arch: Arch = opts.arch ?? s.arch?.[0] ?? 'x86';
  const key = createHash('sha256').update(JSON.stringify([arch, opts.maxStates ?? null, opts.maxMs ?? null, opts.noMinimise === true, s])).digest('base64');
  const hit = RESULTS.get(key);
  if (hit) {
    cacheStats.hits++;
    return structuredClone(hit);
  }
  cacheStats.misses++;
  const r = run(s, { ...opts, explored: semanticKey(s, arch, opts) });
  // A time-bound result depends on the machine's load at the time: it is not reused.
  if (!r.bound?.startsWith('time>')) {
    if (RESULTS.size >= RESULTS_MAX) RESULTS.delete(RESULTS.keys().next().value!);
    RESULTS.set(key, structuredClone(r));
  }
  return r;
}

/** The key of the scenario's exploration in EXPLORED. */
function semanticKey(s: Scenario, arch: Arch, opts: SimOptions): string {
  return createHash('sha256').update(JSON.stringify([arch, opts.maxStates ?? null, opts.maxMs ?? null, opts.noMinimise === true, semanticsOf(s)])).digest('base64');
}

/** `explored`: the key of this scenario's exploration, to take it from EXPLORED or record it there. */
function run(s: Scenario, opts: SimOptions & { explored?: string }): SimResult {
  const parsed = parseScenario(s);
  if (!parsed.ok) throw new TypeError(`invalid scenario "${String((s as { name?: unknown }).name)}": ${parsed.errors.join('; ')}`);
  const arch: Arch = opts.arch ?? s.arch?.[0] ?? 'x86';
  const c = compile(parsed.scenario);
  const model = new MmModel(c, archModel(arch));
  const known = opts.explored !== undefined ? EXPLORED.get(opts.explored) : undefined;
  if (known) cacheStats.reused++;
  const e = known ?? explore(model, c, s, opts);
  // A time-bound exploration depends on the machine's load at the time: it is not reused.
  if (!known && opts.explored !== undefined && !e.bound?.startsWith('time>')) {
    if (EXPLORED.size >= RESULTS_MAX) EXPLORED.delete(EXPLORED.keys().next().value!);
    EXPLORED.set(opts.explored, e);
  }
  const out: SimResult = { verdict: e.verdict, arch, states: e.states, transitions: e.transitions, ms: e.ms, scenario: s.name };
  if (e.bound !== undefined) out.bound = e.bound;
  if (e.invariant !== undefined && e.path !== undefined) {
    out.invariant = e.invariant;
    const t0 = performance.now();
    out.trace = buildTrace(model.m, [...e.path], e.invariant, e.cycle);
    out.ms = Math.round((e.ms + performance.now() - t0) * 100) / 100;
  }
  return out;
}

/**
 * Explore the model; for a violation, minimise the counterexample (`ms`: the time of both; `path` and `cycle`: the
 * counterexample its trace is built from).
 */
function explore(model: MmModel, c: ReturnType<typeof compile>, s: Scenario, opts: SimOptions): Explored {
  const maxStates = opts.maxStates ?? s.bounds?.maxStates ?? DEFAULT_MAX_STATES;
  const maxMs = opts.maxMs ?? s.bounds?.maxMs ?? DEFAULT_MAX_MS;
  const t0 = performance.now();
  const r = exploreDfs(model, {
    maxStates,
    maxMs,
    expectedStates: expectedStates(c, maxStates),
    ...(c.checked[4] === 1 ? { deadlock: 'lock-balance' as const } : {}),
    ...(c.checked[10] === 1 ? { livelock: 'no-livelock' as const } : {}),
  });
  const e: Explored = { verdict: r.verdict, states: r.states, transitions: r.transitions, ms: r.ms };
  if (r.bound !== undefined) e.bound = r.bound;
  if (r.verdict === 'violation' && r.invariant !== undefined && r.path !== undefined) {
    e.invariant = r.invariant;
    let path = r.path;
    let cycle = r.cycleStart;
    if (r.invariant !== 'no-livelock' && !opts.noMinimise) {
      const min = minimisePath(model, r.invariant, path, maxStates);
      if (min !== path) cycle = undefined;
      path = min;
    }
    e.path = path;
    if (cycle !== undefined) e.cycle = cycle;
    e.ms = performance.now() - t0;
  }
  return e;
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
