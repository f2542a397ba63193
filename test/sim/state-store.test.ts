/**
 * The visited set (open addressing over (hash, id) pairs, states in chunks), the packer's fused key hash, the
 * pre-sizing estimate and the per-process cache of simulation results.
 */
import { describe, expect, it } from 'vitest';
import { GROUND_TRUTH, clearSimulationCache, simulate, simulationCacheStats } from '../../src/sim/index.ts';
import { archModel } from '../../src/sim/arch.ts';
import { compile } from '../../src/sim/compile.ts';
import { exploreDfs } from '../../src/sim/explore-dfs.ts';
import { MmModel } from '../../src/sim/model.ts';
import { StateStore, hashState } from '../../src/sim/state-store.ts';
import { expectedStates } from '../../src/sim/simulate.ts';

const gt = (n: string) => GROUND_TRUTH.find((g) => g.name === n)!.scenario;

/** Deterministic pseudo-random states with many hash collisions in the low bits (small values, few slots). */
function states(n: number, width: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const s = new Int32Array(width);
    for (let k = 0; k < width; k++) s[k] = (i >> (k * 3)) & 7;
    s[0] = i;
    out.push(s);
  }
  return out;
}

describe('StateStore', () => {
  it('keeps ids dense and stable through table growth and across chunk boundaries (estimate far too small)', () => {
    const st = new StateStore(4, 16);
    const xs = states(70_000, 4);
    xs.forEach((s, i) => expect(st.add(s)).toBe(i));
    expect(st.size).toBe(70_000);
    // every state is found again with its id, duplicates report -(id+1), copies are exact
    for (const i of [0, 255, 256, 65_535, 65_536, 69_999]) {
      expect(st.find(xs[i]!)).toBe(i);
      expect(st.add(Int32Array.from(xs[i]!))).toBe(-(i + 1));
      expect(Array.from(st.get(i))).toEqual(Array.from(xs[i]!));
    }
    expect(st.find(Int32Array.of(70_000, 0, 0, 0))).toBe(-1);
  });

  it('a huge estimate is capped (no giant allocation up front) and still works', () => {
    const st = new StateStore(2, 1e12);
    expect(st.add(Int32Array.of(1, 2))).toBe(0);
    expect(st.add(Int32Array.of(1, 2))).toBe(-1);
    expect(st.find(Int32Array.of(2, 1))).toBe(-1);
  });

  it('a caller-supplied hash must be hashState of the key: both paths agree', () => {
    const a = new StateStore(3, 1024);
    const b = new StateStore(3, 1024);
    for (const s of states(3000, 3)) expect(a.add(s, hashState(s) | 0)).toBe(b.add(s));
    for (const s of states(3000, 3)) expect(a.add(s)).toBeLessThan(0);
  });

  it("the model's fused key hash equals hashState of the key it returned", () => {
    const g = gt('madv-free-clear-refs-fixed');
    const m = new MmModel(compile(g), archModel('x86'));
    const seen: Int32Array[] = [m.initStates()[0]!];
    const acts: number[] = [];
    for (let i = 0; i < 200 && i < seen.length; i++) {
      const s = seen[i]!;
      const k = m.key(s)!;
      expect(m.keyHash()).toBe(hashState(k) | 0);
      m.actions(s, acts);
      for (const a of acts) {
        const n = m.next(s, a);
        if (n) seen.push(n);
      }
    }
    expect(seen.length).toBeGreaterThan(200);
  });

  it('pre-sizing does not change what is explored', () => {
    const g = gt('madv-free-clear-refs-fixed');
    const c = compile(g);
    const small = exploreDfs(new MmModel(c, archModel('x86')), { maxStates: 200_000, maxMs: 60_000, expectedStates: 16 });
    const big = exploreDfs(new MmModel(c, archModel('x86')), { maxStates: 200_000, maxMs: 60_000, expectedStates: 1 << 18 });
    expect({ ...small, ms: 0 }).toEqual({ ...big, ms: 0 });
    expect(expectedStates(c, 200_000)).toBeGreaterThanOrEqual(1024);
    expect(expectedStates(c, 500)).toBe(1024);
    expect(expectedStates({ threads: [{ code: new Array(99) }, { code: new Array(99) }, { code: new Array(99) }] }, 200_000)).toBe(200_001);
  });
});

describe('simulation cache', () => {
  it('the same scenario, arch and limits are explored once per process; a copy is returned each time', () => {
    clearSimulationCache();
    const s = gt('mremap-stale-tlb-buggy');
    const a = simulate(s, { arch: 'x86' });
    const b = simulate(structuredClone(s), { arch: 'x86' });
    expect(simulationCacheStats()).toMatchObject({ hits: 1, misses: 1 });
    expect(b).toEqual(a);
    expect(b).not.toBe(a);
    // mutating a returned result does not reach the cache
    a.trace!.steps.length = 0;
    expect(simulate(s, { arch: 'x86' }).trace!.steps.length).toBe(b.trace!.steps.length);
    // another arch, other limits or another scenario explore again
    simulate(s, { arch: 'arm64' });
    simulate(s, { arch: 'x86', maxStates: 10_000 });
    simulate({ ...s, name: `${s.name}-renamed` }, { arch: 'x86' });
    expect(simulationCacheStats()).toMatchObject({ hits: 2, misses: 4 });
    // cache: false always explores and leaves the counters alone
    simulate(s, { arch: 'x86', cache: false });
    expect(simulationCacheStats()).toMatchObject({ hits: 2, misses: 4 });
    clearSimulationCache();
  });

  it('time-bound results are not reused', () => {
    clearSimulationCache();
    // 1923 states: the clock is read after 1024 new states, past a 1e-9 ms cap
    const r = simulate(gt('madv-free-clear-refs-fixed'), { maxMs: 1e-9 });
    expect(r.bound).toMatch(/^time>/);
    expect(simulationCacheStats().size).toBe(0);
    simulate(gt('madv-free-clear-refs-fixed'), { maxMs: 1e-9 });
    expect(simulationCacheStats()).toMatchObject({ hits: 0, misses: 2 });
    clearSimulationCache();
  });
});
