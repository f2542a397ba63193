/**
 * Hunk-only analysis: rebuild each changed function's pre- and post-image from the hunks' own lines (context plus
 * deleted / added lines), merging hunks of the same function, and analyse each image.
 */
import type { FileDiff } from '../core/patch.ts';
import { headerFunctionName, hunkImage, type ImageLine, type Side } from './images.ts';
import { segmentImage } from './segment.ts';
import { gapJoin } from './gap.ts';

/** Lines of one function on one side, gathered over the file's hunks. */
export interface GatheredImage {
  name: string;
  lines: ImageLine[];
  /** The text starts with the function's header and ends with its closing brace, with no gap in between. */
  whole: boolean;
  /** Order of first appearance (hunk index * 1e6 + line). */
  order: number;
  /** The hunk header's function line (`@@ … @@ <heading>`) that named this function, when its text has no header. */
  heading?: string;
}

/** Gather per-function image lines for one side of a file diff. */
export function gatherSide(fd: FileDiff, side: Side): Map<string, GatheredImage> {
  const out = new Map<string, GatheredImage & { hasHeader: boolean; closed: boolean; gap: boolean }>();
  let prevOpen: string | undefined;
  fd.hunks.forEach((h, hi) => {
    const lines = hunkImage(h, side);
    if (lines.length === 0) return;
    const hdr = headerFunctionName(h.header);
    const pieces = segmentImage(
      lines.map((l) => l.text),
      { headerNamed: hdr !== undefined || prevOpen !== undefined },
    );
    let lastOpen: string | undefined;
    for (const p of pieces) {
      // A piece after an elision continues what the piece before it left open; the `@@` line names the hunk's start.
      const name = p.name ?? (h.elided ? (prevOpen ?? hdr) : (hdr ?? prevOpen)) ?? '?';
      const chunk = lines.slice(p.start, p.end + 1);
      const cur = out.get(name);
      if (!cur) {
        const g: GatheredImage & { hasHeader: boolean; closed: boolean; gap: boolean } = { name, lines: chunk, whole: false, order: hi * 1e6 + p.start, hasHeader: p.hasHeader, closed: p.closed, gap: false };
        if (p.name === undefined && hdr !== undefined && name === hdr) g.heading = h.header;
        out.set(name, g);
      } else {
        const lastLine = cur.lines[cur.lines.length - 1]?.fileLine;
        const firstLine = chunk[0]?.fileLine;
        const gap = lastLine === undefined || firstLine === undefined || firstLine !== lastLine + 1;
        if (gap) cur.gap = true;
        // Across a gap, synthetic lines (no file line) close what the earlier chunk left open and open what the
        // later chunk closes (comments, a cut statement, blocks; see gap.ts).
        const join: ImageLine[] = gap ? gapJoin(cur.lines.map((l) => l.text), chunk.map((l) => l.text)).map((text) => ({ text })) : [];
        cur.lines = [...cur.lines, ...join, ...chunk];
        cur.closed = p.closed;
      }
      lastOpen = p.closed ? undefined : name;
    }
    prevOpen = lastOpen;
  });
  const res = new Map<string, GatheredImage>();
  for (const [k, v] of out) {
    const g: GatheredImage = { name: v.name, lines: v.lines, whole: v.hasHeader && v.closed && !v.gap, order: v.order };
    if (v.heading !== undefined && !v.hasHeader) g.heading = v.heading;
    res.set(k, g);
  }
  return res;
}

/** True when any line of the image is added or removed. */
export function hasChange(lines: readonly ImageLine[]): boolean {
  return lines.some((l) => l.diff === 'add' || l.diff === 'del');
}
