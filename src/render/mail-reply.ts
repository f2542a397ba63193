/** Renders a reply-all review mail (RFC 5322, plain text, 72 columns) for the findings on one patch. Pure. */
import { createHash } from 'node:crypto';
import type { Finding, Trace } from '../core/finding.ts';
import type { DiffLine, FileDiff, Hunk, Patch } from '../core/patch.ts';
import { VERSION } from '../core/version.ts';

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
  inReplyTo: string;
  /** Header name/value pairs in output order (values already RFC 2047-encoded where needed). */
  headers: Array<[string, string]>;
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

/** Parses an address list (`A <a@x>, "B, C" <b@y>, c@z`) into display strings and bare addresses. */
export function parseAddressList(list: string[] | string | undefined): Array<{ display: string; address: string }> {
  const items = (Array.isArray(list) ? list : list ? [list] : []).flatMap((s) => splitAddresses(s));
  const out: Array<{ display: string; address: string }> = [];
  for (const item of items) {
    const m = /<([^<>\s]+@[^<>\s]+)>/.exec(item) ?? /([^\s<>",;]+@[^\s<>",;]+)/.exec(item);
    if (!m) continue;
    out.push({ display: item.trim(), address: m[1]!.toLowerCase() });
  }
  return out;
}

function splitAddresses(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = 0;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    else if (ch === '<') angle++;
    else if (ch === '>') angle = Math.max(0, angle - 1);
    if (ch === ',' && !quoted && angle === 0) {
      if (cur.trim()) parts.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur.trim());
  return parts;
}

/** RFC 2047 B-encodes a header text when it is not plain ASCII (in chunks short enough for 78-column lines). */
export function encodeHeaderText(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(s)) return s;
  const words: string[] = [];
  let chunk = '';
  for (const ch of s) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > 42) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

function encodeAddress(a: { display: string; address: string }): string {
  const m = /^(.*?)\s*<[^<>]+>\s*$/.exec(a.display);
  const name = m ? m[1]!.replace(/^"(.*)"$/, '$1').trim() : '';
  if (!name) return `<${a.address}>`.replace(/^<(.*)>$/, '$1');
  // eslint-disable-next-line no-control-regex
  const enc = /^[\x20-\x7e]*$/.test(name) ? (/[(),.:;<>@[\]\\"]/.test(name) ? `"${name.replace(/(["\\])/g, '\\$1')}"` : name) : encodeHeaderText(name);
  return `${enc} <${a.address}>`;
}

function foldAddresses(addrs: string[]): string {
  const one = addrs.join(', ');
  return one.length <= 68 ? one : addrs.join(',\r\n ');
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
  const where = `${f.path}:${f.line}${f.function ? ` (${f.function}())` : ''}`;
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

/** Builds the reply. Same input, same bytes (no clock, no randomness: Date is the original's date). */
export function renderMailReply(input: MailReplyInput): MailReply {
  const { patch } = input;
  const findings = [...input.findings].sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line || a.fingerprint.localeCompare(b.fingerprint));
  const orig = patch.messageId?.replace(/^<|>$/g, '') ?? '';
  const fps = findings.map((f) => f.fingerprint);
  const fromAddr = parseAddressList(input.from)[0];
  const domain = input.domain ?? fromAddr?.address.split('@')[1] ?? 'mmreview.invalid';
  const messageId = `mmreview-${stableHash(orig, ...fps).slice(0, 24)}@${domain}`;

  const author = parseAddressList(patch.from ?? '');
  const seen = new Set<string>(fromAddr ? [fromAddr.address] : []);
  const uniq = (list: Array<{ display: string; address: string }>): Array<{ display: string; address: string }> =>
    list.filter((a) => (seen.has(a.address) ? false : (seen.add(a.address), true)));
  const to = uniq(author);
  const cc = uniq([...parseAddressList(patch.to), ...parseAddressList(patch.cc)]);

  const subject0 = patch.subject ?? '(no subject)';
  const subject = /^re:/i.test(subject0) ? subject0 : `Re: ${subject0}`;
  const refs = [...(patch.references ?? []).map((r) => r.replace(/^<|>$/g, '')), orig].filter((r, i, a) => r && a.indexOf(r) === i);

  const headers: Array<[string, string]> = [];
  if (input.from) headers.push(['From', fromAddr ? encodeAddress(fromAddr) : input.from]);
  if (to.length) headers.push(['To', foldAddresses(to.map(encodeAddress))]);
  if (cc.length) headers.push(['Cc', foldAddresses(cc.map(encodeAddress))]);
  headers.push(['Subject', encodeHeaderText(subject)]);
  const date = rfc5322Date(patch.date);
  if (date) headers.push(['Date', date]);
  headers.push(['Message-ID', `<${messageId}>`]);
  if (orig) headers.push(['In-Reply-To', `<${orig}>`]);
  if (refs.length) headers.push(['References', refs.map((r) => `<${r}>`).join('\r\n ')]);
  headers.push(['MIME-Version', '1.0'], ['Content-Type', 'text/plain; charset=UTF-8'], ['Content-Transfer-Encoding', '8bit']);
  headers.push(['X-Mailer', `mmreview ${VERSION}`]);

  const authorName = author[0] ? author[0].display.replace(/\s*<[^>]+>\s*$/, '').replace(/^"|"$/g, '') || author[0].address : 'the author';
  const body: string[] = [];
  body.push(...wrapText(`On ${date ?? 'an earlier date'}, ${authorName} wrote:`));
  for (const f of findings) body.push(...findingSection(patch, f, input.renderTable));
  body.push(...footer(fps));
  const bodyText = `${body.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;

  const eml = `${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${bodyText.replace(/\n/g, '\r\n')}`;
  const slug = normalizeForFile(subject0);
  return {
    messageId,
    inReplyTo: orig,
    headers,
    body: bodyText,
    eml,
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
