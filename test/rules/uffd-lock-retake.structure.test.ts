// uffd-lock-retake on hunks that leave a loop whose head they do not show (rules/utils/invented-loop.ts): a `break`
// whose closing brace may end an inner block is not confirmed; one whose brace is followed by the function body's
// top-level code is.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPatches } from '../../src/engine/index.ts';
import type { Finding } from '../../src/core/finding.ts';
import { readInputs } from '../../src/sources/index.ts';

const root = process.cwd();

async function findings(file: string): Promise<Finding[]> {
  const read = await readInputs([join(root, file)]);
  const r = await checkPatches(read.patches);
  return r.findings.filter((f) => f.rule === 'uffd-lock-retake');
}

describe('uffd-lock-retake: breaks out of a loop the hunk does not open', () => {
  it('does not confirm an access reached only if the brace after the break ends the loop', async () => {
    const fs = await findings('fixtures/engine/lock-retake-break-inner-block-hunk.patch');
    expect(fs.length).toBeGreaterThan(0);
    expect(fs.every((f) => f.status !== 'confirmed')).toBe(true);
    expect(fs.some((f) => f.status === 'inconclusive')).toBe(true);
  });
  it('still confirms a goto out of that loop: it reaches its label whatever the braces are', async () => {
    const fs = await findings('fixtures/engine/lock-retake-goto-out-of-inner-block-hunk.patch');
    expect(fs.map((f) => [f.function, f.status])).toEqual([['age_range_pte', 'confirmed']]);
  });
  it('still confirms when the code after the brace is at the top level of the function body', async () => {
    for (const fx of ['invalid-break-unlocks-pte-minus-one.patch', 'invalid-hunk-unlocks-stale-orig-pte.patch']) {
      const fs = await findings(join('fixtures/rules/uffd-lock-retake', fx));
      expect(fs.map((f) => f.status), fx).toEqual(['confirmed']);
    }
  });
});
