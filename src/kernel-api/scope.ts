/**
 * mmreview's scope (design.md §2): diffs under mm/ (and the other mm paths below), plus any file whose hunks use the
 * page-table / TLB / mmu_gather / notifier / uffd / gup APIs. One definition, used by the front end, the archive
 * scanner and the GitHub App.
 */
import type { FileDiff, Patch } from '../core/patch.ts';

/** Calls of the kernel APIs whose use brings a file into scope (a call, not a mention in a comment). */
export const SCOPE_API_RE =
  /(?:(?<![\w])_{0,2}(?:pte_offset_map(?:_lock|_nolock|_ro_nolock|_rw_nolock)?|pte_unmap(?:_unlock)?|pte_lockptr|pmd_lock|pmd_trans_huge_lock|pmd_clear\w*|pmdp_\w+|ptep_\w+|set_ptes?(?:_at)?|set_pte_at_notify|pte_mk\w+|pte_wrprotect|pte_clear\w*|pte_same|flush_tlb_\w+|tlb_gather_mmu\w*|tlb_finish_mmu|tlb_flush_\w+|tlb_remove_\w+|(?:inc|dec)_tlb_flush_pending|mm_tlb_flush_\w+|mmu_notifier_\w+|userfaultfd_\w+|handle_userfault|uffd_\w+|fixup_user_fault|get_user_pages\w*|pin_user_pages\w*|follow_page\w*|apply_to_page_range|walk_page_range\w*|zap_\w*pte\w*)|(?:->|\.)(?:invalidate_range_start|invalidate_range_end|invalidate_range|invalidate_page|change_pte|clear_flush_young|clear_young|test_young|arch_invalidate_secondary_tlbs))\s*\(/;

/** Paths always in scope (an arch's include/asm tlb.h and tlbflush.h, at any depth: its TLB flush hooks). */
const SCOPE_PATH_RE = /^(?:mm\/|arch\/[^/]+\/mm\/|arch\/[^/]+\/include\/asm\/(?:[\w-]+\/)*tlb(?:flush)?\.h$|include\/linux\/(?:mm|pgtable|mmu_notifier|userfaultfd|hugetlb|rmap|swap)\w*\.h|include\/asm-generic\/(?:tlb|pgtable)\w*\.h|fs\/proc\/task_mmu\.c|fs\/userfaultfd\.c|kernel\/events\/uprobes\.c|kernel\/futex)/;

/** A diff file header or hunk naming an in-scope path, matched on raw (undecoded) message bytes. */
const RAW_PATH_RE = /^(?:[> ]*)(?:diff --git a\/|\+\+\+ b\/|--- a\/)(?:mm\/|arch\/[^/\s]+\/mm\/|arch\/[^/\s]+\/include\/asm\/(?:[\w-]+\/)*tlb(?:flush)?\.h|include\/linux\/(?:mm|pgtable|mmu_notifier|userfaultfd|hugetlb|rmap|swap)|include\/asm-generic\/(?:tlb|pgtable)|fs\/proc\/task_mmu\.c|fs\/userfaultfd\.c|kernel\/events\/uprobes\.c|kernel\/futex)/m;

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

/** True when a file diff touches an in-scope path or uses a scope API in its changed or context lines. */
export function fileInScope(f: FileDiff): boolean {
  if (pathInScope(f.newPath) || pathInScope(f.oldPath)) return true;
  for (const h of f.hunks) {
    if (SCOPE_API_RE.test(h.header)) return true;
    for (const l of h.lines) if (SCOPE_API_RE.test(l.text)) return true;
  }
  return false;
}

/** True when any file of a parsed patch is in scope. */
export function patchInScope(p: Patch): boolean {
  return p.files.some(fileInScope);
}

/** True when a unified-diff text (e.g. GitHub's per-file `patch`) uses a scope API on any line. */
export function textUsesScopeApi(patch: string): boolean {
  return SCOPE_API_RE.test(patch);
}
