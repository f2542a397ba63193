// Parses one RFC 5322 message (MIME, transfer encodings, charsets, patch attachments) into patches via mailparser.

import type { AddressObject, Attachment, ParsedMail } from 'mailparser';
import type { InputProblem, Patch, PatchSource } from '../core/patch.ts';
import { extractPatchesFromText, inputName } from './extract.ts';
import { MAX_MESSAGE_BYTES } from './limits.ts';
import { parseSubject } from './subject.ts';
import { plainHeaders } from './plain-headers.ts';
import { addressTexts, stripAngles } from './header-values.ts';
import { unflow } from './flowed.ts';
import { installFlowedHook } from './mailparser-flowed.ts';

/** Addressing and threading headers of a message, decoded. Absent headers are undefined / empty lists. */
export interface MessageHeaders {
  subject?: string;
  /** Without angle brackets. */
  messageId?: string;
  inReplyTo?: string;
  references: string[];
  from?: string;
  to: string[];
  cc: string[];
  /** ISO 8601 when the Date header parses, else the raw header text. */
  date?: string;
}

const PATCH_TYPES = /^(text\/x-(patch|diff)|text\/x-c|text\/plain|application\/(x-)?(patch|diff)|application\/octet-stream)$/i;
const PATCH_NAMES = /\.(patch|diff|txt)$/i;

const JUNK = /[\x00-\x08\x0b\x0e-\x1f\x7f]/;

/**
 * The input with junk control bytes (NUL, C0 controls other than tab / LF / FF / CR, DEL) replaced by `?`. Archived
 * mails sometimes carry a mangled block (a DKIM signature with NULs pasted into the body, a corrupted header): those
 * bytes are junk, must not make a readable mail unreadable, and must not reach any output. Returns `raw` itself when
 * it is clean.
 */
export function sanitizeControlBytes(raw: Buffer): Buffer {
  if (!JUNK.test(raw.toString('latin1'))) return raw;
  let out: Buffer | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c >= 32 ? c !== 127 : c === 9 || c === 10 || c === 12 || c === 13) continue;
    out ??= Buffer.from(raw);
    out[i] = 0x3f;
  }
  return out ?? raw;
}

/**
 * Parses a raw message and extracts every patch from its text body and its patch attachments (text/x-patch,
 * text/x-diff, `.patch`/`.diff` names). Never throws: broken MIME, oversize or unparsable messages give problems
 * (MMR004) and, where possible, a fallback scan of the raw body.
 */
export async function parseMessage(
  raw: Buffer,
  source: PatchSource,
): Promise<{ patches: Patch[]; problems: InputProblem[]; headers: MessageHeaders }> {
  const problems: InputProblem[] = [];
  const name = inputName(source);
  raw = sanitizeControlBytes(raw);
  if (raw.length > MAX_MESSAGE_BYTES) {
    problems.push({ code: 'MMR004', message: `message too large (${raw.length} bytes > ${MAX_MESSAGE_BYTES})`, input: name });
    return { patches: [], problems, headers: { references: [], to: [], cc: [] } };
  }
  let parsed: Pick<ParsedMail, 'text' | 'attachments'> | undefined;
  // The common patch mail: its headers read without mailparser (plain-headers.ts), its body taken as it is.
  const bodyAt = bodyOffset(raw);
  const plain = bodyAt > 0 ? plainHeaders(raw, bodyAt) : undefined;
  let headers: MessageHeaders;
  if (plain) {
    parsed = { text: plainText(raw.subarray(bodyAt)), attachments: [] };
    headers = plain;
  } else {
    let mail: ParsedMail | undefined;
    try {
      mail = await parseMail(raw, bodyAt);
    } catch (e) {
      problems.push({ code: 'MMR004', message: `unparsable message: ${(e as Error).message}`, input: name });
    }
    parsed = mail;
    headers = mail ? headersOf(mail) : rawHeaders(raw);
  }
  const input = headers.messageId ?? name;
  // A plain patch mail is single-part text/plain: no MIME structure to check.
  const mime = plain ? undefined : checkMime(raw);
  if (mime) problems.push({ code: 'MMR004', message: mime.message, input });
  const meta: Partial<Patch> = { id: headers.messageId ? `${name}:${headers.messageId}` : name };
  for (const k of ['subject', 'messageId', 'inReplyTo', 'from', 'date'] as const) {
    const v = headers[k];
    if (v !== undefined) meta[k] = v;
  }
  if (headers.references.length) meta.references = headers.references;
  if (headers.to.length) meta.to = headers.to;
  if (headers.cc.length) meta.cc = headers.cc;
  const commit = /^From ([0-9a-f]{40}) /.exec(raw.subarray(0, 60).toString('latin1'));
  if (commit) meta.commit = commit[1]!;

  const texts: { text: string; id: string }[] = [];
  let body = parsed?.text ?? '';
  if (!parsed || (mime?.fatal && body.trim() === '')) body = rawBody(raw);
  texts.push({ text: body, id: meta.id! });
  (parsed?.attachments ?? []).forEach((a, i) => {
    if (!isPatchAttachment(a)) return;
    texts.push({ text: decodeAttachment(a), id: `${meta.id}/att${i}` });
  });

  const patches: Patch[] = [];
  const subj = headers.subject ? parseSubject(headers.subject) : undefined;
  for (const t of texts) {
    const r = extractPatchesFromText(t.text, source, { ...meta, id: t.id });
    patches.push(...r.patches);
    problems.push(...r.problems.filter((p) => p.code !== 'MMR002'));
    if (subj?.tag?.index === 0 && patches.some((p) => p.cover)) break; // cover letter: body only
  }
  if (patches.length === 0) problems.push({ code: 'MMR002', message: 'no diff found', input });
  return { patches, problems, headers };
}

const PARSE_OPTIONS = { skipHtmlToText: false, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true };

/** Offset where the body starts (after the first empty line, as mailparser's splitter finds it), or -1. */
function bodyOffset(raw: Buffer): number {
  if (raw[0] === 0x0a) return 1;
  if (raw[0] === 0x0d && raw[1] === 0x0a) return 2;
  const lf = raw.indexOf('\n\n');
  const crlf = raw.indexOf('\n\r\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 3;
  return lf < 0 ? -1 : lf + 2;
}

/**
 * mailparser's ParsedMail of `raw`. A single-part text/plain message in 7bit/8bit/binary with a UTF-8 or ASCII
 * charset (the common patch mail) has only its header block parsed by mailparser; its text is the body as
 * mailparser would give it (UTF-8, line ends normalised to \n) without streaming it through the MIME machinery,
 * which on a multi-megabyte patch costs far more memory and time than the input. Everything else is parsed whole.
 * mailparser itself is loaded on the first mail, not when this module loads.
 */
async function parseMail(raw: Buffer, body: number): Promise<ParsedMail> {
  const { simpleParser, MailParser } = await import('mailparser');
  installFlowedHook(MailParser); // flowed text parts are unflowed by flowed.ts
  if (body > 0) {
    const head = await simpleParser(raw.subarray(0, body), PARSE_OPTIONS);
    const single = plainSinglePart(head);
    if (single) {
      const text = plainText(raw.subarray(body));
      head.text = single.flowed ? unflow(text, single.delSp) : text;
      return head;
    }
  }
  return simpleParser(raw, PARSE_OPTIONS);
}

/** The body of a plain single-part mail as mailparser gives its text: UTF-8, line ends normalised to \n. */
function plainText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  // No CR at all (the usual case): no normalising copy of a possibly huge string.
  return bytes.indexOf(0x0d) < 0 ? text : text.replace(/\r?\n/g, '\n');
}

/**
 * When the headers declare one text/plain part in 7bit/8bit/binary with a UTF-8 or ASCII charset: whether it is
 * `format=flowed` (then decoded here by flowed.ts, which keeps diffs intact, not by mailparser) and its DelSp.
 * Undefined for anything else.
 */
function plainSinglePart(head: ParsedMail): { flowed: boolean; delSp: boolean } | undefined {
  const ct = head.headers.get('content-type') as { value?: string; params?: Record<string, string> } | string | undefined;
  if (ct !== undefined && typeof ct !== 'object') return undefined;
  if (ct !== undefined && (ct.value ?? '').toLowerCase() !== 'text/plain') return undefined;
  const params = ct?.params ?? {};
  const charset = (params.charset ?? 'utf-8').toLowerCase().replace(/[^a-z0-9]+/g, '');
  if (!['ascii', 'usascii', 'utf8'].includes(charset)) return undefined;
  const cte = head.headers.get('content-transfer-encoding');
  if (cte !== undefined && (typeof cte !== 'string' || !['7bit', '8bit', 'binary'].includes(cte.trim().toLowerCase()))) return undefined;
  const cd = head.headers.get('content-disposition') as { value?: string } | string | undefined;
  if (cd !== undefined && (typeof cd !== 'object' || (cd.value ?? '').toLowerCase() !== 'inline')) return undefined;
  const flowed = (params.format ?? '').trim().toLowerCase() === 'flowed';
  return { flowed, delSp: flowed && (params.delsp ?? '').trim().toLowerCase() === 'yes' };
}

function isPatchAttachment(a: Attachment): boolean {
  const type = (a.contentType ?? '').toLowerCase();
  const fname = a.filename ?? '';
  if (/^text\/x-(patch|diff)$/.test(type) || /^application\/(x-)?(patch|diff)$/.test(type)) return true;
  if (/\.(patch|diff)$/i.test(fname)) return true;
  if (PATCH_TYPES.test(type) && (PATCH_NAMES.test(fname) || type === 'text/plain')) return true;
  return false;
}

function decodeAttachment(a: Attachment): string {
  const ct = a.headers.get('content-type') as { params?: Record<string, string> } | string | undefined;
  const charset = typeof ct === 'object' ? ct?.params?.charset : undefined;
  if (charset) {
    try {
      return new TextDecoder(charset.toLowerCase()).decode(a.content);
    } catch {
      /* unknown charset: fall through */
    }
  }
  const utf8 = a.content.toString('utf8');
  return utf8.includes('\uFFFD') ? a.content.toString('latin1') : utf8;
}

function addresses(v: AddressObject | AddressObject[] | undefined): string[] {
  if (!v) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((o) => addressTexts(o.value));
}

function headersOf(p: ParsedMail): MessageHeaders {
  const h: MessageHeaders = { references: [], to: addresses(p.to), cc: addresses(p.cc) };
  if (p.subject !== undefined) h.subject = p.subject;
  if (p.messageId) h.messageId = stripAngles(p.messageId);
  if (p.inReplyTo) h.inReplyTo = stripAngles(p.inReplyTo.split(/\s+/)[0]!);
  const refs = p.references === undefined ? [] : Array.isArray(p.references) ? p.references : p.references.split(/\s+/);
  h.references = refs.filter(Boolean).map(stripAngles);
  const from = addresses(p.from);
  if (from.length) h.from = from[0]!;
  if (p.date && !Number.isNaN(p.date.getTime())) h.date = p.date.toISOString();
  else {
    const d = p.headers.get('date');
    if (typeof d === 'string') h.date = d;
  }
  return h;
}

/** Header block of a raw message as text (unfolded lines), for the fallbacks. */
function headerBlock(raw: Buffer): { lines: string[]; bodyStart: number } {
  const s = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1');
  let end = s.search(/\r?\n\r?\n/);
  if (end < 0) end = s.length;
  const m = /\r?\n\r?\n/.exec(s.slice(end));
  const bodyStart = m ? end + m[0].length : s.length;
  const lines: string[] = [];
  for (const l of s.slice(0, end).split(/\r?\n/)) {
    if (/^[ \t]/.test(l) && lines.length) lines[lines.length - 1] += ' ' + l.trim();
    else lines.push(l);
  }
  return { lines, bodyStart };
}

function rawHeaders(raw: Buffer): MessageHeaders {
  const { lines } = headerBlock(raw);
  const get = (n: string): string | undefined => {
    const l = lines.find((x) => x.toLowerCase().startsWith(n + ':'));
    return l === undefined ? undefined : l.slice(n.length + 1).trim();
  };
  const h: MessageHeaders = { references: [], to: [], cc: [] };
  const s = get('subject');
  if (s !== undefined) h.subject = s;
  const id = get('message-id');
  if (id) h.messageId = stripAngles(id);
  return h;
}

function rawBody(raw: Buffer): string {
  const { bodyStart } = headerBlock(raw);
  const b = raw.subarray(bodyStart);
  const utf8 = b.toString('utf8');
  return utf8.includes('\uFFFD') ? b.toString('latin1') : utf8;
}

/** Checks the top-level multipart structure: boundary present, closing delimiter present. */
function checkMime(raw: Buffer): { message: string; fatal: boolean } | undefined {
  const { lines, bodyStart } = headerBlock(raw);
  const ct = lines.find((l) => /^content-type:/i.test(l));
  if (!ct || !/multipart\//i.test(ct)) return undefined;
  const bm = /boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(ct);
  if (!bm) return { message: 'multipart message without boundary parameter', fatal: true };
  const boundary = bm[1] ?? bm[2]!;
  const body = raw.subarray(bodyStart).toString('latin1');
  const delim = `--${boundary}`;
  if (!body.startsWith(delim) && !body.includes(`\n${delim}`)) {
    return { message: `broken MIME: boundary "${boundary}" never occurs in the body`, fatal: true };
  }
  if (!body.includes(`${delim}--`)) return { message: `truncated MIME: closing boundary "${delim}--" missing`, fatal: false };
  return undefined;
}
