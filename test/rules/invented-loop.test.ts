// rules/utils/invented-loop.ts: which breaks out of (and back edges of) a loop the front end invented for a hunk
// rest on a guess about the unseen braces.
import { describe, expect, it } from 'vitest';
import { inventedLoopExitUnknown } from '../../rules/utils/invented-loop.ts';
import { ctl, image } from '../../src/rule-tester/path-builder.ts';

const enter = ctl({ kind: 'loop-enter', loop: 1, head: 'while (__mmr_loop__)' }, 1);
const brk = ctl({ kind: 'loop-exit', loop: 1, via: 'break' }, 3);
const wrap = ctl({ kind: 'loop-next', loop: 1, via: 'end' }, 4);
const cont = ctl({ kind: 'loop-next', loop: 1, via: 'continue' }, 3);
const fragment = (text: string, steps: ReturnType<typeof ctl>[]) => ({ ...image([steps], [], false), text });

/** The hunk starts inside `if (...) {` in a loop body: the first unmatched brace ends the if, not the loop. */
const nested = ['\t\t\tif (!folio_trylock(folio))', '\t\t\t\tcontinue;', '\t\t\tbreak;', '\t\t}', '\t\tfolio_put(folio);', '\t}'].join('\n');
/** The hunk starts inside the loop body: the unmatched brace is at one tab, the loop's own. */
const top = ['\t\tif (!folio_trylock(folio))', '\t\t\tcontinue;', '\t\tbreak;', '\t}', '\tpte_unmap_unlock(pte - 1, ptl);'].join('\n');

describe('inventedLoopExitUnknown', () => {
  it('asks the unseen code when a break or a back edge goes through a nested brace', () => {
    expect(inventedLoopExitUnknown(fragment(nested, [enter, brk]), { steps: [enter, brk], complete: false })).toMatch(/line 4/);
    expect(inventedLoopExitUnknown(fragment(nested, [enter, wrap]), { steps: [enter, wrap], complete: false })).toMatch(/goes round/);
  });
  it('is certain for a brace at one tab, for continue, and for whole functions', () => {
    expect(inventedLoopExitUnknown(fragment(top, [enter, brk]), { steps: [enter, brk], complete: false })).toBeUndefined();
    expect(inventedLoopExitUnknown(fragment(nested, [enter, cont]), { steps: [enter, cont], complete: false })).toBeUndefined();
    expect(inventedLoopExitUnknown({ ...fragment(nested, [enter, brk]), complete: true }, { steps: [enter, brk], complete: false })).toBeUndefined();
  });
  it('finds the brace of an opener written into the text at a gap between hunks', () => {
    const joined = ['\tif (pmd_none(*pmd))', ';', 'while (__mmr_loop__) {', '\t\t\tbreak;', '\t}', '\tpte_unmap_unlock(pte - 1, ptl);'].join('\n');
    expect(inventedLoopExitUnknown(fragment(joined, [enter, brk]), { steps: [enter, brk], complete: false })).toBeUndefined();
    const joinedNested = joined.replace('\n\t}', '\n\t\t}');
    expect(inventedLoopExitUnknown(fragment(joinedNested, [enter, brk]), { steps: [enter, brk], complete: false })).toMatch(/line 5/);
  });
});
