/**
 * Every ground-truth case gets its expected verdict: buggy → the named invariant, fixed → ok (within bounds).
 */
import { describe, expect, it } from 'vitest';
import { GROUND_TRUTH, simulate, simulateAll } from '../../src/sim/index.ts';

describe('ground truth', () => {
  it('has a buggy and a fixed variant for each of the ten pairs', () => {
    const pairs = new Map<string, string[]>();
    for (const g of GROUND_TRUTH) pairs.set(g.pair, [...(pairs.get(g.pair) ?? []), g.variant]);
    expect(pairs.size).toBe(10);
    for (const v of pairs.values()) expect(v.sort()).toEqual(['buggy', 'fixed']);
  });

  for (const g of GROUND_TRUTH) {
    it(`${g.name} → ${g.expect}${g.expect === 'violation' ? ` (${g.invariant})` : ''}`, () => {
      const r = simulateAll(g.scenario, g.scenario.arch ?? ['x86']);
      expect(r.verdict).toBe(g.expect);
      expect(r.states).toBeGreaterThan(0);
      if (g.expect === 'violation') {
        expect(r.invariant).toBe(g.invariant);
        expect(r.trace).toBeDefined();
        expect(r.trace!.steps.at(-1)!.violation).toBe(g.invariant);
      } else {
        expect(r.bound).toBeUndefined();
        expect(r.trace).toBeUndefined();
      }
    });
  }

  it('the collapse copy loses a store made through the stale TLB entry after the copy and before the flush', () => {
    const g = GROUND_TRUTH.find((x) => x.name === 'collapse-copy-flush-buggy')!;
    const t = simulate(g.scenario).trace!;
    const actions = t.steps.map((s) => s.action);
    const copy = actions.indexOf('__collapse_huge_page_copy()');
    const store = actions.findIndex((a) => a.includes('stale TLB'));
    const flush = actions.findIndex((a) => a.startsWith('flush_tlb_range('));
    expect(copy).toBeGreaterThan(-1);
    expect(store).toBeGreaterThan(copy);
    expect(flush).toBeGreaterThan(store);
    expect(t.steps.at(-1)!.violation).toBe('no-lost-write');
  });

  it('the futex livelock is arch-specific: ppc-e500 violates, x86 does not', () => {
    const g = GROUND_TRUTH.find((x) => x.name === 'futex-fixup-livelock-buggy')!;
    expect(simulate(g.scenario, { arch: 'ppc-e500' }).invariant).toBe('no-livelock');
    expect(simulate(g.scenario, { arch: 'arm64-nodbm' }).invariant).toBe('no-livelock');
    expect(simulate(g.scenario, { arch: 'x86' }).verdict).toBe('ok');
    expect(simulate(g.scenario, { arch: 'arm64' }).verdict).toBe('ok');
  });

  it('the clear_refs fullmm bug needs an arch that elides fullmm invalidation', () => {
    const g = GROUND_TRUTH.find((x) => x.name === 'clear-refs-fullmm-buggy')!;
    expect(simulate(g.scenario, { arch: 'x86' }).verdict).toBe('ok');
    expect(simulate(g.scenario, { arch: 'ppc-e500' }).verdict).toBe('ok');
    expect(simulate(g.scenario, { arch: 'arm64-nodbm' }).verdict).toBe('violation');
  });

  it('the 4-CPU MADV_FREE trace has the seed-004 shape: stale store before the clean page is dropped', () => {
    const g = GROUND_TRUTH.find((x) => x.name === 'madv-free-clear-refs-buggy')!;
    const r = simulate(g.scenario);
    const t = r.trace!;
    expect(t.threads).toEqual(['CPU0 (userspace)', 'CPU1 (madvise(MADV_FREE))', 'CPU2 (clear_refs_write)', 'CPU3 (page writeback)']);
    const actions = t.steps.map((s) => s.action);
    const store = actions.findIndex((a) => a.includes('stale TLB'));
    const disk = actions.indexOf('write page to disk');
    expect(disk).toBeGreaterThan(-1);
    expect(store).toBeGreaterThan(disk);
    expect(t.steps.find((s) => s.action === 'page_mkclean_one()')!.note).toMatch(/no flush/);
    expect(t.steps.at(-1)!.action).toBe('drop clean page');
  });
});
