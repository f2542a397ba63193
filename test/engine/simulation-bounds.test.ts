/**
 * Verdicts must not depend on the machine (docs/engine.md, "Confirmation"): the simulator's budget for a candidate
 * is a number of states, the same everywhere; the wall-clock limit is a safety net far above any normal run, and a
 * result it cuts says so.
 */
import { describe, expect, it } from 'vitest';
import type { EventPath, PathStep } from '../../src/core/events.ts';
import type { Candidate } from '../../src/core/rule.ts';
import { ctl, ev } from '../../src/rule-tester/path-builder.ts';
import { buildScenario, SIMULATION_SAFETY_NET_MS, SIMULATION_STATE_BUDGET } from '../../src/engine/scenario-builder.ts';
import { DEFAULT_MAX_MS, simulate } from '../../src/sim/index.ts';
import { candidateOn } from '../helpers/candidate.ts';

const path = (steps: PathStep[]): EventPath => ({ steps, complete: true });

const candidate = (p: EventPath): Candidate => candidateOn(p);

describe('simulation bounds', () => {
  const p = path([
    ev(0, 'pte-map-lock', 'pte_offset_map_lock', { lock: 'ptl', pmd: 'pmd' }, { result: 'pte' }),
    ev(1, 'pte-read', 'ptep_get', { pte: 'pte' }),
    ev(2, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }),
    ctl({ kind: 'return' }),
  ]);

  it('a candidate scenario is bounded by states; its time limit is only a safety net far above any normal run', () => {
    const s = buildScenario({ candidate: candidate(p), path: 'mm/x.c', fn: 'f' }, 'x86', ['lock-balance']);
    expect(s.bounds?.maxStates).toBe(SIMULATION_STATE_BUDGET);
    expect(s.bounds?.maxMs).toBe(SIMULATION_SAFETY_NET_MS);
    // A run of the whole state budget takes seconds: the net must sit an order of magnitude above that.
    expect(SIMULATION_SAFETY_NET_MS).toBeGreaterThanOrEqual(60_000);
    expect(DEFAULT_MAX_MS).toBeGreaterThanOrEqual(60_000);
  });

  it('the same scenario gives the same verdict, states and transitions on every run', () => {
    const s = buildScenario({ candidate: candidate(p), path: 'mm/x.c', fn: 'f' }, 'x86', ['lock-balance']);
    const a = simulate(s, { arch: 'x86', cache: false });
    const b = simulate(s, { arch: 'x86', cache: false });
    expect([a.verdict, a.states, a.transitions, a.bound]).toEqual([b.verdict, b.states, b.transitions, b.bound]);
    expect(a.bound).toBeUndefined();
  });
});
