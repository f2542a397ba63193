/**
 * sleep-in-atomic: an allocation whose GFP mask the text does not spell in GFP constants (a parameter, a field,
 * mapping_gfp_mask()) may or may not sleep. The classifier marks it (attrs.unresolved); under a spinlock it is a
 * question, and a patch that only makes the mask unreadable is not credited with a fix (rules/utils/unresolved-sleep.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPatches } from '../../src/engine/index.ts';
import { classifyCall } from '../../src/kernel-api/classify.ts';
import { extractPatchesFromText } from '../../src/sources/index.ts';
import rule from '../../rules/sleep-in-atomic.ts';
import { runRule } from '../../src/rule-tester/index.ts';
import { functionsOfSource } from '../../src/rule-tester/load-functions.ts';

const DIR = join(import.meta.dirname, '../../fixtures/rules/sleep-in-atomic');

describe('classify: GFP masks', () => {
  const unresolved = (callee: string, args: string[]) => classifyCall({ callee, args })?.attrs.unresolved;
  it('a mask it cannot read is marked unresolved', () => {
    expect(unresolved('kmalloc', ['size', 'gfp'])?.question).toMatch(/`gfp` allow direct reclaim/);
    expect(unresolved('kmalloc', ['size', 'gfp | __GFP_ZERO'])).toBeDefined();
    expect(unresolved('alloc_page', ['mapping_gfp_mask(mapping)'])).toBeDefined();
    expect(unresolved('kzalloc', ['size', 'flags'])).toBeDefined();
  });
  it('a mask spelled in GFP constants is not', () => {
    expect(classifyCall({ callee: 'kmalloc', args: ['size', 'GFP_KERNEL'] })?.attrs.sleeps).toBe(true);
    expect(unresolved('kmalloc', ['size', 'GFP_KERNEL'])).toBeUndefined();
    expect(unresolved('kmalloc', ['size', 'GFP_ATOMIC'])).toBeUndefined();
    expect(unresolved('kmalloc', ['size', 'GFP_NOWAIT | __GFP_NOWARN'])).toBeUndefined();
    expect(unresolved('kmalloc', ['size', 'gfp & ~__GFP_DIRECT_RECLAIM'])).toBeUndefined();
  });
});

describe('sleep-in-atomic: no fix credit resting on an unreadable GFP mask', () => {
  it('GFP_KERNEL under the lock made a parameter, a field or the mapping mask is a question, not a fix', async () => {
    const name = 'valid-gfp-mask-made-unreadable.patch';
    const patches = extractPatchesFromText(readFileSync(join(DIR, name), 'utf8'), { kind: 'patch-file', name }).patches;
    const report = await checkPatches(patches, {});
    const mine = report.findings.filter((f) => f.rule === 'sleep-in-atomic');
    for (const fn of ['demo_pool_get', 'demo_pool_get_field', 'demo_pool_page']) {
      expect(mine.filter((f) => f.function === fn && (f.fixed || f.status === 'confirmed'))).toEqual([]);
      expect(mine.find((f) => f.function === fn && f.status === 'inconclusive')?.dependsOn).toMatch(/allow direct reclaim/);
    }
    // GFP_ATOMIC is readable: that one is a fix.
    expect(mine.some((f) => f.function === 'demo_pool_get_atomic' && f.fixed)).toBe(true);
  });
});

describe('sleep-in-atomic: a GFP local the visible code does not settle', () => {
  it('chosen at run time (GFP_KERNEL or GFP_NOWAIT): a question, not a claim', async () => {
    const name = 'invalid-gfp-variable-chosen-at-run-time.c';
    const fns = await functionsOfSource(readFileSync(join(DIR, name), 'utf8'), 'mm/demo_table.c');
    const qs = fns.flatMap((f) => runRule(rule, f, fns)).map((c) => c.hazard.unknown);
    expect(qs.length).toBeGreaterThan(0);
    expect(qs.every((q) => /`gfp` allow direct reclaim/.test(q ?? ''))).toBe(true);
  });
});
