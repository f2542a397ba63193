// CFG shapes and bounded path enumeration on small hand-written kernel-style functions.
import { describe, expect, it } from 'vitest';
import { analyzeFunctionSource } from '../../src/frontend/index.ts';
import type { EventPath } from '../../src/core/events.ts';

/** Compact path rendering: event kinds/callees, branch outcomes, loop/goto/return markers. */
function show(p: EventPath): string {
  return p.steps
    .map((s) => {
      if (s.step === 'event') return s.kind === 'call' ? s.callee : s.kind;
      switch (s.kind) {
        case 'branch':
          return `${s.taken ? '+' : '-'}(${s.cond})`;
        case 'loop-next':
          return `next:${s.via}`;
        case 'loop-exit':
          return `exit:${s.via}`;
        case 'goto':
          return `goto:${s.label}`;
        case 'label':
          return `${s.label}:`;
        case 'return':
          return s.value ? `return ${s.value}` : 'return';
        default:
          return s.kind;
      }
    })
    .join(' ');
}

async function paths(src: string): Promise<string[]> {
  const r = await analyzeFunctionSource(src);
  return r.paths.map(show);
}

describe('CFG shapes', () => {
  it('if/else gives two paths in taken-first order', async () => {
    const ps = await paths('void f(int a)\n{\n\tif (a)\n\t\trcu_read_lock();\n\telse\n\t\tmmap_read_lock(mm);\n\trcu_read_unlock();\n}\n');
    expect(ps).toEqual(['+(a) lock unlock return', '-(a) mmap-lock unlock return']);
  });

  it('drops branches whose arms hold no events', async () => {
    const ps = await paths('void f(int a)\n{\n\tint x = 0;\n\tif (a)\n\t\tx = 1;\n\tfoo(x);\n}\n');
    expect(ps).toEqual(['foo return']);
  });

  it('switch with fallthrough, break and default', async () => {
    const ps = await paths(
      'void f(int c)\n{\n\tswitch (c) {\n\tcase 1:\n\t\trcu_read_lock();\n\tcase 2:\n\t\tmmap_read_lock(mm);\n\t\tbreak;\n\tdefault:\n\t\tmmap_read_unlock(mm);\n\t}\n\trcu_read_unlock();\n}\n',
    );
    expect(ps).toContain('+(c == 1) lock mmap-lock unlock return');
    expect(ps).toContain('-(c == 1) +(c == 2) mmap-lock unlock return');
    expect(ps).toContain('-(c == 1) -(c == 2) mmap-unlock unlock return');
    expect(ps).toHaveLength(3);
  });

  it('while loop: body 0, 1 or 2 times with loop markers', async () => {
    const ps = await paths('void f(int n)\n{\n\twhile (n--)\n\t\twork();\n\tdone();\n}\n');
    expect(ps).toEqual([
      'loop-enter +(n--) work next:end +(n--) work next:end -(n--) exit:cond done return',
      'loop-enter +(n--) work next:end -(n--) exit:cond done return',
      'loop-enter -(n--) exit:cond done return',
    ]);
  });

  it('for loop with continue and break', async () => {
    const ps = await paths(
      'void f(int n)\n{\n\tint i;\n\tfor (i = 0; i < n; i++) {\n\t\tif (skip(i))\n\t\t\tcontinue;\n\t\tif (stop(i))\n\t\t\tbreak;\n\t\twork(i);\n\t}\n}\n',
    );
    expect(ps.some((p) => p.includes('skip +(skip(i)) next:continue'))).toBe(true);
    expect(ps.some((p) => p.includes('stop +(stop(i)) exit:break return'))).toBe(true);
    expect(ps.some((p) => p.includes('work next:end'))).toBe(true);
    expect(ps.every((p) => (p.match(/work/g) ?? []).length <= 2)).toBe(true);
  });

  it('do/while takes the body at least once', async () => {
    const ps = await paths('void f(pte_t *pte, unsigned long addr, unsigned long end)\n{\n\tdo {\n\t\twork();\n\t} while (pte++, addr += PAGE_SIZE, addr != end);\n}\n');
    expect(ps).toHaveLength(2);
    expect(ps.every((p) => p.startsWith('loop-enter work next:end pte-advance'))).toBe(true);
  });

  it('goto error paths and labels', async () => {
    const ps = await paths(
      'int f(void)\n{\n\tint err;\n\terr = a();\n\tif (err)\n\t\tgoto out;\n\tb();\nout:\n\tc();\n\treturn err;\n}\n',
    );
    expect(ps).toEqual(['a +(err) goto:out out: c return err', 'a -(err) b out: c return err']);
  });

  it('backward goto retry loops are bounded and marked truncated', async () => {
    const r = await analyzeFunctionSource('int f(void)\n{\nretry:\n\tif (try_it())\n\t\tgoto retry;\n\treturn 0;\n}\n');
    const ps = r.paths.map(show);
    expect(ps).toContain('retry: try_it -(try_it()) return 0');
    expect(ps).toContain('retry: try_it +(try_it()) goto:retry retry: try_it -(try_it()) return 0');
    const cut = r.paths.filter((p) => !p.complete);
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.every((p) => p.steps[p.steps.length - 1]!.step === 'control')).toBe(true);
  });

  it('return inside a loop exits the loop first', async () => {
    const ps = await paths('int f(int n)\n{\n\twhile (n) {\n\t\tif (bad())\n\t\t\treturn -1;\n\t\tn = next();\n\t}\n\treturn 0;\n}\n');
    expect(ps.some((p) => p.includes('+(bad()) exit:return return -1'))).toBe(true);
  });

  it('caps distinct paths per function and reports MMR011 with the bound', async () => {
    // Twelve independent branches around kernel calls: 4096 distinct event sequences.
    const body = Array.from({ length: 12 }, (_, i) => `\tif (c${i})\n\t\trcu_read_lock();\n`).join('');
    const r = await analyzeFunctionSource(`void f(void)\n{\n${body}}\n`);
    expect(r.paths).toHaveLength(1024);
    expect(r.problems.find((p) => p.startsWith('MMR011'))).toMatch(/1024 distinct paths/);
  });

  it('slices branches whose arms differ only in opaque calls (no kernel-API event)', async () => {
    // Twelve branches around helper calls the catalogue does not know: one path, no cap.
    const body = Array.from({ length: 12 }, (_, i) => `\tif (c${i})\n\t\thelper${i}(x);\n`).join('');
    const r = await analyzeFunctionSource(`void f(pte_t *pte)\n{\n\tspin_lock(ptl);\n${body}\tpte_clear(mm, addr, pte);\n\tspin_unlock(ptl);\n}\n`);
    expect(r.paths.map(show)).toEqual(['lock pte-clear unlock return']);
    expect(r.problems).toEqual([]);
    // The opaque calls stay in the image's events.
    expect(r.events.filter((e) => e.kind === 'call')).toHaveLength(12);
  });

  it('keeps PTE-state branch outcomes apart (the engine turns them into assumptions)', async () => {
    const ps = await paths('void f(pte_t *pte)\n{\n\tpte_t entry = ptep_get(pte);\n\tif (pte_dirty(entry))\n\t\thelper(entry);\n\tpte_clear(mm, addr, pte);\n}\n');
    expect(ps.filter((p) => /pte_dirty/.test(p))).toHaveLength(2);
  });

  it('keeps a NULL test of a failable map apart even when its arms hold only opaque calls', async () => {
    // On the arm where get_locked_pte() returned NULL, the unlock releases a lock that was never taken.
    const ps = await paths('void f(struct mm_struct *mm, unsigned long a)\n{\n\tspinlock_t *ptl;\n\tpte_t *ptep;\n\n\tptep = get_locked_pte(mm, a, &ptl);\n\tif (likely(ptep))\n\t\thelper(ptep);\n\tpte_unmap_unlock(ptep, ptl);\n}\n');
    expect(ps).toEqual(['pte-map-lock +(likely(ptep)) helper pte-unmap-unlock return', 'pte-map-lock -(likely(ptep)) pte-unmap-unlock return']);
  });

  it('ten nested loops around a PTE clear: paths, never zero in silence', async () => {
    const n = 10;
    let body = '';
    for (let i = 0; i < n; i++) body += `${'\t'.repeat(i + 1)}for (i${i} = 0; i${i} < n; i${i}++) {\n`;
    body += `${'\t'.repeat(n + 1)}pte_clear(mm, addr, pte);\n`;
    for (let i = n - 1; i >= 0; i--) body += `${'\t'.repeat(i + 1)}}\n`;
    const r = await analyzeFunctionSource(`void f(struct mm_struct *mm, pte_t *pte)\n{\n${body}}\n`);
    expect(r.events.map((e) => e.kind)).toEqual(['pte-clear']);
    expect(r.paths.length).toBeGreaterThan(0);
    // Some path reaches the PTE clear through all ten loops.
    expect(r.paths.some((p) => p.steps.some((s) => s.step === 'event' && s.kind === 'pte-clear'))).toBe(true);
    // Either every path was enumerated or the image says which bound cut it.
    if (r.paths.some((p) => !p.complete)) expect(r.paths.filter((p) => !p.complete).every((p) => p.steps.at(-1)?.step === 'control')).toBe(true);
    expect(r.problems.every((p) => p.startsWith('MMR011'))).toBe(true);
  });

  it('dedupes paths with identical event sequences', async () => {
    const ps = await paths('void f(int a, int b)\n{\n\tif (a || b)\n\t\tx();\n\telse if (b)\n\t\tx();\n}\n');
    // Both ways of calling x() at the same call site are different events (two call sites), so 3 paths remain.
    expect(new Set(ps).size).toBe(ps.length);
  });

  it('#ifdef arms are both explored', async () => {
    const ps = await paths('void f(void)\n{\n#ifdef CONFIG_X\n\trcu_read_lock();\n#else\n\trcu_read_unlock();\n#endif\n}\n');
    expect(ps).toEqual(['+(#ifdef CONFIG_X) lock return', '-(#ifdef CONFIG_X) unlock return']);
  });

  it('records parameters and whole-function completeness', async () => {
    const r = await analyzeFunctionSource('static int foo(struct vm_fault *vmf, pte_t *pte)\n{\n\treturn 0;\n}\n');
    expect(r.name).toBe('foo');
    expect(r.complete).toBe(true);
    expect(r.params).toEqual(['struct vm_fault *vmf', 'pte_t *pte']);
  });

  it('never throws on garbage, reports MMR010', async () => {
    const r = await analyzeFunctionSource('}}} ))) if while ( { @@@ "unterminated');
    expect(Array.isArray(r.paths)).toBe(true);
    expect(r.problems.some((p) => p.startsWith('MMR010'))).toBe(true);
  });
});

describe('a 300-line rmap-walk style function', () => {
  // A walk loop whose body has many branches over helpers the catalogue does not know (accounting, flags, stats)
  // around a few kernel-API events: every kernel event is on some path and no bound is hit.
  function bigFunction(): string {
    const out = [
      'static bool unmap_one_demo(struct folio *folio, struct vm_area_struct *vma, unsigned long address, void *arg)',
      '{',
      '\tstruct mm_struct *mm = vma->vm_mm;',
      '\tstruct mmu_notifier_range range;',
      '\tpte_t pteval;',
      '\tbool ret = true;',
      '',
      '\tmmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, mm, address, address + PAGE_SIZE);',
      '\tmmu_notifier_invalidate_range_start(&range);',
      '\twhile (walk_next(&pvmw)) {',
    ];
    for (let i = 0; i < 40; i++) {
      out.push(`\t\tif (demo_flag_${i}(folio, flags)) {`, `\t\t\tdemo_account_${i}(mm, folio);`, `\t\t\tdemo_stat_${i}(vma);`, '\t\t}');
      if (i % 10 === 9) out.push(`\t\tif (demo_abort_${i}(folio)) {`, '\t\t\tret = false;', '\t\t\tgoto walk_done;', '\t\t}');
    }
    out.push(
      '\t\tflush_cache_page(vma, address, pte_pfn(ptep_get(pvmw.pte)));',
      '\t\tpteval = ptep_clear_flush(vma, address, pvmw.pte);',
      '\t\tif (pte_dirty(pteval))',
      '\t\t\tfolio_mark_dirty(folio);',
      '\t\tif (demo_needs_entry(folio)) {',
      '\t\t\tdemo_swap_count(mm);',
      '\t\t\tset_pte_at(mm, address, pvmw.pte, demo_entry(folio));',
      '\t\t}',
    );
    for (let i = 0; i < 30; i++) out.push(`\t\tif (demo_tail_${i}(folio))`, `\t\t\tdemo_tail_work_${i}(mm);`);
    out.push('\t}', 'walk_done:', '\tmmu_notifier_invalidate_range_end(&range);', '\treturn ret;', '}');
    return out.join('\n');
  }

  it('is covered without a bound: every kernel event on some path', async () => {
    const src = bigFunction();
    expect(src.split('\n').length).toBeGreaterThan(250);
    const r = await analyzeFunctionSource(src);
    expect(r.problems).toEqual([]);
    expect(r.paths.length).toBeGreaterThan(0);
    expect(r.paths.length).toBeLessThan(1024);
    const kernel = r.events.filter((e) => e.kind !== 'call');
    expect(kernel.map((e) => e.kind)).toEqual(expect.arrayContaining(['notifier-start', 'pte-clear-flush', 'pte-set', 'notifier-end']));
    for (const e of kernel) expect(r.paths.some((p) => p.steps.some((s) => s.step === 'event' && s.id === e.id)), `${e.callee} on a path`).toBe(true);
    // The PTE-state branch keeps both outcomes.
    expect(r.paths.some((p) => p.steps.some((s) => s.step === 'control' && s.kind === 'branch' && /pte_dirty/.test(s.cond) && s.taken))).toBe(true);
    expect(r.paths.some((p) => p.steps.some((s) => s.step === 'control' && s.kind === 'branch' && /pte_dirty/.test(s.cond) && !s.taken))).toBe(true);
  });
});

describe('lock guards (cleanup.h)', () => {
  it('guard() locks now and unlocks wherever the block is left', async () => {
    const ps = await paths('int f(struct mm_struct *mm)\n{\n\tguard(mmap_read_lock)(mm);\n\tif (x)\n\t\treturn -EINVAL;\n\trcu_read_lock();\n\treturn 0;\n}\n');
    expect(ps).toEqual(['mmap-lock +(x) mmap-unlock return -EINVAL', 'mmap-lock -(x) lock mmap-unlock return 0']);
  });

  it('scoped_guard runs its body once under the lock; scoped_cond_guard may fail to acquire', async () => {
    const r = await analyzeFunctionSource('void f(spinlock_t *ptl)\n{\n\tscoped_guard(spinlock, ptl) {\n\t\tpte_clear(mm, addr, pte);\n\t}\n\trcu_read_lock();\n}\n');
    expect(r.problems).toEqual([]);
    expect(r.paths.map(show)).toEqual(['lock pte-clear unlock lock return']);
    expect(r.events.map((e) => e.callee)).toEqual(['spin_lock', 'pte_clear', 'spin_unlock', 'rcu_read_lock']);
    const c = await paths('int f(void)\n{\n\tscoped_cond_guard(mutex_intr, return -EINTR, &m) {\n\t\trcu_read_lock();\n\t}\n\treturn 0;\n}\n');
    expect(c).toHaveLength(2);
    expect(c[0]).toMatch(/^\+\(scoped_cond_guard\(mutex_intr, return -EINTR, &m\)\) trylock lock unlock return 0$/);
    expect(c[1]).toMatch(/^-\(scoped_cond_guard.*\) return 0$/);
  });

  it('break, continue and goto out of a guarded block release it first', async () => {
    const ps = await paths('void f(void)\n{\n\twhile (n--) {\n\t\tguard(spinlock)(&l);\n\t\tif (x)\n\t\t\tbreak;\n\t\tif (y)\n\t\t\tgoto out;\n\t}\nout:\n\treturn;\n}\n');
    for (const p of ps) {
      // Every lock on the path is followed by its unlock before the path leaves the loop.
      const k = p.split(' ');
      expect(k.filter((x) => x === 'lock').length, p).toBe(k.filter((x) => x === 'unlock').length);
    }
    expect(ps.some((p) => /lock \+\(x\) unlock exit:break/.test(p))).toBe(true);
    expect(ps.some((p) => /lock -\(x\) \+\(y\) unlock goto:out/.test(p))).toBe(true);
  });
});

describe('gather fields', () => {
  it('an assignment of a non-zero constant to a gather\'s fullmm is a gather-set-fullmm event; a computed one is not', async () => {
    const r = await analyzeFunctionSource('void f(struct mmu_gather *tlb, struct mmu_gather g)\n{\n\ttlb->fullmm = 1;\n\tg.fullmm = true;\n\ttlb->fullmm = !(start | (end + 1));\n\ttlb->fullmm = 0;\n}\n');
    const sets = r.events.filter((e) => e.kind === 'gather-set-fullmm');
    expect(sets.map((e) => [e.callee, e.args.tlb, e.text])).toEqual([
      ['tlb->fullmm', 'tlb', 'tlb->fullmm = 1'],
      ['g.fullmm', '&g', 'g.fullmm = true'],
    ]);
  });
});
