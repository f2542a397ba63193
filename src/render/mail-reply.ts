/**
 * Renders a reply-all review mail (RFC 5322, plain text, 72 columns) for the findings on one patch. Pure.
 *
 * Every header is composed by nodemailer's MailComposer (RFC 2047 encoding, folding, address serialisation, CR/LF
 * removal) and fed only validated values: Message-IDs that are RFC 5322 msg-ids, addresses parsed by nodemailer's
 * addressparser and checked as addr-specs, text with control characters removed. Whatever the patch's headers hold,
 * the reply has exactly the header lines listed here, each at most 998 octets.
 */
import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import addressparser from 'nodemailer/lib/addressparser';
import { encodeWord } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import type { Finding, Trace } from '../core/finding.ts';
import type { DiffLine, FileDiff, Hunk, Patch } from '../core/patch.ts';
import { VERSION } from '../core/version.ts';
import { findingWhere, functionLabel } from './where.ts';

/** What a reply is built from. */
export interface MailReplyInput {
  /** The patch under review (subject, Message-ID, From/To/Cc, References, hunks). */
  patch: Patch;
  /** The findings to post on it (already filtered by the posting policy), any order. */
  findings: Finding[];
  /** Our From address (`mmreview <mmreview@example.org>`). */
  from: string;
  /** Renders a trace as a CPU-column table. */
  renderTable: (trace: Trace) => string;
  /** Domain of the reply's own Message-ID (default: the domain of `from`). */
  domain?: string;
}

export interface MailReply {
  /** The reply's Message-ID, without brackets. */
  messageId: string;
  /** The Message-ID replied to, without brackets; empty when the original had none or an invalid one. */
  inReplyTo: string;
  /** The header block as composed (CRLF line ends, folded, no trailing blank line). */
  head: string;
  /** What was left out because it was not valid (a Message-ID, a reference, an address); also stated in the body. */
  notes: string[];
  /** Plain-text body (LF line ends). */
  body: string;
  /** The whole message, CRLF line ends. */
  eml: string;
  /** Envelope recipients (To + Cc addresses). */
  recipients: string[];
  /** Deterministic file name for the draft. */
  fileName: string;
}

/** Wrap width of prose. Quoted diff lines and tables are never wrapped (that would corrupt them). */
export const WRAP = 72;

/** Word-wraps a paragraph at `width` columns (words longer than the width stay whole). */
export function wrapText(text: string, width = WRAP, indent = ''): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    const words = para.split(/\s+/).filter(Boolean);
    if (words.length === 0) {
      out.push('');
      continue;
    }
    let line = indent;
    for (const w of words) {
      if (line.trim() === '') line = indent + w;
      else if (line.length + 1 + w.length <= width) line += ` ${w}`;
      else {
        out.push(line);
        line = indent + w;
      }
    }
    out.push(line);
  }
  return out;
}

/** An address as parsed from a header: the display name (decoded, may be empty) and the bare address (lower case). */
export interface MailAddress {
  name: string;
  address: string;
  /** `Name <address>` for humans (not a header value: headers are serialised by MailComposer). */
  display: string;
}

// RFC 5322 atext, and dot-atom-text built from it (§3.2.3); no-fold-literal (§3.6.4).
const ATEXT = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]";
const DOT_ATOM = `${ATEXT}+(?:\\.${ATEXT}+)*`;
const MSG_ID_RE = new RegExp(`^${DOT_ATOM}@(?:${DOT_ATOM}|\\[[\\x21-\\x5a\\x5e-\\x7e]*\\])$`);
/** Longest msg-id we emit: `References: <id>` must stay within RFC 5322's 998-octet line limit, ids cannot be folded. */
export const MAX_MSG_ID = 900;

/**
 * A Message-ID as RFC 5322 `msg-id` content (`id-left "@" id-right`, no brackets), or undefined when the (already
 * decoded) value is not one: whitespace, CR/LF, NUL, brackets, quoted strings, encoded words that decoded to any of
 * these, or longer than {@link MAX_MSG_ID}. One pair of surrounding angle brackets is accepted and removed.
 */
export function validMessageId(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const m = /^<(.*)>$/s.exec(raw);
  const id = m ? m[1]! : raw;
  if (id.length === 0 || id.length > MAX_MSG_ID) return undefined;
  return MSG_ID_RE.test(id) ? id : undefined;
}

// An addr-spec we are willing to put in a header and an SMTP envelope: a dot-atom local part (UTF-8 allowed, RFC
// 6532) and a host name of letters, digits and hyphens (UTF-8 labels are punycoded by nodemailer).
const LOCAL_RE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+)*$/;
const DOMAIN_RE = /^(?:[A-Za-z0-9\u0080-\uffff](?:[A-Za-z0-9\u0080-\uffff-]{0,61}[A-Za-z0-9\u0080-\uffff])?\.)*[A-Za-z0-9\u0080-\uffff](?:[A-Za-z0-9\u0080-\uffff-]{0,61}[A-Za-z0-9\u0080-\uffff])?$/;

/** True when `address` is a plain addr-spec we can put in a header and an envelope (no spaces, no controls). */
export function validAddress(address: string): boolean {
  if (address.length > 254) return false;
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  // A last label of digits only is an IPv4 address written without brackets, which nodemailer rewrites (`a@0`).
  return local.length <= 64 && LOCAL_RE.test(local) && DOMAIN_RE.test(domain) && !/(^|\.)[0-9]+$/.test(domain);
}

/** Header text with every control character (CR, LF, NUL, TAB, DEL...) replaced by a space, runs collapsed. */
export function headerText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f\u0085\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/**
 * Parses address lists (`A <a@x>, "B, C" <b@y>, c@z`, groups flattened) with nodemailer's addressparser. Names are
 * stripped of control characters; entries whose address is not a valid addr-spec are left out (see `rejected`).
 */
export function parseAddressList(list: string[] | string | undefined, rejected?: string[]): MailAddress[] {
  const items = Array.isArray(list) ? list : list ? [list] : [];
  const out: MailAddress[] = [];
  for (const item of items) {
    for (const a of addressparser(item, { flatten: true })) {
      const address = (a.address ?? '').trim().toLowerCase();
      if (!validAddress(address)) {
        if (address || a.name) rejected?.push(headerText(`${a.name ?? ''} ${address}`));
        continue;
      }
      const name = displayName(a.name ?? '');
      out.push({ name, address, display: name ? `${name} <${address}>` : address });
    }
  }
  return out;
}

/** Longest display name kept (code points); longer ones are cut with an ellipsis so an address always fits a line. */
export const MAX_NAME = 64;

function displayName(s: string): string {
  const cps = [...headerText(s)];
  return cps.length <= MAX_NAME ? cps.join('') : `${cps.slice(0, MAX_NAME - 1).join('').trimEnd()}…`;
}

const BARE_LONG_WORD = /\S{60}/;

/**
 * A subject ready for MailComposer: control characters removed; a subject with a word too long to fold (60+
 * characters without a space) is turned into RFC 2047 encoded words by nodemailer, which can be folded anywhere.
 */
function subjectValue(s: string): string {
  const t = headerText(s);
  return BARE_LONG_WORD.test(t) ? encodeWord(t, 'B', 52) : t;
}

function sideLine(l: DiffLine, side: 'RIGHT' | 'LEFT'): number | undefined {
  return side === 'RIGHT' ? l.newLine : l.oldLine;
}

function filePath(fd: FileDiff): string {
  return fd.newPath ?? fd.oldPath ?? '';
}

/** Finds the hunk holding a line of a file on a side; falls back to the hunk with the nearest line. */
function locate(patch: Patch, path: string, line: number, side: 'RIGHT' | 'LEFT'): { file: FileDiff; hunk: Hunk; index: number } | undefined {
  let best: { file: FileDiff; hunk: Hunk; index: number; dist: number } | undefined;
  for (const file of patch.files) {
    if (path && filePath(file) !== path && file.oldPath !== path) continue;
    for (const hunk of file.hunks) {
      hunk.lines.forEach((l, index) => {
        const n = sideLine(l, side);
        if (n === undefined) return;
        const dist = Math.abs(n - line);
        if (!best || dist < best.dist) best = { file, hunk, index, dist };
      });
    }
  }
  return best;
}

const LINE_MARK: Record<DiffLine['type'], string> = { add: '+', del: '-', ctx: ' ' };

/** Quotes only the commented part of a hunk: its header, a window around the anchor and related lines, `[ ... ]` for gaps. */
export function quoteHunk(patch: Patch, f: Finding): string[] {
  const at = locate(patch, f.path, f.line, f.side);
  if (!at) return [];
  const wanted = new Set<number>();
  const mark = (i: number, before: number, after: number): void => {
    for (let k = Math.max(0, i - before); k <= Math.min(at.hunk.lines.length - 1, i + after); k++) wanted.add(k);
  };
  mark(at.index, 4, 2);
  for (const r of f.related ?? []) {
    if (r.path !== f.path) continue;
    const rel = locate(patch, r.path, r.line, r.side);
    if (rel && rel.hunk === at.hunk) mark(rel.index, 1, 1);
  }
  const h = at.hunk;
  const out = [`> diff --git a/${at.file.oldPath ?? filePath(at.file)} b/${filePath(at.file)}`];
  out.push(`> @@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@${h.header ? ` ${h.header}` : ''}`);
  let last = -1;
  for (const i of [...wanted].sort((a, b) => a - b)) {
    if (i !== last + 1) out.push('[ ... ]');
    const l = h.lines[i]!;
    out.push(`> ${LINE_MARK[l.type]}${l.text}`.trimEnd());
    last = i;
  }
  if (last < h.lines.length - 1) out.push('[ ... ]');
  return out;
}

function findingSection(patch: Patch, f: Finding, renderTable: (t: Trace) => string): string[] {
  const out: string[] = [...quoteHunk(patch, f), ''];
  out.push(...wrapText(f.message));
  out.push('');
  const sim = f.simulation;
  const where = `${findingWhere(f)}${f.function ? ` (${f.function}())` : ''}`;
  if (sim?.trace) {
    out.push(
      ...wrapText(
        `mmreview rule ${f.rule} (${f.severity}) at ${where}. The simulator found this interleaving on the ${sim.arch} preset (${sim.states} states explored):`,
      ),
    );
    out.push('');
    const table = renderTable(sim.trace).replace(/\s+$/, '');
    out.push(...table.split('\n').map((l) => l.trimEnd()));
    out.push('');
    if (sim.trace.summary && !table.includes(sim.trace.summary)) out.push(...wrapText(sim.trace.summary), '');
  } else {
    out.push(...wrapText(`mmreview rule ${f.rule} (${f.severity}) at ${where}; status ${f.status}.`), '');
  }
  if (f.suggestion) {
    const v = f.suggestion.verdict === 'removes-violation' ? ' (simulated: removes the violation)' : f.suggestion.verdict === 'still-violates' ? ' (simulated: still violates)' : '';
    out.push(...wrapText(`Suggested fix: ${f.suggestion.text}${v}.`.replace(/\.\.$/, '.')), '');
  } else if (f.status === 'confirmed' && (f.notes ?? []).some((n) => n.startsWith('no mechanical fix'))) {
    out.push(...wrapText('No mechanical fix was found (the simulated rewrite did not remove the violation).'), '');
  }
  return out;
}

/** The footer: who wrote this and how to answer. */
export function footer(fingerprints: string[]): string[] {
  return [
    '-- ',
    ...wrapText(
      `This review was generated by mmreview ${VERSION} and confirmed by its concurrency simulator. If it is wrong, reply to this mail and say why (e.g. which lock or flush the simulator missed); replies are read by humans and feed the rule's tests.`,
    ),
    `mmreview-fingerprints: ${fingerprints.join(' ')}`,
  ];
}

function stableHash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

/** Body lines longer than this (octets) or holding NUL / CR cannot go out as 8bit (RFC 5322 §2.1.1, RFC 2045 §2.8). */
const MAX_8BIT_LINE = 998;

/** The body as 8bit text when it is safe as such, else quoted-printable (nodemailer's encoder); CRLF line ends. */
function encodeBody(body: string): { cte: '8bit' | 'quoted-printable'; text: string } {
  // eslint-disable-next-line no-control-regex
  const unsafe = /[\x00\r]/.test(body) || body.split('\n').some((l) => Buffer.byteLength(l, 'utf8') > MAX_8BIT_LINE);
  if (!unsafe) return { cte: '8bit', text: body.replace(/\n/g, '\r\n') };
  return { cte: 'quoted-printable', text: qpWrap(qpEncode(Buffer.from(body.replace(/\r?\n/g, '\r\n'), 'utf8')), 76) };
}

/** Builds the reply. Same input, same bytes (no clock, no randomness: Date is the original's date). */
export function renderMailReply(input: MailReplyInput): MailReply {
  const { patch } = input;
  const findings = [...input.findings].sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line || a.fingerprint.localeCompare(b.fingerprint));
  const notes: string[] = [];
  const rawOrig = patch.messageId?.replace(/^<|>$/g, '') ?? '';
  const orig = validMessageId(rawOrig) ?? '';
  if (rawOrig && !orig) notes.push(`the patch's Message-ID is not a valid RFC 5322 msg-id, so this reply has no In-Reply-To and may not thread: ${JSON.stringify(rawOrig.slice(0, 80))}`);
  const fps = findings.map((f) => f.fingerprint);
  const fromAddr = parseAddressList(input.from)[0];
  const domainCand = input.domain ?? fromAddr?.address.split('@')[1] ?? '';
  const domain = validMessageId(`x@${domainCand}`) ? domainCand : 'mmreview.invalid';
  const messageId = `mmreview-${stableHash(rawOrig, ...fps).slice(0, 24)}@${domain}`;

  const rejected: string[] = [];
  const author = parseAddressList(patch.from ?? '', rejected);
  const seen = new Set<string>(fromAddr ? [fromAddr.address] : []);
  const uniq = (list: MailAddress[]): MailAddress[] => list.filter((a) => (seen.has(a.address) ? false : (seen.add(a.address), true)));
  const to = uniq(author);
  const cc = uniq([...parseAddressList(patch.to, rejected), ...parseAddressList(patch.cc, rejected)]);
  for (const r of rejected) notes.push(`left out an address that is not a valid addr-spec: ${JSON.stringify(r.slice(0, 80))}`);

  const subject0 = headerText(patch.subject ?? '') || '(no subject)';
  const subject = /^re:/i.test(subject0) ? subject0 : `Re: ${subject0}`;
  const refs: string[] = [];
  for (const r of patch.references ?? []) {
    const id = validMessageId(r.trim());
    if (id) {
      if (!refs.includes(id)) refs.push(id);
    } else notes.push(`left out a reference that is not a valid RFC 5322 msg-id: ${JSON.stringify(r.slice(0, 80))}`);
  }
  if (orig && !refs.includes(orig)) refs.push(orig);
  const date = rfc5322Date(patch.date);

  const authorName = author[0] ? author[0].name || author[0].address : 'the author';
  const body: string[] = [];
  body.push(...wrapText(`On ${date ?? 'an earlier date'}, ${authorName} wrote:`));
  for (const f of findings) body.push(...findingSection(patch, f, input.renderTable));
  if (notes.length) {
    body.push('');
    for (const n of notes) body.push(...wrapText(`Note: ${n}.`));
    body.push('');
  }
  body.push(...footer(fps));
  const bodyText = `${body.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
  const enc = encodeBody(bodyText);

  const node = new MailComposer({
    ...(fromAddr ? { from: { name: fromAddr.name, address: fromAddr.address } } : {}),
    ...(to.length ? { to: to.map((a) => ({ name: a.name, address: a.address })) } : {}),
    ...(cc.length ? { cc: cc.map((a) => ({ name: a.name, address: a.address })) } : {}),
    subject: subjectValue(subject),
    messageId: `<${messageId}>`,
    ...(orig ? { inReplyTo: `<${orig}>` } : {}),
    ...(refs.length ? { references: refs.map((r) => `<${r}>`) } : {}),
    ...(date ? { date } : {}),
    textEncoding: 'base64',
  }).compile();
  node.setHeader('Content-Type', 'text/plain; charset=UTF-8');
  node.setHeader('Content-Transfer-Encoding', enc.cte);
  node.setHeader('X-Mailer', `mmreview ${VERSION}`);
  let head = node.buildHeaders();
  // Without the original's date the composer stamps the clock; a draft must stay deterministic, the MTA dates it.
  if (!date) head = head.replace(/^Date: [^\r\n]*(?:\r\n)?/m, '').replace(/\r\n$/, '');

  const slug = normalizeForFile(subject0);
  return {
    messageId,
    inReplyTo: orig,
    head,
    notes,
    body: bodyText,
    eml: `${head}\r\n\r\n${enc.text}`,
    recipients: [...to, ...cc].map((a) => a.address),
    fileName: `${slug}-${stableHash(messageId).slice(0, 8)}.eml`,
  };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An RFC 5322 date (UTC, `+0000`) from an ISO or RFC date string; undefined when it does not parse. */
export function rfc5322Date(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return undefined;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function normalizeForFile(subject: string): string {
  return (
    subject
      .replace(/^(re:\s*)+/i, '')
      .replace(/\[[^\]]*\]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'reply'
  );
}
