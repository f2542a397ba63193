/**
 * Does an address range cover the whole region an entry of a given level maps? A range handed to a widener
 * (catalogue RANGE_WIDENERS: adjust_range_if_pmd_sharing_possible(vma, &start, &end) widens to PUD_SIZE when the vma
 * may share PMD tables), written in the level's units (`address & PUD_MASK`, `PUD_SIZE`), or held in variables
 * computed in those units. Shared by flush-under-ptl (a flush range) and notifier-symmetry (an invalidation window)
 * for entries whose change reaches a whole region (huge_pmd_unshare()'s PUD entry: catalogue `attrs.extent`).
 */
import type { FunctionImage } from '../../src/core/events.ts';
import { norm } from './paths.ts';

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
