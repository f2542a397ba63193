/**
 * The pmd-retract adversary (khugepaged taking a PTE table out of its PMD with only the PMD lock, v6.6+, then freeing
 * it; later a touch of the address a whole-table move installed) against a thread that moves the table under the PMD
 * lock: moving what it finds without looking leaves a page that is not a table at the destination (no-stale-access);
 * looking at the entry under the lock (give up when it is no longer a table) does not. SPIN agrees.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/sim/index.ts';
import type { Instr, Scenario } from '../../src/sim/index.ts';
import { buildAdversary } from '../../src/sim/adversaries/index.ts';
import { runSpin } from '../../src/sim/spin-check.ts';
import { spinPresent } from '../helpers/shared.ts';
import { scen, th } from './helpers.ts';

/** Clear pte0 (the source PMD) under its lock and install its table at ptedst; with `check`, give up on a non-table. */
function mover(opts: { check: boolean }): Instr[] {
  return [
    { op: 'lock', lock: 'ptl0', label: 'pmd_lock()' },
    { op: 'pte-clear', pte: 'pte0', label: 'pmd_clear()' },
    { ctl: 'if', cond: { test: 'pte-present', pte: 'pte0' }, then: 'table' },
    ...(opts.check ? [{ ctl: 'goto' as const, to: 'out' }] : [{ op: 'pte-set' as const, pte: 'ptedst', page: 'copy1', effects: ['new-page' as const], label: 'pmd_populate() of a non-table' }, { ctl: 'goto' as const, to: 'out' }]),
    { ctl: 'label', name: 'table' },
    { op: 'pte-set', pte: 'ptedst', from: 'pte0', effects: ['unknown'], label: 'pmd_populate()' },
    { ctl: 'label', name: 'out' },
    { op: 'unlock', lock: 'ptl0' },
  ];
}

function scenario(opts: { check: boolean }): Scenario {
  return scen([th('patched', mover(opts), { role: 'move' }), buildAdversary('pmd-retract', { pte: 'pte0', page: 'page0', after: ['patched'] })], {
    init: {
      pages: [{ name: 'page0' }, { name: 'copy1', free: true }],
      ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: false, young: true }, { name: 'ptedst', page: null, table: 'ptl0', write: false, dirty: false, young: false }],
    },
    invariants: ['no-stale-access'],
  });
}

const CASES = [
  { name: 'table moved without a look under the lock', opts: { check: false }, want: 'violation no-stale-access' },
  { name: 'entry looked at under the lock', opts: { check: true }, want: 'ok' },
] as const;

describe('pmd-retract', () => {
  it('needs the table page', () => {
    expect(() => buildAdversary('pmd-retract', { pte: 'pte0' })).toThrow(TypeError);
  });
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const r = simulate(scenario(c.opts), { arch: 'x86' });
    expect(`${r.verdict}${r.invariant ? ` ${r.invariant}` : ''}`).toBe(c.want);
  });
});

describe.skipIf(!spinPresent())('pmd-retract: SPIN agrees with the explorer', () => {
  it('every case', async () => {
    for (const c of CASES) {
      const s = scenario(c.opts);
      const ours = simulate(s, { arch: 'x86' });
      const spin = await runSpin(s, 'x86');
      expect(`${spin.verdict} ${spin.invariant ?? ''}`.trim(), c.name).toBe(`${ours.verdict} ${ours.invariant ?? ''}`.trim());
    }
  }, 120_000);
});
