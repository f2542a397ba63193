/**
 * The mmu_gather a function works on for its caller: a `struct mmu_gather *` parameter, or a local gather pointer
 * read out of a structure the caller handed in (`struct mmu_gather *tlb = walk->private;` in a page-walk callback:
 * mm/madvise.c madvise_free_pte_range() and madvise_cold_or_pageout_pte_range() get the gather their caller started
 * with tlb_gather_mmu() and passed to walk_page_range() as `private`). Entries given to it are flushed by the
 * caller's tlb_finish_mmu(), after this function returns.
 */
import type { FunctionImage } from '../../src/core/events.ts';

/** Names of the caller's gathers in the image: `struct mmu_gather *` parameters and locals read from a member. */
export function callerGatherNames(image: FunctionImage): string[] {
  const names: string[] = [];
  for (const p of image.params) {
    const m = /\bstruct\s+mmu_gather\s*\*\s*(\w+)\s*$/.exec(p) ?? /\bstruct\s+mmu_gather\s*\*\s*(\w+)/.exec(p);
    if (m?.[1]) names.push(m[1]);
  }
  // A declaration whose initialiser reads a member (`walk->private`, `args->tlb`): the gather lives in a structure
  // the caller owns. A cast of `private` (`(struct mmu_gather *)walk->private`) reads the same.
  const decl = /\bstruct\s+mmu_gather\s*\*\s*(\w+)\s*=\s*(?:\(\s*struct\s+mmu_gather\s*\*\s*\)\s*)?[A-Za-z_]\w*(?:\s*(?:->|\.)\s*\w+)+\s*;/g;
  for (const m of image.text.matchAll(decl)) if (m[1] && !names.includes(m[1])) names.push(m[1]);
  return names;
}
