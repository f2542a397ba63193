/**
 * A `fixed` credit is withheld when the same rule has a candidate the patch introduces (confirmed or inconclusive)
 * into the same function (docs/engine.md, "Classification"): a fix note must not be the only thing a reader sees on
 * a patch that may break the same protocol.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';

const root = join(import.meta.dirname, '../..');

describe('fix credit next to an introduced candidate of the same rule', () => {
  beforeAll(loadSimulator);

  it('the removed discarded re-map is not credited while the new `continue` may run the loop without the lock', async () => {
    const read = await readInputs([join(root, 'fixtures/patches/unseen-locks/fix-credit-with-introduced.patch')]);
    const { findings } = await checkPatches(read.patches, { rules: ['uffd-lock-retake'] });
    expect(findings.filter((f) => f.fixed)).toEqual([]);
    expect(findings.map((f) => [f.function, f.status, f.introduced])).toEqual([['widget_reclaim_pte_range', 'inconclusive', true]]);
  });
});
