/**
 * notifier-symmetry: an end the patch leaves without its start is stray only when nothing unseen may have started the
 * window. A helper the diff does not show, given the end's range object (or, with the mm/start/end API, both of its
 * bounds) before the end, may call mmu_notifier_invalidate_range_start() itself: the claim names it and is never
 * confirmed. A call given only the bounds of a range object cannot start a window on that object, and a helper
 * the code calls before a visible start of the same range does not start it itself.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';

const root = join(import.meta.dirname, '../..');

async function check(file: string) {
  const read = await readInputs([join(root, 'fixtures/rules/notifier-symmetry', file)]);
  return (await checkPatches(read.patches, { rules: ['notifier-symmetry'] })).findings;
}

describe('notifier-symmetry: a start folded into an unseen helper', () => {
  beforeAll(loadSimulator);
  it('the end after a helper given &range is inconclusive, naming the helper', async () => {
    const findings = await check('invalid-start-folded-into-unseen-helper.patch');
    expect(findings.map((f) => [f.function, f.status, f.introduced])).toEqual([['track_clear_range', 'inconclusive', true]]);
    expect(findings[0]?.dependsOn).toMatch(/track_range_begin\(\) \(line 23\).*does it start the invalidation of range/);
  });
  it('the end after a helper given both bounds (mm/start/end API) is inconclusive, naming the helper', async () => {
    const findings = await check('invalid-start-folded-into-unseen-helper-old-api.patch');
    expect(findings.map((f) => [f.function, f.status, f.introduced])).toEqual([['track_clear_old', 'inconclusive', true]]);
    expect(findings[0]?.dependsOn).toMatch(/track_notify_begin\(\)/);
  });
  it('a deleted start with only a walk given the bounds of the range object stays confirmed', async () => {
    const findings = await check('invalid-start-dropped-walk-given-bounds.patch');
    expect(findings.map((f) => [f.function, f.status, f.introduced])).toEqual([['track_clear_range', 'confirmed', true]]);
  });
  it('a deleted start after a setup helper the pre-image called before its start stays confirmed', async () => {
    const findings = await check('invalid-start-dropped-after-setup-helper.patch');
    expect(findings.map((f) => [f.function, f.status, f.introduced])).toEqual([['track_clear_small', 'confirmed', true]]);
  });
});
