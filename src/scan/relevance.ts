/** Is a message or patch in mmreview's scope: diffs under mm/ or hunks using page-table / TLB / notifier / uffd APIs. */
import type { Patch } from '../core/patch.ts';

/** API names whose use in a hunk brings a file into scope (design.md §2). */
export const SCOPE_API_RE =
  /\b(?:pte_offset_map(?:_lock|_nolock|_ro_nolock)?|pte_unmap_unlock|pte_lockptr|ptep_\w+|set_ptes?(?:_at)?|pte_(?:mk\w+|wrprotect|clear\w*)|pmd_(?:lock|trans_huge_lock|clear\w*)|pmdp_\w+|flush_tlb_\w+|tlb_(?:gather_mmu\w*|finish_mmu|flush_mmu\w*|remove_\w+)|mmu_gather|inc_tlb_flush_pending|dec_tlb_flush_pending|mm_tlb_flush_\w+|mmu_notifier_\w+|set_pte_at_notify|userfaultfd\w*|uffd\w*|handle_userfault|get_user_pages\w*|pin_user_pages\w*|follow_page\w*|fixup_user_fault|apply_to_page_range|walk_page_range\w*|zap_\w*pte\w*)\b/;

/** Paths always in scope. */
const SCOPE_PATH_RE = /^(?:mm\/|arch\/[^/]+\/mm\/|include\/linux\/(?:mm|pgtable|mmu_notifier|userfaultfd|hugetlb|rmap|swap)\w*\.h|include\/asm-generic\/(?:tlb|pgtable)\w*\.h|fs\/proc\/task_mmu\.c|fs\/userfaultfd\.c|kernel\/events\/uprobes\.c|kernel\/futex)/;

/** A diff file header or hunk naming an in-scope path, matched on raw (undecoded) message bytes. */
const RAW_PATH_RE = /^(?:[> ]*)(?:diff --git a\/|\+\+\+ b\/|--- a\/)(?:mm\/|arch\/[^/\s]+\/mm\/|include\/linux\/(?:mm|pgtable|mmu_notifier|userfaultfd|hugetlb|rmap|swap)|include\/asm-generic\/(?:tlb|pgtable)|fs\/proc\/task_mmu\.c|fs\/userfaultfd\.c|kernel\/events\/uprobes\.c|kernel\/futex)/m;

/** True when a file path is in scope by itself. */
export function pathInScope(path: string | undefined): boolean {
  return path !== undefined && SCOPE_PATH_RE.test(path);
}

/**
 * Fast check on the raw bytes of a plain (not base64 / quoted-printable) message: may it hold an in-scope diff?
 * False only when no in-scope path and no scope API name appears anywhere in the message.
 */
export function rawMayBeInScope(raw: Buffer): boolean {
  const text = raw.toString('latin1');
  return RAW_PATH_RE.test(text) || SCOPE_API_RE.test(text);
}

/** True when a parsed patch touches an in-scope path or uses a scope API in its changed or context lines. */
export function patchInScope(p: Patch): boolean {
  for (const f of p.files) {
    if (pathInScope(f.newPath) || pathInScope(f.oldPath)) return true;
    for (const h of f.hunks) {
      if (SCOPE_API_RE.test(h.header)) return true;
      for (const l of h.lines) if (SCOPE_API_RE.test(l.text)) return true;
    }
  }
  return false;
}
