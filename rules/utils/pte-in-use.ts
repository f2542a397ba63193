/**
 * A PTE pointer in use at a step of a path although the visible code never mapped it: the table it points into was
 * mapped by code the patch does not show, and is still mapped at the step.
 *
 * - A `pte_t *` parameter: the caller mapped the table to hand over one of its entries (mm/memory.c
 *   copy_pte_range() hands its per-entry helpers `dst_pte` / `src_pte` with both PTLs held; a page-walk `pte_entry`
 *   callback gets its entry under the PTL: mm/pagewalk.c walk_pte_range()). The callee cannot unmap it.
 * - A local PTE pointer that the path uses with a PTE accessor after the step (`ptep_get_and_clear(mm, addr, ptep)`),
 *   with no mapping, no unmap and no hunk gap in between: it was mapped above the hunk and is still mapped.
 *
 * Neither says whether the context is atomic: the mapping holds the PTL when it was made with
 * pte_offset_map_lock(), is an RCU read-side section since 6.5, and before 6.5 is atomic only with HIGHPTE. A
 * claim built on it is a question. Hugetlb entries (`huge_*` accessors) are not mapped tables and are not counted.
 */
import type { EventPath, FunctionImage } from '../../src/core/events.ts';
import { norm } from './paths.ts';

/** Event kinds that read or write the PTE their `pte` argument points to. */
const PTE_ACCESS = new Set<string>(['pte-read', 'pte-same', 'pte-set', 'pte-clear', 'pte-clear-flush', 'pte-modify-start', 'pte-modify-commit', 'pte-wrprotect', 'pte-mkold', 'pte-set-access-flags']);

/** Does the path map, unmap, or release a lock before step `at`? Then the table's state at `at` is the path's own. */
function tableTouchedBefore(path: EventPath, at: number): boolean {
  for (let k = 0; k < at; k++) {
    const s = path.steps[k];
    if (s?.step !== 'event') continue;
    if (s.kind === 'pte-map' || s.kind === 'pte-map-lock' || s.kind === 'pte-unmap' || s.kind === 'pte-unmap-unlock' || s.kind === 'unlock') return true;
    if ((s.attrs.releases?.length ?? 0) > 0) return true;
  }
  return false;
}

/** Is `name` declared in the image (or its parameters) as a pointer to an upper-level entry (pmd_t *, pud_t *, ...)? */
function upperLevelPointer(image: FunctionImage, name: string): boolean {
  const decl = new RegExp(`\\b(?:pmd|pud|p4d|pgd)_t\\s*\\*\\s*(?:\\w+\\s*(?:=[^,;]*)?,\\s*\\*?\\s*)*${name}\\b`);
  return decl.test(image.text) || image.params.some((p) => decl.test(p));
}

/** Names of the image's `pte_t *` parameters. */
export function ptePointerParams(image: FunctionImage): string[] {
  const out: string[] = [];
  for (const p of image.params) {
    const m = /\bpte_t\s*\*\s*(\w+)\s*$/.exec(p);
    if (m?.[1]) out.push(m[1]);
  }
  return out;
}

/** Does the image use hugetlb accessors (its `pte_t *` are huge entries, not entries of a mapped PTE table)? */
function hugetlb(image: FunctionImage): boolean {
  return image.events.some((e) => /^huge_/.test(e.callee)) || /\bhuge_pte_(?:offset|alloc|lock)\b|\bhstate_vma\b/.test(image.text);
}

/**
 * The PTE pointer mapped by unseen code that is in use at step `at`, and how it is known; undefined when there is
 * none. `params`: the image's `pte_t *` parameters to count (empty when visible callers were judged instead).
 */
export function unseenMappedPte(image: FunctionImage, path: EventPath, at: number, gaps: readonly number[], params: readonly string[]): { pte: string; how: 'param' | 'used-after' } | undefined {
  if (hugetlb(image) || tableTouchedBefore(path, at)) return undefined;
  if (params.length > 0) return { pte: params[0]!, how: 'param' };
  if (image.complete) return undefined;
  // Mapped on the visible path (a local assigned by a mapping) is the path's own business.
  const mapped = new Set<string>();
  for (const s of path.steps) if (s.step === 'event' && (s.kind === 'pte-map' || s.kind === 'pte-map-lock') && s.result) mapped.add(norm(s.result));
  const from = path.steps[at]?.loc.fileLine;
  for (let k = at + 1; k < path.steps.length; k++) {
    const s = path.steps[k];
    if (!s) break;
    if (s.step === 'control') {
      // The same iteration and the same visible stretch only.
      if (s.kind === 'truncated' || s.kind === 'loop-next' || s.kind === 'loop-exit' || s.kind === 'return' || s.kind === 'goto' || s.kind === 'label') return undefined;
      continue;
    }
    if (s.kind === 'pte-map' || s.kind === 'pte-map-lock' || s.kind === 'pte-unmap' || s.kind === 'pte-unmap-unlock') return undefined;
    // PTE-level accessors only: not hugetlb, not the upper levels (pmdp_get_lockless(), pudp_*: their tables are
    // never mapped).
    if (!PTE_ACCESS.has(s.kind) || /^huge_|pmd|pud|p4d|pgd/.test(s.callee)) continue;
    const pte = norm(s.args.pte ?? '');
    // A plain pointer name (not `vmf->pte`, not an address computed in place), not declared as an upper level.
    if (!/^\w+$/.test(pte) || mapped.has(pte) || /pmd|pud|p4d|pgd/.test(pte) || upperLevelPointer(image, pte)) continue;
    const to = s.loc.fileLine;
    if (from === undefined || to === undefined || gaps.some((g) => g >= from && g < to)) return undefined;
    return { pte, how: 'used-after' };
  }
  return undefined;
}
