/**
 * Waiting for the rest of a series: a `[PATCH k/N]` series whose parts arrive over several watch cycles is held
 * back until every part 1..N is in, or until its grace period (counted from the first part's arrival) is over, when
 * what arrived is reviewed. Arrival times are kept in the state database, so a restart keeps the clock.
 */
import type { PatchRow, StateStore } from '../store/state-store.ts';

const ARRIVED = 'watch:arrived:';
const RELEASED = 'watch:released:';

function seriesId(group: readonly PatchRow[]): string {
  const first = group[0]!;
  return `${first.seriesRoot || first.messageId}#v${first.version}`;
}

/** True when the group is an M/N series missing parts. */
export function isIncomplete(group: readonly PatchRow[]): boolean {
  const total = Math.max(...group.map((r) => r.total));
  if (total <= 1) return false;
  const parts = new Set(group.filter((r) => r.part >= 1 && r.total === total).map((r) => r.part));
  for (let k = 1; k <= total; k++) if (!parts.has(k)) return true;
  return false;
}

/**
 * The `hold` predicate of a review: incomplete series younger than `graceMs` wait. Records first arrival and clears
 * it once the series goes to review.
 */
export function seriesHold(store: StateStore, graceMs: number, now: () => number = Date.now): (group: readonly PatchRow[]) => boolean {
  const release = (id: string): false => {
    store.deleteMeta(`${ARRIVED}${id}`);
    store.setMeta(`${RELEASED}${id}`, String(now()));
    return false;
  };
  return (group) => {
    const id = seriesId(group);
    // Parts arriving after the series was released (complete, or its grace over) are reviewed as they come.
    if (store.getMeta(`${RELEASED}${id}`) !== undefined) return false;
    if (!isIncomplete(group)) return release(id);
    const seen = store.getMeta(`${ARRIVED}${id}`);
    const t = now();
    if (seen === undefined) {
      store.setMeta(`${ARRIVED}${id}`, String(t));
      return graceMs > 0 ? true : release(id);
    }
    return t - Number(seen) < graceMs ? true : release(id);
  };
}
