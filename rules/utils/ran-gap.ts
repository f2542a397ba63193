/**
 * Did a path run the unseen lines of a hunk gap between two of its steps? In a fragment image (hunks only), the
 * lines between two hunks may hold any code: an `mmu_notifier_invalidate_range_end()`, an unlock, a flush. A path
 * that falls through from the line before a gap to a line after it may have run them; a goto to a label past the
 * gap, or a return, runs none of them. Unsure cases (a break out of a loop, steps with no file line) count as run,
 * so a claim that needs the gap's lines to be empty is never made on a guess.
 */
import type { EventPath } from '../../src/core/events.ts';
import type { FunctionImage } from '../../src/core/events.ts';
import { firstGapBetween, gapsOf } from './paths.ts';

/** The first gap (file line after which unseen lines lie) the path may have run between steps `from` and `to`. */
export function ranGapBetween(image: FunctionImage, path: EventPath, from: number, to: number): number | undefined {
  if (image.complete) return undefined;
  const gaps = gapsOf(image);
  if (gaps.length === 0) return undefined;
  const last = Math.min(to, path.steps.length - 1);
  for (let i = Math.max(0, from); i < last; i++) {
    const a = path.steps[i]!;
    const b = path.steps[i + 1]!;
    // A jump runs nothing between it and where it lands.
    if (a.step === 'control' && (a.kind === 'goto' || a.kind === 'return')) continue;
    // A back edge goes up to the loop head: the lines it skips back over are not run on the way.
    if (a.step === 'control' && a.kind === 'loop-next') continue;
    const x = a.loc.fileLine;
    const y = b.loc.fileLine;
    // A step with no file line: where it lies against the gaps is unknown, so count one as run.
    if (x === undefined || y === undefined) return gaps[0];
    if (y <= x) continue;
    const g = firstGapBetween(gaps, x, y);
    if (g !== undefined) return g;
  }
  return undefined;
}
