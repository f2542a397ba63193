/**
 * Quoted hunks whose reviewer cut lines in the middle (src/diff/hunk-reader.ts): an elision mark written outside the
 * quote, or reply text written where the lines were, is a gap in the function. The function is then a fragment, so a
 * claim that rests on the cut lines is inconclusive, never confirmed; a quote that only interleaves reply text and
 * cuts nothing stays whole.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';
import { functionsOfPatch } from '../../src/frontend/index.ts';

const dir = join(import.meta.dirname, '../../fixtures/mail/quoted-cuts');

async function read(name: string) {
  const { patches } = await readInputs([join(dir, name)]);
  expect(patches).toHaveLength(1);
  return patches[0]!;
}

describe('lines a reviewer cut from the middle of a quoted hunk', () => {
  beforeAll(loadSimulator);

  for (const [name, mark] of [
    ['elision-outside-quote.eml', /"\[\.\.\.\] \(outside the quote\)" elides hunk lines/],
    ['cut-at-reply-text.eml', /"\[reply text\]" elides hunk lines/],
  ] as const) {
    it(`${name}: a gap where the lines were, the function a fragment, the claim inconclusive`, async () => {
      const patch = await read(name);
      expect(patch.damage.join('\n')).toMatch(mark);
      expect(patch.damage.join('\n')).toMatch(/re-counted around 1 elision\(s\): 0 old \/ 3 new line\(s\) not quoted/);
      const fns = (await functionsOfPatch(patch)).functions;
      const zap = fns.find((f) => f.name === 'sprocket_zap_table');
      expect(zap?.post?.complete).toBe(false);
      const { findings } = await checkPatches([patch], { rules: ['flush-under-ptl'] });
      expect(findings.filter((f) => f.status === 'confirmed')).toEqual([]);
      expect(findings.map((f) => [f.function, f.status])).toContainEqual(['sprocket_zap_table', 'inconclusive']);
    });
  }

  it('reply text interleaved with nothing cut: the function stays whole and the flush under the lock is seen', async () => {
    const patch = await read('reply-text-nothing-cut.eml');
    const fns = (await functionsOfPatch(patch)).functions;
    expect(fns.find((f) => f.name === 'sprocket_zap_table')?.post?.complete).toBe(true);
    const { findings } = await checkPatches([patch], { rules: ['flush-under-ptl'] });
    expect(findings.filter((f) => f.status === 'confirmed')).toEqual([]);
  });
});
