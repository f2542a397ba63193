/**
 * One policy for replies (docs/inputs.md): a diff quoted in a reply is reviewed only when the archive does not hold
 * the patch it quotes — then `scan` finds what `check` finds on the same reply (seed 003), located in the reply, and
 * reports it without drafting a reply; when the patch is there, the patch is reviewed and the quote stays context.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateStore } from '../../src/store/state-store.ts';
import { runScan } from '../../src/scan/scanner.ts';
import { defaultScanDeps } from '../../src/scan/default-deps.ts';
import { buildScanReport } from '../../src/scan/report-data.ts';
import { checkPatches, isReportable } from '../../src/engine/index.ts';
import { readInputs } from '../../src/sources/index.ts';
import { SEEDS, seedsPresent } from '../helpers/shared.ts';
import { appendMbox, tempDir } from './archive-helpers.ts';

const PATCH = `From: A <a@example.org>
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

const REPLY = `From: R <r@example.org>
Subject: Re: [PATCH] mm/demo: batch flushes
Message-ID: <r1@example.org>
In-Reply-To: <p1@example.org>
Date: Mon, 03 Mar 2025 11:00:00 +0000

On Mon, A wrote:
> @@ -12,7 +12,7 @@
>  		ptep_set_wrprotect(mm, addr, pte);
> -	flush_tlb_range(vma, start, end);
>  	pte_unmap_unlock(pte - 1, ptl);
> +	flush_tlb_range(vma, start, end);
>  	return 0;

This moves the flush after the unlock.
`;

async function scan(raws: Buffer[]) {
  const dir = tempDir('quoted');
  const mbox = join(dir, 'a.mbox');
  appendMbox(mbox, raws);
  const store = StateStore.open(join(dir, 'state.db'));
  try {
    const run = await runScan([mbox], store, defaultScanDeps(), { draftsDir: join(dir, 'drafts'), from: 'b <b@example.org>' });
    const states = Object.fromEntries(store.allPatches().map((p) => [p.pkey, p.state]));
    return { run, states, report: buildScanReport(store, run, { history: true }) };
  } finally {
    store.close();
  }
}

describe('quoted replies in scan', () => {
  it('the quote stays context when the archive holds the patch it quotes', async () => {
    const r = await scan([Buffer.from(PATCH), Buffer.from(REPLY)]);
    expect(r.states['r1@example.org#q0']).toBe('superseded');
    expect(r.states['p1@example.org#0']).toBe('reviewed');
  });

  it('the quoted diff is reviewed when the patch is not in the archive, and nothing is drafted for it', async () => {
    const r = await scan([Buffer.from(REPLY)]);
    expect(r.states['r1@example.org#q0']).toBe('reviewed');
    expect(r.run.review.drafted).toBe(0);
  });

  it.runIf(seedsPresent())('seed 003: scan finds what check finds on the same reply, located in the message', async () => {
    const file = join(SEEDS, readdirSync(SEEDS).find((f) => f.startsWith('003_'))!);
    const text = readFileSync(file, 'utf8');
    // The seed is a web-archive copy (no mail headers): give it the headers an archive would have.
    const mail = `From: reviewer@example.org\nMessage-ID: <seed003@example.org>\nSubject: Re: [PATCH v3 14/28] userfaultfd: wp: handle COW properly for uffd-wp\n\n${text}`;
    const fromCheck = (await checkPatches((await readInputs([file])).patches)).findings.filter(isReportable).map((f) => [f.rule, f.function]);
    const r = await scan([Buffer.from(mail)]);
    const fromScan = r.report.series.flatMap((s) => s.patches.flatMap((p) => p.findings)).filter((f) => f.status === 'confirmed' && f.introduced).map((f) => [f.rule, f.function]);
    expect(fromCheck.length).toBeGreaterThan(0);
    expect(fromScan).toEqual(fromCheck);
    const located = r.report.series.flatMap((s) => s.patches.flatMap((p) => p.findings)).filter((f) => f.status === 'confirmed');
    for (const f of located) expect(f.path || f.location).toBeTruthy();
  }, 60_000);
});
