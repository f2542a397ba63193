/**
 * Does the other image of a function leave the failure arm of a non-blocking notifier start without an _end() over
 * its range? Since v5.12 (mm/mmu_notifier.c c2655835fd8c, mn_hlist_invalidate_range_start()) that is right and an
 * _end() there unbalances the notifiers; before it, the notifiers whose start succeeded stayed started and the
 * caller owed the _end(). A patch that goes from one handling to the other trades one era's violation for the
 * other's: with the era unknown, neither image is claimed (rules/notifier-symmetry.ts strayEnd).
 */
import type { EventPath, FunctionImage } from '../../src/core/events.ts';
import { failedCalls } from './failure.ts';
import { norm } from './paths.ts';

/** The range a notifier call names (`&range` → `range`). */
function rangeOf(args: Record<string, string>): string | undefined {
  return args.range === undefined ? undefined : norm(args.range);
}

/** On this path, does a failed start over `range` reach no _end() over it before the path stops? */
function failureArmEndsNothing(path: EventPath, range: string): boolean {
  const failed = failedCalls(path);
  for (const k of failed) {
    const s = path.steps[k];
    if (s?.step !== 'event' || s.kind !== 'notifier-start' || rangeOf(s.args) !== range) continue;
    const rest = path.steps.slice(k + 1);
    const next = rest.findIndex((t) => t.step === 'event' && (t.kind === 'notifier-end' || t.kind === 'notifier-start') && rangeOf(t.args) === range);
    const t = next >= 0 ? rest[next] : undefined;
    if (t === undefined || (t.step === 'event' && t.kind === 'notifier-start')) return true;
  }
  return false;
}

/** Does some path of `other` fail a non-blocking start over `range` and reach no _end() over it afterwards? */
export function failureLeftUnended(other: FunctionImage | undefined, range: string | undefined): boolean {
  if (!other || range === undefined) return false;
  const r = norm(range);
  return other.paths.some((p) => failureArmEndsNothing(p, r));
}
