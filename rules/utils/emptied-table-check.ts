/**
 * uffd-lock-retake's report of an emptied table detached after its lock was dropped (rules/utils/emptied-table.ts):
 * one candidate per (release, detach) pair, on the first path that shows it with the clear on the table's first
 * entry (the entry the model's fill targets).
 */
import type { EventPath } from '../../src/core/events.ts';
import type { Hazard } from '../../src/core/rule.ts';
import type { TypedRuleContext } from '../create-rule.ts';
import { emptiedTableGaps } from './emptied-table.ts';
import type { GapContext } from './emptied-table.ts';
import { callersMmapMode } from './emptied-table-callers.ts';
import { callersOf } from './contracts.ts';
import { imageEvent, pickAnchor } from './paths.ts';

/** The hazard: the fill of the gap, lost when the table is detached (`table-detach:<line>` names the detach). */
function hazardOf(detachLine: number, unknown: string | undefined): Hazard {
  return {
    kind: 'emptied-table-refilled',
    invariants: ['no-lost-write'],
    adversaries: ['uffd-fill'],
    arch: ['x86'],
    context: [`table-detach:${detachLine}`],
    ...(unknown ? { unknown } : {}),
  };
}

export function checkEmptiedTable(ctx: TypedRuleContext<'tableRefilled'> | TypedRuleContext<string>, path: EventPath, seen: Set<string>, structure: string | undefined): void {
  for (const g of emptiedTableGaps(ctx.image, path, gapContext(ctx))) {
    // The model's fill targets the first entry: the clear must be made before the walk advanced.
    const advanced = path.steps.slice(0, g.clear.index).some((s) => s.step === 'event' && s.kind === 'pte-advance');
    if (advanced) continue;
    const key = `tableRefilled:${g.release.event.id}:${g.detach.event.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const shown = [g.detach.event, g.release.event, g.clear.event].map((e) => imageEvent(ctx.image, e)).filter((e) => e.id >= 0);
    if (shown.length === 0) continue;
    const anchor = pickAnchor(ctx.side, shown);
    const unknown = [g.unknown, structure].filter((x): x is string => x !== undefined).join('; ') || undefined;
    (ctx as TypedRuleContext<'tableRefilled'>).report({
      messageId: 'tableRefilled',
      data: { detach: g.detach.event.callee, unlock: g.release.event.callee, clear: g.clear.event.callee },
      anchor,
      related: shown.filter((e) => e.id !== anchor.id).map((e) => ({ event: e, message: e.id === g.release.event.id ? 'page-table lock dropped here' : e.id === g.detach.event.id ? 'the table is taken out of the PMD here' : 'entries cleared under the lock here' })),
      path,
      hazard: hazardOf(g.detach.event.loc.fileLine ?? g.detach.event.loc.line, unknown),
    });
  }
}

/**
 * The rule's view beyond the function: its visible callers' mmap_lock mode (the patch's functions and, with a tree,
 * the same file's callers), and the visible bodies of functions of the same file.
 */
const CONTEXTS = new WeakMap<object, GapContext>();
function gapContext(ctx: TypedRuleContext<string>): GapContext {
  const cached = CONTEXTS.get(ctx.image);
  if (cached) return cached;
  const gc = buildGapContext(ctx);
  CONTEXTS.set(ctx.image, gc);
  return gc;
}

function buildGapContext(ctx: TypedRuleContext<string>): GapContext {
  const others = [...ctx.siblings, ...(ctx.context ?? [])].filter((f) => f.path === ctx.fn.path);
  const side = ctx.side === 'pre' ? 'pre' : 'post';
  return {
    callersMode: callersMmapMode(callersOf(others, ctx.fn, side)),
    body: (name) => {
      const f = others.find((o) => o.name === name);
      return f ? (side === 'pre' ? f.pre : f.post) : undefined;
    },
  };
}
