/**
 * uffd-lock-retake's report of a PTE table taken out of its PMD without the mmap_lock the function held before the
 * patch (rules/utils/pmd-detach-lock.ts): one candidate per detach and catalogued reader, played by the reader's
 * simulator adversary against the patched path.
 */
import type { EventPath } from '../../src/core/events.ts';
import type { Hazard } from '../../src/core/rule.ts';
import type { TypedRuleContext } from '../create-rule.ts';
import { unlockedDetaches } from './pmd-detach-lock.ts';
import { imageEvent } from './paths.ts';

export function checkUnlockedDetach(ctx: TypedRuleContext<'detachUnlocked'> | TypedRuleContext<string>, path: EventPath, seen: Set<string>, structure: string | undefined): void {
  if (ctx.side !== 'post') return;
  const views = [ctx.fn, ...ctx.siblings];
  for (const d of unlockedDetaches(ctx.fn, path, views)) {
    const key = `detachUnlocked:${d.detach.event.id}:${d.reader.adversary}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const anchor = imageEvent(ctx.image, d.detach.event);
    if (anchor.id < 0) continue;
    const unknown = [d.unknown, structure].filter((x): x is string => x !== undefined).join('; ') || undefined;
    const hazard: Hazard = {
      kind: 'pmd-table-detach-unlocked',
      invariants: ['no-stale-access'],
      adversaries: [d.reader.adversary],
      arch: ['x86'],
      context: ['pmd-table-reader'],
      ...(unknown ? { unknown } : {}),
    };
    (ctx as TypedRuleContext<'detachUnlocked'>).report({
      messageId: 'detachUnlocked',
      data: { detach: anchor.callee, reader: d.reader.kernel.split(' (')[0] ?? d.reader.kernel },
      anchor,
      related: [],
      path,
      hazard,
    });
  }
}
