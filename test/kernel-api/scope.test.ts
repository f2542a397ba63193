/**
 * mmreview's scope: mm paths, or hunks that call page-table / TLB / notifier / uffd / gup APIs. Out-of-scope files
 * are not analysed by the front end.
 */
import { describe, expect, it } from 'vitest';
import { fileInScope, pathInScope, textUsesScopeApi } from '../../src/kernel-api/scope.ts';
import { extractPatchesFromText } from '../../src/sources/index.ts';
import { functionsOfPatch } from '../../src/frontend/index.ts';

const diff = (path: string, body: string) => `diff --git a/${path} b/${path}
--- a/${path}
+++ b/${path}
@@ -10,4 +10,5 @@ static int f(struct vm_area_struct *vma)
 {
 	int ret = 0;
${body}
 	return ret;
 }
`;

describe('scope', () => {
  it('takes mm paths by themselves', () => {
    expect(pathInScope('mm/mprotect.c')).toBe(true);
    expect(pathInScope('arch/arm64/mm/fault.c')).toBe(true);
    expect(pathInScope('drivers/net/ethernet/foo.c')).toBe(false);
  });

  it('takes other files only when their hunks call an mm API (a call, not a mention)', () => {
    expect(textUsesScopeApi('+\tflush_tlb_range(vma, start, end);')).toBe(true);
    expect(textUsesScopeApi('+ * see flush_tlb_range for details')).toBe(false);
    const api = extractPatchesFromText(diff('drivers/gpu/drm/x.c', '+\tflush_tlb_range(vma, 0, PAGE_SIZE);'), { kind: 'text', name: 't' }).patches[0]!;
    const plain = extractPatchesFromText(diff('drivers/net/x.c', '+\tret = foo(vma);'), { kind: 'text', name: 't' }).patches[0]!;
    expect(fileInScope(api.files[0]!)).toBe(true);
    expect(fileInScope(plain.files[0]!)).toBe(false);
  });

  it('the front end analyses in-scope files only', async () => {
    const plain = extractPatchesFromText(diff('drivers/net/x.c', '+\tret = foo(vma);'), { kind: 'text', name: 't' }).patches[0]!;
    const mm = extractPatchesFromText(diff('mm/x.c', '+\tret = foo(vma);'), { kind: 'text', name: 't' }).patches[0]!;
    expect((await functionsOfPatch(plain)).functions).toEqual([]);
    expect((await functionsOfPatch(mm)).functions.map((f) => f.name)).toEqual(['f']);
  });
});
