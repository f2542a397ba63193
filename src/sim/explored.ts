/**
 * What an exploration of a scenario depends on, and what it gives: the scenario's semantics (everything but the
 * text its trace shows) and the verdict with its minimised counterexample, from which any scenario with the same
 * semantics builds its own trace (src/sim/simulate.ts).
 */
import type { InvariantName } from '../core/sim-contract.ts';
import { isCtl, type Instr, type Scenario } from './scenario.ts';

/** One exploration: verdict, figures and, for a violation, the (minimised) counterexample as explorer actions. */
export interface Explored {
  verdict: 'violation' | 'ok' | 'inconclusive';
  states: number;
  transitions: number;
  ms: number;
  bound?: string;
  invariant?: InvariantName;
  path?: readonly number[];
  /** For a livelock: index in `path` where the cycle starts. */
  cycle?: number;
}

/**
 * The scenario without what only its trace shows: its name and description, the threads' roles (trace column
 * labels), the instructions' labels and source locations (trace step text). The compiler uses these only for the
 * text of trace steps and notes (src/sim/compile.ts `text`, `src`, `role`), never for a state, a transition or an
 * invariant; every name another field refers to (pages, PTEs, locks, threads, control labels) stays.
 */
export function semanticsOf(s: Scenario): unknown {
  const { name: _name, description: _description, threads, ...rest } = s;
  return { ...rest, threads: threads.map(({ role: _role, program, ...t }) => ({ ...t, program: program.map(bare) })) };
}

function bare(i: Instr): Instr {
  if (isCtl(i)) return i;
  const { label: _label, src: _src, ...op } = i;
  return op;
}
