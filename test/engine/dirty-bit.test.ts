/**
 * flush-under-ptl's lost dirty bit end to end (rules/utils/dirty-bit.ts): a clear whose returned value is thrown
 * away while a migration entry keeps the page in use is a confirmed lost write — a store made before the clear set
 * the entry's dirty bit, and reclaim (adversary clean-reclaim) drops the page as clean once the path returned; the
 * fix that moves the bit to the folio is credited as a fix.
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

describe('lost dirty bit through the engine', () => {
  it('a clear that drops its value before a migration entry is a confirmed, introduced lost write', async () => {
    const findings = await check('invalid-dirty-bit-dropped-for-migration.patch');
    const mine = findings.filter(isReportable);
    expect(mine, JSON.stringify(findings.map((f) => [f.rule, f.status, f.message]))).toHaveLength(1);
    const f = mine[0]!;
    expect(f.introduced).toBe(true);
    expect(f.message).toMatch(/throws away the value it returns/);
    expect(f.simulation?.invariant).toBe('no-lost-write');
    const actions = f.simulation?.trace?.steps.map((s) => s.action) ?? [];
    const store = actions.findIndex((a) => a.startsWith('Write to page'));
    const clear = actions.findIndex((a) => a.startsWith('ptep_clear_flush('));
    const reclaim = actions.findIndex((a) => a.startsWith('shrink_folio_list('));
    // The store the clear's dirty bit recorded comes first; reclaim drops the page after the path returned.
    expect(store).toBeGreaterThan(-1);
    expect(clear).toBeGreaterThan(store);
    expect(reclaim).toBeGreaterThan(clear);
    expect(f.suggestion?.verdict).toBe('removes-violation');
  });

  it('a reference drop after the migration entry is not a free: the page it keeps is still lost clean', async () => {
    const findings = await check('invalid-dirty-bit-dropped-then-ref-put.patch');
    const mine = findings.filter((f) => isReportable(f) && /throws away the value it returns/.test(f.message));
    expect(mine, JSON.stringify(findings.map((f) => [f.rule, f.status, f.message]))).toHaveLength(1);
    expect(mine[0]!.introduced).toBe(true);
    expect(mine[0]!.simulation?.invariant).toBe('no-lost-write');
  });

  it('a dirty bit carried from a value read before the clear excuses nothing: the clear\'s own is still lost', async () => {
    const findings = await check('invalid-dirty-bit-from-value-read-before.patch');
    const mine = findings.filter((f) => isReportable(f) && /throws away the value it returns/.test(f.message));
    expect(mine, JSON.stringify(findings.map((f) => [f.rule, f.status, f.message]))).toHaveLength(1);
    expect(mine[0]!.introduced).toBe(true);
  });

  it('moving the dirty bit to the folio is recognised as the fix, with nothing to report', async () => {
    const findings = await check('valid-dirty-bit-moved-to-folio.patch');
    expect(findings.filter(isReportable)).toEqual([]);
    const fixed = findings.filter((f) => f.fixed && f.status === 'confirmed' && f.rule === 'flush-under-ptl');
    expect(fixed, JSON.stringify(findings.map((f) => [f.rule, f.status, f.fixed, f.message]))).toHaveLength(1);
    expect(fixed[0]!.simulation?.invariant).toBe('no-lost-write');
  });
});
