/**
 * The hunk header's function line as evidence for a fragment: the parameters it shows (never a complete list, the
 * line is cut by diff tools), carried on the image as `headerParams`.
 */
import { describe, expect, it } from 'vitest';
import { headingParams } from '../../src/frontend/images.ts';
import { extractPatchesFromText } from '../../src/sources/index.ts';
import { functionsOfPatch } from '../../src/frontend/index.ts';

describe('headingParams', () => {
  it('reads the parameters up to the closing parenthesis', () => {
    expect(headingParams('static int g(struct mm_struct *mm, unsigned long (*fn)(int), int  x) __must_hold(x)', 'g')).toEqual([
      'struct mm_struct *mm',
      'unsigned long (*fn)(int)',
      'int x',
    ]);
  });
  it('keeps only whole parameters of a line cut before its closing parenthesis', () => {
    expect(headingParams('static ssize_t w(struct file *file, const char __user *buf,', 'w')).toEqual(['struct file *file', 'const char __user *buf']);
    expect(headingParams('static int h(struct vm_area_struct *vma, unsigned lo', 'h')).toEqual(['struct vm_area_struct *vma']);
  });
  it('gives nothing for void, or when the line does not name the function', () => {
    expect(headingParams('int f(void)', 'f')).toEqual([]);
    expect(headingParams('struct foo_ops bar = {', 'f')).toEqual([]);
  });
});

function patchWithHeading(heading: string): string {
  return [
    'diff --git a/fs/proc/age.c b/fs/proc/age.c',
    'index 2b3c4d5..6e7f8a9 100644',
    '--- a/fs/proc/age.c',
    '+++ b/fs/proc/age.c',
    `@@ -141,6 +141,6 @@ ${heading}`,
    ' \tif (!mm)',
    ' \t\tgoto out_task;',
    ' \tmmap_read_lock(mm);',
    '-\ttlb_gather_mmu(&tlb, mm);',
    '+\ttlb_gather_mmu_fullmm(&tlb, mm);',
    ' \tfor_each_vma(vmi, vma)',
    ' \t\twalk_page_range(mm, vma->vm_start, vma->vm_end, &age_walk_ops, &tlb);',
    '',
  ].join('\n');
}

describe('a fragment image carries the parameters of its hunk header', () => {
  it('sets headerParams on both sides of a fragment named by the hunk header', async () => {
    const { patches } = extractPatchesFromText(patchWithHeading('static ssize_t age_pages_write(struct file *file, const char __user *buf,'), { kind: 'patch-file', name: 'age.patch' });
    const views = (await functionsOfPatch(patches[0]!)).functions;
    const v = views.find((x) => x.name === 'age_pages_write');
    expect(v?.post?.complete).toBe(false);
    expect(v?.post?.headerParams).toEqual(['struct file *file', 'const char __user *buf']);
    expect(v?.pre?.headerParams).toEqual(['struct file *file', 'const char __user *buf']);
  });
  it('sets none when the hunk header shows no parameter list', async () => {
    const { patches } = extractPatchesFromText(patchWithHeading('static ssize_t age_pages_write('), { kind: 'patch-file', name: 'age.patch' });
    const v = (await functionsOfPatch(patches[0]!)).functions.find((x) => x.name === 'age_pages_write');
    expect(v?.post?.headerParams).toBeUndefined();
  });
});
