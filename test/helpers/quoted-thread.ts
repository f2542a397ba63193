/**
 * A small thread written for the tests: a patch that moves a TLB flush after the unlock, and a reply that quotes one
 * hunk of it without file headers (the way reviewers quote). Used by the reply-policy tests of sources and scan.
 */
export const PATCH = `From: A <a@example.org>
Subject: [PATCH] mm/demo: batch flushes
Message-ID: <p1@example.org>
Date: Mon, 03 Mar 2025 10:00:00 +0000

Batch the flushes.
---
diff --git a/mm/demo.c b/mm/demo.c
index 1111111..2222222 100644
--- a/mm/demo.c
+++ b/mm/demo.c
@@ -10,9 +10,9 @@ static int demo_pte_range(pmd_t *pmd, unsigned long addr)
 	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
 	for (; addr != end; pte++, addr += PAGE_SIZE)
 		ptep_set_wrprotect(mm, addr, pte);
-	flush_tlb_range(vma, start, end);
 	pte_unmap_unlock(pte - 1, ptl);
+	flush_tlb_range(vma, start, end);
 	return 0;
 }
`;

/** The hunk a reviewer quotes, `> `-prefixed, without file headers. */
export const QUOTED_FRAGMENT = `> @@ -12,7 +12,7 @@
>  		ptep_set_wrprotect(mm, addr, pte);
> -	flush_tlb_range(vma, start, end);
>  	pte_unmap_unlock(pte - 1, ptl);
> +	flush_tlb_range(vma, start, end);
>  	return 0;`;

/** A reply to PATCH (<r1@example.org>) quoting `quoted`. */
export const replyQuoting = (quoted: string): string => `From: R <r@example.org>
Subject: Re: [PATCH] mm/demo: batch flushes
Message-ID: <r1@example.org>
In-Reply-To: <p1@example.org>
Date: Mon, 03 Mar 2025 11:00:00 +0000

On Mon, A wrote:
${quoted}

This moves the flush after the unlock.
`;
