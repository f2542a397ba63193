// Moves of page-table entries: an install is tied to the entry it came from by the clear's result or by a read of
// the cleared entry (src/kernel-api/entry-moves.ts, rules/utils/moved-entry.ts).
import { describe, expect, it } from 'vitest';
import type { Event, FunctionImage } from '../../src/core/events.ts';
import { entryValueVars } from '../../src/kernel-api/entry-moves.ts';
import { maybeMovedFrom, movedFrom } from '../../rules/utils/moved-entry.ts';

const ev = (id: number, kind: Event['kind'], callee: string, args: Record<string, string>, result?: string): Event => ({
  id,
  kind,
  callee,
  args,
  attrs: {},
  loc: { line: id, column: 0 },
  text: `${callee}()`,
  ...(result ? { result } : {}),
});

const image = (text: string, complete = true): FunctionImage => ({ text, events: [], paths: [], complete, params: [] }) as unknown as FunctionImage;

describe('entryValueVars', () => {
  it('finds dereferences and reader calls of the entry', () => {
    const text = 'v = *src_pmd;\n w = READ_ONCE(*src_pmd);\n x = pmdp_get(src_pmd);\n y = ptep_get(other);\n';
    expect([...entryValueVars(text, 'src_pmd')].sort()).toEqual(['v', 'w', 'x']);
  });
  it('does not take a comparison or another entry for a read', () => {
    expect([...entryValueVars('if (v == *src_pmd) ok = *dst_pmd;', 'src_pmd')]).toEqual([]);
  });
});

describe('movedFrom', () => {
  const clear = { event: ev(1, 'pte-clear', 'pmd_clear', { pte: 'src_pmd' }) };
  it('an install of the value read from the cleared entry at another entry is a move', () => {
    const install = ev(2, 'pte-set', 'pmd_populate', { pte: 'dst_pmd', value: 'pmd_pgtable(v)' });
    expect(movedFrom(image('v = *src_pmd;\npmd_clear(src_pmd);'), install, [clear])).toBe(clear);
  });
  it('an install of the clear\'s result at another entry is a move', () => {
    const c = { event: ev(1, 'pte-clear', 'ptep_get_and_clear', { pte: 'src_pte' }, 'old') };
    const install = ev(2, 'pte-set', 'set_pte_at', { pte: 'dst_pte', value: 'old' });
    expect(movedFrom(image(''), install, [c])).toBe(c);
  });
  it('an install into the cleared entry itself, or of an unrelated value, is no move', () => {
    const same = ev(2, 'pte-set', 'pmd_populate', { pte: 'src_pmd', value: 'pmd_pgtable(v)' });
    const other = ev(3, 'pte-set', 'set_pmd_at', { pte: 'dst_pmd', value: 'fresh' });
    const text = 'v = *src_pmd;\npmd_clear(src_pmd);';
    expect(movedFrom(image(text), same, [clear])).toBeUndefined();
    expect(movedFrom(image(text), other, [clear])).toBeUndefined();
  });
});

describe('maybeMovedFrom', () => {
  const clear = { event: ev(1, 'pte-clear', 'pmd_clear', { pte: 'src_pmd' }) };
  const install = ev(2, 'pte-set', 'pmd_populate', { pte: 'dst_pmd', value: 'pmd_pgtable(v)' });
  it('a fragment that does not show where the installed value comes from may be a move', () => {
    expect(maybeMovedFrom(image('pmd_clear(src_pmd);\npmd_populate(mm, dst_pmd, pmd_pgtable(v));', false), install, [clear], new Set())).toBe(clear);
  });
  it('not when the image is whole, or the value is assigned where the image or the path shows it', () => {
    const text = 'pmd_clear(src_pmd);\npmd_populate(mm, dst_pmd, pmd_pgtable(v));';
    expect(maybeMovedFrom(image(text, true), install, [clear], new Set())).toBeUndefined();
    expect(maybeMovedFrom(image(`v = fresh_table();\n${text}`, false), install, [clear], new Set())).toBeUndefined();
    expect(maybeMovedFrom(image(text, false), install, [clear], new Set(['v']))).toBeUndefined();
  });
});

describe('a split is no move', () => {
  it('PTEs installed from a cleared huge PMD fill a table at the same addresses', () => {
    const c = { event: { ...ev(1, 'pte-clear', 'pmdp_huge_get_and_clear', { pte: 'pmd' }, 'old'), attrs: { level: 'pmd' as const } } };
    const install = ev(2, 'pte-set', 'set_pte_at', { pte: 'pte', value: 'pte_mkold(old)' });
    expect(movedFrom(image(''), install, [c])).toBeUndefined();
  });
});
