/**
 * A clear of an upper-level entry that may be a table pointer (src/kernel-api/table-or-leaf.ts): its stale-TLB
 * hazard is the one of a leaf only when the path shows the entry was a leaf (a huge-entry test taken true before
 * the clear). Otherwise the finding depends on what the entry held: an emptied table has no live leaf translation,
 * and its walk-cache entries are flushed when the table is freed through the gather.
 */
import type { Event, EventPath } from '../../src/core/events.ts';
import { LEAF_TESTS, TABLE_OR_LEAF_CLEARS } from '../../src/kernel-api/table-or-leaf.ts';
import { norm } from './paths.ts';
import { splitTop } from '../../src/c/split-top.ts';

/** The question a flush-after-unlock claim on this clear depends on, or undefined when the path shows a leaf. */
export function tableOrLeafQuestion(path: EventPath, clear: Event, clearIndex: number): string | undefined {
  if (!TABLE_OR_LEAF_CLEARS.has(clear.callee)) return undefined;
  for (const s of path.steps.slice(0, clearIndex)) {
    if (s.step !== 'control' || s.kind !== 'branch') continue;
    const c = norm(s.cond);
    // `pmd_trans_huge(x)` taken, or `!pmd_trans_huge(x)` not taken; a conjunction taken holds each conjunct.
    const positive = splitTop(c, ['&&']).some((part) => LEAF_TESTS.test(norm(part).replace(/^(?:un)?likely\(/, '')));
    const negated = /^!\s*/.test(c) && LEAF_TESTS.test(c.replace(/^!\s*/, '').replace(/^(?:un)?likely\(/, ''));
    if ((positive && !negated && s.taken) || (negated && !s.taken)) return undefined;
  }
  return `what the entry ${clear.callee}() clears at line ${clear.loc.fileLine ?? clear.loc.line} held: a huge leaf, or a pointer to a page table (nothing on the path says it was a leaf)? A table emptied first maps nothing live, and its walk-cache entries are flushed when the table is freed through the gather (pte_free_tlb()), which the model does not show`;
}
