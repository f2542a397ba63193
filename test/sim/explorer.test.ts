/**
 * Explorer behaviour: bounds give inconclusive with the bound named, results are deterministic, counterexamples
 * are minimised (shortest, then fewest CPU switches).
 */
import { describe, expect, it } from 'vitest';
import { GROUND_TRUTH, simulate } from '../../src/sim/index.ts';
import { archModel } from '../../src/sim/arch.ts';
import { compile } from '../../src/sim/compile.ts';
import { exploreDfs } from '../../src/sim/explore-dfs.ts';
import { MmModel } from '../../src/sim/model.ts';
import { StateStore } from '../../src/sim/state-store.ts';

const gt = (n: string) => GROUND_TRUTH.find((g) => g.name === n)!.scenario;

describe('bounds', () => {
  it('a state cap gives inconclusive naming the bound, never ok', () => {
    const r = simulate(gt('madv-free-clear-refs-fixed'), { maxStates: 50 });
    expect(r.verdict).toBe('inconclusive');
    expect(r.bound).toBe('states>50');
  });
  it('a time cap gives inconclusive naming the bound', () => {
    let t = 0;
    const c = compile(gt('madv-free-clear-refs-fixed'));
    const r = exploreDfs(new MmModel(c, archModel('x86')), { maxStates: 1e6, maxMs: 5, now: () => (t += 10) });
    expect(r.verdict).toBe('inconclusive');
    expect(r.bound).toBe('time>5ms');
  });
});

describe('scenario bounds', () => {
  it('bounds.retries caps a retry loop: inconclusive with the bound named', () => {
    const s = gt('futex-fixup-livelock-buggy');
    const r = simulate({ ...s, bounds: { retries: 3 } });
    expect(r.verdict).toBe('inconclusive');
    expect(r.bound).toBe('retries>3');
    // the fixed variant needs one retry and stays within the bound
    expect(simulate({ ...gt('futex-fixup-livelock-fixed'), bounds: { retries: 3 } }).verdict).toBe('ok');
  });
  it('bounds.userStores caps the stores of one thread', () => {
    const s = {
      name: 'stores',
      init: { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0' }] },
      threads: [{ name: 'u', role: 'user', program: [{ op: 'user-store' as const, pte: 'pte0' }, { op: 'user-store' as const, pte: 'pte0' }] }],
    };
    expect(simulate({ ...s, bounds: { userStores: 2 } }).verdict).toBe('ok');
    const r = simulate({ ...s, bounds: { userStores: 1 } });
    expect([r.verdict, r.bound]).toEqual(['inconclusive', 'userStores>1']);
  });
});

describe('determinism', () => {
  it('the same scenario gives the same verdict, counts and trace', () => {
    for (const g of GROUND_TRUTH) {
      // cache off: both runs explore (a cached answer would make this test unable to fail)
      const a = simulate(g.scenario, { cache: false });
      const b = simulate(g.scenario, { cache: false });
      expect({ ...a, ms: 0 }).toEqual({ ...b, ms: 0 });
    }
  });
});

describe('minimisation', () => {
  it('the mremap counterexample is the shortest: move, zap, free, reuse, stale store', () => {
    const r = simulate(gt('mremap-stale-tlb-buggy'));
    const steps = r.trace!.steps;
    // switches: mremap block → truncate block → user: exactly two CPU switches
    let switches = 0;
    for (let i = 1; i < steps.length; i++) if (steps[i]!.thread !== steps[i - 1]!.thread) switches++;
    expect(switches).toBe(2);
    expect(steps.at(-1)!.thread).toBe(2);
    // the zap only needs the new PTL: the shortest trace does not wait for the old one to be dropped
    expect(steps.filter((s) => s.thread === 0).map((s) => s.action).at(-1)).toBe('spin_unlock(new_ptl)');
    expect(steps.some((s) => s.action.startsWith('flush_tlb_range'))).toBe(false);
  });
});

describe('packed keys', () => {
  it('deduplicate exactly like full states (same state counts on every ground truth and arch)', () => {
    class FullKey extends MmModel {
      override key(s: Int32Array): Int32Array {
        return s;
      }
    }
    for (const g of GROUND_TRUTH) {
      const c = compile(g.scenario);
      for (const arch of ['x86', 'ppc-e500'] as const) {
        const packed = exploreDfs(new MmModel(c, archModel(arch)), { maxStates: 1e6, maxMs: 1e5 });
        const full = new FullKey(c, archModel(arch));
        (full as { keyWidth: number }).keyWidth = full.width;
        const plain = exploreDfs(full, { maxStates: 1e6, maxMs: 1e5 });
        expect({ g: g.name, arch, states: packed.states, verdict: packed.verdict }).toEqual({ g: g.name, arch, states: plain.states, verdict: plain.verdict });
      }
    }
  });
});

describe('StateStore', () => {
  it('deduplicates by content and keeps ids stable across growth', () => {
    const st = new StateStore(3, 2);
    const ids: number[] = [];
    for (let i = 0; i < 100; i++) ids.push(st.add(Int32Array.of(i, i * 7, -i)));
    expect(ids).toEqual([...Array(100).keys()]);
    expect(st.add(Int32Array.of(42, 294, -42))).toBe(-43);
    expect(st.find(Int32Array.of(99, 693, -99))).toBe(99);
    expect(Array.from(st.get(5))).toEqual([5, 35, -5]);
  });
});
