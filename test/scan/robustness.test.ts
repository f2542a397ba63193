/** Bad mail never stops a scan: each gets a recorded per-message problem, the good patches are still reviewed. */
import { describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateStore } from '../../src/store/state-store.ts';
import { runScan } from '../../src/scan/scanner.ts';
import { classifyMessage } from '../../src/scan/classify.ts';
import { buildScanReport } from '../../src/scan/report-data.ts';
import { renderScanReportJson } from '../../src/render/scan-report.ts';
import { fakeDeps } from './fake-engine.ts';
import { fixtureMails, tempDir, toMboxrd } from './archive-helpers.ts';

function junk(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x & 0xff;
  }
  return b;
}

function enormous(): Buffer {
  const head = `From: big@example.org\nTo: linux-mm@kvack.org\nSubject: [PATCH] mm: huge attachment\nMessage-ID: <huge-1@example.org>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\ndiff --git a/mm/memory.c b/mm/memory.c\n--b\nContent-Type: application/octet-stream; name="core.bin"\nContent-Transfer-Encoding: base64\n\n`;
  const line = `${'QUJDRA'.repeat(12)}\n`;
  return Buffer.concat([Buffer.from(head), Buffer.from(line.repeat(Math.ceil((40 * 1048576) / line.length))), Buffer.from('--b--\n')]);
}

describe('robustness', () => {
  it('records a problem per bad message and still drafts for the good patch', async () => {
    const dir = tempDir('robust');
    const store = StateStore.open(join(dir, 'state.db'));
    const mbox = join(dir, 'bad.mbox');
    const good = fixtureMails('archive').find((m) => m.name.startsWith('010'))!;
    const broken = fixtureMails('broken');
    writeFileSync(mbox, toMboxrd([good.raw, ...broken.map((m) => m.raw), junk(5000)]));
    appendFileSync(mbox, toMboxrd([enormous()]));
    // a last message cut off in the middle of its headers
    appendFileSync(mbox, 'From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: cut@example.org\nSubject: [PATCH] mm: cut');
    const drafts = join(dir, 'drafts');
    const r = await runScan([mbox], store, fakeDeps(), { draftsDir: drafts, from: 'bot <bot@example.org>' });
    expect(r.sources[0]!.error).toBeUndefined();
    expect(r.sources[0]!.newMessages).toBe(broken.length + 4);
    const problems = r.problems.map((p) => p.message).join('\n');
    expect(problems).toMatch(/missing Message-ID/);
    expect(problems).toMatch(/reused with different content/);
    expect(problems).toMatch(/reference loop/);
    expect(problems).toMatch(/binary content/);
    expect(problems).toMatch(/too large/);
    expect(problems).toMatch(/MIME|boundary/i);
    expect(readdirSync(drafts)).toHaveLength(1);
    // the report carries the problems too, and JSON round-trips
    const rep = JSON.parse(renderScanReportJson(buildScanReport(store, r)));
    expect(rep.messageProblems.length).toBeGreaterThanOrEqual(5);
    // re-scan: the bad messages are not re-processed
    const r2 = await runScan([mbox], store, fakeDeps(), { draftsDir: drafts, from: 'bot <bot@example.org>' });
    expect(r2.sources[0]!.newMessages).toBe(0);
    expect(r2.problems).toHaveLength(0);
    store.close();
  });

  it('the skip path never parses a message without a diff or outside mm', async () => {
    let parsed = 0;
    const deps = fakeDeps();
    const real = deps.parseMessage;
    deps.parseMessage = async (raw, src) => {
      parsed++;
      return real(raw, src);
    };
    const src = { kind: 'mbox' as const, name: 'x' };
    const discussion = fixtureMails('archive').find((m) => m.name.startsWith('060'))!;
    const net = fixtureMails('archive').find((m) => m.name.startsWith('050'))!;
    expect((await classifyMessage(discussion.raw, { idx: 0, source: src }, deps)).status).toBe('skipped');
    expect((await classifyMessage(net.raw, { idx: 1, source: src }, deps)).status).toBe('irrelevant');
    expect(parsed).toBe(0);
    const bug = fixtureMails('archive').find((m) => m.name.startsWith('010'))!;
    expect((await classifyMessage(bug.raw, { idx: 2, source: src }, deps)).status).toBe('patch');
    expect(parsed).toBe(1);
  });

  it('a parser that throws becomes a per-message error', async () => {
    const deps = fakeDeps({ parseMessage: async () => { throw new Error('parser exploded'); } });
    const bug = fixtureMails('archive').find((m) => m.name.startsWith('010'))!;
    const c = await classifyMessage(bug.raw, { idx: 0, source: { kind: 'mbox', name: 'x' } }, deps);
    expect(c.status).toBe('error');
    expect(c.error).toContain('parser exploded');
  });
});
