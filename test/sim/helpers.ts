/**
 * Test helpers: build small scenarios tersely.
 */
import type { Instr, Scenario, ThreadSpec } from '../../src/sim/index.ts';

/** A one-PTE scenario with the given threads (pte0 → page0, writable+dirty, in table ptl0). */
export function scen(threads: ThreadSpec[], extra: Partial<Scenario> = {}): Scenario {
  return {
    name: 'test',
    init: { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: true }] },
    threads,
    ...extra,
  };
}

/** A thread. */
export function th(name: string, program: Instr[], extra: Partial<ThreadSpec> = {}): ThreadSpec {
  return { name, role: name, program, ...extra };
}
