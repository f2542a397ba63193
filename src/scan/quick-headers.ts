/** Cheap RFC 5322 header extraction for the archive fast path (Message-ID, parent, subject) without a MIME parse. */
import { decodeEncodedWords } from '../sources/rfc2047.ts';

/** What the scanner needs from a message before deciding to parse it. */
export interface QuickHeaders {
  /** Message-ID without angle brackets. */
  messageId?: string;
  /** The message this one replies to: In-Reply-To, else the last References entry (no brackets). */
  parent?: string;
  /** References (no brackets), in order. */
  references: string[];
  /** Subject with RFC 2047 encoded words decoded. */
  subject?: string;
  /** True when the header block has no blank line terminator (truncated / not a mail). */
  truncated: boolean;
}

const MAX_HEADER_BYTES = 256 * 1024;

/** Splits the header block of `raw` and returns the few fields the scanner needs. */
export function quickHeaders(raw: Buffer): QuickHeaders {
  const limit = Math.min(raw.length, MAX_HEADER_BYTES);
  let end = raw.indexOf('\n\n', 0, 'latin1');
  const crlf = raw.indexOf('\r\n\r\n', 0, 'latin1');
  if (crlf >= 0 && (end < 0 || crlf < end)) end = crlf;
  const truncated = end < 0 || end > limit;
  const head = raw.toString('latin1', 0, truncated ? limit : end).replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ');
  const fields = new Map<string, string>();
  for (const line of head.split('\n')) {
    const c = line.indexOf(':');
    if (c <= 0) continue;
    const name = line.slice(0, c).trim().toLowerCase();
    if (!fields.has(name)) fields.set(name, line.slice(c + 1).trim());
  }
  const ids = (v: string | undefined): string[] => (v ? [...v.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!) : []);
  const messageId = ids(fields.get('message-id'))[0];
  const references = ids(fields.get('references'));
  const parent = ids(fields.get('in-reply-to'))[0] ?? references[references.length - 1];
  const subjectRaw = fields.get('subject');
  const out: QuickHeaders = { references, truncated };
  if (messageId) out.messageId = messageId;
  if (parent && parent !== messageId) out.parent = parent;
  if (subjectRaw !== undefined) out.subject = decodeEncodedWords(Buffer.from(subjectRaw, 'latin1').toString('utf8'));
  return out;
}

/** True when some part of the message uses base64 or quoted-printable (diff markers may be hidden: parse it). */
export function hasEncodedParts(raw: Buffer): boolean {
  return /content-transfer-encoding:[ \t]*(?:base64|quoted-printable)/i.test(raw.toString('latin1'));
}

