// Two hunks of one function joined across the lines the diff does not show: the joined image parses without
// recovery and keeps the nesting the kernel's indentation shows; file-scope hunks are no functions.
import { describe, expect, it } from 'vitest';
import type { FunctionView } from '../../src/core/events.ts';
import { gapJoin } from '../../src/frontend/gap.ts';
import { functionsOfPatch } from '../../src/frontend/index.ts';
import { extractPatchesFromText } from '../../src/sources/index.ts';
import { fileInScope } from '../../src/kernel-api/scope.ts';

async function functionsOf(diff: string): Promise<FunctionView[]> {
  const { patches } = extractPatchesFromText(diff, { kind: 'text', name: 'gap.patch' });
  const out: FunctionView[] = [];
  for (const p of patches) out.push(...(await functionsOfPatch(p)).functions);
  return out;
}

const header = ['diff --git a/mm/demo.c b/mm/demo.c', 'index 1111111..2222222 100644', '--- a/mm/demo.c', '+++ b/mm/demo.c'];

describe('gap joins', () => {
  it('closes a statement and the blocks the next hunk is outside of', () => {
    const before = ['\tdo {', '\t\tnext = pgd_addr_end(addr, end);', '\t\tif (pgd_none_or_clear_bad(pgd))'];
    const after = ['\tif (pages)', '\t\tflush_tlb_range(vma, start, end);', '\treturn pages;', '}'];
    // The `if` head gets an empty body, the `do` block is closed as a do-while.
    expect(gapJoin(before, after)).toEqual([';', '; } while (0);']);
  });

  it('opens the blocks the next hunk closes, by the kind its closing brace shows', () => {
    const before = ['static int f(pte_t *pte)', '{', '\tspinlock_t *ptl;'];
    const after = ['\t\t\t\tentry = pte_mkwrite(entry);', '\t\t\t}', '\t\t\tset_pte_at(mm, addr, pte, entry);', '\t\t} else if (x) {', '\t\t\ty();', '\t\t}', '\t} while (pte++, addr != end);', '\treturn 0;', '}'];
    const join = gapJoin(before, after);
    expect(join).toEqual(['do { if (1) { if (__mmr_context__) {']);
  });

  it('a for header cut after its first clause gets an unknown condition of its own, not `for (...;)`', () => {
    const before = ['static int f(pte_t *start_pte)', '{', '\tint i;', '\tfor (i = 0, pte = start_pte;'];
    const after = ['\t\tif (bad(pte))', '\t\t\tgoto out;', '\t}', '\treturn 0;', 'out:', '\treturn 1;', '}'];
    expect(gapJoin(before, after)).toEqual([' __mmr_for_cond__;);', 'if (__mmr_context__) {']);
    // Both semicolons already there: only the parenthesis is closed.
    expect(gapJoin(['\tfor (i = 0; i < n;'], ['\treturn 0;', '}'])[0]).toBe(');');
  });

  it('a first statement deeper than its block is the body of an unseen if', () => {
    const before = ['\tif (pmd_trans_unstable(pmd))'];
    const after = ['\t\t\tcontinue;', '\t\tif (!ok(page))', '\t\t\tcontinue;', '\t\tbreak;', '\t}', '\tpte_unmap_unlock(pte - 1, ptl);', '}'];
    expect(gapJoin(before, after)).toEqual([';', 'while (__mmr_loop__) {', 'if (__mmr_context__)']);
  });

  it('a run of statements deeper than its block is inside an unseen braced block, not an unbraced if body', () => {
    const before = ['\tunsigned long sz = tbl_size(t);', '', '\tWARN_ON(!ok(t));'];
    const after = ['\t\tptl = tbl_lock(t, mm, ptep);', '\t\tif (tbl_drop(mm, &address, ptep)) {', '\t\t\tspin_unlock(ptl);', '\t\t\tcontinue;', '\t\t}', ''];
    // Nothing wraps the lock alone: the path that takes it is the path that runs the rest of the run.
    expect(gapJoin(before, after)).not.toContain('if (__mmr_context__)');
  });

  it('a later hunk that starts at a label (the function\'s exit labels) is the same function\'s body, not dropped', async () => {
    const diff = [
      ...header,
      '@@ -20,9 +20,11 @@ static int seal_slot(struct vm_area_struct *vma, unsigned long addr)',
      ' \tint err = -EAGAIN;',
      ' ',
      '+\tmmu_notifier_invalidate_range_start(vma->vm_mm, addr, addr + PAGE_SIZE);',
      ' \tptep = slot_lookup(vma, addr, &ptl);',
      ' \tif (!ptep)',
      '-\t\tgoto out;',
      '+\t\tgoto out_mn;',
      ' ',
      ' \tif (pte_write(*ptep)) {',
      ' \t\tpte_t entry;',
      '@@ -50,6 +52,8 @@ static int seal_slot(struct vm_area_struct *vma, unsigned long addr)',
      ' ',
      ' out_unlock:',
      ' \tpte_unmap_unlock(ptep, ptl);',
      '+out_mn:',
      '+\tmmu_notifier_invalidate_range_end(vma->vm_mm, addr, addr + PAGE_SIZE);',
      ' out:',
      ' \treturn err;',
      ' }',
    ].join('\n');
    const post = (await functionsOf(diff)).find((f) => f.name === 'seal_slot')!.post!;
    expect(post.events.map((e) => e.kind)).toContain('notifier-end');
    // The goto lands on the label the second hunk shows: the window is ended on that path.
    const viaGoto = post.paths.find((p) => p.steps.some((s) => s.step === 'control' && s.kind === 'goto' && s.label === 'out_mn'))!;
    expect(viaGoto.steps.some((s) => s.step === 'event' && s.kind === 'notifier-end')).toBe(true);
  });

  it('a later hunk that starts inside a comment, then ends the function, is the same function\'s body', async () => {
    const diff = [
      ...header,
      '@@ -30,6 +30,7 @@ static void drop_slots(struct vm_area_struct *vma, unsigned long start, unsigned long end)',
      ' \tstruct mmu_notifier_range range;',
      ' \tunsigned long addr;',
      '+\tstruct slot_batch batch;',
      ' ',
      ' \tif (start >= end)',
      ' \t\treturn;',
      '@@ -61,6 +62,7 @@ static void drop_slots(struct vm_area_struct *vma, unsigned long start, unsigned long end)',
      ' \t * Documentation/mm/mmu_notifier.rst.',
      ' \t */',
      ' \tmmu_notifier_invalidate_range_end(&range);',
      '+\tslot_batch_finish(&batch);',
      ' }',
      ' ',
      ' /*',
    ].join('\n');
    const fn = (await functionsOf(diff)).find((f) => f.name === 'drop_slots')!;
    // Both images show the end: the pre-image (no added statement after it) as well as the post-image.
    expect(fn.pre!.events.map((e) => e.kind)).toContain('notifier-end');
    expect(fn.post!.events.map((e) => e.kind)).toContain('notifier-end');
  });

  it('hunks joined across a gap: a lock at the deeper column of a run is taken on every path through the run', async () => {
    const diff = [
      ...header,
      '@@ -10,5 +10,6 @@ static void zap_tbl(struct mm_struct *mm, unsigned long start, unsigned long end)',
      ' \tunsigned long sz = tbl_size(mm);',
      '+\tbool flushed = false;',
      ' ',
      ' \tWARN_ON(!sz);',
      ' \tBUG_ON(start & (sz - 1));',
      '@@ -30,5 +31,6 @@ static void zap_tbl(struct mm_struct *mm, unsigned long start, unsigned long end)',
      ' \t\tptl = pte_lockptr(mm, pmd);',
      ' \t\tspin_lock(ptl);',
      ' \t\tif (tbl_drop(mm, &address, ptep)) {',
      ' \t\t\tspin_unlock(ptl);',
      '+\t\t\tflushed = true;',
      ' \t\t\tcontinue;',
      ' \t\t}',
    ].join('\n');
    const post = (await functionsOf(diff)).find((f) => f.name === 'zap_tbl')!.post!;
    for (const p of post.paths) {
      const calls = p.steps.flatMap((s) => (s.step === 'event' ? [s.callee] : []));
      if (calls.includes('spin_unlock')) expect(calls).toContain('spin_lock');
    }
  });

  it('a statement tail after the gap gets its opening parenthesis; a cut comment is closed and reopened', () => {
    expect(gapJoin(['\tfoo();', '\t/* a comment'], ['\t\t\t&ops, &tlb);', '\ttlb_end_vma(&tlb, vma);'])).toEqual(['*/', '(']);
    expect(gapJoin(['\tfoo();'], [' * rest of a comment', ' */', '\tbar();'])).toEqual(['/*']);
  });

  it('hunks of one function across a gap parse without recovery and keep their events', async () => {
    const diff = [
      ...header,
      '@@ -10,8 +10,9 @@ static unsigned long change_pte_range(struct vm_area_struct *vma, pmd_t *pmd,',
      ' {',
      ' \tpte_t *pte, oldpte;',
      ' \tspinlock_t *ptl;',
      '+\tbool flushed = false;',
      ' ',
      ' \tpte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);',
      ' \tdo {',
      ' \t\toldpte = *pte;',
      ' \t\tif (pte_present(oldpte)) {',
      '@@ -40,9 +41,10 @@ static unsigned long change_pte_range(struct vm_area_struct *vma, pmd_t *pmd,',
      ' \t\t\t\tptent = pte_mkwrite(ptent);',
      ' \t\t\t}',
      ' \t\t\tptep_modify_prot_commit(vma, addr, pte, oldpte, ptent);',
      '+\t\t\tflushed = true;',
      ' \t\t\tpages++;',
      ' \t\t}',
      ' \t} while (pte++, addr += PAGE_SIZE, addr != end);',
      ' \tpte_unmap_unlock(pte - 1, ptl);',
      ' \treturn pages;',
      '',
    ].join('\n');
    const fns = await functionsOf(diff);
    const f = fns.find((x) => x.name === 'change_pte_range')!;
    expect(f).toBeDefined();
    for (const img of [f.pre!, f.post!]) {
      expect(img.problems).toEqual([]);
      expect(img.events.map((e) => e.kind)).toEqual(['pte-map-lock', 'pte-read', 'pte-modify-commit', 'pte-advance', 'pte-unmap-unlock']);
      // The commit is inside the PTE loop on some path (the loop the first hunk opened).
      expect(img.paths.some((p) => {
        const k = p.steps.map((s) => (s.step === 'event' ? s.kind : s.kind));
        const enter = k.indexOf('loop-enter');
        const commit = k.indexOf('pte-modify-commit');
        const next = k.indexOf('loop-next');
        return enter >= 0 && enter < commit && commit < next;
      })).toBe(true);
    }
  });

  it('file-scope hunks (prototypes, struct members, enum constants) are no functions', async () => {
    const diff = [
      'diff --git a/mm/demo.h b/mm/demo.h',
      'index 1111111..2222222 100644',
      '--- a/mm/demo.h',
      '+++ b/mm/demo.h',
      '@@ -20,7 +20,8 @@ extern int demo_clear_young(struct mm_struct *mm,',
      ' \t\t\t\t unsigned long address);',
      ' extern int demo_test_young(struct mm_struct *mm,',
      ' \t\t\t    unsigned long address);',
      '+extern void demo_flush_range(struct mm_struct *mm, unsigned long start, unsigned long end);',
      ' extern void demo_invalidate_range_start(struct mmu_notifier_range *r);',
      ' ',
      ' enum demo_event {',
      ' \tDEMO_UNMAP = 0,',
      '@@ -60,6 +61,7 @@ struct demo_ops {',
      ' \t\t\t  unsigned long address);',
      ' ',
      '+\tvoid (*flush)(struct mmu_notifier *sub, struct mm_struct *mm);',
      ' \tvoid (*change_pte)(struct mmu_notifier *subscription,',
      ' \t\t\t   struct mm_struct *mm,',
      ' \t\t\t   unsigned long address, pte_t pte);',
      '',
    ].join('\n');
    const { patches } = extractPatchesFromText(diff, { kind: 'text', name: 'gap.patch' });
    expect(fileInScope(patches[0]!.files[0]!)).toBe(true);
    expect(await functionsOf(diff)).toEqual([]);
  });
});

describe('hunk header names', () => {
  it('a declaration names no function; SYSCALL_DEFINEn names the syscall', async () => {
    const diff = [
      ...header.map((l) => l.replace(/demo\.c/g, 'mprotect.c')),
      '@@ -700,6 +700,7 @@ SYSCALL_DEFINE3(mprotect, unsigned long, start, size_t, len,',
      ' {',
      ' \tint error;',
      ' ',
      '+\tmmap_write_lock(current->mm);',
      ' \terror = do_mprotect_pkey(start, len, prot, -1);',
      ' \treturn error;',
      ' }',
      '@@ -900,4 +901,8 @@ static DECLARE_WAIT_QUEUE_HEAD(demo_wait);',
      ' ',
      '+SYSCALL_DEFINE1(demo_sys, int, x)',
      '+{',
      '+\tmmap_write_lock(current->mm);',
      '+}',
      '',
    ].join('\n');
    const fns = await functionsOf(diff);
    expect(fns.map((f) => [f.name, f.post!.complete, f.post!.problems])).toEqual([
      ['mprotect', false, []],
      ['demo_sys', true, []],
    ]);
  });
});
