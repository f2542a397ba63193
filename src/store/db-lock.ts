/**
 * One writer per state database. The lock is an OS file lock held by SQLite on a companion file `<db>.lock`
 * (a connection in EXCLUSIVE locking mode that has written once keeps its exclusive lock until it is closed). The
 * kernel drops the lock when the holder exits, however it exits, so a lock left by a killed scan is never stale:
 * the next scan takes it at once. Who holds it (pid, host, start time) is written beside it in `<db>.lock.json`;
 * that file is informational only (it may name a dead holder, which is then reported as such).
 */
import Database from 'better-sqlite3';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who holds (or last held) a database lock. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO 8601 time the holder took the lock. */
  started: string;
}

/** The database is locked by another writer. */
export class DbLockedError extends Error {
  constructor(
    readonly file: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(`${file} is in use by another scan (${describeHolder(holder)})`);
    this.name = 'DbLockedError';
  }
}

/** `pid 123 on host h, started 2026-...`, or what is known of it. */
export function describeHolder(h: LockHolder | undefined): string {
  if (!h) return 'holder unknown';
  return `pid ${h.pid} on host ${h.host}, started ${h.started}`;
}

function lockPaths(dbFile: string): { lock: string; info: string } {
  return { lock: `${dbFile}.lock`, info: `${dbFile}.lock.json` };
}

/** The holder recorded beside the lock, if any (it may be a dead process's record). */
export function readHolder(dbFile: string): LockHolder | undefined {
  try {
    const j = JSON.parse(readFileSync(lockPaths(dbFile).info, 'utf8')) as Partial<LockHolder>;
    if (typeof j.pid === 'number' && typeof j.host === 'string' && typeof j.started === 'string') return { pid: j.pid, host: j.host, started: j.started };
  } catch {
    /* absent or unreadable: unknown */
  }
  return undefined;
}

/** A held lock; `release()` (or process exit) lets the next writer in. */
export class DbLock {
  private constructor(
    private readonly db: Database.Database,
    private readonly info: string,
    readonly holder: LockHolder,
    /** The record of a previous holder that had died without releasing (informational). */
    readonly tookOverFrom: LockHolder | undefined,
  ) {}

  /** Takes the lock of `dbFile` now, or throws DbLockedError naming the holder. `:memory:` needs no lock. */
  static acquire(dbFile: string): DbLock {
    const { lock, info } = lockPaths(dbFile);
    const db = new Database(lock, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('CREATE TABLE IF NOT EXISTS lock (n INTEGER)');
      db.exec('BEGIN EXCLUSIVE; DELETE FROM lock; INSERT INTO lock (n) VALUES (1); COMMIT');
    } catch (e) {
      db.close();
      const code = (e as { code?: string }).code ?? '';
      if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) throw new DbLockedError(dbFile, readHolder(dbFile));
      throw e;
    }
    // We hold the OS lock: any record left is a dead holder's (the kernel released its lock).
    const previous = readHolder(dbFile);
    const holder: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
    const tmp = `${info}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(holder)}\n`);
    renameSync(tmp, info);
    return new DbLock(db, info, holder, previous);
  }

  /**
   * Takes the lock, waiting up to `waitMs` (polling) when another writer holds it; `onWait` is told once who is
   * being waited for. Throws DbLockedError when the time is up.
   */
  static async acquireWaiting(dbFile: string, waitMs: number, onWait?: (holder: LockHolder | undefined) => void, pollMs = 200): Promise<DbLock> {
    const deadline = Date.now() + waitMs;
    let told = false;
    for (;;) {
      try {
        return DbLock.acquire(dbFile);
      } catch (e) {
        if (!(e instanceof DbLockedError) || Date.now() >= deadline) throw e;
        if (!told) onWait?.(e.holder);
        told = true;
        await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(1, deadline - Date.now()))));
      }
    }
  }

  /** Releases the lock; the holder record is removed first (only if it is still ours). */
  release(): void {
    if (!this.db.open) return;
    try {
      const now = JSON.parse(readFileSync(this.info, 'utf8')) as Partial<LockHolder>;
      if (now.pid === this.holder.pid && now.started === this.holder.started) unlinkSync(this.info);
    } catch {
      /* already gone */
    }
    this.db.close();
  }
}
