// The simulator proves each finding of the sleep-in-atomic fixtures (no-sleep-in-atomic: a thread that may sleep
// holds a spinning lock, or a PTE-table mapping modelled as one); the engine classifies the patch fixtures.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import rule from '../../rules/sleep-in-atomic.ts';
import { runRule } from '../../src/rule-tester/index.ts';
import { functionsOfPatchFile, functionsOfSource } from '../../src/rule-tester/load-functions.ts';
import { SEEDS, seedsPresent } from '../helpers/shared.ts';
import { confirm, loadSimulator } from '../../src/engine/confirm.ts';
import { renderTable } from '../../src/sim/index.ts';
import type { Candidate } from '../../src/core/rule.ts';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches, isReportable } from '../../src/engine/index.ts';

const DIR = join(process.cwd(), 'fixtures', 'rules', 'sleep-in-atomic');

async function candidates(file: string): Promise<{ fn: string; c: Candidate[] }> {
  const fns = await functionsOfSource(readFileSync(join(DIR, file), 'utf8'), `fixtures/rules/sleep-in-atomic/${file}`);
  const fn = fns[0]!;
  return { fn: fn.name, c: runRule(rule, fn, fns) };
}

const cases: Array<{ file: string; messageId: string; table: RegExp }> = [
  { file: 'invalid-split-under-ptl.c', messageId: 'sleepUnderLock', table: /split_folio/ },
  { file: 'invalid-gfp-kernel-under-page-table-lock.c', messageId: 'sleepUnderLock', table: /kzalloc/ },
  { file: 'invalid-cond-resched-under-pte-map.c', messageId: 'sleepUnderPteMap', table: /cond_resched/ },
  { file: 'invalid-mutex-under-pmd-lock.c', messageId: 'sleepUnderLock', table: /mutex_lock/ },
  { file: 'invalid-sleep-after-unlock-before-unmap.c', messageId: 'sleepUnderPteMap', table: /cond_resched/ },
  { file: 'invalid-alloc-under-rcu-read-lock.c', messageId: 'sleepInAtomicSection', table: /kmalloc/ },
  { file: 'invalid-mutex-under-irq-save.c', messageId: 'sleepInAtomicSection', table: /mutex_lock/ },
  { file: 'invalid-table-alloc-under-spinlock.c', messageId: 'sleepUnderLock', table: /pte_alloc/ },
  { file: 'invalid-sleep-after-asserted-ptl.c', messageId: 'sleepUnderLock', table: /mutex_lock/ },
];

describe('sleep-in-atomic findings are confirmed by the simulator', () => {
  beforeAll(loadSimulator);
  it.each(cases.map((c) => [c.file, c] as const))('%s', async (file, want) => {
    const { fn, c } = await candidates(file);
    expect(c.map((x) => x.messageId)).toEqual([want.messageId]);
    const cand = c[0]!;
    const r = confirm({ candidate: cand, path: `fixtures/rules/sleep-in-atomic/${file}`, fn }, cand.hazard.arch);
    expect(r.status, r.dependsOn).toBe('confirmed');
    expect(r.simulation?.invariant).toBe('no-sleep-in-atomic');
    expect(renderTable(r.simulation!.trace!, { width: 200 })).toMatch(want.table);
  });
});

describe('sleep-in-atomic: a lookup that allocates only missing table levels is a question', () => {
  beforeAll(loadSimulator);
  it('invalid-allocating-lookup-under-spinlock.c: get_locked_pte() under a spinlock sleeps only if a level is missing', async () => {
    const { fn, c } = await candidates('invalid-allocating-lookup-under-spinlock.c');
    expect(c.map((x) => x.messageId)).toEqual(['sleepUnderLock']);
    const r = confirm({ candidate: c[0]!, path: 'fixtures/rules/sleep-in-atomic/invalid-allocating-lookup-under-spinlock.c', fn }, c[0]!.hazard.arch);
    // The simulation shows the sleep; whether get_locked_pte() allocates here depends on tables the code does not show.
    expect(r.status).toBe('inconclusive');
    expect(r.simulation?.invariant).toBe('no-sleep-in-atomic');
    expect(r.dependsOn).toMatch(/does get_locked_pte\(\) sleep here\?/);
  });
});

describe('sleep-in-atomic: a PTE table mapped by code the patch does not show is a question, never confirmed', () => {
  beforeAll(loadSimulator);
  it('a helper handed a PTE pointer by its caller, which allocates', async () => {
    const { fn, c } = await candidates('invalid-alloc-with-handed-in-pte.c');
    expect(c.map((x) => x.messageId)).toEqual(['sleepWithMappedPte']);
    const r = confirm({ candidate: c[0]!, path: 'fixtures/rules/sleep-in-atomic/invalid-alloc-with-handed-in-pte.c', fn }, c[0]!.hazard.arch);
    expect(r.status).toBe('inconclusive');
    expect(r.dependsOn).toMatch(/dst_pte points into was mapped \(by the caller\)/);
  });
  it('a page lock taken before a PTE pointer mapped above the hunk is used', async () => {
    const { all, summary } = await findings('invalid-folio-lock-before-pte-use.patch');
    expect(all.filter((f) => f.rule === 'sleep-in-atomic').map((f) => [f.function, f.status]), summary).toEqual([['demo_isolate_range', 'inconclusive']]);
  });
});

async function findings(file: string): Promise<{ all: Array<{ rule: string; function: string; status: string; introduced?: boolean; fixed?: boolean }>; summary: string }> {
  const { patches } = await readInputs([join(DIR, file)]);
  const report = await checkPatches(patches);
  const all = report.findings.filter((f) => f.rule === 'sleep-in-atomic');
  return { all: report.findings as never, summary: JSON.stringify(all.map((f) => [f.function, f.status, f.introduced, f.fixed, f.dependsOn])) };
}

describe('sleep-in-atomic through the engine on patches', () => {
  it('a lock widened over an unchanged sleeping line is a confirmed, introduced finding', async () => {
    const { all, summary } = await findings('invalid-lock-widened-over-context-line.patch');
    const mine = all.filter((f) => f.rule === 'sleep-in-atomic');
    expect(mine.some((f) => f.status === 'confirmed' && f.introduced === true && f.function === 'demo_reclaim_batch'), summary).toBe(true);
  });
  it('an unlock the patch deletes before a sleeping call is a confirmed, introduced finding (the lock taken above the hunk)', async () => {
    const { all, summary } = await findings('invalid-unlock-deleted-before-sleep.patch');
    const mine = all.filter((f) => f.rule === 'sleep-in-atomic');
    expect(mine.some((f) => f.status === 'confirmed' && f.introduced === true && f.function === 'demo_cold_pte_range'), summary).toBe(true);
  });
  it('an allocation moved out of the locked region is recognised as a fix, nothing reported', async () => {
    const { all, summary } = await findings('valid-fix-alloc-before-lock.patch');
    expect(all.filter((f) => isReportable(f as never)), summary).toEqual([]);
    expect(all.some((f) => f.rule === 'sleep-in-atomic' && f.fixed === true), summary).toBe(true);
  });
  it('a hunk that releases the PTL it never takes: the lock was taken above, the finding is confirmed', async () => {
    const { all, summary } = await findings('invalid-fragment-sleep-before-unlock.patch');
    expect(all.some((f) => f.rule === 'sleep-in-atomic' && f.status === 'confirmed' && f.introduced === true), summary).toBe(true);
  });
  it('a lock that may have been taken in the unseen lines between two hunks is not claimed', async () => {
    const { all } = await findings('valid-fragment-unlock-after-gap.patch');
    expect(all.filter((f) => f.rule === 'sleep-in-atomic')).toEqual([]);
  });
  it('a helper of the patch that sleeps on every path, called under the PTL, is a confirmed finding at the call', async () => {
    const { all, summary } = await findings('invalid-sleeping-helper-under-lock.patch');
    const mine = all.filter((f) => f.rule === 'sleep-in-atomic');
    expect(mine.map((f) => [f.function, f.status]), summary).toEqual([['demo_scan_one', 'confirmed']]);
  });
  it('a wrapper of a sleeping helper (two levels, both in the patch), called under the PTL, is confirmed at the call', async () => {
    const { all, summary } = await findings('invalid-sleeping-wrapper-two-levels.patch');
    const mine = all.filter((f) => f.rule === 'sleep-in-atomic');
    expect(mine.map((f) => [f.function, f.status, f.introduced]), summary).toEqual([['demo_scan_two', 'confirmed', true]]);
  });
  it('a helper that sleeps on some paths, called by a caller of the patch holding the PTL: inconclusive in the helper', async () => {
    const { all, summary } = await findings('invalid-helper-allocates-under-caller-lock.patch');
    const mine = all.filter((f) => f.rule === 'sleep-in-atomic');
    expect(mine.map((f) => [f.function, f.status, f.introduced]), summary).toEqual([['demo_dup_one', 'inconclusive', true]]);
    expect(summary).toMatch(/demo_dup_range\(\) at line \d+, made holding ptl/);
  });
  it('a helper that sleeps on some paths, called in a hunk of its caller that takes the PTL: inconclusive in the helper', async () => {
    const { all, summary } = await findings('invalid-helper-sleeps-under-fragment-caller-lock.patch');
    const mine = all.filter((f) => f.rule === 'sleep-in-atomic');
    expect(mine.map((f) => [f.function, f.status, f.introduced]), summary).toEqual([['demo_keep_history', 'inconclusive', true]]);
  });
  it('a helper that sleeps only on some paths is not claimed at its call', async () => {
    const { all } = await findings('valid-helper-sleeps-conditionally.patch');
    expect(all.filter((f) => f.rule === 'sleep-in-atomic')).toEqual([]);
  });
  it('a hunk that shows no lock claims nothing', async () => {
    const { all } = await findings('valid-fragment-lock-unknown.patch');
    expect(all.filter((f) => f.rule === 'sleep-in-atomic')).toEqual([]);
  });
});

// The founding threads hold locked regions with sleeping calls around them (a lock handed to do_wp_page(), a PTL
// dropped in lines between two hunks): none of them sleeps under a lock, and none may be claimed to.
describe.skipIf(!seedsPresent())('sleep-in-atomic on the seed threads', () => {
  it('raises no candidate', async () => {
    const hits: string[] = [];
    for (const f of readdirSync(SEEDS).filter((x) => /\.(txt|patch|eml|mbox)$/.test(x)).sort()) {
      const fns = (await functionsOfPatchFile(join(SEEDS, f))).flatMap((p) => p.functions);
      for (const fn of fns) for (const c of runRule(rule, fn, fns)) hits.push(`${f}:${fn.name}:${c.side}:${c.data.call}`);
    }
    expect(hits).toEqual([]);
  });
});
