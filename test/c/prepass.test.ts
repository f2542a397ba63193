// Kernel pre-pass: annotations blanked in place, iterator macros become loops, partial hunks are balanced.
import { describe, expect, it } from 'vitest';
import { blankAnnotations, contextAnnotations, leadingTail, loopifyIterators, prepass, resolveConditionals, rewriteKernelConstructs, wrapFragment } from '../../src/c/prepass.ts';
import { analyzeFunctionSource } from '../../src/frontend/index.ts';

describe('pre-pass', () => {
  it('blanks annotations keeping every position', () => {
    const src = 'static int __init __must_check f(spinlock_t *ptl)\n\t__releases(ptl) __acquires(x->y)\n{';
    const out = blankAnnotations(src);
    expect(out).toHaveLength(src.length);
    expect(out.split('\n').map((l) => l.length)).toEqual(src.split('\n').map((l) => l.length));
    expect(out).not.toMatch(/__init|__must_check|__releases|__acquires/);
    expect(out).toContain('f(spinlock_t *ptl)');
  });

  it('turns iterator macros at statement start into loop heads, not calls', () => {
    const { text, shifts } = loopifyIterators('\tlist_for_each_entry(vma, &mm->mmap, list) {\n\t\tx();\n\t}\n\tfoo_for_each_bar(a);\n');
    expect(text).toContain('while(list_for_each_entry(vma, &mm->mmap, list)) {');
    expect(text).toContain('foo_for_each_bar(a);');
    expect(shifts).toHaveLength(2);
  });

  it('iterator loops with a statement body are loops in paths', async () => {
    const r = await analyzeFunctionSource('void f(void)\n{\n\tint nid;\n\tfor_each_online_node(nid)\n\t\twork(nid);\n}\n');
    expect(r.paths.some((p) => p.steps.some((s) => s.step === 'control' && s.kind === 'loop-enter'))).toBe(true);
    expect(r.events.map((e) => e.callee)).toEqual(['work']);
  });

  it('wraps a fragment starting inside a comment and ending inside a do-while', async () => {
    const frag = ' * the rest of a comment\n */\n\tdo {\n\t\tx();\n\t\tif (y())\n\t\t\tcontinue;\n';
    const w = wrapFragment(frag);
    expect(w.lineOffset).toBe(1);
    expect(w.notes.join(' ')).toContain('comment');
    const r = await analyzeFunctionSource(frag, { name: 'g' });
    expect(r.name).toBe('g');
    expect(r.problems.filter((p) => p.startsWith('MMR010'))).toEqual([]);
    expect(r.events.map((e) => e.callee)).toEqual(['x', 'y']);
  });

  it('balances leading } while (...) of a cut do-while and keeps line numbers', async () => {
    const frag = '\t\tpte_clear(mm, addr, pte);\n\t} while (pte++, addr += PAGE_SIZE, addr != end);\n\tpte_unmap_unlock(pte - 1, ptl);\n}\n';
    const r = await analyzeFunctionSource(frag, { name: 'zap' });
    const kinds = r.events.map((e) => `${e.kind}@${e.loc.line}`);
    expect(kinds).toEqual(['pte-clear@1', 'pte-advance@2', 'pte-unmap-unlock@3']);
    expect(r.events[2]!.args).toEqual({ pte: 'pte', lock: 'ptl' });
  });

  it('balances a header tail cut by the hunk', async () => {
    const frag = '\t\tunsigned long address, unsigned int flags)\n{\n\tspinlock_t *ptl;\n\tpte_t *ptep = pte_offset_map_lock(mm, pmd, address, &ptl);\n';
    const r = await analyzeFunctionSource(frag, { name: 'follow' });
    expect(r.events.map((e) => e.kind)).toEqual(['pte-map-lock']);
    expect(r.params).toEqual(['unsigned long address', 'unsigned int flags']);
  });

  const clean = async (src: string, name = 'f') => {
    const r = await analyzeFunctionSource(src, { name });
    return { r, mmr010: r.problems.filter((p) => p.startsWith('MMR010')) };
  };

  it('every rewrite keeps lines and columns', () => {
    const src = [
      'SYSCALL_DEFINE3(mprotect, unsigned long, start, size_t, len,',
      '\t\tunsigned long, prot)',
      '{',
      '\tstatic DEFINE_RATELIMIT_STATE(rs, 1, 2);',
      '\tscoped_guard(spinlock, &lock) {',
      '\t\tswitch (x) { case 1 ... 3: break; }',
      '\t}',
      '#if 0',
      '\tbroken(;',
      '#endif',
      '}',
    ].join('\n');
    const out = rewriteKernelConstructs(blankAnnotations(src));
    expect(out.split('\n').map((l) => l.length)).toEqual(src.split('\n').map((l) => l.length));
    // The loop / guard heads the last step inserts are column shifts mapped back.
    const { text, shifts } = prepass(src);
    expect(text).toContain('if(scoped_guard(spinlock, &lock)) {');
    expect(shifts.length).toBe(2);
  });

  it('parses kernel constructs without recovery: guards, cleanup attributes, declaring macros, case ranges', async () => {
    const { r, mmr010 } = await clean(
      [
        'static __always_inline int __must_check f(struct mm_struct *mm, pte_t *pte)',
        '{',
        '\tstruct page *p __free(put_page) = NULL;',
        '\tint x __cleanup(cleanup_fn) = 0;',
        '\tstatic DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL,',
        '\t\t\t\t      DEFAULT_RATELIMIT_BURST);',
        '\tguard(rcu)();',
        '\tscoped_guard(spinlock, &mm->page_table_lock) {',
        '\t\tpte_clear(mm, addr, pte);',
        '\t}',
        '\tswitch (x) {',
        '\tcase 1 ... 3:',
        '\t\tbreak;',
        '\t}',
        '\treturn ({ int y = x; y; });',
        '}',
      ].join('\n'),
    );
    expect(mmr010).toEqual([]);
    expect(r.complete).toBe(true);
    expect(r.events.some((e) => e.kind === 'pte-clear')).toBe(true);
  });

  it('block macros are loops: *foreach* names and any lowercase macro head followed by `{`', async () => {
    const { r, mmr010 } = await clean(
      [
        'void f(struct address_space *mapping)',
        '{',
        '\tvma_interval_tree_foreach(vma, &mapping->i_mmap, pgoff, pgoff) {',
        '\t\tspin_lock(ptl);',
        '\t}',
        '\tmas_walk_each(&mas, entry, ULONG_MAX) {',
        '\t\tspin_unlock(ptl);',
        '\t}',
        '}',
      ].join('\n'),
    );
    expect(mmr010).toEqual([]);
    const enters = r.paths[0]!.steps.filter((s) => s.step === 'control' && s.kind === 'loop-enter');
    expect(enters).toHaveLength(2);
    // Named iterators are no events; another block macro's head stays an opaque call.
    expect(r.events.map((e) => e.callee)).toEqual(['spin_lock', 'mas_walk_each', 'spin_unlock']);
  });

  it('SYSCALL_DEFINEn reads as a function named after the syscall', async () => {
    const { r, mmr010 } = await clean('SYSCALL_DEFINE2(munmap, unsigned long, addr, size_t, len)\n{\n\treturn __vm_munmap(addr, len, true);\n}\n');
    expect(mmr010).toEqual([]);
    expect(r.name).toBe('munmap');
    expect(r.params).toEqual(['unsigned long addr', 'size_t len']);
  });

  it('#if groups: balanced statement arms stay (both explored), split blocks and cut groups keep their first arm', () => {
    const balanced = 'void f(void)\n{\n#ifdef A\n\ta();\n#else\n\tb();\n#endif\n}';
    expect(resolveConditionals(balanced)).toBe(balanced);
    const split = '\t{\n#ifdef A\n\tif (x) {\n#else\n\tif (y) {\n#endif\n\t\tfoo();\n\t}\n';
    const out = resolveConditionals(split).split('\n');
    expect(out.map((l) => l.trim())).toEqual(['{', '', 'if (x) {', '', '', '', 'foo();', '}', '']);
    // `#endif` of a group whose `#if` is above the hunk; `#else` of one whose `#endif` is below it.
    expect(resolveConditionals('\t} else\n#endif\n\t{').split('\n')[1]!.trim()).toBe('');
    expect(resolveConditionals('\ta();\n#else\n\tb();').split('\n').map((l) => l.trim())).toEqual(['a();', '', '']);
    // `#if 0` keeps its #else arm.
    expect(resolveConditionals('#if 0\n\tbroken(;\n#else\n\tok();\n#endif').split('\n').map((l) => l.trim())).toEqual(['', '', '', 'ok();', '']);
  });

  it('an #if that splits an if head across arms parses, one arm kept', async () => {
    const { mmr010, r } = await clean('void f(void)\n{\n#ifdef CONFIG_A\n\tif (a) {\n#else\n\tif (b) {\n#endif\n\t\tspin_lock(ptl);\n\t}\n}\n');
    expect(mmr010).toEqual([]);
    expect(r.paths.map((p) => p.steps.filter((s) => s.step === 'control' && s.kind === 'branch').map((s) => (s as { cond: string }).cond))).toContainEqual(['a']);
  });

  it('fragment tails: a statement, a block head and a header cut by the hunk', () => {
    expect(leadingTail('\t\t\t&walk_ops, &tlb);\n\ttlb_end_vma(&tlb, vma);')).toEqual({ n: 1, kind: 'statement' });
    expect(leadingTail('\t\t\tpgoff, pgoff) {\n\t\tx();\n\t}')).toEqual({ n: 1, kind: 'control' });
    expect(leadingTail('\t\tunsigned long addr)\n{\n\tx();\n}')).toEqual({ n: 1, kind: 'header' });
    expect(leadingTail('\tx();\n')).toBeUndefined();
  });

  it('a hunk that starts inside a call and ends inside another keeps its events', async () => {
    const frag = '\t\t\t&madvise_free_walk_ops, &tlb);\n\ttlb_end_vma(&tlb, vma);\n\tmmu_notifier_invalidate_range_end(&range);\n\tpr_info("x %d %d",\n\t\tfoo(a),';
    const { r, mmr010 } = await clean(frag, 'madvise_free_single_vma');
    expect(mmr010).toEqual([]);
    expect(r.events.map((e) => e.kind)).toContain('notifier-end');
    expect(r.paths.length).toBeGreaterThan(0);
  });

  it('context annotations of the header are kept on the image', async () => {
    expect(contextAnnotations('static void f(spinlock_t *ptl)\n\t__releases(ptl) __acquires(&mm->mmap_lock) __must_hold_shared(x)')).toEqual([
      { kind: 'releases', expr: 'ptl' },
      { kind: 'acquires', expr: '&mm->mmap_lock' },
      { kind: 'must-hold', expr: 'x', shared: true },
    ]);
    const { r } = await clean('static pte_t *map_it(struct mm_struct *mm, spinlock_t **ptlp)\n\t__acquires(*ptlp)\n{\n\treturn pte_offset_map_lock(mm, pmd, addr, ptlp);\n}\n');
    expect(r.annotations).toEqual([{ kind: 'acquires', expr: '*ptlp' }]);
    const { r: none } = await clean('void g(void)\n{\n}\n');
    expect(none.annotations).toBeUndefined();
  });
});

describe('designated initialisers cut by a hunk', () => {
  it('a hunk that starts inside an initialiser and one that ends inside it parse without recovery', async () => {
    const start = await analyzeFunctionSource('\t\t.check_swap_entries = true,\n\t\t.ignore_dirty = true,\n\t};\n\tspin_lock(ptl);\n', { name: 'a' });
    expect(start.problems).toEqual([]);
    expect(start.events.map((e) => e.kind)).toEqual(['lock']);
    const end = await analyzeFunctionSource('\tspin_lock(ptl);\n\tstruct zap_details details = {\n\t\t.even_cows = false,\n\t\t.zap_flags = ZAP_FLAG_DROP_MARKER,\n', { name: 'b' });
    expect(end.problems).toEqual([]);
    expect(end.events.map((e) => e.kind)).toEqual(['lock']);
  });
});

describe('more kernel constructs', () => {
  it('types as macro arguments, else-if arms under #ifdef', async () => {
    const a = await analyzeFunctionSource('void f(void)\n{\n\tstruct page *p = container_of(x, struct page, lru);\n\tq = list_first_entry(&l, struct folio, lru);\n\tpcp = alloc_percpu(struct demo_pcp);\n\tr = (struct page *)y;\n}\n');
    expect(a.problems).toEqual([]);
    const b = await analyzeFunctionSource('void f(void)\n{\n\tif (a)\n\t\tspin_lock(l);\n#ifdef CONFIG_X\n\telse if (b)\n\t\tspin_unlock(l);\n#endif\n\telse\n\t\trcu_read_lock();\n}\n');
    expect(b.problems).toEqual([]);
    expect(b.events.map((e) => e.kind)).toEqual(['lock', 'unlock', 'lock']);
  });
});
