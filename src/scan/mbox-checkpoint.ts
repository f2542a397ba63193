/**
 * Re-scan of an mbox without re-reading what an earlier scan already committed. After a complete scan the state
 * records, per mbox source, a checkpoint: the file offset of the LAST message read (the start of its `From ` line),
 * how many messages precede it, their bytes as the reader counted them, and the sha1 of the file's bytes before that
 * offset. The next scan hashes that prefix of the file (one sequential read, no splitting into messages, no
 * per-message hash) and, when it is unchanged, reads messages from the offset on; the prefix's messages count as
 * seen. The last message is read again, so one that was still being appended to when the checkpoint was taken is
 * keyed by its full content. Any other change of the prefix (the file rewritten, shortened, edited) fails the
 * comparison and the whole file is scanned as before.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import type { StateStore } from '../store/state-store.ts';

/** Where the last complete scan of an mbox stopped. */
export interface MboxCheckpoint {
  /** File offset of the last message read (its `From ` line). */
  offset: number;
  /** Messages before that offset (the index of the last message). */
  index: number;
  /** Bytes of those messages, as `SourceResult.bytes` counts them. */
  bytes: number;
  /** sha1 (hex) of the file's bytes [0, offset). */
  sha1: string;
}

const META = 'mbox-checkpoint:';
const PIECE = 1 << 20;

/** The recorded checkpoint of a source, if any (a malformed record is ignored). */
export function loadCheckpoint(store: StateStore, sourceId: number): MboxCheckpoint | undefined {
  const v = store.getMeta(`${META}${sourceId}`);
  if (v === undefined) return undefined;
  try {
    const c = JSON.parse(v) as MboxCheckpoint;
    const ok = [c.offset, c.index, c.bytes].every((n) => Number.isSafeInteger(n) && n >= 0) && /^[0-9a-f]{40}$/.test(c.sha1);
    return ok ? c : undefined;
  } catch {
    return undefined;
  }
}

/** Records the checkpoint of a source (in the caller's transaction, if any). */
export function saveCheckpoint(store: StateStore, sourceId: number, c: MboxCheckpoint): void {
  store.setMeta(`${META}${sourceId}`, JSON.stringify(c));
}

/**
 * Feeds the file's bytes [from, to) into `hash`. Returns false when the file ends before `to` (shortened).
 */
export function hashRange(path: string, hash: Hash, from: number, to: number): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.min(PIECE, Math.max(1, to - from)));
    let pos = from;
    while (pos < to) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, to - pos), pos);
      if (n === 0) return false;
      hash.update(buf.subarray(0, n));
      pos += n;
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks a checkpoint against the file as it is now: the running hash of the prefix when it matches (to extend for
 * the next checkpoint), undefined when the prefix changed.
 */
export function verifyCheckpoint(path: string, c: MboxCheckpoint): Hash | undefined {
  const h = createHash('sha1');
  if (!hashRange(path, h, 0, c.offset)) return undefined;
  return h.copy().digest('hex') === c.sha1 ? h : undefined;
}

/**
 * The checkpoint after a complete scan whose last message starts at `last.offset`: `prefix` is the verified running
 * hash (and its end) this scan started from, if any, so only the bytes read since are hashed again.
 */
export function nextCheckpoint(
  path: string,
  last: { offset: number; index: number; bytes: number },
  prefix?: { hash: Hash; offset: number },
): MboxCheckpoint | undefined {
  const from = prefix && prefix.offset <= last.offset ? prefix.offset : 0;
  const h = prefix && from > 0 ? prefix.hash.copy() : createHash('sha1');
  if (!hashRange(path, h, from, last.offset)) return undefined;
  return { offset: last.offset, index: last.index, bytes: last.bytes, sha1: h.digest('hex') };
}
