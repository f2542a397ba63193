/** The reply renderer on constructed patches and findings: headers, quoting, wrapping, encoding, determinism. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.ts';
import type { Patch } from '../../src/core/patch.ts';
import { renderMailReply, wrapText, parseAddressList, rfc5322Date } from '../../src/render/mail-reply.ts';
import { escapeHtml } from '../../src/render/escape-html.ts';
import { loreUrl, renderHtmlReport } from '../../src/render/html-report.ts';
import type { ScanReport } from '../../src/scan/report-data.ts';
import { FAKE_TRACE, fakeRenderTable } from './fake-engine.ts';

const ctx = (n: number, text: string): Patch['files'][0]['hunks'][0]['lines'][0] => ({ type: 'ctx', text, oldLine: n, newLine: n });

function patch(): Patch {
  const lines = [
    ...Array.from({ length: 12 }, (_, i) => ctx(100 + i, `\tline_${i}();`)),
    { type: 'del' as const, text: '\tflush_tlb_range(vma, start, end);', oldLine: 112 },
    { type: 'ctx' as const, text: '\tpte_unmap_unlock(start_pte, ptl);', oldLine: 113, newLine: 112 },
    { type: 'add' as const, text: '\tflush_tlb_range(vma, start, end);', newLine: 113 },
    ...Array.from({ length: 8 }, (_, i) => ({ type: 'ctx' as const, text: `\ttail_${i}();`, oldLine: 114 + i, newLine: 114 + i })),
  ];
  return {
    id: 'p1', source: { kind: 'mail', name: 'x.eml' }, subject: '[PATCH v2 3/5] mm: move the flush', messageId: 'abc@example.org',
    references: ['cover@example.org'], from: 'Jörg Ümlaut <joerg@example.org>', to: ['linux-mm@kvack.org', 'bot@example.org'],
    cc: ['"Morton, Andrew" <akpm@linux-foundation.org>, linux-kernel@vger.kernel.org', 'JOERG@example.org'], date: '2025-03-04T09:12:00.000Z',
    quoted: false, quoteDepth: 0, damaged: false, damage: [], cover: false,
    files: [{ oldPath: 'mm/x.c', newPath: 'mm/x.c', status: 'modified', binary: false, hunks: [{ oldStart: 100, oldLines: 22, newStart: 100, newLines: 22, header: 'static int f(void)', lines }] }],
  };
}

function finding(over: Partial<Finding> = {}): Finding {
  return {
    fingerprint: 'fp1', rule: 'flush-under-ptl', severity: 'error', status: 'confirmed', introduced: true, fixed: false,
    path: 'mm/x.c', line: 113, side: 'RIGHT', function: 'f',
    message: 'The PTEs are cleaned under the PTL but the TLB flush now happens after pte_unmap_unlock(), so another CPU can keep writing through a stale writable TLB entry and the write is lost when the page is cleaned.',
    patch: { id: 'p1', messageId: 'abc@example.org' },
    related: [{ path: 'mm/x.c', line: 112, side: 'RIGHT', message: 'PTL dropped here' }],
    simulation: { arch: 'x86', verdict: 'violation', states: 10, transitions: 12, ms: 1, trace: FAKE_TRACE },
    ...over,
  };
}

describe('renderMailReply', () => {
  it('replies to all, threads, and quotes only the commented part of the hunk', () => {
    const r = renderMailReply({ patch: patch(), findings: [finding()], from: 'mmreview <bot@example.org>', renderTable: fakeRenderTable });
    const head = r.eml.split('\r\n\r\n')[0]!;
    expect(head).toMatch(/^Subject: Re: \[PATCH v2 3\/5\] mm: move the flush$/m);
    expect(head).toMatch(/^In-Reply-To: <abc@example\.org>$/m);
    expect(head).toContain('References: <cover@example.org> <abc@example.org>'); // folded by MailComposer when long
    expect(head).toMatch(/^To: =\?UTF-8\?B\?[^?]+\?= <joerg@example\.org>$/m);
    expect(head).toContain('"Morton, Andrew" <akpm@linux-foundation.org>');
    expect(head).not.toMatch(/^Cc:.*bot@example\.org/m); // never to ourselves
    expect(r.recipients.filter((a) => a === 'joerg@example.org')).toHaveLength(1); // case-insensitive dedupe
    expect(head).toMatch(/^Date: Tue, 04 Mar 2025 09:12:00 \+0000$/m);
    expect(head).toMatch(/^Message-ID: <mmreview-[0-9a-f]{24}@example\.org>$/m);
    const body = r.body.split('\n');
    expect(body).toContain('> @@ -100,22 +100,22 @@ static int f(void)');
    expect(body).toContain('> +\tflush_tlb_range(vma, start, end);');
    expect(body).toContain('[ ... ]');
    expect(body).not.toContain('>  \tline_0();'); // far-away context elided
    expect(body).not.toContain('>  \ttail_7();');
    expect(r.body).toContain('CPU0 (kernel)');
    expect(r.body).toMatch(/reply to this mail and say why/);
    // prose is wrapped at 72; only quoted code and the table may be longer
    for (const l of body) if (!l.startsWith('>') && !l.includes('CPU')) expect(l.length).toBeLessThanOrEqual(72);
  });

  it('is deterministic and its Message-ID depends on the findings', () => {
    const a = renderMailReply({ patch: patch(), findings: [finding()], from: 'mmreview <bot@example.org>', renderTable: fakeRenderTable });
    const b = renderMailReply({ patch: patch(), findings: [finding()], from: 'mmreview <bot@example.org>', renderTable: fakeRenderTable });
    expect(b.eml).toBe(a.eml);
    expect(b.fileName).toBe(a.fileName);
    const c = renderMailReply({ patch: patch(), findings: [finding({ fingerprint: 'fp2' })], from: 'mmreview <bot@example.org>', renderTable: fakeRenderTable });
    expect(c.messageId).not.toBe(a.messageId);
  });

  it('orders several findings and lists all fingerprints in the footer', () => {
    const r = renderMailReply({
      patch: patch(),
      findings: [finding({ fingerprint: 'zz', line: 113 }), finding({ fingerprint: 'aa', line: 105, message: 'Second.' })],
      from: 'mmreview <bot@example.org>', renderTable: fakeRenderTable,
    });
    expect(r.body.indexOf('Second.')).toBeLessThan(r.body.indexOf('The PTEs are cleaned'));
    expect(r.body).toContain('mmreview-fingerprints: aa zz');
  });
});

describe('helpers', () => {
  it('wraps words at 72 and keeps long words whole', () => {
    const lines = wrapText(`${'word '.repeat(40)}${'x'.repeat(90)}`);
    expect(lines.every((l) => l.length <= 72 || !l.includes(' '))).toBe(true);
    expect(lines[lines.length - 1]).toBe('x'.repeat(90));
  });
  it('parses address lists with quoted commas', () => {
    expect(parseAddressList('"A, B" <ab@x.org>, c@y.org').map((a) => a.address)).toEqual(['ab@x.org', 'c@y.org']);
  });
  it('formats RFC 5322 dates and rejects garbage', () => {
    expect(rfc5322Date('Mon, 10 Mar 2025 09:00:00 +0100')).toBe('Mon, 10 Mar 2025 08:00:00 +0000');
    expect(rfc5322Date('not a date')).toBeUndefined();
  });
});

describe('renderHtmlReport', () => {
  it('escapes everything and links messages to lore', () => {
    const evil = '<script>alert("x")</script>';
    const report: ScanReport = {
      tool: 'mmreview', version: '0', schema: 'mmreview-scan/1',
      run: { sources: [{ path: evil, newMessages: 1, seenMessages: 0, bytes: 1 }], counts: { skipped: 0, irrelevant: 0, context: 0, patch: 1, duplicate: 0, error: 0 }, problems: [], review: { reviewed: 1, superseded: 0, failed: 0, findings: 1, drafted: 1, repeats: 0, fixedNotes: 0, problems: [] } },
      totals: { patch: 1 },
      series: [{ root: 'r@x', subject: evil, patches: [{ messageId: 'a+b@x', subject: evil, version: 1, part: 1, total: 1, state: 'reviewed', replies: [], findings: [{ fingerprint: 'f', rule: 'flush-under-ptl', severity: 'error', status: 'confirmed', disposition: 'reported', introduced: true, fixed: false, path: 'mm/x.c', line: 1, function: 'f', message: evil, trace: { ...FAKE_TRACE, threads: [evil, 'CPU1'] } }] }] }],
      messageProblems: [{ index: 0, code: 'MMR004', message: evil }],
      history: true,
    };
    const html = renderHtmlReport(report, { renderTable: fakeRenderTable });
    expect(html).not.toContain('<script>');
    expect(html).toContain(escapeHtml(evil));
    expect(html).toContain(`href="${loreUrl('a+b@x')}"`);
    expect(loreUrl('<a+b@x>')).toBe('https://lore.kernel.org/r/a%2Bb@x');
  });
});
