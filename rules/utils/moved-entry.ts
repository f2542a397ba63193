/**
 * Moves of page-table entries (mremap's move_ptes(), move_normal_pmd(), move_normal_pud(); src/kernel-api/entry-moves.ts):
 * an install (`pte-set`) into another entry of a value taken from an entry the path cleared under the lock. Such an
 * entry's page stays mapped at the new entry, so its old translation must be flushed before the lock is dropped: a
 * gather or an announcement does not hold the page back.
 */
import type { Event, FunctionImage } from '../../src/core/events.ts';
import { entryValueVars } from '../../src/kernel-api/entry-moves.ts';
import { norm } from './paths.ts';

/** Identifiers of an expression. */
function identifiers(expr: string): Set<string> {
  return new Set(norm(expr).match(/[A-Za-z_]\w*/g) ?? []);
}

/**
 * The cleared entry (one of `clears`) whose value `install` writes at another entry, if any: the value written names
 * the clear's result (`pte = ptep_get_and_clear(...)`, then `set_pte_at(mm, new_addr, new_pte, pte)`) or a variable
 * the image reads the cleared entry into (`pmd = *old_pmd; pmd_clear(old_pmd); pmd_populate(mm, new_pmd,
 * pmd_pgtable(pmd))`). An install into the entry that was cleared (a split, a collapse, a migration entry) is no
 * move.
 */
export function movedFrom<T extends { event: Event }>(image: FunctionImage, install: Event, clears: readonly T[]): T | undefined {
  if (install.kind !== 'pte-set' || install.args.value === undefined) return undefined;
  const dest = norm(install.args.pte);
  if (dest === '') return undefined;
  const used = identifiers(install.args.value);
  return clears.find((c) => {
    const ev = c.event;
    if (ev.kind !== 'pte-clear') return false;
    const source = norm(ev.args.pte);
    if (source === '' || source === dest) return false;
    if (ev.result !== undefined && used.has(norm(ev.result))) return true;
    return [...entryValueVars(image.text, source)].some((v) => used.has(v));
  });
}
