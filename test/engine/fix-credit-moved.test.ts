/**
 * "Fixes" needs the after-image to be free of the violation, not merely to stop showing it
 * (src/engine/fix-credit.ts): a violation moved into a helper of the same patch that still carries it, or a line of
 * it replaced by a call the tool cannot see given the same objects, earns no credit; a real fix still does.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';

const dir = join(import.meta.dirname, '../../fixtures/patches/fix-credit');

async function run(name: string): Promise<Array<[string, string, boolean, boolean]>> {
  const read = await readInputs([join(dir, name)]);
  const { findings } = await checkPatches(read.patches, { rules: ['flush-under-ptl'] });
  return findings.map((f) => [f.function, f.status, f.introduced, f.fixed]);
}

describe('fix credit for a violation moved out of sight', () => {
  beforeAll(loadSimulator);

  it('no credit when the clear moves into a helper of the patch that the caller still runs under the lock it flushes after dropping', async () => {
    const got = await run('helper-keeps-clear.patch');
    expect(got.filter(([, , , fixed]) => fixed)).toEqual([]);
    expect(got).toContainEqual(['gadget_reset_entry', 'inconclusive', true, false]);
  });

  it('no credit when the clear is replaced by a call the tool cannot see, given the same entry', async () => {
    expect((await run('unseen-call-replaces-clear.patch')).filter(([, , , fixed]) => fixed)).toEqual([]);
  });

  it('a flush moved under the lock is still a fix, whatever tracepoint the patch adds beside it', async () => {
    expect(await run('flush-moved-under-lock.patch')).toEqual([['gadget_reset', 'confirmed', false, true]]);
  });
});
