/**
 * The page table a move's destination entry belongs to. mremap takes the destination's own page-table lock while
 * holding the source's (`spin_lock_nested(new_ptl)` after `pmd_lock(old_pmd)`); once that lock is released, rmap
 * walkers reach the page through the new entry even while the old lock is still held (mm/mremap.c move_ptes():
 * "the new one to make sure the physical page stays valid until the TLB entry for the old mapping has been
 * flushed"). So the destination's lock in the model is that second lock, when the install was made under it.
 */
import type { EventPath } from '../core/events.ts';
import type { Instr } from '../sim/scenario.ts';
import { DEST_PTE, nestedPtls } from './path-program.ts';

/** The model lock that guards DEST_PTE: the one nested page-table lock held at its install, else `ptl0`. */
export function destinationTable(program: readonly Instr[], path: EventPath): string {
  const nested = new Set([...nestedPtls(path)].map((k) => `lock:${k}`));
  if (nested.size === 0) return 'ptl0';
  const held = new Set<string>();
  for (const i of program) {
    if ('ctl' in i) continue;
    if ((i.op === 'lock' || i.op === 'trylock') && i.lock) held.add(i.lock);
    if (i.op === 'unlock' && i.lock) held.delete(i.lock);
    if (i.pte === DEST_PTE && i.op === 'pte-set') {
      const under = [...held].filter((l) => nested.has(l));
      return under.length === 1 ? (under[0] as string) : 'ptl0';
    }
  }
  return 'ptl0';
}
