/**
 * The HTML scan report in a real browser (Debian's Chromium driven by playwright-core): the summary and contents
 * are there, the CPU table is visible at full width without clipping, and the page has no horizontal overflow at
 * 1280 px. The screenshot is kept as an artefact (.artifacts/html-report.png). Runs when Chromium is installed;
 * under CI (.ci/run installs it) its absence is a failure, not a skip.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/core/finding.ts';
import { renderHtmlReport } from '../../src/render/html-report.ts';
import type { ScanReport } from '../../src/scan/report-data.ts';
import { renderTable } from '../../src/sim/render-table.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!CHROMIUM && process.env.CI) throw new Error('chromium is not installed: .ci/run must install it for the report browser test');

const trace: Trace = {
  threads: ['CPU0 (dirty_track_pte_range)', 'CPU1 (userspace)', 'CPU2 (page writeback)'],
  steps: [
    { thread: 1, action: 'cache PTE in TLB' },
    { thread: 0, action: 'pte_offset_map_lock()', source: { path: 'mm/dirty_track.c', line: 25, text: 'pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl)' } },
    { thread: 0, action: 'ptep_modify_prot_commit()', note: 'PTE write-protected, CPU1 TLB still writable', source: { path: 'mm/dirty_track.c', line: 35 } },
    { thread: 0, action: 'pte_unmap_unlock()', source: { path: 'mm/dirty_track.c', line: 39 } },
    { thread: 2, action: 'page_mkclean_one()', note: '!pte_dirty && !pte_write && !mm_tlb_flush_pending: no flush' },
    { thread: 2, action: 'write page to disk' },
    { thread: 1, action: 'Write to page', note: 'using stale TLB entry' },
    { thread: 2, action: 'drop clean page', violation: 'no-lost-write' },
  ],
  summary: 'A user store was lost: the page was dropped as clean, or replaced, without it.',
};

function report(): ScanReport {
  const finding = (over: Partial<ScanReport['series'][0]['patches'][0]['findings'][0]>) => ({
    fingerprint: 'f1', rule: 'flush-under-ptl', severity: 'error', status: 'confirmed', disposition: 'reported', introduced: true, fixed: false,
    path: 'mm/dirty_track.c', line: 41, function: 'dirty_track_pte_range',
    message: 'ptep_modify_prot_commit() write-protects a PTE under the page-table lock, but pte_unmap_unlock() releases the lock before flush_tlb_range(): another CPU can keep using the stale TLB entry in between.',
    arch: 'x86', trace, ...over,
  });
  return {
    tool: 'mmreview', version: '0.1.0', schema: 'mmreview-scan/1',
    run: { sources: [{ path: '/srv/inbox/linux-mm', kind: 'public-inbox', newMessages: 12, seenMessages: 40, bytes: 1 }], counts: { skipped: 0, irrelevant: 9, context: 1, patch: 2, duplicate: 0, error: 0 }, problems: [], review: { reviewed: 2, superseded: 0, failed: 0, findings: 2, drafted: 1, repeats: 0, fixedNotes: 1, problems: [] } },
    totals: { patch: 2, context: 1, irrelevant: 49 },
    series: [
      { root: 'cover@x', subject: '[PATCH 0/2] mm: batch dirty tracking flushes', patches: [
        { messageId: 'p1@x', subject: '[PATCH 1/2] mm: batch dirty tracking flushes', version: 1, part: 1, total: 2, state: 'reviewed', replies: [{ replyId: 'r1@x', file: 'drafts/r1.eml', state: 'drafted' }], findings: [finding({})] },
      ] },
      { root: 'fix@x', subject: '[PATCH] mm: flush before handing the dirty bit over', patches: [
        { messageId: 'fix@x', subject: '[PATCH] mm: flush before handing the dirty bit over', version: 1, part: 1, total: 1, state: 'reviewed', replies: [], findings: [finding({ fingerprint: 'f2', introduced: false, fixed: true, disposition: 'summary' })] },
      ] },
    ],
    messageProblems: [],
    history: false,
  };
}

describe.runIf(CHROMIUM)('HTML report in Chromium', () => {
  it('shows the summary, the contents and the full CPU table without overflow at 1280 px', async () => {
    const { chromium } = await import('playwright-core');
    const html = renderHtmlReport(report(), { renderTable, archiveUrl: 'https://inbox.example.org/linux-mm/' });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.setContent(html, { waitUntil: 'load' });
      expect(await page.locator('#summary').isVisible()).toBe(true);
      expect(await page.locator('nav ol li').count()).toBe(2);
      // links go to the configured archive
      expect(await page.locator('a[href="https://inbox.example.org/linux-mm/p1@x"]').count()).toBe(1);
      // no horizontal overflow of the page
      const overflow = await page.locator('html').evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // the CPU table is visible and shown whole: its box is as wide as its content (no clipping, no scrollbar)
      const pre = page.locator('pre').first();
      expect(await pre.isVisible()).toBe(true);
      const clip = await pre.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      expect(clip.scroll).toBeLessThanOrEqual(clip.client);
      expect(await pre.innerText()).toContain('[VIOLATION: no-lost-write]');
      // only the finding that needs an answer is marked; the fix is a plain note without a table
      expect(await page.locator('.finding.attention').count()).toBe(1);
      expect(await page.locator('pre').count()).toBe(1);
      const out = join(import.meta.dirname, '../../.artifacts');
      mkdirSync(out, { recursive: true });
      await page.screenshot({ path: join(out, 'html-report.png'), fullPage: true });
      expect(existsSync(join(out, 'html-report.png'))).toBe(true);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
