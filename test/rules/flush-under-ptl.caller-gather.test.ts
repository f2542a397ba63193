// flush-under-ptl: a gather read from the walk's private pointer (`struct mmu_gather *tlb = walk->private;`) is the
// caller's gather, like a `struct mmu_gather *` parameter: an entry not given to it is `notGathered`, simulated inside
// the caller's tlb_gather_mmu()/tlb_finish_mmu().
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import rule from '../../rules/flush-under-ptl.ts';
import { callerGatherNames } from '../../rules/utils/caller-gather.ts';
import { runRule } from '../../src/rule-tester/index.ts';
import { functionsOfSource } from '../../src/rule-tester/load-functions.ts';
import { confirm, loadSimulator } from '../../src/engine/confirm.ts';

const DIR = join(process.cwd(), 'fixtures', 'rules', 'flush-under-ptl');

describe('caller gather read from walk->private', () => {
  beforeAll(loadSimulator);
  it('names the local gather read from a member, not one the function declares uninitialised', () => {
    const img = (text: string, params: string[] = []): Parameters<typeof callerGatherNames>[0] =>
      ({ text, params, events: [], paths: [], complete: true, lineInfo: [] }) as unknown as Parameters<typeof callerGatherNames>[0];
    expect(callerGatherNames(img('\tstruct mmu_gather *tlb = walk->private;\n'))).toEqual(['tlb']);
    expect(callerGatherNames(img('\tstruct mmu_gather *tlb = (struct mmu_gather *)walk->private;\n'))).toEqual(['tlb']);
    expect(callerGatherNames(img('\tstruct mmu_gather tlb;\n'))).toEqual([]);
    expect(callerGatherNames(img('', ['struct mmu_gather *gather']))).toEqual(['gather']);
  });
  it('reports an entry never given to it as notGathered, confirmed by the simulator', async () => {
    const file = 'invalid-walk-private-gather-entry-dropped.c';
    const fns = await functionsOfSource(readFileSync(join(DIR, file), 'utf8'), `fixtures/rules/flush-under-ptl/${file}`);
    const fn = fns[0]!;
    const c = runRule(rule, fn, fns);
    expect(c.length).toBeGreaterThan(0);
    expect(c.every((x) => x.messageId === 'notGathered'), JSON.stringify(c.map((x) => x.messageId))).toBe(true);
    const rs = c.map((x) => confirm({ candidate: x, path: file, fn: fn.name }, x.hazard.arch));
    expect(rs.some((r) => r.status === 'confirmed')).toBe(true);
  });
});
