/**
 * What a scan run reports: only what this run reviewed (or marked fixed), the rest with --history; the right
 * "already seen" count; and a fix posted in a thread of its own whose `Fixes:` trailer names the earlier patch marks
 * that patch's finding fixed when it changes the function the finding is about.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { StateStore } from '../../src/store/state-store.ts';
import { runScan } from '../../src/scan/scanner.ts';
import { buildScanReport } from '../../src/scan/report-data.ts';
import { renderScanReportText } from '../../src/render/scan-report.ts';
import { fixesTags } from '../../src/scan/fixes-tag.ts';
import { TestInbox, appendMbox, fixtureMails, havePublicInbox, tempDir } from './archive-helpers.ts';
import { fakeDeps } from './fake-engine.ts';

const mail = (prefix: string): Buffer => fixtureMails('archive').find((m) => m.name.startsWith(prefix))!.raw;

/** A follow-up patch in a thread of its own, changing `fn` in mm/mapping_dirty_helpers.c, with a Fixes: trailer. */
function fixMail(id: string, fn: string, fixesSubject: string): Buffer {
  return Buffer.from(
    [
      'From: Ed Fixer <ed@example.org>',
      'To: linux-mm@kvack.org',
      `Subject: [PATCH] mm/mapping_dirty_helpers: count cleaned PTEs in ${fn}()`,
      'Date: Wed, 12 Mar 2025 10:00:00 +0000',
      `Message-ID: <${id}>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      `Count what ${fn}() cleaned before the lock is dropped.`,
      '',
      `Fixes: 0123456789ab ("${fixesSubject}")`,
      'Signed-off-by: Ed Fixer <ed@example.org>',
      '---',
      'diff --git a/mm/mapping_dirty_helpers.c b/mm/mapping_dirty_helpers.c',
      'index b27f0c4d15e8..c0ffee00aa11 100644',
      '--- a/mm/mapping_dirty_helpers.c',
      '+++ b/mm/mapping_dirty_helpers.c',
      `@@ -150,7 +150,8 @@ static int ${fn}(struct vm_area_struct *vma, pmd_t *pmd,`,
      ' \t\tptent = pte_mkclean(old_pte);',
      ' \t\tptep_modify_prot_commit(vma, addr, pte, old_pte, ptent);',
      ' \t\tcw->dirty++;',
      '+\t\tcw->cleaned++;',
      ' \t} while (pte++, addr += PAGE_SIZE, addr != end);',
      ' \tpte_unmap_unlock(start_pte, ptl);',
      ' \tflush_tlb_range(vma, start, end);',
      '-- ',
      '2.43.0',
      '',
    ].join('\n'),
  );
}

const BUG_SUBJECT = 'mm/mapping_dirty_helpers: shorten the PTL hold time in wp_clean_pte_range()';

describe('scan run report', () => {
  it('reports this run only; --history reports everything', async () => {
    const dir = tempDir('run-report');
    const mbox = join(dir, 'a.mbox');
    appendMbox(mbox, [mail('010'), mail('011')]);
    const store = StateStore.open(join(dir, 'state.db'));
    const opts = { draftsDir: join(dir, 'drafts'), from: 'b <b@x>' };
    try {
      const first = await runScan([mbox], store, fakeDeps(), opts);
      const r1 = buildScanReport(store, first);
      expect(r1.series.flatMap((s) => s.patches.map((p) => p.messageId))).toEqual(['20250304091200.1201-1-ada@example.org']);
      const again = await runScan([mbox], store, fakeDeps(), opts);
      expect(again.sources[0]).toMatchObject({ newMessages: 0, seenMessages: 2 });
      const r2 = buildScanReport(store, again);
      expect(r2.series).toEqual([]);
      expect(renderScanReportText(r2)).toMatch(/nothing new reviewed in this run \(--history shows every series\)/);
      expect(buildScanReport(store, again, { history: true }).series).toHaveLength(1);
    } finally {
      store.close();
    }
  });

  it.runIf(havePublicInbox())('counts public-inbox messages read before as already seen', async () => {
    const ibx = new TestInbox();
    ibx.import([mail('010'), mail('011'), mail('050')]);
    const dir = tempDir('run-report-pi');
    const store = StateStore.open(join(dir, 'state.db'));
    try {
      await runScan([ibx.dir], store, fakeDeps(), { draftsDir: join(dir, 'drafts'), from: 'b <b@x>' });
      const again = await runScan([ibx.dir], store, fakeDeps(), { draftsDir: join(dir, 'drafts'), from: 'b <b@x>' });
      expect(again.sources[0]).toMatchObject({ newMessages: 0, seenMessages: 3 });
    } finally {
      store.close();
    }
  });

  it('a later patch with a Fixes: trailer that changes the function marks the finding fixed', async () => {
    const dir = tempDir('fixes-tag');
    const mbox = join(dir, 'a.mbox');
    appendMbox(mbox, [mail('010')]);
    const store = StateStore.open(join(dir, 'state.db'));
    const opts = { draftsDir: join(dir, 'drafts'), from: 'b <b@x>' };
    try {
      await runScan([mbox], store, fakeDeps(), opts);
      const reported = () => buildScanReport(store, { sources: [], counts: { skipped: 0, irrelevant: 0, context: 0, patch: 0, duplicate: 0, error: 0 }, problems: [], review: { reviewed: 0, superseded: 0, failed: 0, findings: 0, drafted: 0, repeats: 0, fixedNotes: 0, problems: [] } }, { history: true })
        .series.flatMap((s) => s.patches.flatMap((p) => p.findings))
        .filter((f) => f.disposition === 'reported');
      expect(reported()).toHaveLength(1);
      expect(reported()[0]!.fixedIn).toBeUndefined();
      // A Fixes: patch that changes another function does not fix it.
      appendMbox(mbox, [fixMail('other@x', 'wp_clean_pmd_entry', BUG_SUBJECT)]);
      await runScan([mbox], store, fakeDeps(), opts);
      expect(reported()[0]!.fixedIn).toBeUndefined();
      // One that changes wp_clean_pte_range() does; the run's report shows the fixed finding.
      appendMbox(mbox, [fixMail('fix@x', 'wp_clean_pte_range', BUG_SUBJECT)]);
      const run = await runScan([mbox], store, fakeDeps(), opts);
      expect(run.review.fixedNotes).toBe(1);
      expect(reported()[0]!.fixedIn).toBe('fix@x');
      const text = renderScanReportText(buildScanReport(store, run));
      expect(text).toMatch(/fixed in <fix@x>/);
    } finally {
      store.close();
    }
  });

  it('parses Fixes: trailers the kernel way', () => {
    expect(fixesTags('x\n\nFixes: 1d65b771bc08 ("mm/khugepaged: retract_page_tables() without mmap or vma lock")\nCc: a')).toEqual([
      { commit: '1d65b771bc08', lineage: expect.stringMatching(/^subject:.*retract_page_tables/) },
    ]);
    expect(fixesTags('Fixes: not-a-sha ("x")\nFixes: 12345678')).toEqual([]);
  });
});
