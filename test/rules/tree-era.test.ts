/**
 * The patch's era is read from the lines the patch shows, in both directions (rules/utils/tree-era.ts): a whole
 * function from a tree of another release must not date the patch.
 */
import { describe, expect, it } from 'vitest';
import type { FunctionImage, FunctionView } from '../../src/core/events.ts';
import { treeAtLeast, treeBefore } from '../../rules/utils/tree-era.ts';

/** A whole image whose lines marked `+` are the patch's added lines and the rest only the tree's. */
function image(lines: string[]): FunctionImage {
  return {
    text: lines.map((l) => l.replace(/^[+ ]/, '')).join('\n'),
    complete: true,
    lineInfo: lines.map((l, i) => (l.startsWith('+') ? { fileLine: i + 1, diff: 'add' as const } : { fileLine: i + 1 })),
    params: [],
    events: [],
    paths: [],
    problems: [],
  };
}

const view = (lines: string[]): FunctionView[] => [{ path: 'mm/khugepaged.c', name: 'f', post: image(lines), changed: true }];

describe('tree era from the patch lines only', () => {
  it('an API removed in v6.6 in the tree lines does not date the patch before v6.6', () => {
    const v = view([' static void f(void)', ' {', ' collapse_and_free_pmd(mm, vma, addr, pmd);', '+ pmd_clear(pmd);', ' }']);
    expect(treeBefore(v, [6, 12])).toBeUndefined();
  });

  it('the same API on a line the patch shows dates it', () => {
    const v = view([' static void f(void)', ' {', '+ collapse_and_free_pmd(mm, vma, addr, pmd);', ' }']);
    expect(treeBefore(v, [6, 12])).toMatch(/collapse_and_free_pmd/);
  });

  it('and likewise for the newer direction', () => {
    expect(treeAtLeast(view([' {', ' pte_free_defer(mm, pgtable);', '+ x = 1;', ' }']), [6, 6])).toBeUndefined();
    expect(treeAtLeast(view([' {', '+ pte_free_defer(mm, pgtable);', ' }']), [6, 6])).toMatch(/pte_free_defer/);
  });
});
