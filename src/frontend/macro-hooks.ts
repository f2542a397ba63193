/**
 * Function-like macros that define an architecture's TLB-flush hooks (`#define flush_tlb_range(vma, start, end)
 * flush_tlb_mm_range(...)` in arch/x86/include/asm/tlbflush.h): for a changed one whose `#define` line the hunk
 * shows, an image that reads as a function (`void name(long vma, ...) { body; }`, one line per macro line, so line
 * numbers and diff positions stay the macro's). Only the hook names the arch flush catalogue lists, only under
 * arch/: other macros are not functions to any rule.
 */
import type { FileDiff } from '../core/patch.ts';
import { ARCH_HOOKS, HINT_PRODUCERS } from '../kernel-api/arch-flush.ts';
import type { GatheredImage } from './hunk-mode.ts';
import { hunkImage, type Side } from './images.ts';

const DEFINE = /^\s*#\s*define\s+([A-Za-z_]\w*)\(([^)]*)\)(.*)$/;
const CONTINUED = /\\\s*$/;

/** Hook names a macro may define. */
const HOOK_NAMES: ReadonlySet<string> = new Set([...Object.keys(ARCH_HOOKS), ...Object.keys(HINT_PRODUCERS)]);

/** Images of the hook macros a file diff's hunks show on one side, by name. */
export function macroHookImages(fd: FileDiff, side: Side): Map<string, GatheredImage> {
  const out = new Map<string, GatheredImage>();
  const path = fd.newPath ?? fd.oldPath ?? '';
  if (!/^arch\//.test(path)) return out;
  fd.hunks.forEach((h, hi) => {
    const lines = hunkImage(h, side);
    for (let i = 0; i < lines.length; i++) {
      const m = DEFINE.exec(lines[i]!.text);
      if (!m || !HOOK_NAMES.has(m[1]!) || out.has(m[1]!)) continue;
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
      const text = chunk.map((l, k) => {
        let t = (k === 0 ? `void ${m[1]}(${params || 'void'}) { ${m[3]!}` : l.text).replace(CONTINUED, '');
        if (k === chunk.length - 1 && closed) t += ';}';
        return t;
      });
      out.set(m[1]!, { name: m[1]!, lines: chunk.map((l, k) => ({ ...l, text: text[k]! })), whole: closed, order: hi * 1e6 + i });
      i = j;
    }
  });
  return out;
}
