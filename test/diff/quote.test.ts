// Tests for quote-depth splitting and the code/prose heuristics used on damaged diffs.

import { describe, expect, it } from 'vitest';
import { isCodeLine, isProseLine } from '../../src/diff/line-kind.ts';
import { buildQuoteViews, splitQuote } from '../../src/diff/quote.ts';
import { extractPatchesFromText } from '../../src/sources/index.ts';
import { functionsOfPatch } from '../../src/frontend/index.ts';

describe('splitQuote', () => {
  it.each([
    ['> +int a;', 1, '+int a;'],
    ['> > -int b;', 2, '-int b;'],
    ['>> @@ -1 +1 @@', 2, '@@ -1 +1 @@'],
    ['>+x;', 1, '+x;'],
    ['> >> > y', 4, 'y'],
    ['plain', 0, 'plain'],
    [' > not a quote', 0, ' > not a quote'],
  ])('%s', (line, depth, text) => {
    expect(splitQuote(line)).toEqual({ depth, text });
  });
});

describe('buildQuoteViews', () => {
  it('keeps the context space in ">"-without-space quoting and marks gaps', () => {
    const views = buildQuoteViews(['>@@ -1,2 +1,2 @@', '> \tint a;', 'comment', '>-\tint b;', '>+\tint c;']);
    const v1 = views.find((v) => v.depth === 1)!;
    expect(v1.lines.map((l) => l.text)).toEqual(['@@ -1,2 +1,2 @@', ' \tint a;', '-\tint b;', '+\tint c;']);
    expect(v1.lines.map((l) => l.afterGap)).toEqual([false, false, true, false]);
    expect(v1.lines.map((l) => l.inputLine)).toEqual([1, 2, 4, 5]);
  });
});

describe('line heuristics', () => {
  it('tells code from prose', () => {
    for (const c of ['pte = pte_offset_map_lock(mm, pmd, addr, &ptl);', 'if (!pte)', '} while (pte++, addr != end);', 'out_unlock:', '#ifdef CONFIG_MMU'])
      expect(isCodeLine(c), c).toBe(true);
    for (const p of ['Using a bool would be clearer.', 'the FOLL_FIXFAULT is filtered out at the following code', 'drop the helper above, it buys nothing;'])
      expect(isProseLine(p), p).toBe(true);
  });
});

describe('quoted hunks with elisions', () => {
  const reply = (mark: string): string =>
    [
      'On Mon, Ada wrote:',
      '> @@ -100,14 +100,15 @@ static int zap_pte_range(struct mmu_gather *tlb, pmd_t *pmd)',
      '>  \tspinlock_t *ptl;',
      '>  \tpte_t *pte;',
      '>  ',
      '>  \tpte = pte_offset_map_lock(mm, pmd, addr, &ptl);',
      `> ${mark}`,
      '>  \tdo {',
      '>  \t\tpte_t ptent = *pte;',
      '> +\t\tif (pte_none(ptent))',
      '> +\t\t\tcontinue;',
      '',
      'Why continue here? This skips the counter update.',
      '',
      '>  \t\tptep_get_and_clear(mm, addr, pte);',
      '>  \t} while (pte++, addr += PAGE_SIZE, addr != end);',
      '>  \tpte_unmap_unlock(pte - 1, ptl);',
      '',
    ].join('\n');

  for (const mark of ['[...]', '[ ... ]', '<snip>', '[snip]', '...']) {
    it(`re-counts around "${mark}" and still analyses the function, marked damaged`, async () => {
      const { patches, problems } = extractPatchesFromText(reply(mark), { kind: 'text', name: 'reply.txt' });
      expect(problems).toEqual([]);
      expect(patches).toHaveLength(1);
      const p = patches[0]!;
      expect(p.damaged).toBe(true);
      expect(p.damage.join('\n')).toMatch(/elides hunk lines/);
      const hunks = p.files[0]!.hunks;
      // Two pieces: the first at the header's start, the second ending where the header says the hunk ends.
      expect(hunks.map((h) => [h.oldStart, h.oldLines, h.newStart, h.newLines])).toEqual([
        [100, 4, 100, 4],
        [109, 5, 108, 7],
      ]);
      expect(hunks[1]!.lines.at(-1)).toMatchObject({ oldLine: 113, newLine: 114 });
      const { functions } = await functionsOfPatch(p);
      const f = functions.find((x) => x.name === 'zap_pte_range')!;
      expect(f.post!.problems).toEqual([]);
      expect(f.post!.events.map((e) => e.kind)).toEqual(['pte-map-lock', 'pte-read', 'pte-clear', 'pte-advance', 'pte-unmap-unlock']);
      expect(f.post!.text).not.toMatch(/\[\.\.\.\]|<snip>/);
    });
  }
});

describe('quoted hunks trimmed by the reply', () => {
  const quoted = (after: string[]): string =>
    [
      'On Tue, Ada wrote:',
      '> --- a/mm/memory.c',
      '> +++ b/mm/memory.c',
      '> @@ -1238,7 +1238,7 @@ static ssize_t clear_refs_write(struct file *file, const char __user *buf,',
      '>  \t\t\tcount = -EINTR;',
      '>  \t\t\tgoto out_mm;',
      '>  \t\t}',
      '> -\t\ttlb_gather_mmu_fullmm(&tlb, mm);',
      '> +\t\ttlb_gather_mmu(&tlb, mm, 0, TASK_SIZE);',
      ...after,
    ].join('\n');

  it('re-counts a hunk the reviewer cut short and keeps it, marked damaged, without MMR003/MMR007', async () => {
    const { patches, problems } = extractPatchesFromText(quoted(['', 'Would this not deprive the other architectures of the fullmm flush?', '']), { kind: 'text', name: 'r.txt' });
    expect(problems).toEqual([]);
    const p = patches[0]!;
    expect(p.damaged).toBe(true);
    expect(p.damage.join('\n')).toMatch(/quote trimmed after 4 old \/ 4 new line\(s\) of 7 \/ 7; re-counted/);
    expect(p.files[0]!.hunks[0]).toMatchObject({ oldStart: 1238, oldLines: 4, newLines: 4 });
    const { functions } = await functionsOfPatch(p);
    expect(functions.map((f) => f.name)).toEqual(['clear_refs_write']);
  });

  it('the same hunk cut short outside a quote is still a damaged diff', () => {
    const text = quoted(['', 'Would this not deprive the other architectures of the fullmm flush?']).split('\n').map((l) => l.replace(/^> ?/, '')).join('\n');
    const { problems } = extractPatchesFromText(text, { kind: 'text', name: 'r.txt' });
    expect(problems.map((p) => p.code)).toEqual(['MMR003']);
  });
});

describe('quoted mangled hunks that lost context lines', () => {
  const hunk = (newCount: number): string =>
    [
      'Ada wrote:',
      '> --- a/mm/ksm.c',
      '> +++ b/mm/ksm.c',
      `> @@ -861,8 +861,${newCount} @@ static int write_protect_page(struct vm_area_struct *vma, struct page *page,`,
      '> spinlock_t *ptl;',
      '> int swapped;',
      '> -int err = -EFAULT;',
      '> +int err = -EFAULT, ret;',
      '> addr = page_address_in_vma(page, vma);',
      '> if (addr == -EFAULT)',
      '> goto out;',
      '> @@ -900,3 +900,3 @@ static int write_protect_page(struct vm_area_struct *vma, struct page *page,',
      '> out:',
      '> -return err;',
      '> +return ret;',
      '> }',
      '',
    ].join('\n');

  it('re-counts when old and new lost the same number of lines (context only)', () => {
    const { patches, problems } = extractPatchesFromText(hunk(8), { kind: 'text', name: 'q.txt' });
    expect(problems.filter((p) => /-861/.test(p.message))).toEqual([]);
    expect(patches[0]!.damage.join('\n')).toMatch(/2 context line\(s\) lost in quoting; re-counted \(6 \/ 6 of 8 \/ 8\)/);
  });

  it('keeps reporting when an added or removed line may be missing', () => {
    const { problems } = extractPatchesFromText(hunk(9), { kind: 'text', name: 'q.txt' });
    expect(problems.filter((p) => /-861/.test(p.message)).map((p) => p.code)).toEqual(['MMR007']);
  });
});
