/** A scan killed (SIGKILL) at any point resumes without losing or duplicating messages, findings or drafts. */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { generateMbox } from '../../bench/scan.ts';
import { tempDir } from './archive-helpers.ts';

const WORKER = resolve(import.meta.dirname, 'kill-worker.ts');

function runWorker(args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', WORKER, ...args], { encoding: 'utf8', cwd: resolve(import.meta.dirname, '../..') });
  if (r.status !== 0) throw new Error(`worker failed: ${r.stderr}`);
  return r.stdout;
}

function count(db: string, sql: string): number {
  if (!existsSync(db)) return 0;
  try {
    const d = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return (d.prepare(sql).get() as { n: number }).n;
    } finally {
      d.close();
    }
  } catch {
    return 0;
  }
}

/** Starts the worker and SIGKILLs it as soon as `when(db)` holds. Returns true when it was killed mid-run. */
async function killWhen(args: string[], db: string, when: () => boolean): Promise<boolean> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args, 'slow'], { cwd: resolve(import.meta.dirname, '../..'), stdio: 'ignore' });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  let killed = false;
  for (;;) {
    const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10))]);
    if (done) break;
    if (when()) {
      child.kill('SIGKILL');
      killed = true;
      await exited;
      break;
    }
  }
  void db;
  return killed;
}

function snapshot(db: string, drafts: string): Record<string, unknown> {
  const d = new Database(db, { readonly: true });
  try {
    const q = (sql: string): unknown[] => d.prepare(sql).all();
    const files = existsSync(drafts) ? readdirSync(drafts).sort() : [];
    return {
      messages: q('SELECT key, idx, status, code FROM messages ORDER BY idx'),
      patches: q('SELECT pkey, state, version, lineage FROM patches ORDER BY pkey'),
      findings: q('SELECT fingerprint, pkey, disposition, fixed_in FROM findings ORDER BY fingerprint, pkey'),
      replies: q('SELECT reply_id, pkey, state FROM replies ORDER BY reply_id'),
      drafts: files.map((f) => [f, readFileSync(join(drafts, f), 'utf8')]),
    };
  } finally {
    d.close();
  }
}

describe('kill and resume', () => {
  it('resumes after SIGKILL during ingest and during review, matching an uninterrupted scan', async () => {
    const dir = tempDir('kill');
    const mbox = join(dir, 'list.mbox');
    const g = generateMbox(mbox, { bytes: 3 * 1048576, seed: 7 });
    expect(g.mmPatches).toBeGreaterThan(10);

    const refDb = join(dir, 'ref.db');
    const refDrafts = join(dir, 'ref-drafts');
    runWorker([mbox, refDb, refDrafts]);
    const ref = snapshot(refDb, refDrafts);
    expect((ref.replies as unknown[]).length).toBeGreaterThan(0);

    const db = join(dir, 'state.db');
    const drafts = join(dir, 'drafts');
    // 1. killed in the middle of ingest
    const k1 = await killWhen([mbox, db, drafts], db, () => count(db, 'SELECT COUNT(*) AS n FROM messages') > 0);
    expect(k1).toBe(true);
    const partial = count(db, 'SELECT COUNT(*) AS n FROM messages');
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(g.messages);
    // 2. killed in the middle of the review
    const k2 = await killWhen([mbox, db, drafts], db, () => count(db, 'SELECT COUNT(*) AS n FROM replies') > 0);
    expect(k2).toBe(true);
    expect(count(db, "SELECT COUNT(*) AS n FROM patches WHERE state = 'pending'")).toBeGreaterThan(0);
    // 3. the resumed run finishes the job
    const out = JSON.parse(runWorker([mbox, db, drafts])) as { newMessages: number; drafted: number };
    expect(out.newMessages).toBeLessThan(g.messages);
    expect(snapshot(db, drafts)).toEqual(ref);
    expect(readdirSync(drafts).some((f) => f.endsWith('.tmp'))).toBe(false);
    // 4. and a further run does nothing
    const again = JSON.parse(runWorker([mbox, db, drafts])) as { newMessages: number; drafted: number };
    expect(again).toEqual({ newMessages: 0, drafted: 0 });
  });
});
