/**
 * fullmm-misuse in hunk-only mode: a `__user` parameter that only the hunk header's function line shows is evidence
 * that the mm is live (a system call's); a header line cut before that parameter leaves the claim inconclusive.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractPatchesFromText } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';

const fixture = readFileSync(join(import.meta.dirname, '../../fixtures/rules/fullmm-misuse/invalid-fullmm-user-param-in-hunk-header.patch'), 'utf8');

async function findingsOf(text: string) {
  const { patches } = extractPatchesFromText(text, { kind: 'patch-file', name: 'age.patch' });
  return (await checkPatches(patches, { rules: ['fullmm-misuse'] })).findings.filter((f) => f.function === 'age_pages_write');
}

describe('fullmm-misuse: system-call evidence in the hunk header', () => {
  it('confirms a fullmm gather in a fragment whose hunk header shows a __user parameter', async () => {
    const f = await findingsOf(fixture);
    expect(f.some((x) => x.status === 'confirmed' && x.introduced && /__user \*buf/.test(x.message))).toBe(true);
  });
  it('stays inconclusive when the hunk header is cut before that parameter', async () => {
    const cut = fixture.replace('static ssize_t age_pages_write(struct file *file, const char __user *buf,', 'static ssize_t age_pages_write(struct file *file, const ch');
    expect(cut).not.toBe(fixture);
    const f = await findingsOf(cut);
    expect(f.length).toBeGreaterThan(0);
    expect(f.every((x) => x.status !== 'confirmed')).toBe(true);
  });
});
