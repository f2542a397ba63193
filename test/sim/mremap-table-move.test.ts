/**
 * The mremap-table-move adversary (mremap moving a whole PTE table: a lockless PMD read under mmap_lock for write,
 * then clear + populate under the PMD lock with no look at what it read, v5.1–v6.11) against a thread that takes the
 * table out of the PMD (khugepaged's retract): without mmap_lock for write the table can go between mremap's read and
 * its lock, and the destination gets a page that is not a table (no-stale-access on the next access); with it, or
 * with nothing detaching the table, nothing goes wrong. SPIN agrees.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/sim/index.ts';
import type { Instr, Scenario } from '../../src/sim/index.ts';
import { buildAdversary } from '../../src/sim/adversaries/index.ts';
import { runSpin } from '../../src/sim/spin-check.ts';
import { spinPresent } from '../helpers/shared.ts';
import { scen, th } from './helpers.ts';

/** Take the table out of pte0 under the PMD lock (and i_mmap_rwsem), with or without mmap_lock for write. */
function retract(opts: { mmapWrite: boolean }): Instr[] {
  const body: Instr[] = [
    { op: 'lock', lock: 'i_mmap', label: 'i_mmap_lock_read()' },
    { op: 'lock', lock: 'ptl0', label: 'pmd_lock()' },
    { op: 'pte-clear-flush', pte: 'pte0', label: 'pmdp_collapse_flush()' },
    { op: 'unlock', lock: 'ptl0' },
    { op: 'unlock', lock: 'i_mmap' },
    // pte_free_defer(pmd_pgtable(pgt_pmd)) of the table it took out (none when the table had already gone).
    { ctl: 'if', cond: { test: 'pte-present', pte: 'pte0', negate: true }, then: 'done' },
    { op: 'page-free', page: 'page0', label: 'pte_free_defer()' },
    { ctl: 'label', name: 'done' },
  ];
  return opts.mmapWrite ? [{ op: 'mmap-lock', mode: 'write' }, ...body, { op: 'mmap-unlock', mode: 'write' }] : body;
}

function scenario(opts: { mmapWrite: boolean }): Scenario {
  return scen(
    [th('patched', retract(opts), { role: 'retract' }), buildAdversary('mremap-table-move', { pte: 'pte0', newPage: 'copy1' })],
    {
      init: {
        pages: [{ name: 'page0' }, { name: 'copy1', free: true }],
        ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: false, young: true }, { name: 'ptedst', page: null, table: 'ptl0', write: false, dirty: false, young: false }],
        locks: [{ name: 'i_mmap', kind: 'mutex' }],
      },
      invariants: ['no-stale-access'],
    },
  );
}

const CASES = [
  { name: 'table taken out without mmap_lock for write', opts: { mmapWrite: false }, want: 'violation no-stale-access' },
  { name: 'table taken out under mmap_lock for write', opts: { mmapWrite: true }, want: 'ok' },
] as const;

describe('mremap-table-move', () => {
  it('needs the page pmd_pgtable() of a non-table entry names', () => {
    expect(() => buildAdversary('mremap-table-move', { pte: 'pte0' })).toThrow(TypeError);
  });
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const r = simulate(scenario(c.opts), { arch: 'x86' });
    expect(`${r.verdict}${r.invariant ? ` ${r.invariant}` : ''}`).toBe(c.want);
  });
  it('alone (nothing takes the table out) it moves the table and loses nothing', () => {
    const s = scenario({ mmapWrite: false });
    s.threads = [buildAdversary('mremap-table-move', { pte: 'pte0', newPage: 'copy1' })];
    expect(simulate(s, { arch: 'x86' }).verdict).toBe('ok');
  });
});

describe.skipIf(!spinPresent())('mremap-table-move: SPIN agrees with the explorer', () => {
  it('every case', async () => {
    for (const c of CASES) {
      const s = scenario(c.opts);
      const ours = simulate(s, { arch: 'x86' });
      const spin = await runSpin(s, 'x86');
      expect(`${spin.verdict} ${spin.invariant ?? ''}`.trim(), c.name).toBe(`${ours.verdict} ${ours.invariant ?? ''}`.trim());
    }
  }, 120_000);
});
