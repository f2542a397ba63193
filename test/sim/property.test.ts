/**
 * Property: on random tiny programs (2 threads × ≤4 ops), the optimised explorer (fused local steps, packed states,
 * DFS) reaches the same verdict as the naive one (no fusion, string keys, BFS listing every violated invariant).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { archModel } from '../../src/sim/arch.ts';
import { compile } from '../../src/sim/compile.ts';
import { exploreDfs } from '../../src/sim/explore-dfs.ts';
import { exploreNaive } from '../../src/sim/explore-naive.ts';
import { MmModel } from '../../src/sim/model.ts';
import { ARCH_PRESETS, INVARIANTS } from '../../src/core/sim-contract.ts';
import type { Instr, Scenario } from '../../src/sim/index.ts';

const PTE = fc.constantFrom('pte0', 'pte1');
const instr: fc.Arbitrary<Instr> = fc.oneof(
  PTE.map((pte) => ({ op: 'pte-map-lock' as const, pte })),
  PTE.map((pte) => ({ op: 'pte-unmap-unlock' as const, pte })),
  PTE.map((pte) => ({ op: 'pte-read' as const, pte })),
  fc.tuple(PTE, fc.subarray(['wrprotect', 'clean', 'mkwrite', 'mkdirty', 'mkold'] as const, { minLength: 1 })).map(([pte, effects]) => ({ op: 'pte-set' as const, pte, effects: [...effects] })),
  PTE.map((pte) => ({ op: 'pte-clear' as const, pte })),
  PTE.map((pte) => ({ op: 'pte-wrprotect' as const, pte })),
  PTE.map((pte) => ({ op: 'tlb-flush' as const, scope: 'page' as const, pte })),
  PTE.map((pte) => ({ op: 'user-store' as const, pte })),
  PTE.map((pte) => ({ op: 'user-load' as const, pte })),
  PTE.map((pte) => ({ op: 'user-store' as const, pte, nofault: true })),
  PTE.map((pte) => ({ op: 'fault' as const, pte, write: true })),
  PTE.map((pte) => ({ op: 'gup' as const, pte, write: true })),
  fc.constantFrom<Instr>(
    { op: 'page-free', page: 'page0' },
    { op: 'writeback', page: 'page0' },
    { op: 'reclaim-drop', page: 'page0' },
    { op: 'page-mkclean', page: 'page0' },
    { op: 'flush-pending-inc' },
    { op: 'flush-pending-dec' },
    { op: 'gather-init' },
    { op: 'gather-finish', range: [0, 2] },
    { op: 'may-sleep' },
    { op: 'call' },
    { op: 'notifier-start', range: [0, 2] },
    { op: 'notifier-end', range: [0, 2] },
  ),
);
/** A program with an optional forward `if` on a local value (keeps programs acyclic). */
const program: fc.Arbitrary<Instr[]> = fc.tuple(fc.array(instr, { minLength: 1, maxLength: 4 }), fc.boolean(), PTE).map(([ops, branch, pte]) => {
  if (!branch || ops.length < 2) return ops;
  return [{ op: 'pte-read', pte }, { ctl: 'if', cond: { test: 'pte-write', pte }, then: 'skip' }, ops[0]!, { ctl: 'label', name: 'skip' }, ...ops.slice(1)] as Instr[];
});

const scenario: fc.Arbitrary<Scenario> = fc.tuple(program, program, fc.boolean()).map(([a, b, tlb]) => ({
  name: 'random',
  init: {
    pages: [{ name: 'page0' }, { name: 'page1' }],
    ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: true }, { name: 'pte1', page: 'page1', write: true, table: 'ptl1' }],
    ...(tlb ? { tlb: [{ thread: 'u', pte: 'pte0' }] } : {}),
    sptes: [{ pte: 'pte1' }],
  },
  threads: [{ name: 'k', role: 'kernel', program: a }, { name: 'u', role: 'user', program: b }],
}));

describe('optimised explorer = naive explorer', () => {
  it('each invariant checked alone: violated by one explorer iff by the other', () => {
    fc.assert(
      fc.property(scenario, fc.constantFrom(...ARCH_PRESETS), (s, arch) => {
        for (const inv of INVARIANTS) {
          if (inv === 'no-livelock') continue;
          const c = compile({ ...s, invariants: [inv] });
          const deadlock = inv === 'lock-balance' ? { deadlock: 'lock-balance' as const } : {};
          const fast = exploreDfs(new MmModel(c, archModel(arch)), { maxStates: 100_000, maxMs: 10_000, ...deadlock });
          const naive = exploreNaive(new MmModel(c, archModel(arch), false), { maxStates: 200_000, ...deadlock });
          expect(naive.complete).toBe(true);
          expect({ inv, verdict: fast.verdict }).toEqual({ inv, verdict: naive.violated.length > 0 ? 'violation' : 'ok' });
          if (fast.invariant) expect(naive.violated).toContain(fast.invariant);
          // fusion never explores more states than the unfused model
          expect(fast.states).toBeLessThanOrEqual(naive.states);
        }
      }),
      { numRuns: 200, seed: 20240611 },
    );
  });
});
