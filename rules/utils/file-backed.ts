/**
 * Does a path run only on a file-backed VMA? A branch it takes that settles `vma->vm_file` non-NULL
 * (`if (!vma->vm_file || ...) return ...;` not taken, `if (vma->vm_file && ...)` taken) says so.
 *
 * Why it matters to a cleared entry whose flush comes after the page-table lock is dropped: the stale-TLB
 * hazard is then a concurrent zap (MADV_DONTNEED, truncate's unmap_mapping_range()) that finds the entry already
 * none, flushes nothing and returns while the old translation still works. On anonymous memory that is a broken
 * promise (after MADV_DONTNEED a read must see zeroes). On a file mapping a later access re-reads the page cache
 * (filemap_fault()), so an access through the stale entry reaches the same data unless the page left the page cache
 * or was freed before the flush — and truncate_inode_pages_range() removes a folio only with the folio lock held
 * (mm/truncate.c), which a path such as khugepaged's collapse_pte_mapped_thp() holds across the flush. Whether
 * that is so is beyond what the model simulates, so such a finding depends on it.
 */
import type { EventPath } from '../../src/core/events.ts';
import type { PteEffect } from '../../src/core/ops.ts';
import { splitTop } from '../../src/c/split-top.ts';
import { unwrap } from '../../src/c/condition-logic.ts';

const FILE_FIELD = /^[A-Za-z_][\w]*(?:->|\.)vm_file$/;
const NO_FILE = /^!\s*([A-Za-z_][\w]*(?:->|\.)vm_file)$/;
const FILE_NULL = /^([A-Za-z_][\w]*(?:->|\.)vm_file)\s*==\s*NULL$/;
const FILE_SET = /^([A-Za-z_][\w]*(?:->|\.)vm_file)\s*!=\s*NULL$/;

/** Does this condition, evaluated to `taken`, settle that some `x->vm_file` is non-NULL? */
export function settlesFileBacked(cond: string, taken: boolean): boolean {
  const c = unwrap(cond);
  if (taken) {
    // Every conjunct holds: one of them saying vm_file is set settles it.
    return splitTop(c, ['&&']).some((p) => {
      const q = unwrap(p);
      return FILE_FIELD.test(q) || FILE_SET.test(q);
    });
  }
  // Every disjunct is false: one of them saying vm_file is NULL settles it.
  return splitTop(c, ['||']).some((p) => {
    const q = unwrap(p);
    return NO_FILE.test(q) || FILE_NULL.test(q);
  });
}

/** The line of a branch on the path, before step index `before`, that settles a file-backed VMA. */
export function fileBackedBranch(path: EventPath, before: number): number | undefined {
  for (let i = 0; i < Math.min(before, path.steps.length); i++) {
    const s = path.steps[i]!;
    if (s.step === 'control' && s.kind === 'branch' && settlesFileBacked(s.cond, s.taken)) return s.loc.fileLine ?? s.loc.line;
  }
  return undefined;
}

/**
 * The question a cleared-entry finding on a file-backed VMA depends on, or undefined. Only clears are concerned:
 * a write-protect or a clean has its own data hazard (a lost write), which the page cache does not settle.
 */
export function fileBackedClearQuestion(path: EventPath, clearIndex: number, effects: readonly PteEffect[]): string | undefined {
  if (effects.length === 0 || effects.some((e) => e !== 'clear')) return undefined;
  const line = fileBackedBranch(path, clearIndex);
  if (line === undefined) return undefined;
  return `the pages the cleared entries map: the VMA is file-backed on this path (line ${line}), so an access through the stale TLB entry after a concurrent MADV_DONTNEED or truncate returned reaches the page-cache page a new fault would map again — harmful only if the page can leave the page cache or be freed before the flush (truncation needs the folio lock; is it held across the flush?), which the model does not decide`;
}
