/**
 * Stores of a non-present entry value. A value built on the path by a swap-entry constructor (include/linux/swapops.h
 * swp_entry_to_pte(), swp_entry_to_pmd(), pte_swp_mk*() / pmd_swp_mk*(), pte_swp_clear_*(); make_pte_marker()) is a
 * migration, swap or marker entry: storing it (mm/migrate_device.c migrate_vma_collect_pmd(), mm/rmap.c
 * try_to_migrate_one(): `set_pte_at(mm, addr, ptep, swp_pte)` after the present entry was cleared) installs no
 * translation a TLB can cache, and a zap that finds it (zap_pte_range() on a non-present entry) flushes nothing for it.
 */
import type { EventPath, FunctionImage, PathStep } from '../../src/core/events.ts';
import { norm } from './paths.ts';

/** Constructors of non-present entry values (include/linux/swapops.h; make_pte_marker() in the same header era). */
export const NON_PRESENT_VALUE = /^(?:swp_entry_to_p(?:te|md)|p(?:te|md)_swp_mk\w+|p(?:te|md)_swp_clear_\w+|make_pte_marker)$/;

/**
 * Is step `i` of the path a `pte-set` of a value a non-present constructor built earlier on the same path, with no
 * other assignment of the variable in the text between the two (`swp_pte = orig;` is not an event)?
 */
function storesNonPresent(steps: readonly PathStep[], i: number, image: FunctionImage): boolean {
  const s = steps[i];
  if (s?.step !== 'event' || s.kind !== 'pte-set' || s.args.value === undefined) return false;
  const value = norm(s.args.value);
  // The constructor written in the store itself: `set_pte_at(mm, addr, ptep, swp_entry_to_pte(entry))`.
  const inline = /^([A-Za-z_]\w*)\s*\(/.exec(value);
  if (inline) return NON_PRESENT_VALUE.test(inline[1] as string);
  if (!/^[A-Za-z_]\w*$/.test(value)) return false;
  let built: number | undefined;
  for (let j = 0; j < i; j++) {
    const b = steps[j] as PathStep;
    if (b.step !== 'event' || b.result === undefined || norm(b.result) !== value) continue;
    // The last assignment of the variable before the store decides what it holds.
    built = NON_PRESENT_VALUE.test(b.callee) ? b.loc.line : undefined;
  }
  if (built === undefined || built >= s.loc.line) return false;
  // Another assignment in between keeps the store as it is, unless it is from a non-present constructor too (on a
  // branch the path did not take: `if (pte_soft_dirty(pte)) swp_pte = pte_swp_mksoft_dirty(swp_pte);`).
  const assign = new RegExp(`\\b${value}\\s*=(?!=)\\s*(?:([A-Za-z_]\\w*)\\s*\\()?`);
  const lines = image.text.split('\n');
  for (let l = built + 1; l < s.loc.line; l++) {
    const m = assign.exec(lines[l - 1] ?? '');
    if (m && !(m[1] !== undefined && NON_PRESENT_VALUE.test(m[1]))) return false;
  }
  return true;
}

/**
 * The path as the model must run it: a store of a non-present value is an empty entry (the model's `pte-set` would
 * otherwise write back the translation read from the entry, and a concurrent zap would find it present and flush it).
 * Only the simulated path changes; the rule's own reasoning is unaffected.
 */
export function modelNonPresentStores(path: EventPath, image: FunctionImage): EventPath {
  const hit = path.steps.map((s, i) => s.step === 'event' && storesNonPresent(path.steps, i, image));
  if (!hit.includes(true)) return path;
  return {
    ...path,
    steps: path.steps.map((s, i) => (s.step === 'event' && hit[i] ? { ...s, attrs: { ...s.attrs, effects: ['clear'] } } : s)),
  };
}
