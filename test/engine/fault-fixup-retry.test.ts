/**
 * fault-fixup claims a livelock only when the faulting access is retried after the gup: a path from the gup back to
 * the access (a goto, a loop), or, for a function that hands the gup's result to its callers, a claim that names
 * those unseen callers (inconclusive). A function that completes the access through the pinned page, or retries only
 * after a real fault-in helper (fault_in_user_writeable()), gives nothing. Each fixture is added as a new file.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractPatchesFromText } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';

const root = join(import.meta.dirname, '../..');

/** The fixture's C added as a new file kernel/lockword.c. */
async function check(file: string) {
  const lines = readFileSync(join(root, 'fixtures/rules/fault-fixup', file), 'utf8').replace(/\n$/, '').split('\n');
  const text = [
    'diff --git a/kernel/lockword.c b/kernel/lockword.c',
    'new file mode 100644',
    'index 0000000..1111111',
    '--- /dev/null',
    '+++ b/kernel/lockword.c',
    `@@ -0,0 +1,${lines.length} @@`,
    ...lines.map((l) => `+${l}`),
    '',
  ].join('\n');
  const { patches } = extractPatchesFromText(text, { kind: 'text', name: file });
  return (await checkPatches(patches, { rules: ['fault-fixup'] })).findings;
}

describe('fault-fixup: the retry the livelock needs', () => {
  beforeAll(loadSimulator);
  it('a goto back to the atomic access after the gup is confirmed', async () => {
    const f = await check('invalid-retry-with-gup.c');
    expect(f.map((x) => [x.function, x.status])).toEqual([['lockword_cmpxchg_retry', 'confirmed']]);
  });
  it('a loop that goes round to the atomic access after the gup is confirmed', async () => {
    const f = await check('invalid-loop-retry-with-gup.c');
    expect(f.map((x) => [x.function, x.status])).toEqual([['lockword_or_loop', 'confirmed']]);
  });
  it('the gup result handed back to unseen callers is inconclusive, naming them', async () => {
    const f = await check('invalid-atomic-access-returns-gup-result.c');
    expect(f.map((x) => [x.function, x.status])).toEqual([['lockword_store_or_lookup', 'inconclusive']]);
    expect(f[0]?.dependsOn).toMatch(/callers of lockword_store_or_lookup\(\).*retry the user access when it returns the result of get_user_pages_remote\(\)/);
  });
  it('the pinned page read through the kernel map, and a retry after fault_in_user_writeable(), give nothing', async () => {
    expect(await check('valid-atomic-read-then-read-pinned-page.c')).toEqual([]);
    expect(await check('valid-retry-after-real-fault-in.c')).toEqual([]);
  });
});
