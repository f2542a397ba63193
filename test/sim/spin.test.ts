/**
 * Independent check: SPIN on the Promela export of every ground-truth scenario gives the same verdict as our
 * explorer (and, for violations, the same invariant). Skipped when spin or gcc is not installed (an error under CI).
 */
import { describe, expect, it } from 'vitest';
import { GROUND_TRUTH, simulate } from '../../src/sim/index.ts';
import { runSpin } from '../../src/sim/spin-check.ts';
import { spinPresent } from '../helpers/shared.ts';
import { scen, th } from './helpers.ts';

const available = spinPresent();

describe.skipIf(!available)('SPIN agrees with the explorer on the ground truth', () => {
  it('every case, two at a time', async () => {
    const cases = GROUND_TRUTH.map((g) => ({ g, arch: g.scenario.arch?.[0] ?? 'x86' as const }));
    const results: Array<{ name: string; spin: string; ours: string }> = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < cases.length) {
        const { g, arch } = cases[next++]!;
        const ours = simulate(g.scenario, { arch });
        const spin = await runSpin(g.scenario, arch);
        results.push({ name: g.name, spin: `${spin.verdict} ${spin.invariant ?? ''}`.trim(), ours: `${ours.verdict} ${ours.invariant ?? ''}`.trim() });
      }
    };
    await Promise.all([worker(), worker()]);
    results.sort((a, b) => a.name.localeCompare(b.name));
    for (const r of results) expect(r.spin, r.name).toBe(r.ours);
    expect(results).toHaveLength(GROUND_TRUTH.length);
  }, 300_000);

  it('the clear-then-copy collapse (page-get with copy, lost write) exports with the explorer\'s verdicts', async () => {
    for (const g of GROUND_TRUTH.filter((x) => x.pair === 'collapse-copy-flush')) {
      const ours = simulate(g.scenario, { arch: 'x86' });
      const spin = await runSpin(g.scenario, 'x86');
      expect(`${spin.verdict} ${spin.invariant ?? ''}`.trim(), g.name).toBe(`${ours.verdict} ${ours.invariant ?? ''}`.trim());
    }
  }, 120_000);

  it('tlb->fullmm = 1 (gather-set-fullmm) exports with the explorer\'s verdicts', async () => {
    const live = scen([th('k', [{ op: 'gather-init' }, { op: 'gather-set-fullmm' }, { op: 'gather-finish' }])]);
    const dead = scen([
      th('k', [{ op: 'gather-init' }, { op: 'pte-map-lock', pte: 'pte0' }, { op: 'pte-wrprotect', pte: 'pte0' }, { op: 'gather-remove', pte: 'pte0' }, { op: 'pte-unmap-unlock', pte: 'pte0' }, { op: 'gather-set-fullmm' }, { op: 'gather-finish' }]),
      th('u', [{ op: 'user-store', pte: 'pte0' }]),
    ], { init: { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: true }], tlb: [{ thread: 'u', pte: 'pte0' }], mmLive: false } });
    for (const [s, arch] of [[live, 'x86'], [dead, 'x86'], [dead, 'arm64']] as const) {
      const ours = simulate(s, { arch });
      const spin = await runSpin(s, arch);
      expect(`${spin.verdict} ${spin.invariant ?? ''}`.trim()).toBe(`${ours.verdict} ${ours.invariant ?? ''}`.trim());
    }
  }, 120_000);

  it('an arch-specific verdict survives the export (futex on x86 is ok in SPIN too)', async () => {
    const g = GROUND_TRUTH.find((x) => x.name === 'futex-fixup-livelock-buggy')!;
    expect((await runSpin(g.scenario, 'x86')).verdict).toBe('ok');
  }, 60_000);
});
