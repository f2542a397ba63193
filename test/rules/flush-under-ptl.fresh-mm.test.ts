// An mm the function just created (copy_init_mm(), mm_alloc()) that no CPU has loaded and nobody else can reach:
// clearing its entries without a flush leaves no stale TLB entry. Once it is published (stored where another CPU
// may pick it up) or switched to, it is an mm like any other.
import { describe, expect, it, beforeAll } from 'vitest';
import rule from '../../rules/flush-under-ptl.ts';
import { runRule } from '../../src/rule-tester/index.ts';
import { functionsOfSource } from '../../src/rule-tester/load-functions.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';

// Written for mmreview: firmware mappings set up in a private mm before it is used.
const body = (mmFrom: string, publishEarly: boolean): string => `
static int demo_fw_init_mm(struct mm_struct *given, unsigned long start, unsigned long end)
{
	struct mm_struct *mm;
	unsigned long addr;

	mm = ${mmFrom};
	if (!mm)
		return -ENOMEM;
${publishEarly ? '\tdemo_fw_mm = mm;\n' : ''}	for (addr = start; addr < end; addr += PAGE_SIZE) {
		spinlock_t *ptl;
		pte_t *ptep = get_locked_pte(mm, addr, &ptl);

		if (!ptep)
			return -ENOMEM;
		pte_clear(mm, addr, ptep);
		pte_unmap_unlock(ptep, ptl);
	}
${publishEarly ? '' : '\tdemo_fw_mm = mm;\n'}	return 0;
}
`;

async function messages(mmFrom: string, publishEarly = false): Promise<string[]> {
  const fns = await functionsOfSource(body(mmFrom, publishEarly), 'arch/demo/fw.c');
  return runRule(rule, fns[0]!, fns).map((c) => c.messageId);
}

describe('flush-under-ptl: a fresh mm', () => {
  beforeAll(loadSimulator);
  it('copy_init_mm() and mm_alloc() results not yet published: no candidate', async () => {
    expect(await messages('copy_init_mm()')).toEqual([]);
    expect(await messages('mm_alloc()')).toEqual([]);
  });
  it('an mm handed in, or a fresh one published before the loop: the clear is judged', async () => {
    expect(await messages('given')).toContain('flushAfterUnlock');
    expect(await messages('copy_init_mm()', true)).toContain('flushAfterUnlock');
  });
});
