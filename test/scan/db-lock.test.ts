/**
 * One writer per state database (issue 13 item 3). Regression: two scans on one --db both ran, reviewed every
 * patch twice, split the drafts and left every finding `repeat`. Now the second exits 2 naming the holder, or waits
 * for it (--wait) and then finds nothing left to do; a lock left by a SIGKILLed scan is taken over at once.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { generateMbox } from '../../bench/scan.ts';
import { DbLockedError, StateStore } from '../../src/store/state-store.ts';
import { tempDir } from './archive-helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const WORKER = resolve(import.meta.dirname, 'lock-worker.ts');

interface Run {
  code: number | null;
  out: string;
  err: string;
  exited: Promise<void>;
  pid: number;
  kill: () => void;
}

function start(args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { cwd: ROOT });
  const run: Run = { code: null, out: '', err: '', pid: child.pid!, exited: Promise.resolve(), kill: () => child.kill('SIGKILL') };
  child.stdout.on('data', (c: Buffer) => (run.out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (run.err += c.toString()));
  run.exited = new Promise((res) => child.on('exit', (code) => ((run.code = code), res())));
  return run;
}

async function until(cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function dispositions(db: string): Record<string, number> {
  const d = new Database(db, { readonly: true });
  try {
    const rows = d.prepare('SELECT disposition, COUNT(*) AS n FROM findings GROUP BY disposition').all() as Array<{ disposition: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.disposition, r.n]));
  } finally {
    d.close();
  }
}

describe('one writer per state database', () => {
  it('in one process: a second open throws naming the holder; close releases', () => {
    const db = join(tempDir('lock1'), 'state.db');
    const a = StateStore.open(db);
    let err: unknown;
    try {
      StateStore.open(db);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DbLockedError);
    expect((err as DbLockedError).holder).toMatchObject({ pid: process.pid, host: hostname() });
    a.close();
    const b = StateStore.open(db);
    expect(b.tookOverFrom).toBeUndefined(); // a clean release leaves no record behind
    b.close();
  });

  it('two real processes: the CLI exits 2 naming the holder; a waiting scan runs after it and dispositions stay right', async () => {
    const dir = tempDir('lock2');
    const mbox = join(dir, 'list.mbox');
    const g = generateMbox(mbox, { bytes: 1 * 1048576, seed: 11 });
    expect(g.mmPatches).toBeGreaterThan(3);
    const refDb = join(dir, 'ref.db');
    const ref = start([mbox, refDb, join(dir, 'ref-drafts'), '0']);
    await ref.exited;
    expect(ref.code).toBe(0);
    const refDisp = dispositions(refDb);
    expect(refDisp.reported).toBeGreaterThan(0);

    const db = join(dir, 'state.db');
    const drafts = join(dir, 'drafts');
    const a = start([mbox, db, drafts, '0', '8000']);
    await until(() => existsSync(`${db}.lock.json`));
    // The real CLI, while A holds the database: exit 2 at once, naming A.
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin/mmreview.js'), 'scan', '--db', db, '--drafts', drafts, '--no-progress', mbox], { encoding: 'utf8', timeout: 60_000 });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain(`is in use by another scan (pid ${a.pid} on host ${hostname()}, started 20`);
    // A second scan that waits: it starts after A is done and finds nothing new.
    const b = start([mbox, db, drafts, '120000']);
    await Promise.all([a.exited, b.exited]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.out)).toEqual({ newMessages: 0, drafted: 0, waited: true });
    expect(JSON.parse(a.out).newMessages).toBe(g.messages);
    expect(dispositions(db)).toEqual(refDisp); // every finding once, `reported` — none turned into `repeat`
    expect(readdirSync(drafts).sort()).toEqual(readdirSync(join(dir, 'ref-drafts')).sort());
  }, 120_000);

  it('a lock left by a SIGKILLed scan is taken over at once, and the takeover is reported', async () => {
    const dir = tempDir('lock3');
    const mbox = join(dir, 'list.mbox');
    generateMbox(mbox, { bytes: 1 * 1048576, seed: 12 });
    const db = join(dir, 'state.db');
    const a = start([mbox, db, join(dir, 'drafts'), '0', '60000']);
    await until(() => existsSync(`${db}.lock.json`));
    a.kill();
    await a.exited;
    expect(JSON.parse(readFileSync(`${db}.lock.json`, 'utf8')).pid).toBe(a.pid); // the dead holder's record is left
    const t0 = Date.now();
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin/mmreview.js'), 'scan', '--db', db, '--drafts', join(dir, 'drafts'), '--no-progress', '--format', 'json', mbox], { encoding: 'utf8', timeout: 120_000 });
    expect(cli.status).toBe(0);
    expect(cli.stderr).toContain(`took over the lock of ${db} from a scan that ended without releasing it (pid ${a.pid} on host ${hostname()}`);
    expect(Date.now() - t0).toBeLessThan(120_000);
    expect(existsSync(`${db}.lock.json`)).toBe(false); // released cleanly this time
  }, 150_000);
});
