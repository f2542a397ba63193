/**
 * A PTE-table walk in progress at a step of a path: after the step, in the same loop iteration, the walk advances
 * its `pte_t *` cursor (`pte++`, catalogue `pte-advance`) with no unmap, no new mapping and no hunk gap in between.
 * The cursor points into a table that stays mapped until the walk's pte_unmap()/pte_unmap_unlock(), so the table is
 * mapped at the step even when the code that mapped it (above the hunk) is not visible.
 */
import type { EventPath } from '../../src/core/events.ts';
import { norm } from './paths.ts';

/** The cursor advanced after step `at` while the table stays mapped, or undefined. */
export function walkedCursorAfter(path: EventPath, at: number, gaps: readonly number[]): string | undefined {
  // Nothing on the path before the step maps or unmaps a table: the mapping is above the hunk.
  for (let k = 0; k < at; k++) {
    const s = path.steps[k];
    if (s?.step === 'event' && (s.kind === 'pte-map' || s.kind === 'pte-map-lock' || s.kind === 'pte-unmap' || s.kind === 'pte-unmap-unlock')) return undefined;
  }
  const from = path.steps[at]?.loc.fileLine;
  for (let k = at + 1; k < path.steps.length; k++) {
    const s = path.steps[k];
    if (!s) break;
    if (s.step === 'control') {
      // The advance belongs to this iteration: it may follow the back edge marker (a do-while's condition), but
      // not a loop exit, a return or the end of what the path shows.
      if (s.kind === 'loop-exit' || s.kind === 'return' || s.kind === 'truncated' || s.kind === 'goto' || s.kind === 'label') return undefined;
      continue;
    }
    if (s.kind === 'pte-map' || s.kind === 'pte-map-lock' || s.kind === 'pte-unmap' || s.kind === 'pte-unmap-unlock') return undefined;
    if (s.kind !== 'pte-advance') continue;
    const to = s.loc.fileLine;
    if (from === undefined || to === undefined || gaps.some((g) => g >= from && g < to)) return undefined;
    const cursor = norm(s.args.pte);
    return cursor === '' ? undefined : cursor;
  }
  return undefined;
}
