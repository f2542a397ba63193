// Reads one hunk body after its `@@` header: exact by the header's counts, tolerant of mangled mail (lost leading
// spaces, wrapped lines, interleaved reply text, truncated quotes), reporting every repair.

import type { DiffLine, Hunk, InputProblem } from '../core/patch.ts';
import type { HunkHeader } from './hunk-header.ts';
import { isHunkHeader } from './hunk-header.ts';
import { ELISION, isCodeLine, isCommentLine, isProseLine, wrapScore } from './line-kind.ts';
import type { ViewLine } from './quote.ts';

/** Result of reading one hunk. `next` is the view index of the first line after the hunk. */
export interface HunkRead {
  hunk: Hunk;
  /** Further pieces of the same hunk after `[...]` / `<snip>` elisions (their lines re-numbered). */
  more?: Hunk[];
  next: number;
  damage: string[];
  problems: InputProblem[];
}

type Kind = 'add' | 'del' | 'ctx' | 'blank' | 'bare' | 'marker' | 'elision';

/** True for lines that end a hunk region no matter what the counts say (next hunk, next file, next commit). */
export function isHardStop(lines: ViewLine[], j: number): boolean {
  const t = lines[j]!.text;
  if (isHunkHeader(t) || t.startsWith('diff --git ') || t.startsWith('Index: ')) return true;
  if (t.startsWith('--- ') && lines[j + 1]?.text.startsWith('+++ ')) return true;
  return /^From [0-9a-f]{40} /.test(t);
}

function kindOf(t: string): Kind {
  if (t === '') return 'blank';
  if (ELISION.test(t)) return 'elision';
  const c = t[0];
  if (c === '+') return 'add';
  if (c === '-') return 'del';
  if (c === ' ') return t.trim() === '' ? 'blank' : 'ctx';
  if (c === '\\' && /^\\ [A-Za-z]/.test(t)) return 'marker';
  return 'bare';
}

function bodyText(t: string, k: Kind): string {
  if (k === 'add' || k === 'del' || k === 'ctx') return t.slice(1);
  if (k === 'blank') return t.length > 0 ? t.slice(1) : '';
  return t;
}

/** Reads the hunk whose header is at view index `at`. */
export function readHunk(lines: ViewLine[], at: number, hh: HunkHeader, input: string, quoted = false): HunkRead {
  const exact = readExact(lines, at, hh);
  if (exact) return exact;
  return readTolerant(lines, at, hh, input, quoted);
}

function newHunk(lines: ViewLine[], at: number, hh: HunkHeader): Hunk {
  return { ...hh, lines: [], inputLine: lines[at]!.inputLine };
}

/** Fast path: every line carries its sign and the counts match. */
function readExact(lines: ViewLine[], at: number, hh: HunkHeader): HunkRead | undefined {
  const hunk = newHunk(lines, at, hh);
  let ro = hh.oldLines;
  let rn = hh.newLines;
  let oldNo = hh.oldStart;
  let newNo = hh.newStart;
  let j = at + 1;
  let gap = false;
  while (ro > 0 || rn > 0) {
    const l = lines[j];
    if (!l) return undefined;
    if (l.afterGap) gap = true;
    const k = kindOf(l.text);
    if (k === 'ctx' || k === 'blank') {
      if (ro === 0 || rn === 0) return undefined;
      hunk.lines.push({ type: 'ctx', text: bodyText(l.text, k), oldLine: oldNo++, newLine: newNo++, inputLine: l.inputLine });
      ro--;
      rn--;
    } else if (k === 'add') {
      if (rn === 0) return undefined;
      hunk.lines.push({ type: 'add', text: l.text.slice(1), newLine: newNo++, inputLine: l.inputLine });
      rn--;
    } else if (k === 'del') {
      if (ro === 0) return undefined;
      hunk.lines.push({ type: 'del', text: l.text.slice(1), oldLine: oldNo++, inputLine: l.inputLine });
      ro--;
    } else if (k !== 'marker') return undefined;
    j++;
  }
  if (lines[j] && kindOf(lines[j]!.text) === 'marker') j++;
  const damage = gap ? [`hunk at line ${hunk.inputLine}: reply text interleaved between quoted hunk lines`] : [];
  const extra = trailingExtra(lines, j);
  if (extra > 0) {
    return undefined; // more signed lines follow than the header announces: let the tolerant reader report it
  }
  return { hunk, next: j, damage, problems: [] };
}

/** Number of signed C-like lines directly after a complete hunk (a header whose counts are too small). */
function trailingExtra(lines: ViewLine[], j: number): number {
  let n = 0;
  let code = 0;
  for (let k = j; k < lines.length; k++) {
    const t = lines[k]!.text;
    if (t === '-- ' || isHardStop(lines, k)) break;
    const kind = kindOf(t);
    if (kind !== 'add' && kind !== 'del' && kind !== 'ctx') break;
    if (t.startsWith('+++ ') || t.startsWith('--- ')) break;
    n++;
    if (isCodeLine(t.slice(1))) code++;
  }
  return code > 0 ? n : 0;
}

interface RegionLine {
  view: ViewLine;
  kind: Kind;
  /** Index into the view. */
  idx: number;
}

/** Tolerant path: region up to the next hard stop or reply prose, then counts decide context vs wrapped lines. */
function readTolerant(lines: ViewLine[], at: number, hh: HunkHeader, input: string, quoted: boolean): HunkRead {
  const damage: string[] = [];
  const problems: InputProblem[] = [];
  const region: RegionLine[] = [];
  let hardStop = false;
  let j = at + 1;
  for (; j < lines.length; j++) {
    if (isHardStop(lines, j)) {
      hardStop = true;
      break;
    }
    const t = lines[j]!.text;
    const k = kindOf(t);
    if (t === '-- ' && lines[j + 1] !== undefined && /^\d+\.\d+/.test(lines[j + 1]!.text)) break; // mail signature
    if (k === 'bare' && isProseLine(t)) break;
    // An elision mark the reviewer wrote outside the quote, between two quoted lines: quoted lines were cut there.
    if (lines[j]!.afterElision && region.length > 0) region.push({ view: { text: '[...] (outside the quote)', inputLine: lines[j]!.inputLine, afterGap: true }, kind: 'elision', idx: j });
    region.push({ view: lines[j]!, kind: k, idx: j });
  }
  const here = lines[at]!.inputLine;
  let adds = 0;
  let dels = 0;
  let ctxLike = 0;
  for (const r of region) {
    if (r.kind === 'add') adds++;
    else if (r.kind === 'del') dels++;
    else if (r.kind !== 'marker' && r.kind !== 'elision') ctxLike++;
  }
  const needOld = hh.oldLines - dels;
  const needNew = hh.newLines - adds;
  let chosen = region;
  const wraps = new Set<number>();
  let headerWrap = false;

  const consistent = needOld === needNew && needOld >= 0;
  if (consistent && ctxLike > needOld) {
    const excess = ctxLike - needOld;
    const pick = pickWraps(region, hh, excess);
    const cut = cutAtCounts(region, hh);
    const useWraps = pick !== undefined && (hardStop || cut === undefined || pick.minScore >= 3);
    if (useWraps && pick) {
      for (const w of pick.wraps) wraps.add(w);
      headerWrap = pick.headerWrap;
    } else if (cut !== undefined) {
      chosen = region.slice(0, cut);
      const left = region.slice(cut).filter((r) => r.kind !== 'blank').length;
      if (left > 0 && hardStop) damage.push(`hunk at line ${here}: ${left} line(s) before the next hunk left out (counts already met)`);
    } else {
      chosen = trimTrailingBlank(region);
      damage.push(`hunk at line ${here}: ${excess} more context lines than the header announces; kept as context`);
      problems.push({ code: 'MMR007', message: `hunk lines do not match header @@ -${hh.oldStart},${hh.oldLines} +${hh.newStart},${hh.newLines} @@`, input, line: here });
    }
  } else if (!consistent) {
    const signedOnly = region.every((r) => r.kind !== 'bare');
    const cut = cutAtCounts(region, hh);
    if (!signedOnly && cut !== undefined) chosen = region.slice(0, cut);
    else chosen = trimTrailingBlank(region);
  } else {
    // Deficit or exact: drop trailing blank paragraph lines only when they are not needed.
    chosen = region;
  }

  if (quoted) chosen = gapsAsElisions(chosen, hh, wraps);

  // Build the hunk.
  const hunk = newHunk(lines, at, hh);
  let oldNo = hh.oldStart;
  let newNo = hh.newStart;
  let bare = 0;
  let gap = false;
  let lastLine: DiffLine | undefined;
  let first = true;
  // Lines after each elision start a new piece; their numbers are fixed below.
  const pieces: DiffLine[][] = [hunk.lines];
  for (const r of chosen) {
    if (r.kind === 'elision') {
      if (pieces[pieces.length - 1]!.length > 0) pieces.push([]);
      hunk.lines = pieces[pieces.length - 1]!;
      lastLine = undefined;
      damage.push(`line ${r.view.inputLine}: "${r.view.text.trim()}" elides hunk lines`);
      continue;
    }
    if (r.view.afterGap && !first) gap = true;
    first = false;
    if (wraps.has(r.idx)) {
      const cont = r.view.text.trim();
      if (headerWrap && lastLine === undefined) {
        hunk.header = `${hunk.header} ${cont}`.trim();
        damage.push(`line ${r.view.inputLine}: joined to the wrapped hunk header`);
      } else if (lastLine) {
        lastLine.text = `${lastLine.text.trimEnd()} ${cont}`;
        damage.push(`line ${r.view.inputLine}: joined to line ${lastLine.inputLine} (wrapped by the mailer)`);
      }
      continue;
    }
    const k = r.kind;
    const t = r.view.text;
    let dl: DiffLine | undefined;
    if (k === 'add') dl = { type: 'add', text: t.slice(1), newLine: newNo++, inputLine: r.view.inputLine };
    else if (k === 'del') dl = { type: 'del', text: t.slice(1), oldLine: oldNo++, inputLine: r.view.inputLine };
    else if (k === 'marker') continue;
    else {
      if (k === 'bare') bare++;
      dl = { type: 'ctx', text: bodyText(t, k), oldLine: oldNo++, newLine: newNo++, inputLine: r.view.inputLine };
    }
    hunk.lines.push(dl);
    lastLine = dl;
  }
  hunk.lines = pieces[0]!;
  const last = chosen.length > 0 ? chosen[chosen.length - 1]!.idx + 1 : at + 1;
  if (bare > 0) damage.push(`hunk at line ${here}: ${bare} context line(s) had lost their leading space`);
  if (gap) damage.push(`hunk at line ${here}: reply text interleaved between quoted hunk lines`);
  const all = pieces.flat();
  const gotOld = all.filter((l) => l.type !== 'add').length;
  const gotNew = all.filter((l) => l.type !== 'del').length;
  const more = pieces.slice(1).filter((p) => p.length > 0);
  if (more.length > 0) {
    // Re-count: the lines the elisions stand for are missing between the pieces. The last piece ends where the
    // header says the hunk ends (its lines are re-numbered from the end); pieces in between keep their order
    // after the first, one unknown gap before each (the header's counts cannot place them: they follow on).
    const endOld = hh.oldStart + hh.oldLines;
    const endNew = hh.newStart + hh.newLines;
    const tail = more[more.length - 1]!;
    const tailOld = tail.filter((l) => l.type !== 'add').length;
    const tailNew = tail.filter((l) => l.type !== 'del').length;
    const missingOld = hh.oldLines - gotOld;
    const missingNew = hh.newLines - gotNew;
    if (missingOld >= 0 && missingNew >= 0) {
      let o = endOld - tailOld;
      let n = endNew - tailNew;
      for (const l of tail) {
        if (l.type !== 'add') l.oldLine = o++;
        if (l.type !== 'del') l.newLine = n++;
      }
      // Middle pieces (two or more elisions): placed right after the first piece's end plus one line, in order.
      const firstEnd = { old: hh.oldStart + pieces[0]!.filter((l) => l.type !== 'add').length, new: hh.newStart + pieces[0]!.filter((l) => l.type !== 'del').length };
      let mo = firstEnd.old + 1;
      let mn = firstEnd.new + 1;
      for (const p of more.slice(0, -1)) {
        for (const l of p) {
          if (l.type !== 'add') l.oldLine = mo++;
          if (l.type !== 'del') l.newLine = mn++;
        }
        mo++;
        mn++;
      }
      const out: Hunk[] = more.map((p) => {
        const o0 = p.find((l) => l.oldLine !== undefined)?.oldLine ?? endOld;
        const n0 = p.find((l) => l.newLine !== undefined)?.newLine ?? endNew;
        return {
          oldStart: o0,
          oldLines: p.filter((l) => l.type !== 'add').length,
          newStart: n0,
          newLines: p.filter((l) => l.type !== 'del').length,
          header: hh.header,
          elided: true,
          lines: p,
          ...(p[0]?.inputLine !== undefined ? { inputLine: p[0].inputLine } : {}),
        } as Hunk;
      });
      hunk.oldLines = hunk.lines.filter((l) => l.type !== 'add').length;
      hunk.newLines = hunk.lines.filter((l) => l.type !== 'del').length;
      damage.push(`hunk at line ${here}: re-counted around ${more.length} elision(s): ${missingOld} old / ${missingNew} new line(s) not quoted`);
      return { hunk, more: out, next: last, damage, problems };
    }
  }
  if (quoted && gotOld <= hh.oldLines && gotNew <= hh.newLines && (gotOld < hh.oldLines || gotNew < hh.newLines) && trimmedByReply(lines, last, hardStop)) {
    // A quoted hunk the reviewer cut short (their reply follows, or the quote ends): re-count to the lines quoted.
    hunk.oldLines = gotOld;
    hunk.newLines = gotNew;
    damage.push(`hunk at line ${here}: quote trimmed after ${gotOld} old / ${gotNew} new line(s) of ${hh.oldLines} / ${hh.newLines}; re-counted`);
    return { hunk, next: last, damage, problems };
  }
  if (quoted && hh.oldLines - gotOld === hh.newLines - gotNew && gotOld < hh.oldLines && (bare > 0 || gap || wraps.size > 0)) {
    // A quoted, mangled hunk that lost the same number of old and new lines lost context lines only (blank lines
    // the mailer dropped): every + and - line is there. Re-count to the lines read.
    const lost = hh.oldLines - gotOld;
    hunk.oldLines = gotOld;
    hunk.newLines = gotNew;
    damage.push(`hunk at line ${here}: ${lost} context line(s) lost in quoting; re-counted (${gotOld} / ${gotNew} of ${hh.oldLines} / ${hh.newLines})`);
    return { hunk, next: last, damage, problems };
  }
  if (gotOld !== hh.oldLines || gotNew !== hh.newLines) {
    const what = `expected ${hh.oldLines} old / ${hh.newLines} new lines, found ${gotOld} / ${gotNew}`;
    const mangled = bare > 0 || gap || wraps.size > 0 || chosen.length < region.length;
    damage.push(`hunk at line ${here}: ${what}${gotOld < hh.oldLines || gotNew < hh.newLines ? ' (lines missing)' : ''}`);
    if (!problems.length)
      problems.push({
        code: mangled ? 'MMR007' : 'MMR003',
        message: `hunk @@ -${hh.oldStart},${hh.oldLines} +${hh.newStart},${hh.newLines} @@: ${what}`,
        input,
        line: here,
      });
  }
  return { hunk, next: last, damage, problems };
}

/**
 * Was the hunk cut by the reply rather than malformed? After its last line the quote either ends (no more lines of
 * this depth) or goes on with reviewer prose; a next hunk or file right after (a hard stop) means the counts
 * themselves are wrong.
 */
function trimmedByReply(lines: ViewLine[], next: number, hardStop: boolean): boolean {
  if (hardStop && next < lines.length && isHardStop(lines, next)) return false;
  for (let k = next; k < lines.length; k++) {
    const t = lines[k]!.text;
    if (t.trim() === '') continue;
    if (lines[k]!.afterGap) return true;
    return isProseLine(t) || !/^[-+ @]/.test(t);
  }
  return true;
}

/**
 * A quoted hunk that falls short of its header's counts while reply text interleaves it: the reviewer cut lines
 * where they wrote, so each point where the quote resumes after reply text is an elision (a gap in the function,
 * never a function read as whole). Only when no elision mark is written (then the marks say where), and not for a
 * mailer-mangled quote (lines that lost their leading space, wrapped lines).
 */
function gapsAsElisions(chosen: RegionLine[], hh: HunkHeader, wraps: ReadonlySet<number>): RegionLine[] {
  if (chosen.some((r) => r.kind === 'elision')) return chosen;
  let gotOld = 0;
  let gotNew = 0;
  for (const r of chosen) {
    if (r.kind === 'marker' || wraps.has(r.idx)) continue;
    if (r.kind !== 'add') gotOld++;
    if (r.kind !== 'del') gotNew++;
  }
  const short = (gotOld < hh.oldLines || gotNew < hh.newLines) && gotOld <= hh.oldLines && gotNew <= hh.newLines;
  if (!short || !chosen.slice(1).some((r) => r.view.afterGap)) return chosen;
  // A mailer that stripped leading spaces or wrapped lines also loses lines of its own (blank context lines, a `+`
  // line's sign): there the shortfall says nothing about where the reviewer cut (readTolerant reports it).
  if (wraps.size > 0 || chosen.some((r) => r.kind === 'bare')) return chosen;
  const out: RegionLine[] = [];
  chosen.forEach((r, i) => {
    if (i > 0 && r.view.afterGap) out.push({ view: { text: '[reply text]', inputLine: r.view.inputLine, afterGap: true }, kind: 'elision', idx: r.idx });
    out.push(r);
  });
  return out;
}

function trimTrailingBlank(region: RegionLine[]): RegionLine[] {
  let end = region.length;
  while (end > 0 && region[end - 1]!.kind === 'blank') end--;
  return region.slice(0, end);
}

/** The smallest prefix length of the region that satisfies the header's counts (all bare lines as context). */
function cutAtCounts(region: RegionLine[], hh: HunkHeader): number | undefined {
  let ro = hh.oldLines;
  let rn = hh.newLines;
  if (ro === 0 && rn === 0) return 0;
  for (let i = 0; i < region.length; i++) {
    const k = region[i]!.kind;
    if (k === 'add') rn--;
    else if (k === 'del') ro--;
    else if (k !== 'marker' && k !== 'elision') {
      ro--;
      rn--;
    }
    if (ro < 0 || rn < 0) return undefined;
    if (ro === 0 && rn === 0) return i + 1;
  }
  return undefined;
}

/** Chooses `excess` bare lines to join to their predecessor (wrapped lines), best scores first. */
function pickWraps(
  region: RegionLine[],
  hh: HunkHeader,
  excess: number,
): { wraps: number[]; headerWrap: boolean; minScore: number } | undefined {
  const cands: { idx: number; score: number; order: number }[] = [];
  for (let i = 0; i < region.length; i++) {
    const r = region[i]!;
    if (r.kind !== 'bare') continue;
    if (isCodeLine(r.view.text) && !/^[*\w]/.test(r.view.text.trim())) continue;
    const prev = i === 0 ? undefined : region[i - 1]!;
    let score: number;
    if (!prev) score = wrapScore(hh.header, r.view.text, true);
    else if (prev.kind === 'blank' || prev.kind === 'marker') score = 0;
    else {
      const pt = prev.kind === 'bare' ? prev.view.text : prev.view.text.slice(1);
      score = wrapScore(pt, r.view.text, false, prev.kind === 'add' || prev.kind === 'del');
      if (isCommentLine(pt) && isCommentLine(r.view.text)) score = Math.min(score, 2);
    }
    if (score >= 2) cands.push({ idx: r.idx, score, order: i });
  }
  if (cands.length < excess) return undefined;
  cands.sort((a, b) => b.score - a.score || a.order - b.order);
  const chosen = cands.slice(0, excess);
  const firstIdx = region[0]?.idx;
  return {
    wraps: chosen.map((c) => c.idx),
    headerWrap: chosen.some((c) => c.idx === firstIdx),
    minScore: chosen.reduce((m, c) => Math.min(m, c.score), Infinity),
  };
}
