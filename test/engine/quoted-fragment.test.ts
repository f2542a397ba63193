/**
 * Claims from a damaged quote (quoted-fragment.ts): a hunk quoted in a reply, trimmed and without its file header,
 * gives no confirmed claim; the reason names the quote.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';

const root = join(import.meta.dirname, '../..');

describe('quoted, damaged fragments', () => {
  it('a trimmed quoted hunk with no file gives at most inconclusive findings', async () => {
    const read = await readInputs([join(root, 'fixtures/engine/quoted-damaged-reply.eml')]);
    expect(read.patches[0]?.quoted).toBe(true);
    const r = await checkPatches(read.patches);
    const f = r.findings.filter((x) => x.rule === 'flush-under-ptl');
    expect(f.length).toBeGreaterThan(0);
    expect(f.every((x) => x.status !== 'confirmed')).toBe(true);
    expect(f[0]?.dependsOn ?? '').toMatch(/quoted in a reply/);
  });
});
