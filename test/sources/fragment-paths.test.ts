// A quoted hunk without file headers takes its file from the patch it quotes when the same input holds it; a
// finding whose file stays unknown is located in its message, never at "?".
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputs } from '../../src/sources/index.ts';
import { findingWhere } from '../../src/render/where.ts';

const PATCH = `From: A <a@example.org>
Subject: [PATCH] mm/demo: batch flushes
Message-ID: <p1@example.org>

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

const REPLY = (quoted: string) => `From: R <r@example.org>
Subject: Re: [PATCH] mm/demo: batch flushes
Message-ID: <r1@example.org>
In-Reply-To: <p1@example.org>

On Mon, A wrote:
${quoted}

This moves the flush after the unlock.
`;

const FRAGMENT = `> @@ -12,7 +12,7 @@
>  		ptep_set_wrprotect(mm, addr, pte);
> -	flush_tlb_range(vma, start, end);
>  	pte_unmap_unlock(pte - 1, ptl);
> +	flush_tlb_range(vma, start, end);
>  	return 0;`;

function mbox(...mails: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'mmr-frag-'));
  const file = join(dir, 'thread.mbox');
  writeFileSync(file, mails.map((m) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${m}\n`).join(''));
  return file;
}

describe('fragment paths', () => {
  it('takes the file of a quoted header-less hunk from the patch it quotes', async () => {
    const r = await readInputs([mbox(PATCH, REPLY(FRAGMENT))]);
    const quoted = r.patches.find((p) => p.messageId === 'r1@example.org')!;
    expect(quoted.files[0]!.newPath).toBe('mm/demo.c');
    expect(quoted.damage.join('\n')).toMatch(/file mm\/demo\.c taken from <p1@example\.org>/);
  });

  it('leaves it unknown when the input does not hold the quoted patch', async () => {
    const r = await readInputs([mbox(REPLY(FRAGMENT))]);
    const quoted = r.patches.find((p) => p.messageId === 'r1@example.org')!;
    expect(quoted.files[0]!.newPath).toBeUndefined();
  });

  it('locates a finding without a file in its message and input line', () => {
    expect(findingWhere({ path: '', line: 0, location: { input: 'reply.eml', messageId: 'r1@example.org', line: 42 } })).toBe('<r1@example.org> line 42');
    expect(findingWhere({ path: '', line: 0, location: { input: 'reply.eml', line: 7 } })).toBe('reply.eml line 7');
    expect(findingWhere({ path: 'mm/demo.c', line: 13 })).toBe('mm/demo.c:13');
  });
});
