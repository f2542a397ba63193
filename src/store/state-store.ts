/** Scan state in SQLite (better-sqlite3, WAL): messages seen, patches, series, findings, replies. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.ts';
import { DbLock } from './db-lock.ts';
import type { LockHolder } from './db-lock.ts';

export { DbLockedError, describeHolder } from './db-lock.ts';
export type { LockHolder } from './db-lock.ts';

export type MessageStatus = 'skipped' | 'irrelevant' | 'context' | 'patch' | 'duplicate' | 'error';
export type PatchState = 'pending' | 'reviewed' | 'superseded' | 'failed' | 'quoted';
export type Disposition = 'reported' | 'repeat' | 'resolved' | 'summary';
export type ReplyState = 'drafted' | 'sending' | 'sent' | 'send-failed';

export interface MessageRow {
  sourceId: number;
  key: string;
  idx: number;
  hash: string;
  messageId?: string;
  parent?: string;
  subject?: string;
  status: MessageStatus;
  code?: string;
  error?: string;
}

export interface PatchRow {
  pkey: string;
  seq: number;
  messageId: string;
  hash: string;
  lineage: string;
  seriesRoot: string;
  version: number;
  part: number;
  total: number;
  subject: string;
  patchJson: string;
  state: PatchState;
  error?: string;
}

export interface FindingRow {
  fingerprint: string;
  pkey: string;
  messageId: string;
  lineage: string;
  version: number;
  rule: string;
  status: string;
  disposition: Disposition;
  fixedIn?: string;
  findingJson: string;
}

export interface ReplyRow {
  replyId: string;
  inReplyTo: string;
  pkey: string;
  file: string;
  fingerprints: string;
  state: ReplyState;
  error?: string;
}

export interface SeriesRow {
  root: string;
  subject: string;
  firstSeq: number;
}

/** A database of another schema version, or not a database at all. */
export class StateStoreError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'StateStoreError';
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

function msgFromRow(r: Row): MessageRow {
  return {
    sourceId: r.source_id, key: r.key, idx: r.idx, hash: r.hash, messageId: r.message_id ?? undefined,
    parent: r.parent ?? undefined, subject: r.subject ?? undefined, status: r.status, code: r.code ?? undefined,
    error: r.error ?? undefined,
  };
}
function patchFromRow(r: Row): PatchRow {
  return {
    pkey: r.pkey, seq: r.seq, messageId: r.message_id, hash: r.hash, lineage: r.lineage, seriesRoot: r.series_root,
    version: r.version, part: r.part, total: r.total, subject: r.subject, patchJson: r.patch_json, state: r.state,
    error: r.error ?? undefined,
  };
}
function findingFromRow(r: Row): FindingRow {
  return {
    fingerprint: r.fingerprint, pkey: r.pkey, messageId: r.message_id, lineage: r.lineage, version: r.version,
    rule: r.rule, status: r.status, disposition: r.disposition, fixedIn: r.fixed_in ?? undefined,
    findingJson: r.finding_json,
  };
}
function replyFromRow(r: Row): ReplyRow {
  return {
    replyId: r.reply_id, inReplyTo: r.in_reply_to, pkey: r.pkey, file: r.file, fingerprints: r.fingerprints,
    state: r.state, error: r.error ?? undefined,
  };
}

/**
 * The scan state. All writes go through `transaction` batches; reads are plain queries. Deterministic orderings:
 * every list query has an ORDER BY.
 */
export class StateStore {
  private readonly db: Database.Database;
  private readonly st: Record<string, Database.Statement>;
  /** The writer lock held while this store is open (none for `:memory:`). */
  private lock: DbLock | undefined;

  private constructor(db: Database.Database) {
    this.db = db;
    const p = (sql: string): Database.Statement => db.prepare(sql);
    this.st = {
      sourceGet: p('SELECT id FROM sources WHERE path = ?'),
      sourceIns: p('INSERT INTO sources (kind, path) VALUES (?, ?)'),
      seen: p('SELECT 1 FROM messages WHERE source_id = ? AND key = ?'),
      keys: p('SELECT key FROM messages WHERE source_id = ?').pluck(),
      msgIns: p(`INSERT OR IGNORE INTO messages (source_id, key, idx, hash, message_id, parent, subject, status, code, error)
                 VALUES (@sourceId, @key, @idx, @hash, @messageId, @parent, @subject, @status, @code, @error)`),
      msgProblem: p('UPDATE messages SET code = ?, error = ? WHERE source_id = ? AND key = ?'),
      hasChild: p('SELECT 1 FROM messages WHERE parent = ? LIMIT 1'),
      msgByMid: p('SELECT * FROM messages WHERE message_id = ? ORDER BY source_id, idx LIMIT 1'),
      msgErrors: p('SELECT * FROM messages WHERE code IS NOT NULL ORDER BY source_id, idx'),
      msgCounts: p('SELECT status, COUNT(*) AS n FROM messages GROUP BY status ORDER BY status'),
      patchGet: p('SELECT * FROM patches WHERE pkey = ?'),
      patchByMid: p('SELECT * FROM patches WHERE message_id = ? ORDER BY pkey'),
      patchIns: p(`INSERT OR IGNORE INTO patches (pkey, seq, message_id, hash, lineage, series_root, version, part, total, subject, patch_json, state, error)
                   VALUES (@pkey, @seq, @messageId, @hash, @lineage, @seriesRoot, @version, @part, @total, @subject, @patchJson, @state, @error)`),
      patchMaxSeq: p('SELECT COALESCE(MAX(seq), 0) AS m FROM patches'),
      patchPending: p("SELECT * FROM patches WHERE state = 'pending' ORDER BY seq"),
      patchQuoted: p("SELECT * FROM patches WHERE state = 'quoted' ORDER BY seq"),
      patchAll: p('SELECT * FROM patches ORDER BY seq'),
      patchState: p('UPDATE patches SET state = ?, error = ? WHERE pkey = ?'),
      patchSeries: p('UPDATE patches SET series_root = ? WHERE pkey = ?'),
      maxReviewed: p("SELECT MAX(version) AS v FROM patches WHERE lineage = ? AND state = 'reviewed'"),
      seriesIns: p('INSERT OR IGNORE INTO series (root, subject, first_seq) VALUES (?, ?, ?)'),
      seriesAll: p('SELECT * FROM series ORDER BY first_seq'),
      findingIns: p(`INSERT OR REPLACE INTO findings (fingerprint, pkey, message_id, lineage, version, rule, status, disposition, fixed_in, finding_json)
                     VALUES (@fingerprint, @pkey, @messageId, @lineage, @version, @rule, @status, @disposition, @fixedIn, @findingJson)`),
      findingReported: p("SELECT * FROM findings WHERE fingerprint = ? AND disposition = 'reported' ORDER BY version, pkey LIMIT 1"),
      findingsOpenInLineage: p(
        "SELECT * FROM findings WHERE lineage = ? AND disposition = 'reported' AND fixed_in IS NULL AND version < ? ORDER BY version, pkey, fingerprint",
      ),
      findingFixed: p("UPDATE findings SET fixed_in = ? WHERE fingerprint = ? AND disposition = 'reported' AND fixed_in IS NULL"),
      findingsOfPatch: p('SELECT * FROM findings WHERE pkey = ? ORDER BY fingerprint'),
      findingsFixedBy: p('SELECT * FROM findings WHERE fixed_in = ? ORDER BY version, pkey, fingerprint'),
      replyIns: p(`INSERT OR REPLACE INTO replies (reply_id, in_reply_to, pkey, file, fingerprints, state, error)
                   VALUES (@replyId, @inReplyTo, @pkey, @file, @fingerprints, @state, @error)`),
      replyGet: p('SELECT * FROM replies WHERE reply_id = ?'),
      replyState: p('UPDATE replies SET state = ?, error = ? WHERE reply_id = ?'),
      repliesAll: p('SELECT * FROM replies ORDER BY pkey, reply_id'),
      repliesOfPatch: p('SELECT * FROM replies WHERE pkey = ? ORDER BY reply_id'),
      metaGet: p('SELECT value FROM meta WHERE key = ?'),
      metaSet: p('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      metaDel: p('DELETE FROM meta WHERE key = ?'),
    };
  }

  /**
   * Opens (creating when absent) the state database at `file` (`:memory:` works too) as its only writer: throws
   * DbLockedError naming the holder (pid, host, start time) when another process (or store) has it open. A lock
   * left by a killed process is taken over at once (see db-lock.ts).
   */
  static open(file: string): StateStore {
    if (file === ':memory:') return StateStore.openUnlocked(file);
    mkdirSync(dirname(file), { recursive: true });
    return StateStore.withLock(file, DbLock.acquire(file));
  }

  /** Like `open`, but waits up to `waitMs` for the current writer to finish (`onWait` is told once whom it waits for). */
  static async openWaiting(file: string, waitMs: number, onWait?: (holder: LockHolder | undefined) => void): Promise<StateStore> {
    if (file === ':memory:') return StateStore.openUnlocked(file);
    mkdirSync(dirname(file), { recursive: true });
    return StateStore.withLock(file, await DbLock.acquireWaiting(file, waitMs, onWait));
  }

  private static withLock(file: string, lock: DbLock): StateStore {
    try {
      const store = StateStore.openUnlocked(file);
      store.lock = lock;
      return store;
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /** The record of a writer that died holding the lock, when this store took it over (informational). */
  get tookOverFrom(): LockHolder | undefined {
    return this.lock?.tookOverFrom;
  }

  private static openUnlocked(file: string): StateStore {
    let db: Database.Database;
    try {
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      db.exec(SCHEMA_SQL);
    } catch (e) {
      throw new StateStoreError(file, `cannot open state database: ${(e as Error).message}`);
    }
    const row = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined;
    if (!row) db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(String(SCHEMA_VERSION));
    else if (row.value !== String(SCHEMA_VERSION)) {
      db.close();
      throw new StateStoreError(file, `schema version ${row.value}, expected ${SCHEMA_VERSION}`);
    }
    return new StateStore(db);
  }

  close(): void {
    this.db.close();
    this.lock?.release();
    this.lock = undefined;
  }

  /** Runs `fn` in one transaction (committed when it returns, rolled back when it throws). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** The id of a source, created on first use. */
  sourceId(kind: string, path: string): number {
    const r = this.st.sourceGet!.get(path) as Row | undefined;
    if (r) return r.id as number;
    return Number(this.st.sourceIns!.run(kind, path).lastInsertRowid);
  }

  isSeen(sourceId: number, key: string): boolean {
    return this.st.seen!.get(sourceId, key) !== undefined;
  }

  /** Every key seen for a source (used to skip known public-inbox commits without reading them). */
  seenKeys(sourceId: number): Set<string> {
    // pluck(): each row is its key string, no row object per message; all() fetches them in one call (iterate()
    // crosses into SQLite once per row, several times slower on an archive of 100,000 messages)
    return new Set(this.st.keys!.all(sourceId) as string[]);
  }

  /** Records a message; a second record of the same source + key is ignored. */
  addMessage(m: MessageRow): void {
    this.st.msgIns!.run({
      sourceId: m.sourceId, key: m.key, idx: m.idx, hash: m.hash, messageId: m.messageId ?? null,
      parent: m.parent ?? null, subject: m.subject ?? null, status: m.status, code: m.code ?? null, error: m.error ?? null,
    });
  }

  /** Records a problem on an already recorded message. */
  setMessageProblem(sourceId: number, key: string, code: string, error: string): void {
    this.st.msgProblem!.run(code, error, sourceId, key);
  }

  /** True when some recorded message names this Message-ID as its parent (a reply arrived before it). */
  hasReplies(messageId: string): boolean {
    return this.st.hasChild!.get(messageId) !== undefined;
  }

  /** The first message recorded with this Message-ID (any source). */
  messageById(messageId: string): MessageRow | undefined {
    const r = this.st.msgByMid!.get(messageId) as Row | undefined;
    return r ? msgFromRow(r) : undefined;
  }

  /** Messages with a recorded problem (errors, reused Message-IDs, reference loops, parse problems). */
  messageErrors(): MessageRow[] {
    return (this.st.msgErrors!.all() as Row[]).map(msgFromRow);
  }

  /** Count of messages per status. */
  messageCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.st.msgCounts!.all() as Row[]) out[r.status as string] = r.n as number;
    return out;
  }

  nextPatchSeq(): number {
    return ((this.st.patchMaxSeq!.get() as Row).m as number) + 1;
  }

  getPatch(pkey: string): PatchRow | undefined {
    const r = this.st.patchGet!.get(pkey) as Row | undefined;
    return r ? patchFromRow(r) : undefined;
  }

  patchesByMessageId(messageId: string): PatchRow[] {
    return (this.st.patchByMid!.all(messageId) as Row[]).map(patchFromRow);
  }

  /** Adds a patch; returns false when a patch with that key already exists. */
  addPatch(p: PatchRow): boolean {
    return this.st.patchIns!.run({ ...p, error: p.error ?? null }).changes > 0;
  }

  /** Diffs quoted in replies, not yet matched to the patch they quote (see review.ts). */
  quotedPatches(): PatchRow[] {
    return (this.st.patchQuoted!.all() as Row[]).map(patchFromRow);
  }

  pendingPatches(): PatchRow[] {
    return (this.st.patchPending!.all() as Row[]).map(patchFromRow);
  }

  allPatches(): PatchRow[] {
    return (this.st.patchAll!.all() as Row[]).map(patchFromRow);
  }

  setPatchState(pkey: string, state: PatchState, error?: string): void {
    this.st.patchState!.run(state, error ?? null, pkey);
  }

  setPatchSeries(pkey: string, root: string): void {
    this.st.patchSeries!.run(root, pkey);
  }

  /** Highest reviewed version of a patch lineage, or 0. */
  maxReviewedVersion(lineage: string): number {
    return ((this.st.maxReviewed!.get(lineage) as Row).v as number | null) ?? 0;
  }

  addSeries(root: string, subject: string, firstSeq: number): void {
    this.st.seriesIns!.run(root, subject, firstSeq);
  }

  allSeries(): SeriesRow[] {
    return (this.st.seriesAll!.all() as Row[]).map((r) => ({ root: r.root, subject: r.subject, firstSeq: r.first_seq }));
  }

  addFinding(f: FindingRow): void {
    this.st.findingIns!.run({ ...f, fixedIn: f.fixedIn ?? null });
  }

  /** The first reported finding with this fingerprint, if any. */
  reportedFinding(fingerprint: string): FindingRow | undefined {
    const r = this.st.findingReported!.get(fingerprint) as Row | undefined;
    return r ? findingFromRow(r) : undefined;
  }

  /** Reported, not yet fixed findings of earlier versions of a lineage. */
  openFindings(lineage: string, beforeVersion: number): FindingRow[] {
    return (this.st.findingsOpenInLineage!.all(lineage, beforeVersion) as Row[]).map(findingFromRow);
  }

  /** Marks reported findings with this fingerprint as fixed by a patch. */
  markFixed(fingerprint: string, fixedIn: string): void {
    this.st.findingFixed!.run(fixedIn, fingerprint);
  }

  findingsOfPatch(pkey: string): FindingRow[] {
    return (this.st.findingsOfPatch!.all(pkey) as Row[]).map(findingFromRow);
  }

  /** Findings a patch (by pkey) was recorded as fixing. */
  findingsFixedBy(pkey: string): FindingRow[] {
    return (this.st.findingsFixedBy!.all(pkey) as Row[]).map(findingFromRow);
  }

  addReply(r: ReplyRow): void {
    this.st.replyIns!.run({ ...r, error: r.error ?? null });
  }

  getReply(replyId: string): ReplyRow | undefined {
    const r = this.st.replyGet!.get(replyId) as Row | undefined;
    return r ? replyFromRow(r) : undefined;
  }

  setReplyState(replyId: string, state: ReplyState, error?: string): void {
    this.st.replyState!.run(state, error ?? null, replyId);
  }

  allReplies(): ReplyRow[] {
    return (this.st.repliesAll!.all() as Row[]).map(replyFromRow);
  }

  /** A small named value kept with the state (watch cursors, arrival times); `schema` is reserved. */
  getMeta(key: string): string | undefined {
    return (this.st.metaGet!.get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    if (key === 'schema') throw new Error('meta key "schema" is reserved');
    this.st.metaSet!.run(key, value);
  }

  deleteMeta(key: string): void {
    if (key !== 'schema') this.st.metaDel!.run(key);
  }

  repliesOfPatch(pkey: string): ReplyRow[] {
    return (this.st.repliesOfPatch!.all(pkey) as Row[]).map(replyFromRow);
  }
}
