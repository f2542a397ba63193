// Finds every diff in a text (patch file, mail body, web-archive copy) and turns each into a Patch.

import type { Patch, PatchSource, InputProblem } from '../core/patch.ts';
import { computePatchId } from '../diff/patch-id.ts';
import { buildQuoteViews, splitLines } from '../diff/quote.ts';
import type { ViewLine } from '../diff/quote.ts';
import { scanView } from '../diff/scanner.ts';
import type { ScannedBlock } from '../diff/scanner.ts';
import { decodeEncodedWords } from './rfc2047.ts';
import { parseSubject } from './subject.ts';

/** Longest description kept on a patch (characters). */
const MAX_DESCRIPTION = 64 * 1024;
const FORMAT_PATCH_FROM = /^From ([0-9a-f]{40}) Mon Sep 17 00:00:00 2001$/;
const HEADER_LINE = /^([A-Za-z][A-Za-z0-9-]*):[ \t]?(.*)$/;

/** Name of an input for problems and ids: the source name plus the message index when there is one. */
export function inputName(source: PatchSource): string {
  return source.index === undefined ? source.name : `${source.name}#${source.index}`;
}

/**
 * Extracts all patches from a text. Format-patch files with several `From <sha> Mon Sep 17 00:00:00 2001` parts
 * give one patch per part; mail-style header blocks and web-archive headers (`From:`, `Date:`, a `[PATCH` title
 * line) fill the metadata unless `meta` provides it. Every diff is found, quoted or not; see docs/inputs.md.
 */
export function extractPatchesFromText(
  text: string,
  source: PatchSource,
  meta?: Partial<Patch>,
): { patches: Patch[]; problems: InputProblem[] } {
  const input = meta?.messageId ?? inputName(source);
  const lines = splitLines(text);
  const parts = splitFormatPatch(lines);
  const patches: Patch[] = [];
  const problems: InputProblem[] = [];
  const baseId = meta?.id ?? inputName(source);
  parts.forEach((part, pi) => {
    const partSource: PatchSource = parts.length > 1 ? { ...source, index: (source.index ?? 0) + pi } : source;
    const partMeta: Partial<Patch> = { ...meta };
    const bodyStart = readLightHeaders(lines, part.start, part.end, partMeta);
    if (part.commit) partMeta.commit = part.commit;
    const partId = parts.length > 1 ? `${baseId}/${pi}` : baseId;
    const r = extractBody(lines.slice(bodyStart, part.end), bodyStart, partSource, partMeta, partId, input);
    patches.push(...r.patches);
    problems.push(...r.problems);
  });
  if (patches.length === 0 && !problems.some((p) => p.code === 'MMR002')) {
    problems.push({ code: 'MMR002', message: 'no diff found', input });
  }
  return { patches, problems };
}

interface Part {
  start: number;
  end: number;
  commit?: string;
}

function splitFormatPatch(lines: string[]): Part[] {
  const parts: Part[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = FORMAT_PATCH_FROM.exec(lines[i]!);
    if (!m) continue;
    const prev = parts[parts.length - 1];
    if (prev) prev.end = i;
    else if (i > 0 && lines.slice(0, i).some((l) => l.trim() !== '')) parts.push({ start: 0, end: i });
    parts.push({ start: i + 1, end: lines.length, commit: m[1]! });
  }
  if (parts.length === 0) parts.push({ start: 0, end: lines.length });
  return parts;
}

/**
 * Reads a mail-style header block at `start` (RFC 5322 lines up to a blank line), or web-archive headers (a
 * `[PATCH`/`Re:` title line, `From:`/`Date:` lines) into `meta` where it has no value yet. Returns the body start.
 */
function readLightHeaders(lines: string[], start: number, end: number, meta: Partial<Patch>): number {
  const first = lines[start] ?? '';
  const set = (name: string, value: string): void => {
    const v = decodeEncodedWords(value.trim());
    switch (name.toLowerCase()) {
      case 'subject':
        meta.subject ??= v;
        break;
      case 'from':
        meta.from ??= v;
        break;
      case 'date':
        meta.date ??= v;
        break;
      case 'message-id':
        meta.messageId ??= v.replace(/^<|>$/g, '');
        break;
      case 'in-reply-to':
        meta.inReplyTo ??= v.replace(/^<|>$/g, '');
        break;
      case 'references':
        meta.references ??= (v.match(/<[^>]+>/g) ?? []).map((r) => r.slice(1, -1));
        break;
    }
  };
  if (HEADER_LINE.test(first) && looksLikeHeaderBlock(lines, start, end)) {
    let i = start;
    let name = '';
    let value = '';
    for (; i < end; i++) {
      const l = lines[i]!;
      if (l === '') break;
      if (/^[ \t]/.test(l) && name) {
        value += ' ' + l.trim();
        continue;
      }
      const m = HEADER_LINE.exec(l);
      if (!m) return start; // not a header block after all
      if (name) set(name, value);
      name = m[1]!;
      value = m[2]!;
    }
    if (name) set(name, value);
    return i < end ? i + 1 : i;
  }
  // Web-archive copy: a title line, then `From:` / `Date:` lines among the first few.
  for (let i = start; i < Math.min(end, start + 8); i++) {
    const l = lines[i]!;
    if (i === start && (/\[[^\]]*PATCH[^\]]*\]/i.test(l) || /^re:/i.test(l))) meta.subject ??= l.trim();
    const m = /^(From|Date|Subject|Message-I[Dd]):\s+(.+)$/.exec(l);
    if (m) set(m[1]!, m[2]!);
  }
  return start;
}

const KNOWN_HEADERS = /^(from|to|cc|subject|date|message-id|in-reply-to|references|mime-version|content-type|content-transfer-encoding|return-path|received|sender|reply-to|list-id|precedence|x-[a-z0-9-]+):/i;

/** True when the lines at `start` form an RFC 5322 header block: header lines up to a blank line, one known name. */
export function looksLikeHeaderBlock(lines: string[], start: number, end: number): boolean {
  let known = 0;
  for (let i = start; i < end && i < start + 200; i++) {
    const l = lines[i]!;
    if (l === '') return known > 0;
    if (/^[ \t]/.test(l) && i > start) continue;
    if (!HEADER_LINE.test(l) || /^(re|fwd?|aw|sv):/i.test(l)) return false;
    if (KNOWN_HEADERS.test(l)) known++;
  }
  return false;
}

interface Group {
  depth: number;
  blocks: ScannedBlock[];
  view: ViewLine[];
  descFrom: number;
}

function extractBody(
  body: string[],
  offset: number,
  source: PatchSource,
  meta: Partial<Patch>,
  baseId: string,
  input: string,
): { patches: Patch[]; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const subj = meta.subject ? parseSubject(meta.subject) : undefined;
  const series = meta.series ?? subj?.tag;
  const base = baseCommitOf(body);
  const common = (): Patch => {
    const p: Patch = {
      id: baseId,
      source,
      quoted: false,
      quoteDepth: 0,
      damaged: false,
      damage: [],
      cover: false,
      files: [],
    };
    for (const k of ['subject', 'messageId', 'inReplyTo', 'references', 'from', 'to', 'cc', 'date', 'commit'] as const) {
      const v = meta[k];
      if (v !== undefined) (p as unknown as Record<string, unknown>)[k] = v;
    }
    if (series) p.series = series;
    if (base) p.baseCommit = base;
    return p;
  };
  if (series && series.index === 0 && !subj?.reply) {
    const p = common();
    p.cover = true;
    p.description = clip(body.join('\n').trim());
    return { patches: [p], problems };
  }
  const groups: Group[] = [];
  for (const view of buildQuoteViews(body, offset)) {
    const scan = scanView(view.lines, { input, quoted: view.depth > 0 });
    let cur: Group | undefined;
    let lastEnd = -1;
    for (const b of scan.blocks) {
      let proseBetween = false;
      for (let k = lastEnd + 1; k < b.first; k++) if (scan.prose[k]) proseBetween = true;
      const dupPath =
        cur !== undefined &&
        (b.kind === 'git' || b.kind === 'unified') &&
        cur.blocks.some((o) => o.file.newPath !== undefined && o.file.newPath === b.file.newPath && o.kind !== 'fragment');
      if (!cur || proseBetween || dupPath) {
        cur = { depth: view.depth, blocks: [], view: view.lines, descFrom: lastEnd + 1 };
        groups.push(cur);
      }
      cur.blocks.push(b);
      lastEnd = b.last;
    }
  }
  groups.sort((a, b) => (a.blocks[0]!.file.hunks[0]?.inputLine ?? 0) - (b.blocks[0]!.file.hunks[0]?.inputLine ?? 0) || a.depth - b.depth);
  const patches: Patch[] = [];
  groups.forEach((g, gi) => {
    const p = common();
    if (gi > 0) p.id = `${baseId}/${gi}`;
    p.quoted = g.depth > 0;
    p.quoteDepth = g.depth;
    p.files = g.blocks.map((b) => b.file);
    for (const b of g.blocks) {
      p.damage.push(...b.damage);
      problems.push(...b.problems);
    }
    p.damaged = p.damage.length > 0;
    const desc = describe(g);
    if (desc) p.description = desc;
    const pid = computePatchId(p.files);
    if (pid) p.patchId = pid;
    patches.push(p);
  });
  return { patches, problems };
}

/** The `base-commit: <sha>` trailer (git format-patch --base, b4) of an unquoted body, if any. */
function baseCommitOf(body: readonly string[]): string | undefined {
  for (const l of body) {
    const m = /^base-commit: ([0-9a-f]{7,64})\s*$/.exec(l);
    if (m) return m[1];
  }
  return undefined;
}

/** Text before the group's first diff at the same depth, without the `---` diffstat section. */
function describe(g: Group): string | undefined {
  const first = g.blocks[0]!.first;
  let texts = g.view.slice(g.descFrom, first).map((l) => l.text);
  const sep = texts.lastIndexOf('---');
  if (sep >= 0) texts = texts.slice(0, sep);
  const d = texts.join('\n').trim();
  return d ? clip(d) : undefined;
}

function clip(s: string): string {
  return s.length > MAX_DESCRIPTION ? s.slice(0, MAX_DESCRIPTION) : s;
}
