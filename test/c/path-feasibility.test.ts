// Paths that test one call-free condition twice and go both ways, with nothing in between changing it, are dropped.
import { describe, expect, it } from 'vitest';
import { analyzeFunctionText } from '../../src/c/analyze.ts';
import { feasiblePaths } from '../../src/c/path-feasibility.ts';
import type { EventPath } from '../../src/core/events.ts';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkPatches, isReportable } from '../../src/engine/index.ts';
import { readInputs } from '../../src/sources/index.ts';

const calls = (p: EventPath): string[] => p.steps.flatMap((s) => (s.step === 'event' ? [s.callee] : []));

const nested = (between: string) => `static void f(struct mm_struct *mm, pmd_t *pmd)
{
	spinlock_t *pml, *ptl;

	pml = pmd_lock(mm, pmd);
	ptl = pte_lockptr(mm, pmd);
	if (ptl != pml)
		spin_lock_nested(ptl, SINGLE_DEPTH_NESTING);
${between}
	if (ptl != pml)
		spin_unlock(ptl);
	spin_unlock(pml);
}`;

describe('feasible paths', () => {
  it('the same test taken twice goes the same way', async () => {
    const img = await analyzeFunctionText(nested('\tpmdp_collapse_flush(vma, addr, pmd);'));
    const shapes = img.paths.map(calls).map((c) => c.filter((x) => x.startsWith('spin_')).join(' '));
    expect(shapes.sort()).toEqual(['spin_lock_nested spin_unlock spin_unlock', 'spin_unlock'].sort());
  });

  it('keeps both ways when a line in between changes what the test reads', async () => {
    const img = await analyzeFunctionText(nested('\tptl = pml;'));
    expect(img.paths.length).toBe(4);
  });

  it('keeps both ways when the test calls a function (it may answer differently)', async () => {
    const text = nested('').replace(/ptl != pml/g, 'spin_is_contended(ptl)');
    expect((await analyzeFunctionText(text)).paths.length).toBe(4);
  });

  it('no finding on a hunk that nests a lock under one test and drops it under the same test', async () => {
    const file = join(resolve(import.meta.dirname, '../..'), 'fixtures/rules/notifier-symmetry/valid-nested-lock-taken-and-dropped-on-one-test.patch');
    const report = await checkPatches((await readInputs([file])).patches);
    expect(report.findings.filter(isReportable).map((f) => `${f.rule}:${f.line}`)).toEqual([]);
  });
  it('correlates a negated test with the plain one across a loop that does not change it', async () => {
    const text = `static int scan_tbl(pmd_t *pmd, unsigned long addr, unsigned long end, struct vm_area_struct *vma)
{
	pte_t *first, *cur;
	spinlock_t *ptl;

	first = cur = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);
	if (!first)
		return 0;
	for (; addr < end; cur++, addr += PAGE_SIZE) {
		if (pte_none(ptep_get(cur)))
			continue;
		count_one(vma, addr);
	}
	if (first)
		pte_unmap_unlock(first, ptl);
	cond_resched();
	return 0;
}`;
    const img = await analyzeFunctionText(text);
    // No path maps the table and skips the unlock.
    for (const p of img.paths) {
      const c = calls(p);
      if (c.includes('pte_offset_map_lock') && c.includes('cond_resched')) expect(c).toContain('pte_unmap_unlock');
    }
  });

  it('forgets a fact when the loop body changes what it reads', async () => {
    const text = `static int scan_tbl(pte_t *first, unsigned long addr, unsigned long end)
{
	if (!first)
		return 0;
	for (; addr < end; addr += PAGE_SIZE) {
		if (addr & 1)
			first = NULL;
	}
	if (first)
		pte_unmap(first);
	cond_resched();
	return 0;
}`;
    const img = await analyzeFunctionText(text);
    expect(img.paths.some((p) => calls(p).includes('cond_resched') && !calls(p).includes('pte_unmap'))).toBe(true);
  });

  it('correlates A || B with !A && !B (De Morgan, flipped comparisons, pure predicates)', async () => {
    const text = `static int walk_tbl(pmd_t *pmd, unsigned long addr, unsigned long end, struct mm_walk *walk)
{
	pte_t *pte;
	int err = 0;

	if (mm_is_kernel(walk->mm) || addr >= USER_LIMIT)
		pte = pte_offset_kernel(pmd, addr);
	else
		pte = pte_offset_map(pmd, addr);
	if (pte) {
		err = walk_entries(pte, addr, end, walk);
		if (!mm_is_kernel(walk->mm) && addr < USER_LIMIT)
			pte_unmap(pte);
	}
	return err;
}`;
    const img = await analyzeFunctionText(text);
    const shapes = img.paths.map((p) => calls(p).filter((c) => c.startsWith('pte_')).join(' ')).sort();
    expect(shapes).toEqual(['pte_offset_kernel', 'pte_offset_kernel', 'pte_offset_map', 'pte_offset_map pte_unmap'].sort());
  });

  it('does not correlate calls that are not pure predicates', async () => {
    const text = `static void f(struct vm_area_struct *vma)
{
	spinlock_t *ptl = &vma->vm_mm->page_table_lock;

	if (!vma_has_thing(vma))
		return;
	spin_lock(ptl);
	if (vma_has_thing(vma))
		spin_unlock(ptl);
}`;
    const shapes = (await analyzeFunctionText(text)).paths.map((p) => calls(p).filter((c) => c.startsWith('spin_')).join(' '));
    expect(shapes.sort()).toEqual(['', 'spin_lock', 'spin_lock spin_unlock']);
  });
});

describe('constant-initialised locals and unseen lines', () => {
  // A window opened lazily behind a flag: the first pass always opens it, the end is taken only when it was opened.
  const lazy = (decl: string, extra = '') => `static void scan_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	struct mmu_notifier_range range;
	unsigned long addr;
${decl}
${extra}
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		if (!opened) {
			opened = true;
			mmu_notifier_invalidate_range_start(&range);
		}
		clear_one(mm, addr);
	}
	if (opened)
		mmu_notifier_invalidate_range_end(&range);
}`;
  const windowless = (img: { paths: EventPath[] }) =>
    img.paths.filter((p) => calls(p).includes('clear_one') && !calls(p).includes('mmu_notifier_invalidate_range_start'));

  it('a flag declared false is false at its first test', async () => {
    expect(windowless(await analyzeFunctionText(lazy('	bool opened = false;')))).toEqual([]);
  });

  it('no fact from a flag given to a call (a macro may set it without a visible assignment)', async () => {
    const img = await analyzeFunctionText(lazy('	bool opened = false;', '	probe_flag(mm, opened);'));
    expect(windowless(img).length).toBeGreaterThan(0);
  });

  it('no fact from a static local or one whose address is taken', async () => {
    expect(windowless(await analyzeFunctionText(lazy('	static bool opened = false;'))).length).toBeGreaterThan(0);
    expect(windowless(await analyzeFunctionText(lazy('	bool opened = false;', '	set_flag(&opened);'))).length).toBeGreaterThan(0);
  });

  it('a fact does not survive the unseen lines between two hunks', async () => {
    const text = ['	if (!ptep)', '		return 0;', '	spin_lock(ptl);', '	if (ptep)', '		spin_unlock(ptl);', '	return 1;', '}'].join('\n');
    const contiguous = [1, 2, 3, 4, 5, 6, 7].map((fileLine) => ({ fileLine }));
    const gapped = [1, 2, 3, 40, 41, 42, 43].map((fileLine) => ({ fileLine }));
    const shapes = async (lineInfo: Array<{ fileLine: number }>) =>
      (await analyzeFunctionText(text, { fragment: true, lineInfo })).paths.map((p) => calls(p).join(' ')).sort();
    // Seen whole, ptep cannot turn NULL between the tests; across a gap, the unseen lines may change it.
    expect(await shapes(contiguous)).not.toContain('spin_lock');
    expect(await shapes(gapped)).toContain('spin_lock');
  });
});

describe('assignments, loops and jumps', () => {
  // A walker that drops the lock to split a large folio, records the drop in its pointer and releases at the end
  // only what it still holds (the shape of the madvise walkers since pte_offset_map() may fail).
  const walker = readFileSync(join(resolve(import.meta.dirname, '../..'), 'fixtures/rules/sleep-in-atomic/valid-resched-after-guarded-release.c'), 'utf8');
  const lockOps = (p: EventPath) => calls(p).filter((c) => c === 'pte_offset_map_lock' || c === 'pte_unmap_unlock' || c === 'cond_resched');

  it('a pointer cleared right after the drop is NULL at the final test (no path releases twice)', async () => {
    const img = await analyzeFunctionText(walker);
    for (const p of img.paths) {
      const ops = lockOps(p);
      for (let i = 1; i < ops.length; i++) expect(ops[i] === 'pte_unmap_unlock' && ops[i - 1] === 'pte_unmap_unlock').toBe(false);
    }
  });

  it('a pointer re-mapped in one iteration is still set when the loop ends through its condition (no path keeps the lock into cond_resched)', async () => {
    const img = await analyzeFunctionText(walker);
    for (const p of img.paths) {
      const ops = lockOps(p);
      const at = ops.indexOf('cond_resched');
      // Before cond_resched the last lock operation is never a successful map the path then skipped unlocking:
      // either the final test released it, or the map failed (then the walker broke out with nothing held).
      if (at > 0 && ops[at - 1] === 'pte_offset_map_lock') {
        const steps = p.steps.map((s) => (s.step === 'control' && s.kind === 'branch' ? `${s.cond}:${s.taken}` : ''));
        expect(steps).toContain('!start_pte:true');
      }
    }
  });

  it('a change on a line above the fact, run again in a later iteration, still undoes it', async () => {
    const text = `static int f(pte_t *p, unsigned long addr, unsigned long end)
{
	for (; addr < end; addr++) {
		if (addr & 1)
			p = NULL;
		if (!p)
			break;
	}
	if (p)
		pte_unmap(p);
	return 0;
}`;
    const img = await analyzeFunctionText(text);
    expect(img.paths.some((q) => !calls(q).includes('pte_unmap'))).toBe(true);
  });
});

describe('a fragment starting in the tail of a condition', () => {
  it('the visible tail is not the whole condition: it neither decides nor is decided by a later test', async () => {
    // The hunk starts on the last line of `if (force ||\n    !ptep)`: taken false, the real condition says
    // ptep is set; the visible tail alone would say the same only if `force` were false, which is unseen.
    const text = ['\t\t    !ptep)', '\t\t\treturn 0;', '\tspin_lock(ptl);', '\tif (ptep)', '\t\tspin_unlock(ptl);', '\treturn 1;', '}'].join('\n');
    const img = await analyzeFunctionText(text, { fragment: true });
    const shapes = img.paths.map((p) => calls(p).filter((c) => c.startsWith('spin_')).join(' '));
    // No path is cut by the invented head: the lock may be taken with the unlock skipped or not.
    expect(new Set(shapes)).toEqual(new Set(['', 'spin_lock', 'spin_lock spin_unlock']));
  });
});

describe('a flag set first in the body of the branch taken', () => {
  const text = [
    'static size_t gizmo_touch_range(struct mm_struct *mm, unsigned long start, unsigned long end)',
    '{',
    '\tint locked = 0;',
    '\tlong ret;',
    '',
    '\tfor (; start != end; start += PAGE_SIZE) {',
    '\t\tif (!locked) {',
    '\t\t\tlocked = 1;',
    '\t\t\tmmap_read_lock(mm);',
    '\t\t}',
    '\t\tif (gizmo_skip(start))',
    '\t\t\tbreak;',
    '\t\tret = gizmo_pages_locked(mm, start, &locked);',
    '\t\tif (ret <= 0)',
    '\t\t\tbreak;',
    '\t}',
    '\tif (locked)',
    '\t\tmmap_read_unlock(mm);',
    '\treturn 0;',
    '}',
  ].join('\n');

  it('decides a later test of the flag until something takes its address', async () => {
    const img = await analyzeFunctionText(text);
    const shapes = img.paths.map((p) => calls(p).filter((c) => c.startsWith('mmap_') || c === 'gizmo_pages_locked').join(' '));
    // `locked = 1;` then `break` before the call given `&locked`: the unlock is not skipped.
    expect(shapes).not.toContain('mmap_read_lock');
    expect(shapes).toContain('mmap_read_lock mmap_read_unlock');
    // After `gizmo_pages_locked(..., &locked)` the flag may have been cleared: both ways stay.
    expect(shapes).toContain('mmap_read_lock gizmo_pages_locked');
    expect(shapes).toContain('mmap_read_lock gizmo_pages_locked mmap_read_unlock');
  });
});

describe('invented openers', () => {
  it('a path that goes round a loop the front end invented is not complete', async () => {
    // A fragment that leaves an unseen loop (`continue`, then the loop's `}`) and returns after it.
    const text = [
      '\t\ttlb_gather_mmu(&tlb, mm);',
      '\t\tentry = tbl_walk(vma, addr);',
      '\t\tif (!entry)',
      '\t\t\tcontinue;',
      '\t\tspin_lock(ptl);',
      '\t\tspin_unlock(ptl);',
      '\t}',
      '\ttlb_finish_mmu(&tlb);',
      '\treturn 0;',
      '}',
    ].join('\n');
    const img = await analyzeFunctionText(text, { fragment: true });
    expect(img.complete).toBe(false);
    const round = img.paths.filter((p) => p.steps.some((s) => s.step === 'control' && s.kind === 'loop-next'));
    expect(round.length).toBeGreaterThan(0);
    for (const p of round) expect(p.complete).toBe(false);
  });
});

describe('made-up back edges', () => {
  it('a path reaching the end of a fragment inside a loop stops there instead of starting a made-up iteration', async () => {
    // The hunk ends inside the loop body, right after the unlock: what follows (a cursor reset, a re-map) is unseen.
    const text = [
      '\tfor (addr = start; addr < end; addr += PAGE_SIZE) {',
      '\t\tif (!cur++) {',
      '\t\t\tcur = pte_offset_map_lock(mm, pmd, addr, &ptl);',
      '\t\t\tif (!cur)',
      '\t\t\t\tbreak;',
      '\t\t}',
      '\t\tval = ptep_get(cur);',
      '\t\tif (!pte_present(val))',
      '\t\t\tcontinue;',
      '\t\tpte_unmap_unlock(cur, ptl);',
    ].join('\n');
    const img = await analyzeFunctionText(text, { fragment: true });
    for (const p of img.paths) {
      const c = calls(p);
      const at = c.indexOf('pte_unmap_unlock');
      // Nothing runs after the unlock on any path: the next iteration is not modelled.
      if (at >= 0) expect(c.slice(at + 1)).toEqual([]);
    }
    expect(img.paths.some((p) => calls(p).includes('pte_unmap_unlock'))).toBe(true);
  });
});

describe('feasible paths: constant fields, calls given the struct, gotos', () => {
  const starts = (p: EventPath): string => calls(p).filter((c) => c.startsWith('mmu_notifier_invalidate')).join(' ');
  it('a field cleared at the top is a fact; a goto over the start keeps it, so no path ends what it never started', async () => {
    const text = readFileSync(join(resolve(import.meta.dirname, '../..'), 'fixtures/rules/notifier-symmetry/valid-lazy-start-field-flag-goto.c'), 'utf8');
    const img = await analyzeFunctionText(text.replace(/^\/\/.*\n/gm, ''));
    const shapes = img.paths.map(starts);
    expect(shapes.some((s) => s === 'mmu_notifier_invalidate_range_end')).toBe(false);
    expect(shapes.some((s) => s === '')).toBe(true);
    expect(shapes.some((s) => s.startsWith('mmu_notifier_invalidate_range_start') && s.endsWith('mmu_notifier_invalidate_range_end'))).toBe(true);
  });
  it('a call given the struct by address ends the facts about its fields', async () => {
    const text = `static void f(struct vm_area_struct *vma, unsigned long addr, unsigned long end)
{
	struct mmu_notifier_range range;

	range.start = 0;
	prepare_range(&range, vma, addr, end);
	if (range.start)
		mmu_notifier_invalidate_range_end(&range);
}`;
    const img = await analyzeFunctionText(text);
    expect(img.paths.map(starts).sort()).toEqual(['', 'mmu_notifier_invalidate_range_end']);
  });
  it('the lines a goto jumps over did not run (the flag stays 0); the fall-through path set it', async () => {
    const text = `static int g(struct mm_struct *mm, pmd_t *pmd, bool busy)
{
	spinlock_t *ptl;
	int locked;

	locked = 0;
	if (busy)
		goto out;
	ptl = pmd_lock(mm, pmd);
	locked = 1;
	touch_pmd(pmd);
out:
	if (locked)
		spin_unlock(ptl);
	return 0;
}`;
    const img = await analyzeFunctionText(text);
    const shapes = img.paths.map((p) => calls(p).filter((c) => c.startsWith('spin_') || c === 'pmd_lock').join(' '));
    expect(shapes.sort()).toEqual(['', 'pmd_lock spin_unlock']);
  });
});

describe('feasible paths: a pointer taken before the constant assignment', () => {
  it('is no fact: a call given the pointer may set the field', async () => {
    const text = `static void h(struct vm_area_struct *vma, unsigned long addr, unsigned long end)
{
	struct mmu_notifier_range range;
	struct mmu_notifier_range *r = &range;

	range.start = 0;
	prepare_range(r, vma, addr, end);
	if (range.start)
		mmu_notifier_invalidate_range_end(&range);
}`;
    const img = await analyzeFunctionText(text);
    expect(img.paths.map((p) => calls(p).filter((c) => c.startsWith('mmu_notifier')).join(' ')).sort()).toEqual(['', 'mmu_notifier_invalidate_range_end']);
  });
});

describe('feasible paths: a constant assigned at the top of the body, then handed to a macro by name', () => {
  const starts = (p: EventPath): string => calls(p).filter((c) => c.startsWith('mmu_notifier')).join(' ');
  it('WRITE_ONCE(x, 1) ends the fact: the taken arm stays', async () => {
    const text = `static void arm_scan(struct mmu_notifier_range *range, struct vm_area_struct *vma)
{
	int armed;

	armed = 0;
	scan_prepare(vma);
	WRITE_ONCE(armed, 1);
	if (armed)
		mmu_notifier_invalidate_range_end(range);
}`;
    const img = await analyzeFunctionText(text);
    expect(img.paths.map(starts)).toContain('mmu_notifier_invalidate_range_end');
  });
  it('a field handed by name (get_user(range.start, p)) ends the fact about it', async () => {
    const text = `static void user_span(struct vm_area_struct *vma, unsigned long __user *p)
{
	struct mmu_notifier_range range;

	range.start = 0;
	get_user(range.start, p);
	if (range.start)
		mmu_notifier_invalidate_range_end(&range);
}`;
    const img = await analyzeFunctionText(text);
    expect(img.paths.map(starts)).toContain('mmu_notifier_invalidate_range_end');
  });
  it('a control: with no call given it, the constant still prunes the arm', async () => {
    const text = `static void arm_scan(struct mmu_notifier_range *range, struct vm_area_struct *vma)
{
	int armed;

	armed = 0;
	scan_prepare(vma);
	if (armed)
		mmu_notifier_invalidate_range_end(range);
}`;
    const img = await analyzeFunctionText(text);
    expect(img.paths.map(starts)).toEqual(['']);
  });
  it('no entry facts below an unseen gap (a hidden line may have made a pointer to the variable)', async () => {
    const text = `static void span_of(struct vm_area_struct *vma, unsigned long addr)
{
	struct mmu_notifier_range range;
	struct span *s;

	range.start = 0;
	span_fill(s, vma, addr);
	if (range.start)
		mmu_notifier_invalidate_range_end(&range);
}`;
    // Every path the branch can take, from the same lines with the constant made unknown.
    const all = (await analyzeFunctionText(text.replace('range.start = 0;', 'range.start = v;'))).paths;
    expect(feasiblePaths(all, text).map(starts)).toEqual(['']);
    // A gap after the declarations (0-based line 3) hides what ran before the assignment.
    expect(feasiblePaths(all, text, new Set([3])).map(starts).sort()).toEqual(['', 'mmu_notifier_invalidate_range_end']);
  });
  it('a goto from above a gap to a label below it keeps the facts: the unseen lines did not run', async () => {
    const text = `static int fold_once(struct vm_area_struct *vma, pmd_t *pmd)
{
	bool started;

	started = false;
	fold_begin(vma);
	started = true;
	if (fold_busy(vma))
		goto out;
	fold_step(vma);
	fold_step(vma);
	fold_step(vma);
out:
	if (!started)
		mmu_notifier_invalidate_range_end(&range);
	return 0;
}`;
    const all = (await analyzeFunctionText(text.replace('started = true;', 'started = v;'))).paths;
    // A gap after 0-based line 10 (between two fold_step() lines): the goto at line 9 jumps over it.
    const kept = feasiblePaths(all, text, new Set([10]));
    const jumped = (p: EventPath): boolean => p.steps.some((st) => st.step === 'control' && st.kind === 'goto');
    // The goto path knows `started` is true at the test; the fall-through path ran the gap, so it may reach the end,
    // marked as resting on the unseen lines.
    expect(kept.filter(jumped).map(starts)).toEqual(['']);
    expect(kept.filter((p) => !jumped(p) && starts(p) !== '').map((p) => p.unseenBranch !== undefined)).toEqual([true]);
  });
  it('a branch the visible code decides the other way, undecided only because the path ran a gap, marks the path', async () => {
    const text = `static int fold_twice(struct vm_area_struct *vma)
{
	bool started;

	started = false;
	fold_begin(vma);
	fold_step(vma);
	fold_step(vma);
	if (started)
		mmu_notifier_invalidate_range_end(&range);
	return 0;
}`;
    const all = (await analyzeFunctionText(text.replace('started = false;', 'started = v;'))).paths;
    // No gap: the end is never reached. A gap between the two steps (after 0-based line 6): the path that reaches it
    // is kept, marked as resting on the unseen lines; the other is not marked.
    expect(feasiblePaths(all.map((p) => ({ ...p })), text).map(starts)).toEqual(['']);
    const kept = feasiblePaths(all.map((p) => ({ ...p })), text, new Set([6]));
    expect(kept.map((p) => [starts(p), p.unseenBranch !== undefined]).sort()).toEqual([['', false], ['mmu_notifier_invalidate_range_end', true]]);
    expect(kept.find((p) => p.unseenBranch)?.unseenBranch).toMatch(/whether the lines the diff does not show before line 9 change what `started` tests \(the code shown makes it false there\)/);
  });
});
