/** The scan channel on real mbox / maildir / public-inbox archives with the engine double: drafts, dedupe, fixes. */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateStore } from '../../src/store/state-store.ts';
import { runScan } from '../../src/scan/scanner.ts';
import { buildScanReport } from '../../src/scan/report-data.ts';
import { renderScanReportText } from '../../src/render/scan-report.ts';
import { fakeDeps } from './fake-engine.ts';
import { TestInbox, appendMbox, fixtureMails, havePublicInbox, tempDir, toMboxrd, writeMaildir } from './archive-helpers.ts';

function setup(): { dir: string; store: StateStore; drafts: string; opts: { draftsDir: string; from: string; batchSize: number } } {
  const dir = tempDir('scan');
  const store = StateStore.open(join(dir, 'state.db'));
  const drafts = join(dir, 'drafts');
  return { dir, store, drafts, opts: { draftsDir: drafts, from: 'mmreview bot <bot@example.org>', batchSize: 3 } };
}

function draftsIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
  } catch {
    return [];
  }
}

const archive = fixtureMails('archive');

/** The full incremental story on one archive kind: scan, re-scan, new version (repeat), new bug, fixed version. */
async function story(kind: 'mbox' | 'maildir' | 'public-inbox'): Promise<void> {
  const { dir, store, drafts, opts } = setup();
  const deps = fakeDeps();
  let source: string;
  let add: (m: Array<{ name: string; raw: Buffer }>) => void;
  if (kind === 'mbox') {
    source = join(dir, 'list.mbox');
    writeFileSync(source, toMboxrd(archive.map((m) => m.raw)));
    add = (m) => appendMbox(source, m.map((x) => x.raw));
  } else if (kind === 'maildir') {
    source = join(dir, 'Maildir');
    writeMaildir(source, archive);
    add = (m) => writeMaildir(source, m);
  } else {
    const ibx = new TestInbox();
    ibx.import(archive.map((m) => m.raw));
    source = ibx.dir;
    add = (m) => ibx.import(m.map((x) => x.raw));
  }

  const r1 = await runScan([source], store, deps, opts);
  expect(r1.sources[0]!.error).toBeUndefined();
  expect(r1.sources[0]!.newMessages).toBe(archive.length);
  expect(r1.counts.patch).toBeGreaterThanOrEqual(4); // flush v2, khugepaged 1+2, fullmm fix, flush fix
  expect(r1.counts.skipped + r1.counts.irrelevant).toBeGreaterThanOrEqual(2); // the cover letter / discussion / net patch
  const d1 = draftsIn(drafts);
  expect(d1).toHaveLength(1);
  const eml = readFileSync(join(drafts, d1[0]!), 'utf8');
  expect(eml).toContain('In-Reply-To: <20250304091200.1201-1-ada@example.org>');
  expect(eml).toMatch(/^Subject: Re: \[PATCH v2\] mm\/mapping_dirty_helpers/m);
  // the fix patch produced a resolved note, not a draft
  const rep1 = buildScanReport(store, r1);
  const dispositions = rep1.series.flatMap((s) => s.patches.flatMap((p) => p.findings.map((f) => `${p.messageId} ${f.disposition}`)));
  expect(dispositions).toContain('20250307120000.42-1-di@example.com resolved');
  expect(dispositions).toContain('20250304091200.1201-1-ada@example.org reported');

  // second scan of the same archive: nothing new
  const r2 = await runScan([source], store, deps, opts);
  expect(r2.sources[0]!.newMessages).toBe(0);
  expect(r2.review.reviewed).toBe(0);
  expect(draftsIn(drafts)).toEqual(d1);

  // v3 (same bug) and a new bug arrive: only they are reviewed; v3 repeats nothing, the new bug gets a draft
  add(fixtureMails('later'));
  const r3 = await runScan([source], store, deps, opts);
  expect(r3.sources[0]!.newMessages).toBe(2);
  expect(r3.review.reviewed).toBe(2);
  expect(r3.review.repeats).toBe(1);
  expect(r3.review.drafted).toBe(1);
  const d3 = draftsIn(drafts);
  expect(d3).toHaveLength(2);
  expect(d3.filter((f) => !d1.includes(f)).map((f) => readFileSync(join(drafts, f), 'utf8'))[0]).toContain('In-Reply-To: <20250311100000.5-1-gus@example.com>');

  // v4 fixes the bug: the finding reported on v2 is noted as fixed, no draft
  add(fixtureMails('later2'));
  const r4 = await runScan([source], store, deps, opts);
  expect(r4.review.reviewed).toBe(1);
  expect(r4.review.drafted).toBe(0);
  expect(r4.review.fixedNotes).toBeGreaterThanOrEqual(1);
  const rep4 = buildScanReport(store, r4);
  const v2 = rep4.series.flatMap((s) => s.patches).find((p) => p.messageId === '20250304091200.1201-1-ada@example.org')!;
  expect(v2.findings[0]!.fixedIn).toBe('20250317080000.4401-1-ada@example.org');
  expect(renderScanReportText(rep4)).toContain('fixed in <20250317080000.4401-1-ada@example.org>');
  store.close();
}

describe('scan story', () => {
  it('mbox', () => story('mbox'));
  it('maildir', () => story('maildir'));
  it.skipIf(!havePublicInbox())('public-inbox v2', () => story('public-inbox'));
});

describe('scan bookkeeping', () => {
  it('a reply quoting a patch is context; a cover letter gives the series its title', async () => {
    const { dir, store, opts } = setup();
    const mbox = join(dir, 'a.mbox');
    writeFileSync(mbox, toMboxrd(archive.map((m) => m.raw)));
    const r = await runScan([mbox], store, fakeDeps(), opts);
    const rep = buildScanReport(store, r);
    const all = rep.series.flatMap((s) => s.patches.map((p) => p.messageId));
    expect(all).not.toContain('Z8cZ1Qabc123@rev.example.net');
    const khp = rep.series.find((s) => s.root === '20250305110000.777-0-bo@example.com');
    expect(khp?.subject).toBe('[PATCH 0/2] mm/khugepaged: trim collapse overhead');
    expect(khp?.patches.map((p) => p.part)).toEqual([1, 2]);
  });

  it('the same message in two sources is reviewed once', async () => {
    const { dir, store, drafts, opts } = setup();
    const a = join(dir, 'a.mbox');
    const b = join(dir, 'Maildir');
    writeFileSync(a, toMboxrd(archive.map((m) => m.raw)));
    writeMaildir(b, archive);
    const r = await runScan([a, b], store, fakeDeps(), opts);
    expect(r.counts.duplicate).toBe(r.counts.patch);
    expect(draftsIn(drafts)).toHaveLength(1);
  });

  it('an unreadable source is reported and the others are scanned', async () => {
    const { dir, store, opts } = setup();
    const a = join(dir, 'a.mbox');
    writeFileSync(a, toMboxrd(archive.map((m) => m.raw)));
    const r = await runScan([join(dir, 'missing.mbox'), dir, a], store, fakeDeps(), opts);
    expect(r.sources[0]!.error?.code).toBe('MMR001');
    expect(r.sources[0]!.error?.message).toContain('missing.mbox');
    expect(r.sources[1]!.error?.message).toMatch(/neither a maildir/);
    expect(r.sources[2]!.newMessages).toBe(archive.length);
  });

  it('an engine crash fails the series, records it, and the scan goes on', async () => {
    const { dir, store, opts } = setup();
    const a = join(dir, 'a.mbox');
    writeFileSync(a, toMboxrd(archive.map((m) => m.raw)));
    const deps = fakeDeps();
    const real = deps.checkPatches;
    deps.checkPatches = async (ps) => {
      if (ps.some((p) => p.subject?.includes('khugepaged'))) throw new Error('boom');
      return real(ps);
    };
    const r = await runScan([a], store, deps, opts);
    expect(r.review.failed).toBe(2);
    expect(r.review.problems.some((p) => p.message.includes('boom'))).toBe(true);
    expect(r.review.drafted).toBe(1);
  });
});
