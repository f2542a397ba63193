/**
 * The uffd-fill adversary (UFFDIO_COPY into an empty entry, then a later access of the address) against a thread that
 * empties a page table and detaches it (khugepaged's collapse: clear the PTEs under the PTL, pmdp_collapse_flush()
 * under the PMD lock): an entry filled while the PTL was dropped between the two is dropped with the table, and the
 * address loses the fill's data; holding the lock throughout, or re-checking the entry under it, keeps it. SPIN agrees.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/sim/index.ts';
import type { Instr, Scenario } from '../../src/sim/index.ts';
import { buildAdversary } from '../../src/sim/adversaries/index.ts';
import { runSpin } from '../../src/sim/spin-check.ts';
import { spinPresent } from '../helpers/shared.ts';
import { scen, th } from './helpers.ts';

/** Empty pte0 under its lock, then detach the table (clear + flush) under the lock, dropping it in between or not. */
function collapser(opts: { drop: boolean; recheck?: boolean }): Instr[] {
  const detach: Instr[] = [
    ...(opts.recheck ? [{ op: 'pte-read' as const, pte: 'pte0' }, { ctl: 'assume' as const, cond: { test: 'pte-present' as const, pte: 'pte0', negate: true } }] : []),
    { op: 'pte-clear-flush', pte: 'pte0', label: 'pmdp_collapse_flush()' },
  ];
  return [
    { op: 'pte-map-lock', pte: 'pte0' },
    { op: 'pte-read', pte: 'pte0' },
    { op: 'pte-clear', pte: 'pte0' },
    ...(opts.drop ? [{ op: 'pte-unmap-unlock' as const, pte: 'pte0' }, { op: 'pte-map-lock' as const, pte: 'pte0', label: 'pmd_lock()' }] : []),
    ...detach,
    { op: 'pte-unmap-unlock', pte: 'pte0' },
  ];
}

function scenario(opts: { drop: boolean; recheck?: boolean }): Scenario {
  return scen(
    [th('patched', collapser(opts), { role: 'collapse' }), buildAdversary('uffd-fill', { pte: 'pte0', page: 'page0', newPage: 'copy1', after: ['patched'] })],
    { init: { pages: [{ name: 'page0' }, { name: 'copy1', free: true }], ptes: [{ name: 'pte0', page: 'page0', write: false, dirty: false, young: true }] }, invariants: ['no-lost-write'] },
  );
}

const CASES = [
  { name: 'PTL dropped between emptying and detaching', opts: { drop: true }, want: 'violation no-lost-write' },
  { name: 'PTL held from emptying to detaching', opts: { drop: false }, want: 'ok' },
  { name: 'PTL dropped, entry re-checked under the re-taken lock', opts: { drop: true, recheck: true }, want: 'ok' },
] as const;

describe('uffd-fill', () => {
  it('needs the file page and the page it fills with; waits for the threads it names', () => {
    expect(() => buildAdversary('uffd-fill', { pte: 'pte0', page: 'page0' })).toThrow(TypeError);
    const p = buildAdversary('uffd-fill', { pte: 'pte0', page: 'page0', newPage: 'copy1', after: ['patched'] }).program;
    expect(p.some((i) => 'ctl' in i && i.ctl === 'assume' && i.cond.test === 'thread-exited')).toBe(true);
    expect(buildAdversary('uffd-fill', { pte: 'pte0', page: 'page0', newPage: 'copy1' }).program.some((i) => 'ctl' in i && i.ctl === 'assume')).toBe(false);
  });
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const r = simulate(scenario(c.opts), { arch: 'x86' });
    expect(`${r.verdict}${r.invariant ? ` ${r.invariant}` : ''}`).toBe(c.want);
  });
  it('alone (no thread detaching the table) it loses nothing', () => {
    const s = scenario({ drop: true });
    s.threads = [buildAdversary('uffd-fill', { pte: 'pte0', page: 'page0', newPage: 'copy1' })];
    expect(simulate(s, { arch: 'x86' }).verdict).toBe('ok');
  });
});

describe.skipIf(!spinPresent())('uffd-fill: SPIN agrees with the explorer', () => {
  it('every case', async () => {
    for (const c of CASES) {
      const s = scenario(c.opts);
      const ours = simulate(s, { arch: 'x86' });
      const spin = await runSpin(s, 'x86');
      expect(`${spin.verdict} ${spin.invariant ?? ''}`.trim(), c.name).toBe(`${ours.verdict} ${ours.invariant ?? ''}`.trim());
    }
  }, 120_000);
});
