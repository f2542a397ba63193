/**
 * uffd-lock-retake's report of a whole-table move that trusts the PMD under its lock without looking at it
 * (rules/utils/stale-pmd.ts): simulated against a page-table retract (adversary `pmd-retract`), always `inconclusive`
 * on the questions the function leaves open.
 */
import type { EventPath } from '../../src/core/events.ts';
import type { TypedRuleContext } from '../create-rule.ts';
import { stalePmdMoves } from './stale-pmd.ts';
import { imageEvent, pickAnchor } from './paths.ts';

export function checkStalePmd(ctx: TypedRuleContext<'pmdUnchecked'> | TypedRuleContext<string>, path: EventPath, seen: Set<string>, structure: string | undefined): void {
  for (const m of stalePmdMoves(ctx.image, path, [ctx.fn, ...ctx.siblings])) {
    const key = `pmdUnchecked:${m.populate.event.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const shown = [m.populate.event, m.clear.event].map((e) => imageEvent(ctx.image, e)).filter((e) => e.id >= 0);
    if (shown.length === 0) continue;
    const anchor = pickAnchor(ctx.side, shown);
    const unknown = [m.unknown, structure].filter((x): x is string => x !== undefined).join('; ');
    (ctx as TypedRuleContext<'pmdUnchecked'>).report({
      messageId: 'pmdUnchecked',
      data: { populate: m.populate.event.callee, clear: m.clear.event.callee },
      anchor,
      related: shown.filter((e) => e.id !== anchor.id).map((e) => ({ event: e, message: 'the PMD cleared here, not looked at under the lock' })),
      path,
      hazard: { kind: 'pmd-table-move-unchecked', invariants: ['no-stale-access'], adversaries: ['pmd-retract'], arch: ['x86'], context: ['pmd-table-move'], unknown },
    });
  }
}
