/**
 * Calls of functions whose bodies the review reads stay on paths: a branch whose arms differ only by such a call is
 * not sliced away (src/c/paths.ts CfgNode.keep), so a rule that follows the call into its callee, or looks for its
 * call sites, sees it. A call of a function the review cannot read is still sliced with its branch.
 */
import { describe, expect, it } from 'vitest';
import { extractPatchesFromText } from '../../src/sources/index.ts';
import { functionsOfPatch } from '../../src/frontend/index.ts';

// Written for mmreview: an ager that records referenced entries through a helper the same patch adds.
const PATCH = [
  'diff --git a/mm/demo_ref.c b/mm/demo_ref.c',
  '--- a/mm/demo_ref.c',
  '+++ b/mm/demo_ref.c',
  '@@ -20,12 +20,20 @@ static unsigned long demo_ref_limit;',
  ' ',
  '+static void demo_ref_record(struct demo_ref *ref, unsigned long addr)',
  '+{',
  '+\tref->last = addr;',
  '+}',
  '+',
  ' static int demo_ref_one(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr, struct demo_ref *ref)',
  ' {',
  ' \tspinlock_t *ptl;',
  ' \tpte_t *pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);',
  ' ',
  ' \tif (!pte)',
  ' \t\treturn -EAGAIN;',
  '-\tptep_test_and_clear_young(vma, addr, pte);',
  '+\tif (ptep_test_and_clear_young(vma, addr, pte))',
  '+\t\tdemo_ref_record(ref, addr);',
  '+\tif (ref->verbose)',
  '+\t\tdemo_ref_trace(ref, addr);',
  ' \tpte_unmap_unlock(pte, ptl);',
  ' \treturn 0;',
  ' }',
  '',
].join('\n');

describe('calls of functions the review reads stay on paths', () => {
  it('a call of the patch\'s own helper inside a branch is on a path; an unknown call is sliced with its branch', async () => {
    const { patches: [patch] } = extractPatchesFromText(PATCH, { kind: 'patch-file', name: 'kept-calls.patch' });
    const { functions } = await functionsOfPatch(patch!);
    const fn = functions.find((f) => f.name === 'demo_ref_one')!;
    const callees = fn.post!.paths.map((p) => p.steps.flatMap((s) => (s.step === 'event' ? [s.callee] : [])));
    expect(callees.some((c) => c.includes('demo_ref_record'))).toBe(true);
    expect(callees.some((c) => !c.includes('demo_ref_record'))).toBe(true);
    expect(callees.some((c) => c.includes('demo_ref_trace'))).toBe(false);
    // The unknown call is still one of the image's events.
    expect(fn.post!.events.some((e) => e.callee === 'demo_ref_trace')).toBe(true);
  });
});
