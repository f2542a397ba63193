// Streams an mbox file message by message (Buffer splitter on `\nFrom `), undoing mboxrd `>From ` escaping.

import { open } from 'node:fs/promises';
import { MAX_MESSAGE_BYTES } from './limits.ts';

/** One message of an mbox: its 0-based index, the file offset of its `From ` line and its bytes (without it). */
export interface MboxMessage {
  index: number;
  offset: number;
  raw: Buffer;
  /** The `From ` separator line (for format-patch files it carries the commit sha). */
  fromLine: string;
  /** Set when the message was larger than MAX_MESSAGE_BYTES: its full size; `raw` holds only the start. */
  oversize?: number;
  /** True for a last message that ends without a newline (file cut short). */
  truncated?: boolean;
}

/** Bytes read from a file at a time. */
const CHUNK = 1 << 20;

const FROM_LINE = /^From \S+ +\S.*$/;
const NL_FROM = Buffer.from('\nFrom ');
const GT_FROM = Buffer.from('>From ');

/** True when a line is an mbox `From_` separator (`From <addr|sha> <date>`), not body text starting with "From ". */
export function isFromLine(line: string): boolean {
  return FROM_LINE.test(line) && (/\d{4}\s*$/.test(line) || /\d\d:\d\d/.test(line));
}

/** Undoes mboxrd quoting: a line `>From ` / `>>From ` loses one `>`. */
export function unescapeMboxrd(b: Buffer): Buffer {
  // Every escaped line contains the bytes `>From `: most messages have none and are returned as they are. The
  // others are rebuilt from slices of the original bytes (no decoding to a string and back).
  let at = b.indexOf(GT_FROM);
  if (at < 0) return b;
  const parts: Buffer[] = [];
  let copied = 0;
  while (at >= 0) {
    // `at` is the last `>` of a run; the run must start the line for the line to be an escaped From_ line.
    let start = at;
    while (start > 0 && b[start - 1] === 0x3e) start--;
    if (start === 0 || b[start - 1] === 0x0a) {
      parts.push(b.subarray(copied, start));
      copied = start + 1;
    }
    at = b.indexOf(GT_FROM, at + GT_FROM.length);
  }
  if (parts.length === 0) return b;
  parts.push(b.subarray(copied));
  return Buffer.concat(parts);
}

/**
 * Yields the messages of an mbox file in order, reading it in 1 MiB chunks (never the whole file). Text before the
 * first `From ` line is yielded as message 0 only if it is non-blank (the caller reports such a file as corrupt).
 */
/** Where to start reading: the offset of a message's `From ` line and that message's index in the whole file. */
export interface MboxStart {
  offset: number;
  index: number;
}

/**
 * The messages of an mbox file; from `start` on (a message boundary a former scan recorded), with the indexes and
 * offsets of the whole file.
 */
export async function* readMbox(path: string, start: MboxStart = { offset: 0, index: 0 }): AsyncGenerator<MboxMessage> {
  const fh = await open(path, 'r');
  let pos = start.offset;
  try {
    // Each piece is read into a fresh buffer right after the bytes not yet consumed (the start of a message cut by
    // the previous piece): only those few bytes are copied, not the whole piece as a concatenation would.
    yield* splitMbox(async (keep) => {
      const b = Buffer.allocUnsafe(keep.length + CHUNK);
      keep.copy(b, 0);
      let got = 0;
      while (got < CHUNK) {
        const { bytesRead } = await fh.read(b, keep.length + got, CHUNK - got, pos);
        if (bytesRead === 0) break;
        got += bytesRead;
        pos += bytesRead;
      }
      return got === 0 ? undefined : b.subarray(0, keep.length + got);
    }, start);
  } finally {
    await fh.close();
  }
}

/** Same as readMbox over any stream of chunks (stdin, an in-memory buffer). */
export function readMboxChunks(stream: AsyncIterable<Buffer>): AsyncGenerator<MboxMessage> {
  const it = stream[Symbol.asyncIterator]();
  return splitMbox(async (keep) => {
    const r = await it.next();
    if (r.done) return undefined;
    return keep.length ? Buffer.concat([keep, r.value]) : r.value;
  });
}

/**
 * The splitter: `next(keep)` returns the unconsumed bytes `keep` followed by the next piece of input, or undefined
 * at the end of the input.
 */
async function* splitMbox(next: (keep: Buffer) => Promise<Buffer | undefined>, start: MboxStart = { offset: 0, index: 0 }): AsyncGenerator<MboxMessage> {
  let buf: Buffer = Buffer.alloc(0);
  let bufOffset = start.offset;
  let searchFrom = 0;
  let kept: Buffer[] = [];
  let keptLen = 0;
  let total = 0;
  let index = start.index;

  const emit = (end: number, truncated: boolean): MboxMessage | undefined => {
    const tail = buf.subarray(0, end);
    const size = total + tail.length;
    const bytes = keptLen > 0 ? Buffer.concat([...kept, tail.subarray(0, Math.max(0, MAX_MESSAGE_BYTES + 4096 - keptLen))]) : tail;
    const startOffset = bufOffset - total;
    kept = [];
    keptLen = 0;
    total = 0;
    const eol = bytes.indexOf(0x0a);
    const first = bytes.subarray(0, eol < 0 ? bytes.length : eol).toString('latin1').replace(/\r$/, '');
    const hasFrom = isFromLine(first);
    let body = hasFrom ? bytes.subarray(eol < 0 ? bytes.length : eol + 1) : bytes;
    if (!hasFrom && body.toString('latin1').trim() === '') return undefined;
    body = unescapeMboxrd(body);
    const msg: MboxMessage = { index: index++, offset: startOffset, raw: body, fromLine: hasFrom ? first : '' };
    if (size > MAX_MESSAGE_BYTES) msg.oversize = size;
    if (truncated) msg.truncated = true;
    return msg;
  };

  function* drain(final: boolean): Generator<MboxMessage> {
    let p = buf.indexOf(NL_FROM, searchFrom);
    while (p >= 0) {
      const eol = buf.indexOf(0x0a, p + 1);
      if (eol < 0 && !final) {
        searchFrom = p;
        return;
      }
      const line = buf.subarray(p + 1, eol < 0 ? buf.length : eol).toString('latin1').replace(/\r$/, '');
      if (isFromLine(line)) {
        const m = emit(p + 1, false);
        if (m) yield m;
        buf = buf.subarray(p + 1);
        bufOffset += p + 1;
        p = buf.indexOf(NL_FROM, 1);
      } else p = buf.indexOf(NL_FROM, p + 1);
    }
    searchFrom = Math.max(0, buf.length - NL_FROM.length);
    if (!final && buf.length > 4 * (1 << 20) && searchFrom > 0) {
      // Very long message: move its head aside (bounded) so the working buffer stays small.
      const head = buf.subarray(0, searchFrom);
      if (keptLen < MAX_MESSAGE_BYTES + 4096) {
        kept.push(Buffer.from(head));
        keptLen += head.length;
      }
      total += head.length;
      buf = buf.subarray(searchFrom);
      bufOffset += searchFrom;
      searchFrom = 0;
    }
    if (final && (buf.length > 0 || keptLen > 0)) {
      const m = emit(buf.length, buf.length > 0 && buf[buf.length - 1] !== 0x0a);
      if (m) yield m;
      buf = Buffer.alloc(0);
    }
  }

  for (let more = await next(buf); more !== undefined; more = await next(buf)) {
    buf = more;
    yield* drain(false);
  }
  yield* drain(true);
}
