/**
 * The adversary library: every adversary builds a valid program, and each one (correct kernel code) racing a user
 * CPU on every arch is free of violations — adversaries must not create findings on their own.
 */
import { describe, expect, it } from 'vitest';
import { ADVERSARIES, ARCH_PRESETS } from '../../src/core/sim-contract.ts';
import { buildAdversary, parseScenario, simulate } from '../../src/sim/index.ts';
import type { Scenario } from '../../src/sim/index.ts';

const bind = { pte: 'pte0', page: 'page0', newPage: 'page1' };

function alone(name: (typeof ADVERSARIES)[number]): Scenario {
  const adv = buildAdversary(name, bind);
  // A whole-table move installs the move's destination entry (src/engine/path-program.ts DEST_PTE), empty until then.
  const dest = adv.program.some((i) => !('ctl' in i) && i.pte === 'ptedst') ? [{ name: 'ptedst', page: null, table: 'ptl0', write: false, dirty: false, young: false }] : [];
  return {
    name: `adv-${name}`,
    init: {
      pages: [{ name: 'page0' }, { name: 'page1', free: true }],
      ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: true }, ...dest],
      sptes: [{ pte: 'pte0' }],
    },
    threads: [adv, buildAdversary(name === 'user-writer' ? 'user-reader' : 'user-writer', { pte: 'pte0', name: 'user' })],
  };
}

describe('adversaries', () => {
  it('covers every name of ADVERSARIES and rejects unknown names', () => {
    for (const n of ADVERSARIES) expect(buildAdversary(n, bind).program.length).toBeGreaterThan(0);
    expect(() => buildAdversary('nope' as never, bind)).toThrow(TypeError);
    expect(() => buildAdversary('zap', { pte: 'pte0' })).toThrow(/needs bind.page/);
  });
  for (const n of ADVERSARIES) {
    it(`${n} racing a user CPU is violation-free on every arch`, () => {
      const s = alone(n);
      const p = parseScenario(s);
      expect(p.ok ? [] : p.errors).toEqual([]);
      for (const arch of ARCH_PRESETS) {
        const r = simulate(s, { arch });
        expect({ arch, verdict: r.verdict, invariant: r.invariant, steps: r.trace?.steps.map((x) => x.action) }).toEqual({ arch, verdict: 'ok', invariant: undefined, steps: undefined });
      }
    });
  }
});
