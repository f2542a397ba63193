/**
 * End to end: the real `mmreview scan` CLI (real sources, engine, rules, simulator) on real public-inbox v2, mbox
 * and maildir archives of the project's fixture mails. Runs once the engine's dependencies (src/sim/index.ts) exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import Database from 'better-sqlite3';
import { generateMbox } from '../../bench/scan.ts';
import { TestInbox, fixtureMails, havePublicInbox, tempDir, toMboxrd, writeMaildir } from './archive-helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
const ready = existsSync(join(ROOT, 'src/sim/index.ts')) && existsSync(join(ROOT, 'src/engine/index.ts'));

function cli(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'scan', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like `cli`, without blocking the event loop (the test's SMTP server must answer meanwhile). */
function cliAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'scan', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

function replyTargets(drafts: string): string[] {
  if (!existsSync(drafts)) return [];
  return readdirSync(drafts)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => /^In-Reply-To: <([^>]+)>/m.exec(readFileSync(join(drafts, f), 'utf8'))?.[1] ?? '')
    .sort();
}

const FLUSH_V2 = '20250304091200.1201-1-ada@example.org';
const NOTIFIER = '20250305110000.777-1-bo@example.com';
const FULLMM_FIX = '20250306083000.1-1-cy@example.org';
const FLUSH_FIX = '20250307120000.42-1-di@example.com';
const FLUSH_V3 = '20250310080000.3301-1-ada@example.org';
const MADVISE = '20250311100000.5-1-gus@example.com';

const received: string[] = [];
let smtp: SMTPServer;
let smtpPort = 0;
beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, _s, cb) {
      const c: Buffer[] = [];
      stream.on('data', (x: Buffer) => c.push(x));
      stream.on('end', () => (received.push(Buffer.concat(c).toString('utf8')), cb()));
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => smtp.close(() => r()));
});

describe.skipIf(!ready)('mmreview scan (real engine)', () => {
  it.skipIf(!havePublicInbox())('public-inbox: drafts for the bugs, none for the fixes; incremental; sends; HTML report', async () => {
    const dir = tempDir('e2e-pi');
    const ibx = new TestInbox();
    ibx.import(fixtureMails('archive').map((m) => m.raw));
    const db = join(dir, 'state.db');
    const drafts = join(dir, 'drafts');
    const html = join(dir, 'report.html');
    const r1 = cli([ibx.dir, '--db', db, '--drafts', drafts, '--format', 'json', '--report', html, '--no-progress']);
    expect(r1.stderr).toBe('');
    expect(r1.code).toBe(0);
    const targets = replyTargets(drafts);
    expect(targets).toContain(FLUSH_V2);
    expect(targets).toContain(NOTIFIER);
    expect(targets).not.toContain(FULLMM_FIX);
    expect(targets).not.toContain(FLUSH_FIX);
    const json = JSON.parse(r1.stdout);
    expect(json.schema).toBe('mmreview-scan/1');
    const page = readFileSync(html, 'utf8');
    expect(page).toContain(`https://lore.kernel.org/r/${FLUSH_V2}`);
    expect(page).not.toMatch(/<script/i);

    // nothing new the second time
    const r2 = cli([ibx.dir, '--db', db, '--drafts', drafts, '--format', 'json', '--no-progress']);
    expect(r2.code).toBe(0);
    expect(JSON.parse(r2.stdout).run.review.reviewed).toBe(0);
    expect(replyTargets(drafts)).toEqual(targets);

    // new messages: v3 of the flush patch (already reported: no new draft) and a new bug (a draft)
    ibx.import(fixtureMails('later').map((m) => m.raw));
    const r3 = await cliAsync([ibx.dir, '--db', db, '--drafts', drafts, '--format', 'json', '--no-progress', '--send', '--smtp', `smtp://127.0.0.1:${smtpPort}`]);
    expect(r3.code).toBe(0);
    const run3 = JSON.parse(r3.stdout).run;
    expect(run3.sources[0].newMessages).toBe(2);
    expect(run3.review.reviewed).toBe(2);
    const t3 = replyTargets(drafts);
    expect(t3.filter((t) => !targets.includes(t))).toEqual([MADVISE]);
    expect(t3).not.toContain(FLUSH_V3);
    // --send delivered every draft once
    expect(received.length).toBe(t3.length);
    expect(received.some((m) => m.includes(`In-Reply-To: <${MADVISE}>`))).toBe(true);

    // v4 keeps the flush under the PTL: no draft, and the finding reported on v2 is noted as fixed by v4
    ibx.import(fixtureMails('later2').map((m) => m.raw));
    const r4 = cli([ibx.dir, '--db', db, '--drafts', drafts, '--format', 'json', '--no-progress']);
    expect(r4.code).toBe(0);
    const rep4 = JSON.parse(r4.stdout);
    expect(rep4.run.review.drafted).toBe(0);
    const v2 = rep4.series.flatMap((s: { patches: unknown[] }) => s.patches).find((p: { messageId: string }) => p.messageId === FLUSH_V2);
    expect(v2.findings.find((f: { disposition: string }) => f.disposition === 'reported').fixedIn).toBe('20250317080000.4401-1-ada@example.org');
  });

  it('mbox and maildir give the same drafts', () => {
    const dir = tempDir('e2e-mbox');
    const mails = fixtureMails('archive');
    const mbox = join(dir, 'list.mbox');
    writeFileSync(mbox, toMboxrd(mails.map((m) => m.raw)));
    const md = join(dir, 'Maildir');
    writeMaildir(md, mails);
    const a = cli([mbox, '--db', join(dir, 'a.db'), '--drafts', join(dir, 'da'), '--no-progress']);
    const b = cli([md, '--db', join(dir, 'b.db'), '--drafts', join(dir, 'db'), '--no-progress']);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(replyTargets(join(dir, 'da'))).toEqual(replyTargets(join(dir, 'db')));
    expect(replyTargets(join(dir, 'da'))).toContain(FLUSH_V2);
    const da = readdirSync(join(dir, 'da')).sort();
    expect(da.map((f) => readFileSync(join(dir, 'da', f), 'utf8'))).toEqual(readdirSync(join(dir, 'db')).sort().map((f) => readFileSync(join(dir, 'db', f), 'utf8')));
    expect(a.stdout).toContain('series:');
  });

  it('exit 2 on bad usage and unreadable sources, naming them', () => {
    const dir = tempDir('e2e-bad');
    const r = cli([join(dir, 'nope.mbox'), '--db', join(dir, 's.db'), '--drafts', join(dir, 'd'), '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.mbox');
    expect(cli([join(dir, 'x'), '--format', 'xml']).code).toBe(2);
    expect(cli([join(dir, 'x'), '--send', '--db', join(dir, 's.db')], { MMREVIEW_SMTP_URL: '' }).code).toBe(2);
  });

  it('a SIGKILLed CLI scan resumes without losing or duplicating messages', async () => {
    const dir = tempDir('e2e-kill');
    const mbox = join(dir, 'big.mbox');
    const g = generateMbox(mbox, { bytes: 6 * 1048576, seed: 3 });
    const db = join(dir, 's.db');
    const args = ['--import', 'tsx', MAIN, 'scan', mbox, '--db', db, '--drafts', join(dir, 'd'), '--batch', '50', '--no-progress'];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    let killed = false;
    for (let i = 0; i < 3000 && !killed; i++) {
      await new Promise((r) => setTimeout(r, 10));
      if (child.exitCode !== null) break;
      try {
        const d = new Database(db, { readonly: true, fileMustExist: true });
        const n = (d.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
        d.close();
        if (n > 0) {
          child.kill('SIGKILL');
          killed = true;
        }
      } catch {
        /* not created yet */
      }
    }
    await exited;
    expect(killed).toBe(true);
    const r = cli([mbox, '--db', db, '--drafts', join(dir, 'd'), '--format', 'json', '--no-progress']);
    expect(r.code).toBe(0);
    const d = new Database(db, { readonly: true });
    const total = (d.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
    const distinct = (d.prepare('SELECT COUNT(DISTINCT idx) AS n FROM messages').get() as { n: number }).n;
    const pending = (d.prepare("SELECT COUNT(*) AS n FROM patches WHERE state = 'pending'").get() as { n: number }).n;
    d.close();
    expect(total).toBe(g.messages);
    expect(distinct).toBe(g.messages);
    expect(pending).toBe(0);
  });
});
