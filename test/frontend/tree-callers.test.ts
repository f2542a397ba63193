// The unchanged callers of a changed function are given to rules only when the file shows all of them.
import { describe, expect, it } from 'vitest';
import { allCallers } from '../../src/frontend/tree-callers.ts';
import type { Def } from '../../src/frontend/tree-mode.ts';

const FILE = [
  'static int pack_one(struct pack *p)', // 0
  '{',
  '\treturn 0;',
  '}', // 3
  'int pack_all(struct pack *p)', // 4
  '{',
  '\treturn pack_one(p);',
  '}', // 7
  'int pack_twice(struct pack *p)', // 8
  '{',
  '\tpack_one(p);',
  '\treturn pack_one(p);',
  '}', // 12
];
const DEFS: Def[] = [
  { name: 'pack_one', start: 0, end: 3 },
  { name: 'pack_all', start: 4, end: 7 },
  { name: 'pack_twice', start: 8, end: 12 },
];
const names = (d: Def[]) => d.map((x) => x.name);

describe('allCallers', () => {
  it('gives every caller of a static function of a .c file, once, in file order', () => {
    expect(names(allCallers('mm/pack.c', DEFS, ['pack_one'], FILE))).toEqual(['pack_all', 'pack_twice']);
  });
  it('leaves out callers that are changed themselves (they are reviewed, not context)', () => {
    expect(names(allCallers('mm/pack.c', DEFS, ['pack_one', 'pack_all'], FILE))).toEqual(['pack_twice']);
  });
  it('gives none for a function other files may call: not static, or in a header', () => {
    const open = [...FILE];
    open[0] = 'int pack_one(struct pack *p)';
    expect(allCallers('mm/pack.c', DEFS, ['pack_one'], open)).toEqual([]);
    expect(allCallers('include/linux/pack.h', DEFS, ['pack_one'], FILE)).toEqual([]);
  });
  it('gives none when the name is used other than in a direct call, or called from a macro', () => {
    expect(allCallers('mm/pack.c', DEFS, ['pack_one'], [...FILE, 'static const pack_fn fns[] = { pack_one };'])).toEqual([]);
    expect(allCallers('mm/pack.c', DEFS, ['pack_one'], [...FILE, '#define PACK(p) pack_one(p)'])).toEqual([]);
    expect(allCallers('mm/pack.c', DEFS, ['pack_one'], [...FILE, '#define PACK(p) \\', '\tpack_one(p)'])).toEqual([]);
  });
});
