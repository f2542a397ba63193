/**
 * A TLB flush guarded by a catalogued flush flag (src/kernel-api/flush-flags.ts: `if (force_flush)
 * flush_tlb_range(...)`): on a path that takes the guard, entries were changed under the page-table lock and the
 * code owes their flush itself, even when the change lies above the hunk.
 */
import type { EventPath, FunctionImage, PathStep } from '../../src/core/events.ts';
import { FLUSH_FLAGS, type FlushFlag } from '../../src/kernel-api/flush-flags.ts';
import { norm } from './paths.ts';

/** The flag tested by a branch condition (`force_flush`, `unlikely(force_flush)`), if it is one the catalogue records. */
function flagOf(cond: string): string | undefined {
  const c = norm(cond);
  const name = /^(?:un)?likely\s*\(\s*([A-Za-z_]\w*)\s*\)$/.exec(c)?.[1] ?? /^[A-Za-z_]\w*$/.exec(c)?.[0];
  return name !== undefined && Object.hasOwn(FLUSH_FLAGS, name) ? name : undefined;
}

/** Does the visible code set `flag` to something other than zero (then it, not the catalogue, says when)? */
export function flagSetVisibly(image: FunctionImage, flag: string): boolean {
  const set = new RegExp(`\\b${flag}\\s*(?:\\|=|\\+\\+|=(?!=)\\s*(?!(?:0|false)\\s*[;,)]))|\\+\\+\\s*${flag}\\b`);
  return image.text.split('\n').some((l) => set.test(l));
}

/**
 * The catalogued flag whose taken branch, between steps `from` and `to` of the path, guards the flush at `to`, when
 * the visible code never sets it (it is set above the hunk, by the kernel idiom the catalogue records). A flag whose
 * name is a common word (`only`) counts only in function `fn` among the ones the catalogue cites.
 */
export function guardingFlushFlag(image: FunctionImage, path: EventPath, from: number, to: number, fn: string): { name: string; flag: FlushFlag } | undefined {
  for (let j = to - 1; j > from; j--) {
    const s = path.steps[j] as PathStep;
    if (s.step !== 'control' || s.kind !== 'branch' || !s.taken) continue;
    const name = flagOf(s.cond);
    if (name === undefined) continue;
    const flag = FLUSH_FLAGS[name];
    if (flag?.only === true && !flag.kernel.includes(fn)) return undefined;
    return flag !== undefined && !flagSetVisibly(image, name) ? { name, flag } : undefined;
  }
  return undefined;
}
