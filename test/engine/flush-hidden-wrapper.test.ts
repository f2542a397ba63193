/**
 * flush-under-ptl and a TLB flush behind a call the catalogue does not know (rules/utils/hidden-flush.ts): a wrapper
 * the patch defines and that flushes on every path is the flush; one whose definition is not visible and whose name
 * says it may flush, or that flushes on some paths only, leaves the claim inconclusive; a visible helper that never
 * flushes changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';

const DIR = join(import.meta.dirname, '../../fixtures/rules/flush-under-ptl');

async function flushFindings(file: string) {
  const { patches } = await readInputs([join(DIR, file)]);
  return (await checkPatches(patches, { rules: ['flush-under-ptl'] })).findings;
}

describe('flush-under-ptl: a flush behind an unknown call', () => {
  it('takes a wrapper the patch defines, flushing on every path, as the flush', async () => {
    expect(await flushFindings('valid-fix-flush-through-visible-wrapper.patch')).toEqual([]);
  });
  it('asks whether a flush-named call with no visible definition flushes', async () => {
    const f = await flushFindings('invalid-flush-wrapper-not-visible.patch');
    expect(f.length).toBe(1);
    expect(f[0]?.status).toBe('inconclusive');
    expect(f[0]?.dependsOn ?? '').toMatch(/does flush_walk_cache_range\(\) .* flush the TLB\?/);
  });
  it('asks the same when the visible definition flushes on some paths only', async () => {
    const f = await flushFindings('invalid-flush-wrapper-flushes-sometimes.patch');
    expect(f.length).toBe(1);
    expect(f[0]?.status).toBe('inconclusive');
    expect(f[0]?.dependsOn ?? '').toMatch(/does not flush on every path/);
  });
  it('asks the same when the visible definition flushes a range it computes in a variable of its own', async () => {
    // Substituted into the caller, `last` would read as the caller's variable: the range the call covers is unknown.
    const f = await flushFindings('invalid-flush-wrapper-local-range.patch');
    expect(f.length).toBe(1);
    expect(f[0]?.status).toBe('inconclusive');
    expect(f[0]?.dependsOn ?? '').toMatch(/covers a range computed in its own variables \(last\)/);
  });
  it('still confirms when the helper in between is visible and never flushes', async () => {
    const f = await flushFindings('invalid-helper-between-clear-and-unlock-does-not-flush.patch');
    expect(f.map((x) => [x.status, x.introduced])).toEqual([['confirmed', true]]);
  });
});
