/**
 * Whole functions whose default path enumeration hits the bound (MMR011, src/c/paths.ts): a retried PTE walk that
 * clears PTEs under the lock and flushes after the unlock is enumerated at a lower unrolling, so the violation deep
 * in it is found (the first 1024 paths of the default walk never reached it: refuted before); a patch moving the
 * flush back under the lock is not credited as a fix, because the after-image was not walked at the default bounds.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';

const root = join(import.meta.dirname, '../..');
const dir = join(root, 'fixtures/patches/path-bound');

describe('path bound on a whole retried PTE walk', () => {
  beforeAll(loadSimulator);

  it('the flush moved after the unlock is confirmed, introduced', async () => {
    const read = await readInputs([join(dir, 'retried-walk-flush-after-unlock.patch')]);
    const { findings, errors } = await checkPatches(read.patches, { rules: ['flush-under-ptl'] });
    expect(findings.map((f) => [f.rule, f.function, f.status, f.introduced])).toEqual([['flush-under-ptl', 'demo_scan_pmd', 'confirmed', true]]);
    expect(errors.filter((e) => e.code === 'MMR011').map((e) => e.message)).toEqual([
      expect.stringMatching(/\(pre\): path bound reached \(1024 distinct paths at the default unrolling; loop bodies and backward gotos taken once\); all \d+ path\(s\) at that unrolling kept/),
      expect.stringMatching(/\(post\): path bound reached .*all \d+ path\(s\) at that unrolling kept/),
    ]);
  });

  it('the flush moved back under the lock: no fix credit on an after-image walked at a lower unrolling', async () => {
    const read = await readInputs([join(dir, 'retried-walk-flush-before-unlock.patch')]);
    const { findings } = await checkPatches(read.patches, { rules: ['flush-under-ptl'] });
    expect(findings.filter((f) => f.fixed || f.introduced)).toEqual([]);
  });

  it('both images at the same unrolling: a patch adding the retry lowers the pre-image too', async () => {
    const read = await readInputs([join(dir, 'retried-walk-rescan-added.patch')]);
    const { findings, errors } = await checkPatches(read.patches, { rules: ['flush-under-ptl'] });
    expect(errors.filter((e) => e.code === 'MMR011').map((e) => e.message)).toEqual([
      expect.stringMatching(/\(pre\): path bound reached \(on the post-image at the default unrolling; loop bodies and backward gotos taken once on both images\)/),
      expect.stringMatching(/\(post\): path bound reached \(1024 distinct paths at the default unrolling; loop bodies and backward gotos taken once\)/),
    ]);
    // The flush after the unlock was there before the patch: nothing introduced, nothing fixed.
    expect(findings.filter((f) => f.introduced || f.fixed)).toEqual([]);
  });
});
