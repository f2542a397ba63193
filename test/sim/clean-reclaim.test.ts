/**
 * The clean-reclaim adversary (shrink_folio_list() dropping a page that looks clean): a path that clears an entry,
 * throws its dirty bit away and leaves the page in use (a migration entry) loses the store the bit recorded; moving
 * the bit to the folio (folio_mark_dirty()) keeps the page. Without the path, a dirty entry keeps the page. SPIN
 * agrees on every verdict.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/sim/index.ts';
import type { Instr, Scenario } from '../../src/sim/index.ts';
import { buildAdversary } from '../../src/sim/adversaries/index.ts';
import { runSpin } from '../../src/sim/spin-check.ts';
import { spinPresent } from '../helpers/shared.ts';
import { scen, th } from './helpers.ts';

/** A migration-style unmap of pte0: clear and flush under the PTL, optionally moving the dirty bit to page0. */
function unmapper(opts: { transfer?: boolean }): Instr[] {
  return [
    { op: 'pte-map-lock', pte: 'pte0' },
    { op: 'pte-clear-flush', pte: 'pte0' },
    ...(opts.transfer
      ? [
          { ctl: 'if' as const, cond: { test: 'pte-dirty' as const, pte: 'pte0', negate: true }, then: 'clean' },
          { op: 'page-dirty' as const, page: 'page0' },
          { ctl: 'label' as const, name: 'clean' },
        ]
      : []),
    { op: 'pte-unmap-unlock', pte: 'pte0' },
  ];
}

function scenario(opts: { transfer?: boolean; without?: boolean }): Scenario {
  return scen(
    [
      ...(opts.without ? [] : [th('patched', unmapper(opts), { role: 'migration_unmap' })]),
      buildAdversary('user-writer', { pte: 'pte0' }),
      buildAdversary('clean-reclaim', { pte: 'pte0', page: 'page0', ...(opts.without ? {} : { after: ['patched'] }) }),
    ],
    { init: { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: true, young: true }], tlb: [{ thread: 'user-writer', pte: 'pte0' }] }, invariants: ['no-lost-write'] },
  );
}

const CASES = [
  { name: 'dirty bit of the cleared value thrown away', opts: {}, want: 'violation no-lost-write' },
  { name: 'dirty bit moved to the folio', opts: { transfer: true }, want: 'ok' },
  { name: 'no unmapping path: the dirty entry keeps the page', opts: { without: true }, want: 'ok' },
] as const;

describe('clean-reclaim', () => {
  it('waits for the threads it names and needs a page', () => {
    expect(buildAdversary('clean-reclaim', { pte: 'pte0', page: 'page0', after: ['patched'] }).program[0]).toEqual({ ctl: 'assume', cond: { test: 'thread-exited', thread: 'patched' } });
    expect(buildAdversary('clean-reclaim', { pte: 'pte0', page: 'page0' }).program).toHaveLength(1);
    expect(() => buildAdversary('clean-reclaim', { pte: 'pte0' })).toThrow(TypeError);
  });
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    for (const arch of ['x86', 'arm64'] as const) {
      const r = simulate(scenario(c.opts), { arch });
      expect(`${r.verdict}${r.invariant ? ` ${r.invariant}` : ''}`, arch).toBe(c.want);
    }
  });
});

describe.skipIf(!spinPresent())('clean-reclaim: SPIN agrees with the explorer', () => {
  it('every case', async () => {
    for (const c of CASES) {
      const s = scenario(c.opts);
      const ours = simulate(s, { arch: 'x86' });
      const spin = await runSpin(s, 'x86');
      expect(`${spin.verdict} ${spin.invariant ?? ''}`.trim(), c.name).toBe(`${ours.verdict} ${ours.invariant ?? ''}`.trim());
    }
  }, 120_000);
});
