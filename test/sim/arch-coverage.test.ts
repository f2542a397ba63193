/**
 * Arch flush coverage in the simulator: a tlb-flush that drops only some kinds of TLB entries (leaf levels, walk
 * caches) or reaches only its own CPU leaves another CPU's entry in place; a load through it after the page (or
 * page-table page) is freed is an access to a freed page. Checked against SPIN when it is installed.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario, simulate } from '../../src/sim/index.ts';
import type { Scenario } from '../../src/sim/index.ts';
import { runSpin } from '../../src/sim/spin-check.ts';
import { spinPresent } from '../helpers/shared.ts';

type Cover = { levels?: Array<'pte' | 'pmd' | 'table'>; cpus?: 'local' | 'all' };

/** pte0 (of the given kind) cleared under the PTL, flushed with `cover`, its page freed; a reader CPU caches it. */
function scenario(level: 'pte' | 'pmd' | 'table', cover: Cover): Scenario {
  const r = parseScenario({
    name: `arch-cover-${level}`,
    init: { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0', level }], tlb: [{ thread: 'reader', pte: 'pte0' }] },
    threads: [
      {
        name: 'kernel',
        role: 'unmap',
        program: [
          { op: 'lock', lock: 'ptl0' },
          { op: 'pte-clear', pte: 'pte0' },
          { op: 'tlb-flush', scope: 'mm', ...cover },
          { op: 'unlock', lock: 'ptl0' },
          { op: 'page-free', page: 'page0' },
        ],
      },
      { name: 'reader', role: 'userspace', program: [{ op: 'user-load', pte: 'pte0' }] },
    ],
    invariants: ['no-stale-access'],
  });
  if (!r.ok) throw new TypeError(JSON.stringify(r));
  return r.scenario;
}

describe('tlb-flush coverage', () => {
  it('a flush of every kind on every CPU leaves nothing to use after the free', () => {
    for (const level of ['pte', 'pmd', 'table'] as const) expect(simulate(scenario(level, {})).verdict, level).toBe('ok');
  });
  it('a leaf-only flush keeps a walk-cache entry (the freed page-table page is walked)', () => {
    const r = simulate(scenario('table', { levels: ['pte', 'pmd'] }));
    expect(r.verdict).toBe('violation');
    expect(r.invariant).toBe('no-stale-access');
    expect(simulate(scenario('pte', { levels: ['pte', 'pmd'] })).verdict).toBe('ok');
  });
  it('a PTE-level hint keeps a PMD-level (block) entry', () => {
    expect(simulate(scenario('pmd', { levels: ['pte'] })).verdict).toBe('violation');
    expect(simulate(scenario('pmd', { levels: ['pte', 'pmd'] })).verdict).toBe('ok');
  });
  it('a local flush keeps the other CPU\'s entry', () => {
    const r = simulate(scenario('pte', { cpus: 'local' }));
    expect(r.verdict).toBe('violation');
    expect(JSON.stringify(r.trace)).toMatch(/reaches only its own CPU/);
  });
});

const spin = spinPresent();

describe.skipIf(!spin)('SPIN agrees on flush coverage', () => {
  it('leaf-only, level-hinted and local flushes', async () => {
    const cases: Array<[('pte' | 'pmd' | 'table'), Cover]> = [
      ['table', { levels: ['pte', 'pmd'] }],
      ['pmd', { levels: ['pte'] }],
      ['pte', { cpus: 'local' }],
      ['pte', {}],
    ];
    for (const [level, cover] of cases) {
      const s = scenario(level, cover);
      const ours = simulate(s);
      const theirs = await runSpin(s, 'x86');
      expect(`${theirs.verdict} ${theirs.invariant ?? ''}`.trim()).toBe(`${ours.verdict} ${ours.invariant ?? ''}`.trim());
    }
  }, 120_000);
});
