/**
 * The header block of a plain patch mail read without mailparser. Loading mailparser (with libmime, its charset
 * tables, html-to-text and linkify) costs more than a whole `check` of a small patch, and the common patch mail needs
 * none of it: a single text/plain part in 7bit/8bit with a UTF-8 or ASCII charset and an ASCII header block without
 * encoded words. For such a block this gives exactly the headers mailparser's simpleParser would (same line
 * splitting and unfolding as mailsplit, the same value trimming, Message-ID bracketing and address parser:
 * nodemailer's addressparser as mailparser loads it). Anything else, or anything it is not sure about (a repeated
 * field, an unparsable Date, a Content-Disposition, an unusual Content-Type parameter), gives undefined: the caller
 * then parses the message with mailparser, as before.
 */
import { createRequire } from 'node:module';
import type { MessageHeaders } from './message.ts';
import { addressTexts, stripAngles } from './header-values.ts';

interface AddressEntry {
  name?: string;
  address?: string;
  group?: AddressEntry[];
}

let addressParser: ((s: string) => AddressEntry[]) | undefined;

/** nodemailer's addressparser, the one mailparser requires (its own nodemailer when it has one). */
function parseAddresses(value: string): AddressEntry[] {
  if (addressParser === undefined) {
    const req = createRequire(import.meta.url);
    addressParser = createRequire(req.resolve('mailparser'))('nodemailer/lib/addressparser') as (s: string) => AddressEntry[];
  }
  return addressParser(value);
}

/** Fields read here; each must occur at most once for the fast path (mailparser merges or overrides repeats). */
const FIELDS = new Set(['subject', 'message-id', 'in-reply-to', 'references', 'from', 'to', 'cc', 'date', 'content-type', 'content-transfer-encoding', 'content-disposition']);

/** `text/plain` with only simple `key=token` / `key="text"` parameters. */
const PLAIN_TYPE = /^text\/plain(?:\s*;\s*[A-Za-z-]+=(?:"[A-Za-z0-9._ -]*"|[A-Za-z0-9._-]+))*\s*;?\s*$/i;
const PARAM = /;\s*([A-Za-z-]+)=(?:"([A-Za-z0-9._ -]*)"|([A-Za-z0-9._-]+))/g;

/**
 * The headers of `raw` (its header block ends where its body starts, at `body`) when the message is a plain
 * single-part patch mail whose header block this reads exactly as mailparser would; undefined otherwise.
 */
export function plainHeaders(raw: Buffer, body: number): MessageHeaders | undefined {
  if (body <= 2) return undefined;
  const block = raw.subarray(0, body);
  for (let i = 0; i < block.length; i++) {
    const c = block[i]!;
    if (c > 0x7e || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) return undefined;
    if (c === 0x0d && block[i + 1] !== 0x0a) return undefined; // a bare CR: mailsplit and libmime differ on it
  }
  const text = block.toString('latin1');
  if (text.includes('=?') || text.includes('xn--')) return undefined; // encoded words, punycode domains
  // mailsplit: strip the trailing line ends, split on line ends, fold continuation lines into the line before.
  const rawLines = text.replace(/[\r\n]+$/, '').split(/\r?\n/);
  let i = 1;
  let first = rawLines[0]!;
  const folding = (l: string): boolean => l.charAt(0) === ' ' || l.charAt(0) === '\t';
  while (i < rawLines.length && folding(rawLines[i]!)) first += '\r\n' + rawLines[i++];
  const lines: string[] = [];
  if (!/^From /i.test(first)) lines.push(first); // an mbox separator line is not a header
  for (; i < rawLines.length; i++) {
    const l = rawLines[i]!;
    if (folding(l)) lines[lines.length - 1] += '\r\n' + l;
    else lines.push(l);
  }
  const fields = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    const key = colon < 0 ? '' : line.slice(0, colon).toLowerCase().trim();
    if (key === '') return undefined; // a line that is no header field: leave it to mailparser
    if (!FIELDS.has(key)) continue;
    if (fields.has(key)) return undefined;
    // libmime.decodeHeader: unfold, trim, the value after the first colon, trimmed.
    const unfolded = line.replace(/(?:\r?\n|\r)[ \t]*/g, ' ').trim();
    const m = /^\s*([^:]+):(.*)$/.exec(unfolded);
    fields.set(key, ((m && m[2]) || '').trim());
  }
  // Only a plain single part: the body is taken as it is (message.ts), mailparser's MIME machinery is not needed.
  if (fields.has('content-disposition')) return undefined;
  const ct = fields.get('content-type');
  if (ct !== undefined) {
    if (!PLAIN_TYPE.test(ct)) return undefined;
    const params: Record<string, string> = {};
    for (const p of ct.matchAll(PARAM)) params[p[1]!.toLowerCase()] = p[2] ?? p[3]!;
    const charset = (params.charset ?? 'utf-8').toLowerCase().replace(/[^a-z0-9]+/g, '');
    if (!['ascii', 'usascii', 'utf8'].includes(charset)) return undefined;
    if ((params.format ?? '').toLowerCase() === 'flowed') return undefined;
  }
  const cte = fields.get('content-transfer-encoding');
  if (cte !== undefined && !['7bit', '8bit', 'binary'].includes(cte.trim().toLowerCase())) return undefined;

  const date = fields.get('date');
  const when = date === undefined ? undefined : new Date(date);
  if (when !== undefined && Number.isNaN(when.getTime())) return undefined; // mailparser substitutes the current time
  // Fields in the order message.ts's headersOf() sets them.
  const h: MessageHeaders = { references: [], to: [], cc: [] };
  if (fields.has('to')) h.to = addressTexts(parseAddresses(fields.get('to')!));
  if (fields.has('cc')) h.cc = addressTexts(parseAddresses(fields.get('cc')!));
  const subject = fields.get('subject');
  if (subject) h.subject = subject;
  // mailparser brackets these values (ensureMessageIDFormat); message.ts strips the brackets again.
  const mid = fields.get('message-id');
  if (mid) h.messageId = stripAngles(mid);
  const irt = fields.get('in-reply-to');
  if (irt) h.inReplyTo = stripAngles(irt.split(/\s+/)[0]!);
  const refs = fields.get('references');
  if (refs !== undefined) h.references = refs.split(/\s+/).filter(Boolean).map(stripAngles);
  const from = fields.has('from') ? addressTexts(parseAddresses(fields.get('from')!)) : [];
  if (from.length) h.from = from[0]!;
  if (when !== undefined) h.date = when.toISOString();
  return h;
}
