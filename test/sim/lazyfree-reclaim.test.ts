/**
 * The lazyfree-reclaim adversary (MADV_FREE's page discarded by reclaim when clean) and the `thread-exited`
 * condition it waits on: a cleaned entry whose flush is lost loses a store made after the MADV_FREE path returned;
 * an entry flushed before the path returns (under the lock, or by the gather it was given to) does not. SPIN
 * agrees on every verdict (the export models `thread-exited` with a per-thread exit flag).
 */
import { describe, expect, it } from 'vitest';
import { parseScenario, simulate } from '../../src/sim/index.ts';
import type { Instr, Scenario } from '../../src/sim/index.ts';
import { buildAdversary } from '../../src/sim/adversaries/index.ts';
import { runSpin } from '../../src/sim/spin-check.ts';
import { spinPresent } from '../helpers/shared.ts';
import { scen, th } from './helpers.ts';

/** MADV_FREE's walker on pte0: clean it under the PTL, with `flush` ops placed as given. */
function walker(opts: { gather?: boolean; given?: boolean; flushUnderLock?: boolean }): Instr[] {
  return [
    ...(opts.gather ? [{ op: 'gather-init' as const }] : []),
    { op: 'pte-map-lock', pte: 'pte0' },
    { op: 'pte-clear', pte: 'pte0' },
    { op: 'pte-set', pte: 'pte0', effects: ['mkold', 'clean'] },
    ...(opts.given ? [{ op: 'gather-remove' as const, pte: 'pte0' }] : []),
    ...(opts.flushUnderLock ? [{ op: 'tlb-flush' as const, pte: 'pte0' }] : []),
    { op: 'pte-unmap-unlock', pte: 'pte0' },
    ...(opts.gather ? [{ op: 'gather-finish' as const }] : []),
  ];
}

function scenario(opts: { gather?: boolean; given?: boolean; flushUnderLock?: boolean }): Scenario {
  return scen(
    [
      th('patched', walker(opts), { role: 'madvise_free_walker' }),
      buildAdversary('user-writer', { pte: 'pte0' }),
      buildAdversary('lazyfree-reclaim', { pte: 'pte0', page: 'page0', after: ['patched'] }),
    ],
    { init: { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: true, young: true }], tlb: [{ thread: 'user-writer', pte: 'pte0' }] }, invariants: ['no-lost-write'] },
  );
}

const CASES = [
  { name: 'entry never given to the gather', opts: { gather: true }, want: 'violation no-lost-write' },
  { name: 'no gather, no flush', opts: {}, want: 'violation no-lost-write' },
  { name: 'entry given to the gather', opts: { gather: true, given: true }, want: 'ok' },
  { name: 'flushed under the lock', opts: { flushUnderLock: true }, want: 'ok' },
] as const;

describe('lazyfree-reclaim', () => {
  it('waits for the thread it names: the program starts with a thread-exited assume only when given one', () => {
    expect(buildAdversary('lazyfree-reclaim', { pte: 'pte0', page: 'page0', after: ['patched'] }).program[0]).toEqual({ ctl: 'assume', cond: { test: 'thread-exited', thread: 'patched' } });
    expect(buildAdversary('lazyfree-reclaim', { pte: 'pte0', page: 'page0' }).program.some((i) => 'ctl' in i)).toBe(false);
    // A concurrent companion running the same path is waited for too.
    expect(buildAdversary('lazyfree-reclaim', { pte: 'pte0', page: 'page0', after: ['patched', 'patched2'] }).program.slice(0, 2)).toEqual([
      { ctl: 'assume', cond: { test: 'thread-exited', thread: 'patched' } },
      { ctl: 'assume', cond: { test: 'thread-exited', thread: 'patched2' } },
    ]);
    expect(() => buildAdversary('lazyfree-reclaim', { pte: 'pte0' })).toThrow(TypeError);
  });
  it('a thread-exited condition must name a thread of the scenario', () => {
    const bad = scen([th('a', [{ ctl: 'assume', cond: { test: 'thread-exited', thread: 'nobody' } }])]);
    expect(parseScenario(bad).ok).toBe(false);
    expect(parseScenario(scenario({})).ok).toBe(true);
  });
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    for (const arch of ['x86', 'arm64'] as const) {
      const r = simulate(scenario(c.opts), { arch });
      expect(`${r.verdict}${r.invariant ? ` ${r.invariant}` : ''}`, arch).toBe(c.want);
    }
  });
  it('a store racing with the call itself may be discarded: a flush after the unlock but before the return is ok', () => {
    const s = scenario({});
    s.threads[0]!.program.push({ op: 'tlb-flush', pte: 'pte0' });
    expect(simulate(s, { arch: 'x86' }).verdict).toBe('ok');
  });
});

describe.skipIf(!spinPresent())('lazyfree-reclaim: SPIN agrees with the explorer', () => {
  it('every case', async () => {
    for (const c of CASES) {
      const s = scenario(c.opts);
      const ours = simulate(s, { arch: 'x86' });
      const spin = await runSpin(s, 'x86');
      expect(`${spin.verdict} ${spin.invariant ?? ''}`.trim(), c.name).toBe(`${ours.verdict} ${ours.invariant ?? ''}`.trim());
    }
  }, 120_000);
});
