// Kernel pre-pass: annotations blanked in place, iterator macros become loops, partial hunks are balanced.
import { describe, expect, it } from 'vitest';
import { blankAnnotations, loopifyIterators, wrapFragment } from '../../src/c/prepass.ts';
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
});
