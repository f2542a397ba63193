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
import { PATCH, QUOTED_FRAGMENT, replyQuoting } from '../helpers/quoted-thread.ts';


const REPLY = replyQuoting(QUOTED_FRAGMENT);

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
