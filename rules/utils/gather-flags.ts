/**
 * Can a flag combination of an mmu_gather occur on an architecture? A combination that needs a field only some
 * architectures set (src/kernel-api/gather-flag-setters.ts: need_flush_all) occurs on another architecture only if
 * code the patch (or the tree) shows sets it. `possible` when the arch sets it itself; `unknown` with the question
 * when only code of the patch sets it (whether a flush then sees this combination depends on that code's order of
 * stores and resets); `impossible` when nothing sets it on that arch.
 */
import type { FunctionImage, FunctionView } from '../../src/core/events.ts';
import { ARCH_ONLY_GATHER_FIELDS } from '../../src/kernel-api/gather-flag-setters.ts';

export type FlagVerdict = { kind: 'possible' } | { kind: 'impossible'; why: string } | { kind: 'unknown'; question: string };

/** The store of a non-zero value into `field` of some struct (`tlb->need_flush_all = 1;`), per field. */
const STORES = new Map<string, RegExp>();

/** Per function list and side, per field: the visible functions that set it (read for every flag combination of every path). */
const SETTERS = new WeakMap<readonly FunctionView[], Map<string, string[]>>();

/** Visible functions that store a non-zero value into `field` of some struct (`tlb->need_flush_all = 1;`). */
function settersOf(field: string, fns: readonly FunctionView[], side: 'pre' | 'post'): string[] {
  let byKey = SETTERS.get(fns);
  if (!byKey) SETTERS.set(fns, (byKey = new Map()));
  const key = `${side}\u0000${field}`;
  const known = byKey.get(key);
  if (known) return known;
  let store = STORES.get(field);
  if (!store) STORES.set(field, (store = new RegExp(`(?:->|\\.)\\s*${field}\\s*(?:\\|=|=(?!=)\\s*(?!0\\s*;|false\\s*;))`)));
  const re = store;
  const found = fns.filter((f) => {
    const img: FunctionImage | undefined = f[side];
    return img !== undefined && re.test(img.text);
  }).map((f) => f.name);
  byKey.set(key, found);
  return found;
}

/**
 * The verdict on an assignment of gather fields (`tlb->need_flush_all` → true, ...) for `arch`, given the functions
 * the patch and the tree show on that side.
 */
export function gatherCombination(sigma: ReadonlyMap<string, boolean>, g: string | undefined, arch: string, fns: readonly FunctionView[], side: 'pre' | 'post'): FlagVerdict {
  if (g === undefined) return { kind: 'possible' };
  for (const [field, info] of Object.entries(ARCH_ONLY_GATHER_FIELDS)) {
    if (sigma.get(`${g}->${field}`) !== true) continue;
    if (info.setters[arch] !== undefined) continue;
    const shown = settersOf(field, fns, side);
    if (shown.length === 0) {
      return { kind: 'impossible', why: `no ${arch} code sets ${g}->${field} (${info.initial}; only ${Object.keys(info.setters).join(', ')} set it)` };
    }
    return {
      kind: 'unknown',
      question: `${g}->${field} is set on ${arch} only by ${shown.map((n) => `${n}()`).join(', ')} of this patch (${info.initial}; no ${arch} code sets it): does a flush see it with the other fields of this combination?`,
    };
  }
  return { kind: 'possible' };
}
