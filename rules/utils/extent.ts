/**
 * Does an address range cover the whole region an entry of a given level maps? A range handed to a widener
 * (catalogue RANGE_WIDENERS: adjust_range_if_pmd_sharing_possible(vma, &start, &end) widens to PUD_SIZE when the vma
 * may share PMD tables), written in the level's units (`address & PUD_MASK`, `PUD_SIZE`), or held in variables
 * computed in those units. Shared by flush-under-ptl (a flush range) and notifier-symmetry (an invalidation window)
 * for entries whose change reaches a whole region (huge_pmd_unshare()'s PUD entry: catalogue `attrs.extent`).
 */
import type { FunctionImage } from '../../src/core/events.ts';
import { RANGE_WIDENERS } from '../../src/kernel-api/catalogue.ts';
import { paramName } from './contracts.ts';
import { gapsOf, norm } from './paths.ts';

const widenedCache = new WeakMap<FunctionImage, ReadonlySet<string>>();

/**
 * Range expressions a catalogued widener (adjust_range_if_pmd_sharing_possible(vma, &range.start, ...)) widened to a
 * level's region: any call of the image, not only a path's — an opaque call inside an `if` whose arms hold no other
 * event is sliced off the paths (`if (folio_test_hugetlb(folio)) adjust_range_if_pmd_sharing_possible(...)`), so its
 * absence from a path proves nothing. Every path's events are the image's, so this holds each path's widenings too.
 * Computed once per image.
 */
export function widenedRanges(image: FunctionImage): ReadonlySet<string> {
  const cached = widenedCache.get(image);
  if (cached) return cached;
  const widened = new Set<string>();
  for (const e of image.events) {
    const w = e.kind === 'call' ? RANGE_WIDENERS[e.callee] : undefined;
    if (w) for (const k of w.args) widened.add(norm(e.args[`arg${k}`]));
  }
  widenedCache.set(image, widened);
  return widened;
}

export function coversRegion(image: FunctionImage, start: string | undefined, end: string | undefined, level: 'pmd' | 'pud', widened: ReadonlySet<string>): boolean {
  const s = norm(start);
  const e = norm(end);
  if (widened.has(s) && widened.has(e)) return true;
  const unit = level === 'pud' ? /\b(?:PUD_MASK|PUD_SIZE|HPAGE_PUD_SIZE)\b/ : /\b(?:PMD_MASK|PMD_SIZE|HPAGE_PMD_SIZE|HPAGE_PMD_MASK)\b/;
  if (unit.test(start ?? '') && unit.test(end ?? '')) return true;
  // Variables aligned to the level where they are computed (`start = ALIGN(vma->vm_start, PUD_SIZE)`).
  const alignedVar = (v: string): boolean => /^[A-Za-z_][\w.>-]*$/.test(v) && new RegExp(`(?:^|[^\\w.>])${v.replace(/[.>-]/g, (c) => `\\${c}`)}\\s*=[^=;]*${unit.source}`, 'm').test(image.text);
  return alignedVar(s) && alignedVar(e);
}

/**
 * Why a range found too small for `level` may not be: unseen lines before `line` (the flush or the change) may widen
 * it — a fragment without the function's header, or with a gap above that line —, or its bounds are the function's
 * parameters, which its callers may already have aligned to the region (hugetlb_unshare_pmds() is handed PUD-aligned
 * bounds and says so). A page-walk callback's bounds (a `struct mm_walk *` parameter) are the walker's: one entry's
 * range (walk_hugetlb_range() hands each hugetlb_entry [addr, hugetlb_entry_end())), never a whole PUD region for the
 * PMD-sized pages whose tables are shared. A range written as one page (`opts.onePage`) is too small whatever its
 * callers aligned. Undefined when the visible code settles it.
 */
export function regionBoundsUnseen(image: FunctionImage, start: string | undefined, end: string | undefined, level: 'pmd' | 'pud', line: number, where: string, opts: { onePage?: boolean } = {}): string | undefined {
  const region = level === 'pud' ? 'PUD_SIZE' : 'PMD_SIZE';
  const s = norm(start);
  const e = norm(end);
  // A header parsed from the text has named parameters; a fragment without one gets a synthetic `(void)`.
  const headerSeen = image.params.length > 0 && !(image.params.length === 1 && norm(image.params[0]) === 'void');
  const fileLine = image.lineInfo[line - 1]?.fileLine;
  const gapAbove = fileLine === undefined || gapsOf(image).some((g) => g < fileLine);
  if (!image.complete && (!headerSeen || gapAbove)) {
    return `depends on code the hunks do not show: is the range ${s}..${e} widened to the ${region} region (adjust_range_if_pmd_sharing_possible()) ${where}?`;
  }
  // A range written as one page is smaller than the region however its callers aligned its start.
  if (opts.onePage) return undefined;
  const params = new Set(image.params.map(paramName).filter(Boolean));
  if (level === 'pud' && image.params.some((p) => /\bstruct\s+mm_walk\s*\*/.test(p))) return undefined;
  const root = (x: string): string => /^[A-Za-z_]\w*/.exec(x)?.[0] ?? '';
  const fromCaller = [s, e].filter((x) => params.has(root(x)));
  if (fromCaller.length === 0) return undefined;
  return `the callers of this function: are ${fromCaller.join(' and ')} already aligned to the ${region} region when they call it?`;
}
