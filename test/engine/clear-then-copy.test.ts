/**
 * flush-under-ptl's clear-then-copy check end to end: the cleared PMD's pages copied before the TLB flush is a
 * confirmed lost write (the copy is simulated as a page copy, the install maps it); flushing before the copy is quiet.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches, isReportable } from '../../src/engine/index.ts';

const root = join(import.meta.dirname, '../..');

async function check(file: string) {
  const read = await readInputs([join(root, 'fixtures/rules/flush-under-ptl', file)]);
  return (await checkPatches(read.patches, { rules: ['flush-under-ptl'] })).findings;
}

describe('clear-then-copy through the engine', () => {
  it('a copy between the PMD clear and the flush is a confirmed, introduced lost write', async () => {
    const findings = await check('invalid-collapse-copy-before-flush.patch');
    const mine = findings.filter(isReportable);
    expect(mine, JSON.stringify(findings.map((f) => [f.rule, f.status, f.message]))).toHaveLength(1);
    const f = mine[0]!;
    expect(f.introduced).toBe(true);
    expect(f.simulation?.invariant).toBe('no-lost-write');
    const actions = f.simulation?.trace?.steps.map((s) => s.action) ?? [];
    const copy = actions.findIndex((a) => a.startsWith('__collapse_huge_page_copy('));
    const store = actions.findIndex((a) => a.includes('stale TLB'));
    expect(copy).toBeGreaterThan(-1);
    expect(store).toBeGreaterThan(copy);
    expect(f.suggestion?.verdict).toBe('removes-violation');
  });

  it('flushing right after the clear, before the copy, has nothing to report', async () => {
    expect((await check('valid-collapse-flush-before-copy.patch')).filter(isReportable)).toEqual([]);
  });
});
