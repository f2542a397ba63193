/**
 * sleep-in-atomic: a local that records whether the page-table lock is held (the never-NULL pmd_lock() result, or a
 * flag set once the lock is taken) steers the sleeping folio lock to the branch where it is not held. The path that
 * holds the lock and takes the "not held" branch cannot run (src/c/path-feasibility.ts), so nothing is claimed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPatches } from '../../src/engine/index.ts';
import { extractPatchesFromText } from '../../src/sources/index.ts';

const DIR = join(import.meta.dirname, '../../fixtures/rules/sleep-in-atomic');

describe('sleep-in-atomic: a lock-holding local', () => {
  it('no sleep is claimed on a path the local rules out', async () => {
    const name = 'valid-sleep-on-lock-flag-not-held-branch.patch';
    const patches = extractPatchesFromText(readFileSync(join(DIR, name), 'utf8'), { kind: 'patch-file', name }).patches;
    const report = await checkPatches(patches, {});
    expect(report.findings.filter((f) => f.rule === 'sleep-in-atomic').map((f) => [f.function, f.status])).toEqual([]);
  });
});
