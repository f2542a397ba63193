/** The archive scan: read sources incrementally, classify messages, commit them in batches, then review. */
import { existsSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Patch, PatchSource } from '../core/patch.ts';
import { readPublicInbox, isPublicInbox } from '../sources/public-inbox.ts';
import type { MessageStatus, StateStore } from '../store/state-store.ts';
import { classifyMessage, contentHash, type Classified } from './classify.ts';
import type { ScanDeps } from './deps.ts';
import { lineageKey, threadRoot } from './lineage.ts';
import { loadCheckpoint, nextCheckpoint, saveCheckpoint, verifyCheckpoint } from './mbox-checkpoint.ts';
import type { MboxStart } from '../sources/mbox.ts';
import { reviewPending, type ReviewOptions, type ReviewStats } from './review.ts';

export type SourceKind = 'mbox' | 'maildir' | 'public-inbox';

/** Progress of the ingest phase, reported after each message. */
export interface ScanProgress {
  source: string;
  messages: number;
  bytes: number;
  /** Total bytes of the source when known (mbox), for an ETA. */
  totalBytes?: number;
  /** Total messages when known (maildir). */
  totalMessages?: number;
}

export interface ScanOptions extends ReviewOptions {
  /** Messages per transaction (default 5000: fewer rewrites of the same index pages, a few MB re-read on resume). */
  batchSize?: number;
  onProgress?: (p: ScanProgress) => void;
  /** Skip the review phase (ingest only). */
  noReview?: boolean;
  /**
   * Per-epoch cursors of public-inbox sources (`watch`): the last commit already committed to the state. Only later
   * commits are listed; a cursor moves only after every message up to it is in the database.
   */
  cursor?: {
    get(path: string, epoch: number): string | undefined;
    set(path: string, epoch: number, head: string): void;
  };
}

export interface SourceResult {
  path: string;
  kind?: SourceKind;
  /** Messages read in this run (already seen ones excluded). */
  newMessages: number;
  /** Messages recognised as already seen. */
  seenMessages: number;
  bytes: number;
  /** The source could not be read (missing, unknown kind, corrupt): the message names the file. */
  error?: { code: string; message: string };
}

export interface ScanResult {
  sources: SourceResult[];
  /** New messages of this run by status. */
  counts: Record<MessageStatus, number>;
  /** Per-message problems recorded in this run. */
  problems: Array<{ source: string; index: number; messageId?: string; code: string; message: string }>;
  review: ReviewStats;
}

/** Detects the kind of a source path; an error string when it is unusable. */
export function detectSource(path: string): { kind: SourceKind } | { error: string } {
  if (!existsSync(path)) return { error: `${path}: no such file or directory` };
  const st = statSync(path);
  if (st.isDirectory()) {
    if (existsSync(join(path, 'git'))) return isPublicInbox(path) ? { kind: 'public-inbox' } : { error: `${path}: git/ holds no epoch repositories (N.git)` };
    if (existsSync(join(path, 'cur')) || existsSync(join(path, 'new'))) return { kind: 'maildir' };
    return { error: `${path}: a directory that is neither a maildir (cur/, new/) nor a public-inbox v2 archive (git/N.git)` };
  }
  if (st.isFile()) return { kind: 'mbox' };
  return { error: `${path}: not a file or directory` };
}

interface RawItem {
  idx: number;
  /** Stable key when the source has one (public-inbox commit); else the content hash is the key. */
  key?: string;
  raw: Buffer;
  /** File offset of the message (mbox). */
  offset?: number;
  /** Full size when the reader cut an enormous message short. */
  oversize?: number;
}

async function* items(
  kind: SourceKind,
  path: string,
  deps: ScanDeps,
  seen: (key: string) => boolean,
  heads?: { since?: (epoch: number) => string | undefined; got: Map<number, string>; skipped: number },
  start?: MboxStart,
): AsyncGenerator<RawItem> {
  if (kind === 'public-inbox') {
    const opts = {
      // Commits skipped because they were read before count as seen (their blobs are never read).
      skip: (oid: string) => {
        const s = seen(oid);
        if (s && heads) heads.skipped++;
        return s;
      },
      ...(heads?.since ? { since: heads.since } : {}),
      ...(heads ? { onHead: (epoch: number, head: string) => heads.got.set(epoch, head) } : {}),
    };
    for await (const m of readPublicInbox(path, opts)) yield { idx: m.index, key: m.oid, raw: m.raw };
  } else if (kind === 'maildir') {
    for await (const m of deps.readMaildir(path)) yield { idx: m.index, raw: m.raw };
  } else {
    for await (const m of deps.readMbox(path, start)) yield { idx: m.index, offset: m.offset, raw: m.raw, ...(m.oversize ? { oversize: m.oversize } : {}) };
  }
}

function stripId(id: string | undefined): string | undefined {
  return id?.replace(/^<|>$/g, '') || undefined;
}

/** Writes one batch of classified messages in one transaction. */
function commitBatch(store: StateStore, sourceId: number, sourceName: string, batch: Classified[], result: ScanResult): void {
  store.transaction(() => {
    for (const c of batch) {
      let status: MessageStatus = c.status;
      let code = c.code;
      let error = c.error;
      const mid = c.headers.messageId ?? stripId(c.patches[0]?.messageId);
      if (status === 'patch' && mid) {
        const existing = store.patchesByMessageId(mid);
        if (existing.length > 0) {
          status = 'duplicate';
          if (existing[0]!.hash !== c.hash) {
            code = 'MMR004';
            error = `Message-ID <${mid}> reused with different content; the first message is kept`;
          }
        } else {
          c.patches.forEach((p: Patch, n) => {
            const subject = p.subject ?? c.headers.subject ?? '(no subject)';
            const patch: Patch = { ...p, messageId: p.messageId ?? `<${mid}>`, subject };
            store.addPatch({
              pkey: `${mid}#${n}`,
              seq: store.nextPatchSeq(),
              messageId: mid,
              hash: c.hash,
              lineage: lineageKey(patch),
              seriesRoot: mid,
              version: p.series?.version ?? 1,
              part: p.series?.index ?? 1,
              total: p.series?.total ?? 1,
              subject,
              patchJson: JSON.stringify(patch),
              state: 'pending',
            });
          });
        }
      }
      // A reply's quoted diffs are kept aside ('quoted'): reviewed only if the patch they quote never shows up.
      if (status === 'context' && c.quoted?.length && mid && store.patchesByMessageId(mid).length === 0) {
        c.quoted.forEach((p: Patch, n) => {
          const subject = c.headers.subject ?? p.subject ?? '(no subject)';
          const patch: Patch = { ...p, messageId: p.messageId ?? `<${mid}>`, subject };
          store.addPatch({
            pkey: `${mid}#q${n}`, seq: store.nextPatchSeq(), messageId: mid, hash: c.hash, lineage: `quoted:${mid}#${n}`, seriesRoot: mid,
            version: 1, part: 1, total: 1, subject, patchJson: JSON.stringify(patch), state: 'quoted',
          });
        });
      }
      store.addMessage({
        sourceId, key: c.key, idx: c.idx, hash: c.hash, messageId: c.headers.messageId, parent: c.headers.parent,
        subject: c.headers.subject, status, code, error,
      });
      // A loop can only close when a message arrives that an earlier message already replied to.
      if (c.headers.messageId && c.headers.parent && store.hasReplies(c.headers.messageId)) {
        const t = threadRoot(c.headers.messageId, (id) => store.messageById(id)?.parent);
        if (t.loop && !code) {
          code = 'MMR004';
          error = `reference loop: the thread of <${c.headers.messageId}> references itself; threading stops at <${t.root}>`;
          store.setMessageProblem(sourceId, c.key, code, error);
        }
      }
      result.counts[status]++;
      if (code && error) result.problems.push({ source: sourceName, index: c.idx, messageId: c.headers.messageId, code, message: error });
    }
  });
}

/**
 * Scans sources into the state store and reviews what is new. Never throws for bad input: unreadable or corrupt
 * sources are reported in `sources[].error`, bad messages in `problems`.
 */
export async function runScan(paths: string[], store: StateStore, deps: ScanDeps, opts: ScanOptions): Promise<ScanResult> {
  const result: ScanResult = {
    sources: [],
    counts: { skipped: 0, irrelevant: 0, context: 0, patch: 0, duplicate: 0, error: 0 },
    problems: [],
    review: { reviewed: 0, superseded: 0, failed: 0, findings: 0, drafted: 0, repeats: 0, fixedNotes: 0, problems: [] },
  };
  const batchSize = Math.max(1, opts.batchSize ?? 5000);
  for (const given of paths) {
    const path = resolve(given);
    const sr: SourceResult = { path: given, newMessages: 0, seenMessages: 0, bytes: 0 };
    result.sources.push(sr);
    const det = detectSource(path);
    if ('error' in det) {
      sr.error = { code: 'MMR001', message: det.error.replace(path, given) };
      continue;
    }
    sr.kind = det.kind;
    const sourceId = store.sourceId(det.kind, path);
    // An mbox whose start is unchanged since the last complete scan is read from that scan's last message on
    // (mbox-checkpoint.ts); the few messages read are then looked up one by one instead of loading every key.
    const checkpoint = det.kind === 'mbox' ? loadCheckpoint(store, sourceId) : undefined;
    const verified = checkpoint ? verifyCheckpoint(path, checkpoint) : undefined;
    const prefix = checkpoint && verified ? { hash: verified, offset: checkpoint.offset } : undefined;
    const known: { has(key: string): boolean } = prefix ? { has: (k) => store.isSeen(sourceId, k) } : store.seenKeys(sourceId);
    const progress: ScanProgress = { source: given, messages: 0, bytes: 0 };
    if (prefix && checkpoint) {
      sr.seenMessages += checkpoint.index;
      sr.bytes += checkpoint.bytes;
      progress.bytes += checkpoint.offset;
    }
    let last: { offset: number; index: number; bytes: number } | undefined;
    // The file as the scan found it: a checkpoint is saved only if the scan read that same file to its end.
    const found = det.kind === 'mbox' ? statSync(path) : undefined;
    if (found) progress.totalBytes = found.size;
    if (det.kind === 'maildir') {
      progress.totalMessages = ['cur', 'new'].reduce((n, d) => n + (existsSync(join(path, d)) ? readdirSync(join(path, d)).length : 0), 0);
    }
    const kindName: PatchSource['kind'] = det.kind;
    let batch: Classified[] = [];
    const batchKeys = new Set<string>();
    const cursor = opts.cursor;
    const heads = {
      ...(cursor ? { since: (epoch: number) => cursor.get(path, epoch) } : {}),
      got: new Map<number, string>(),
      skipped: 0,
    };
    let complete = false;
    try {
      const start = prefix && checkpoint ? { offset: checkpoint.offset, index: checkpoint.index } : undefined;
      for await (const it of items(det.kind, path, deps, (k) => known.has(k), heads, start)) {
        if (it.offset !== undefined) last = { offset: it.offset, index: it.idx, bytes: sr.bytes };
        progress.messages++;
        progress.bytes += it.raw.length;
        sr.bytes += it.raw.length;
        const hash = it.key === undefined ? contentHash(it.raw) : undefined;
        const key = it.key ?? hash!;
        if (known.has(key) || batchKeys.has(key)) {
          sr.seenMessages++;
        } else {
          const where = { key, idx: it.idx, source: { kind: kindName, name: given, index: it.idx }, ...(it.oversize ? { oversize: it.oversize } : {}), ...(hash ? { hash } : {}) };
          const c = await classifyMessage(it.raw, where, deps);
          batch.push(c);
          batchKeys.add(key);
          sr.newMessages++;
          if (batch.length >= batchSize) {
            commitBatch(store, sourceId, given, batch, result);
            batch = [];
            batchKeys.clear();
          }
        }
        opts.onProgress?.(progress);
      }
      complete = true;
    } catch (e) {
      sr.error = { code: 'MMR005', message: (e as Error).message.replace(path, given) };
    }
    if (batch.length > 0) commitBatch(store, sourceId, given, batch, result);
    if (complete && det.kind === 'mbox' && last && found && sameFile(path, found)) {
      const next = nextCheckpoint(path, last, prefix);
      if (next) saveCheckpoint(store, sourceId, next);
    }
    // Cursors move only when the whole source was read and committed: a failure leaves them where they were.
    if (complete && cursor) for (const [epoch, head] of heads.got) cursor.set(path, epoch, head);
    sr.seenMessages += heads.skipped;
  }
  if (!opts.noReview) result.review = await reviewPending(store, deps, opts);
  return result;
}

/** Is the file at `path` still the one `before` describes (not replaced, not truncated since)? */
function sameFile(path: string, before: Stats): boolean {
  try {
    const now = statSync(path);
    return now.ino === before.ino && now.dev === before.dev && now.size >= before.size;
  } catch {
    return false;
  }
}
