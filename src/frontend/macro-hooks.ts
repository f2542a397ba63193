/**
 * Function-like macros that define an architecture's TLB-flush hooks (`#define flush_tlb_range(vma, start, end)
 * flush_tlb_mm_range(...)` in arch/x86/include/asm/tlbflush.h): for a changed one whose `#define` line the hunk
 * shows, or (tree mode) whose `#define` line the tree's file shows, an image that reads as a function
 * (`void name(long vma, ...) { body; }`, one line per macro line, so line numbers and diff positions stay the
 * macro's). Only the hook names the arch flush catalogue lists, only under arch/: other macros are not functions to
 * any rule.
 */
import type { FileDiff } from '../core/patch.ts';
import { ARCH_HOOKS, HINT_PRODUCERS } from '../kernel-api/arch-flush.ts';
import type { GatheredImage } from './hunk-mode.ts';
import { hunkImage, type ImageLine, type Side } from './images.ts';

const DEFINE = /^\s*#\s*define\s+([A-Za-z_]\w*)\(([^)]*)\)(.*)$/;
const CONTINUED = /\\\s*$/;

/** Hook names a macro may define. */
const HOOK_NAMES: ReadonlySet<string> = new Set([...Object.keys(ARCH_HOOKS), ...Object.keys(HINT_PRODUCERS)]);

/** A hook macro found in a run of lines: its name, its first and last line (indexes), the function-like image. */
interface MacroAt {
  name: string;
  start: number;
  end: number;
  image: ImageLine[];
  /** The last line is shown (no continuation runs past the lines given). */
  closed: boolean;
}

/** The hook macros defined in `lines`, each read as a function. */
function hookMacros(lines: readonly ImageLine[]): MacroAt[] {
  const out: MacroAt[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = DEFINE.exec(lines[i]!.text);
    if (!m || !HOOK_NAMES.has(m[1]!)) continue;
    let j = i;
    while (j < lines.length && CONTINUED.test(lines[j]!.text)) j++;
    const closed = j < lines.length;
    const chunk = lines.slice(i, Math.min(j, lines.length - 1) + 1);
    const params = m[2]!
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '' && p !== '...')
      .map((p) => `long ${p}`)
      .join(', ');
    const image = chunk.map((l, k) => {
      let t = (k === 0 ? `void ${m[1]}(${params || 'void'}) { ${m[3]!}` : l.text).replace(CONTINUED, '');
      if (k === chunk.length - 1 && closed) t += ';}';
      return { ...l, text: t };
    });
    out.push({ name: m[1]!, start: i, end: i + chunk.length - 1, image, closed });
    i = j;
  }
  return out;
}

/** Images of the hook macros a file diff's hunks show on one side, by name. */
export function macroHookImages(fd: FileDiff, side: Side): Map<string, GatheredImage> {
  const out = new Map<string, GatheredImage>();
  const path = fd.newPath ?? fd.oldPath ?? '';
  if (!/^arch\//.test(path)) return out;
  fd.hunks.forEach((h, hi) => {
    for (const m of hookMacros(hunkImage(h, side))) {
      if (!out.has(m.name)) out.set(m.name, { name: m.name, lines: m.image, whole: m.closed, order: hi * 1e6 + m.start });
    }
  });
  return out;
}

/**
 * Tree mode: the hook macros of a whole file (its lines, with the diff facts of the lines the hunks show) that the
 * patch changes on either side (`changedNames`: the names changed on the other side, whose image this side needs
 * too), by name. A hunk may show a macro's body without its `#define` line; the file shows both.
 */
export function treeMacroHookImages(path: string, fileLines: readonly string[], facts: ReadonlyMap<number, ImageLine>, side: Side, changedNames: ReadonlySet<string> = new Set()): Map<string, GatheredImage> {
  const out = new Map<string, GatheredImage>();
  if (!/^arch\//.test(path)) return out;
  const lines: ImageLine[] = fileLines.map((text, r) => {
    const f = facts.get(r);
    const l: ImageLine = { text, fileLine: r + 1 };
    if (f?.diff) l.diff = f.diff;
    if (f?.inputLine !== undefined) l.inputLine = f.inputLine;
    return l;
  });
  const changed = side === 'pre' ? 'del' : 'add';
  for (const m of hookMacros(lines)) {
    if (out.has(m.name) || !m.closed) continue;
    if (!changedNames.has(m.name) && !lines.slice(m.start, m.end + 1).some((l) => l.diff === changed)) continue;
    out.set(m.name, { name: m.name, lines: m.image, whole: true, order: m.start });
  }
  return out;
}
