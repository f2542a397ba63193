/** Classifies one archive message: skipped on the fast path, or parsed into in-scope patches / context / an error. */
import { createHash } from 'node:crypto';
import type { Patch, PatchSource } from '../core/patch.ts';
import type { MessageStatus } from '../store/state-store.ts';
import type { ScanDeps } from './deps.ts';
import { hasEncodedParts, quickHeaders, type QuickHeaders } from './quick-headers.ts';
import { patchInScope, rawMayBeInScope } from '../kernel-api/scope.ts';

/** Messages larger than this are recorded as errors without a parse (enormous attachments). */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** The outcome for one message, before it is written to the store. */
export interface Classified {
  key: string;
  idx: number;
  hash: string;
  headers: QuickHeaders;
  status: MessageStatus;
  code?: string;
  error?: string;
  /** In-scope, unquoted, non-cover patches of the message (status 'patch'). */
  patches: Patch[];
  /**
   * In-scope diffs a reply quotes (status 'context'). Reviewed only when the archive does not hold the patch they
   * quote (see review.ts, the one reply policy of docs/inputs.md).
   */
  quoted?: Patch[];
  /** Bytes of the raw message (progress). */
  bytes: number;
}

/** sha1 of the raw bytes, hex. */
export function contentHash(raw: Buffer): string {
  return createHash('sha1').update(raw).digest('hex');
}

/** True when the raw bytes look like binary junk rather than a mail (NULs or mostly non-text in the head). */
function looksBinary(raw: Buffer): boolean {
  const n = Math.min(raw.length, 4096);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = raw[i]!;
    if (c === 0) return true;
    if (c < 9 || (c > 13 && c < 32)) bad++;
  }
  return n > 0 && bad / n > 0.1;
}

/**
 * Decides what a message is. `key` identifies it in its source (oid or content hash); `hash`, when given, is
 * contentHash(raw). Never throws: parser crashes
 * become an `error` classification (MMR004).
 */
export async function classifyMessage(
  raw: Buffer,
  where: { key?: string; idx: number; source: PatchSource; oversize?: number; hash?: string },
  deps: Pick<ScanDeps, 'mayContainDiff' | 'parseMessage'>,
): Promise<Classified> {
  // The scanner already hashed the bytes (content hash = key of mbox/maildir messages): not hashed twice.
  const hash = where.hash ?? contentHash(raw);
  const size = where.oversize ?? raw.length;
  const hasDiff = size <= MAX_MESSAGE_BYTES && deps.mayContainDiff(raw);
  if (!hasDiff && size <= MAX_MESSAGE_BYTES) {
    // Fast skip: no diff. Headers are only parsed for patch-thread mail (cover letters title their series).
    const end = raw.indexOf('\n\n', 0, 'latin1');
    if (end > 0 && end < 65536 && !looksBinary(raw.subarray(0, 512))) {
      const head = raw.toString('latin1', 0, end);
      if (!/^subject:[^\n]*patch/im.test(head)) {
        return { key: where.key ?? hash, idx: where.idx, hash, headers: { references: [], truncated: false }, patches: [], bytes: raw.length, status: 'skipped' };
      }
    }
  }
  const headers = quickHeaders(raw);
  const base = { key: where.key ?? hash, idx: where.idx, hash, headers, patches: [] as Patch[], bytes: raw.length };
  if (size > MAX_MESSAGE_BYTES) {
    return { ...base, status: 'error', code: 'MMR004', error: `message too large (${(size / 1048576).toFixed(1)} MB > ${MAX_MESSAGE_BYTES / 1048576} MB); not parsed` };
  }
  if (looksBinary(raw)) return { ...base, status: 'error', code: 'MMR006', error: 'binary content, not a mail message' };
  if (headers.truncated && !headers.messageId && !headers.subject) {
    return { ...base, status: 'error', code: 'MMR004', error: 'no header block (not an RFC 5322 message)' };
  }
  if (!hasDiff) return { ...base, status: 'skipped' };
  if (!rawMayBeInScope(raw) && !hasEncodedParts(raw)) return { ...base, status: 'irrelevant' };
  let parsed: Awaited<ReturnType<ScanDeps['parseMessage']>>;
  try {
    parsed = await deps.parseMessage(raw, where.source);
  } catch (e) {
    return { ...base, status: 'error', code: 'MMR004', error: `message could not be parsed: ${(e as Error).message}` };
  }
  const problems = parsed.problems.map((p) => `${p.code}: ${p.message}`);
  const own = parsed.patches.filter((p) => !p.quoted && !p.cover);
  if (own.length === 0) {
    if (parsed.patches.length > 0) {
      const quoted = parsed.patches.filter((p) => p.quoted && !p.cover).filter(patchInScope);
      return { ...base, status: 'context', ...(quoted.length > 0 ? { quoted } : {}) };
    }
    if (problems.length > 0 && parsed.problems.some((p) => p.code !== 'MMR002')) {
      return { ...base, status: 'error', code: parsed.problems[0]!.code, error: problems.join('; ') };
    }
    return { ...base, status: 'skipped' };
  }
  const inScope = own.filter(patchInScope);
  if (inScope.length === 0) return { ...base, status: 'irrelevant' };
  if (!headers.messageId && !inScope[0]!.messageId) {
    return { ...base, status: 'error', code: 'MMR004', error: 'missing Message-ID: the patch cannot be threaded or replied to' };
  }
  const out: Classified = { ...base, status: 'patch', patches: inScope };
  if (problems.length > 0) {
    out.code = parsed.problems[0]!.code;
    out.error = problems.join('; ');
  }
  return out;
}
