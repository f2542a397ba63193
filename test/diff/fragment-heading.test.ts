// A header-less quoted fragment takes its function from the heading quoted as context right above it.
import { describe, expect, it } from 'vitest';
import { extractPatchesFromText } from '../../src/sources/index.ts';
import { functionsOfPatch } from '../../src/frontend/index.ts';
import { isFunctionHeading } from '../../src/diff/fragment-heading.ts';

function reply(quoted: string[]): string {
  return [
    'From: Reviewer <reviewer@mmreview.invalid>',
    'Subject: Re: [PATCH] mm/scan: split large folios while scanning',
    'Message-ID: <heading-reply@mmreview.invalid>',
    '',
    'On Mon, Author wrote:',
    ...quoted.map((l) => `> ${l}`),
    '',
    'The re-map on the failure path is thrown away.',
    '',
  ].join('\n');
}

const BODY = [
  '+\tif (folio_test_large(folio)) {',
  '+\t\tpte_unmap_unlock(start_pte, ptl);',
  '+\t\tif (split_folio(folio)) {',
  '+\t\t\tpte_offset_map_lock(mm, pmd, addr, &ptl);',
  '+\t\t\tgoto out;',
  '+\t\t}',
  '+\t\tpte = pte_offset_map_lock(mm, pmd, addr, &ptl);',
  '+\t}',
];

async function names(quoted: string[]): Promise<string[]> {
  const { patches } = extractPatchesFromText(reply(quoted), { kind: 'mail', name: 'reply.eml' });
  const out: string[] = [];
  for (const p of patches) for (const f of (await functionsOfPatch(p)).functions) out.push(f.name);
  return out;
}

describe('fragment heading', () => {
  it('names the fragment after the function heading quoted right above it', async () => {
    expect(await names([' static int scan_pte_range(pmd_t *pmd, unsigned long addr,', ' \t\t\t  unsigned long end, struct mm_walk *walk)', ' {', ...BODY])).toEqual(['scan_pte_range']);
  });

  it('does not name it across an elision or a function end', async () => {
    expect(await names([' static int scan_pte_range(pmd_t *pmd, unsigned long addr)', ' {', '[...]', ...BODY])).not.toContain('scan_pte_range');
    expect(await names([' static int scan_pte_range(pmd_t *pmd, unsigned long addr)', ' {', ' }', ' ', ...BODY])).not.toContain('scan_pte_range');
  });

  it('keeps context lines quoted between and after the fragment\'s runs in one fragment', async () => {
    const quoted = [
      ' \tif (folio_test_large(folio)) {',
      '+\t\tif (folio_mapcount(folio) != 1)',
      '+\t\t\tgoto out;',
      ' \t\tfolio_get(folio);',
      ' \t\tpte_unmap_unlock(start_pte, ptl);',
      '+\t\tif (split_folio(folio)) {',
      '+\t\t\tpte_offset_map_lock(mm, pmd, addr, &ptl);',
      '+\t\t\tgoto out;',
      '+\t\t}',
      ' \t\tpte = pte_offset_map_lock(mm, pmd, addr, &ptl);',
      ' \t}',
    ];
    const { patches } = extractPatchesFromText(reply(quoted), { kind: 'mail', name: 'reply.eml' });
    expect(patches).toHaveLength(1);
    const hunks = patches[0]!.files.flatMap((f) => f.hunks);
    expect(hunks).toHaveLength(1);
    expect(hunks[0]!.lines.map((l) => l.type).join(' ')).toBe('ctx add add ctx ctx add add add add ctx ctx');
    expect([hunks[0]!.oldLines, hunks[0]!.newLines]).toEqual([5, 11]);
  });

  it('takes a definition heading, not a declaration, a statement or an initialiser', () => {
    expect(isFunctionHeading('static int scan_pte_range(pmd_t *pmd, unsigned long addr,')).toBe(true);
    expect(isFunctionHeading('void __update_cache(struct vm_area_struct *vma)')).toBe(true);
    expect(isFunctionHeading('extern int scan_pte_range(pmd_t *pmd);')).toBe(false);
    expect(isFunctionHeading('if (scan_pte_range(pmd))')).toBe(false);
    expect(isFunctionHeading('static int scan_mask = SCAN_MASK(3);')).toBe(false);
    expect(isFunctionHeading('\tscan_pte_range(pmd);')).toBe(false);
  });
});
