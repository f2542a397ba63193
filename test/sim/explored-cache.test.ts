/**
 * Explorations reused across scenarios with the same semantics (src/sim/explored.ts): a scenario that differs only
 * in what its trace shows takes the earlier exploration and builds its own trace, the same result as exploring it.
 */
import { describe, expect, it } from 'vitest';
import { GROUND_TRUTH, clearSimulationCache, simulate, simulationCacheStats } from '../../src/sim/index.ts';
import { isCtl, type Scenario } from '../../src/sim/scenario.ts';

const gt = (n: string): Scenario => structuredClone(GROUND_TRUTH.find((g) => g.name === n)!.scenario);

/** The scenario with another name, description, roles, labels and source locations (the same semantics). */
function relabelled(s: Scenario): Scenario {
  const r = structuredClone(s);
  r.name = `${s.name}-elsewhere`;
  r.description = 'the same code in another function, forty lines further down';
  r.threads.forEach((t, i) => {
    t.role = `other_fn_${i}`;
    t.program.forEach((ins, k) => {
      if (isCtl(ins)) return;
      ins.label = `step_${i}_${k}()`;
      ins.src = { path: 'mm/elsewhere.c', line: 140 + k, text: `step_${i}_${k}()` };
    });
  });
  return r;
}

const noMs = <T extends { ms: number }>(r: T): T => ({ ...r, ms: 0 });

describe('explorations reused by semantics', () => {
  for (const name of ['mremap-stale-tlb-buggy', 'madv-free-clear-refs-fixed', 'futex-fixup-livelock-buggy']) {
    it(`${name}: a relabelled copy takes the exploration and shows its own labels`, () => {
      const s = gt(name);
      const other = relabelled(s);
      const fresh = simulate(other, { arch: 'x86', cache: false });
      clearSimulationCache();
      simulate(s, { arch: 'x86' });
      const reused = simulate(other, { arch: 'x86' });
      expect(simulationCacheStats()).toMatchObject({ hits: 0, misses: 2, reused: 1 });
      expect(noMs(reused)).toEqual(noMs(fresh));
      expect(reused.scenario).toBe(other.name);
      if (reused.trace) {
        expect(reused.trace.threads.join(' ')).toContain('other_fn_0');
        expect(JSON.stringify(reused.trace)).toContain('mm/elsewhere.c');
      }
      clearSimulationCache();
    });
  }

  it('a change of semantics explores again', () => {
    clearSimulationCache();
    const s = gt('mremap-stale-tlb-buggy');
    simulate(s, { arch: 'x86' });
    simulate(s, { arch: 'arm64' });
    const t = structuredClone(s);
    t.init.pages.push({ name: 'spare_page' });
    simulate(t, { arch: 'x86' });
    simulate(s, { arch: 'x86', maxStates: 10_000 });
    expect(simulationCacheStats()).toMatchObject({ hits: 0, misses: 4, reused: 0 });
    clearSimulationCache();
  });

  it('cache: false neither takes nor records an exploration', () => {
    clearSimulationCache();
    const s = gt('mremap-stale-tlb-buggy');
    simulate(s, { arch: 'x86', cache: false });
    simulate(relabelled(s), { arch: 'x86' });
    expect(simulationCacheStats()).toMatchObject({ reused: 0 });
    clearSimulationCache();
  });
});
