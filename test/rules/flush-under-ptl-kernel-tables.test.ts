// Kernel page tables (init_mm): an entry cleared under init_mm's lock and its page freed after the unlock, with the
// kernel TLB flush left to the caller (apply_to_existing_page_range() + flush_tlb_kernel_range()), is never
// confirmed: no user thread maps the address, and who else may reach it depends on callers the patch does not show.
import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { checkPatches } from '../../src/engine/index.ts';
import { readInputs } from '../../src/sources/index.ts';

describe('flush-under-ptl on kernel page tables', () => {
  it('a clear of an init_mm entry freed after the unlock is inconclusive, not confirmed', async () => {
    const file = join(resolve(import.meta.dirname, '../..'), 'fixtures/patches/kernel-tables/shadow-free-after-unlock.patch');
    const report = await checkPatches((await readInputs([file])).patches);
    const flush = report.findings.filter((f) => f.rule === 'flush-under-ptl');
    expect(flush.length).toBeGreaterThan(0);
    expect(flush.filter((f) => f.status === 'confirmed')).toEqual([]);
    expect(flush.some((f) => f.status === 'inconclusive')).toBe(true);
  });
});
