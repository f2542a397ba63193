/**
 * Moves of page-table entries (mremap's move_ptes(), move_normal_pmd(), move_normal_pud(); src/kernel-api/entry-moves.ts):
 * an install (`pte-set`) into another entry of a value taken from an entry the path cleared under the lock. Such an
 * entry's page stays mapped at the new entry, so its old translation must be flushed before the lock is dropped: a
 * gather or an announcement does not hold the page back.
 */
import type { Event, FunctionImage } from '../../src/core/events.ts';
import { entryValueVars } from '../../src/kernel-api/entry-moves.ts';
import { norm } from './paths.ts';

/**
 * A move keeps the entry's level (a PMD entry to a PMD slot, a PTE to a PTE slot): PTEs installed from a cleared
 * huge PMD fill a new page table at the same addresses (a split), which is no move.
 */
function sameLevel(clear: Event, install: Event): boolean {
  return (clear.attrs.level ?? 'pte') === (install.attrs.level ?? 'pte');
}

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
    if (ev.kind !== 'pte-clear' || !sameLevel(ev, install)) return false;
    const source = norm(ev.args.pte);
    if (source === '' || source === dest) return false;
    if (ev.result !== undefined && used.has(norm(ev.result))) return true;
    return [...entryValueVars(image.text, source)].some((v) => used.has(v));
  });
}

/** Variables a value expression reads (identifiers not called, not all-caps constants). */
function valueVariables(expr: string): string[] {
  const s = norm(expr);
  const out: string[] = [];
  for (const m of s.matchAll(/[A-Za-z_]\w*/g)) {
    const id = m[0];
    const after = s.slice((m.index ?? 0) + id.length);
    if (/^\s*\(/.test(after) || /^[A-Z0-9_]+$/.test(id) || /^(?:pgtable_t|pmd_t|pud_t|pte_t|struct|unsigned|long|int)$/.test(id)) continue;
    out.push(id);
  }
  return out;
}

/**
 * In a hunk fragment, the cleared entry (the last of `clears` other than the install's target) whose value
 * `install` may be writing, when the value's variables are assigned nowhere the image shows and by no event of the
 * path (`pmd_populate(mm, new_pmd, pmd_pgtable(pmd))` with `pmd = *old_pmd;` above the hunk): whether it is a move
 * depends on that code. Undefined when the image is whole or the value's origin is visible.
 */
export function maybeMovedFrom<T extends { event: Event }>(image: FunctionImage, install: Event, clears: readonly T[], produced: ReadonlySet<string>): T | undefined {
  if (image.complete || install.kind !== 'pte-set' || install.args.value === undefined) return undefined;
  const dest = norm(install.args.pte);
  const vars = valueVariables(install.args.value);
  if (dest === '' || vars.length === 0) return undefined;
  const assigned = (v: string): boolean => produced.has(v) || new RegExp(`(?:^|[^\\w.>])${v}\\s*=(?!=)`, 'm').test(image.text);
  if (vars.some(assigned)) return undefined;
  return [...clears].reverse().find((c) => c.event.kind === 'pte-clear' && sameLevel(c.event, install) && norm(c.event.args.pte) !== '' && norm(c.event.args.pte) !== dest);
}
