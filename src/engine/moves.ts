/**
 * Functions a patch moves: removed under one path and added under another with the same name (code moved to a
 * header, a new file, made global). A moved function's findings are judged against its own code before the move:
 * what it did there is not introduced by the move, and what it still does after the move is not fixed by it.
 */
import type { FunctionView } from '../core/events.ts';

/** Each moved function's other half: the added copy → the removed original, and back. Ambiguous names pair none. */
export function movedPartners(changed: readonly FunctionView[]): Map<FunctionView, FunctionView> {
  const removed = new Map<string, FunctionView[]>();
  const added = new Map<string, FunctionView[]>();
  // A definition with no kernel-API event (an empty `static inline` stub for another config) moves no behaviour:
  // it is left out so that it does not make the real definition's name ambiguous.
  for (const f of changed) {
    if (f.pre && !f.post && f.pre.events.length > 0) removed.set(f.name, [...(removed.get(f.name) ?? []), f]);
    if (f.post && !f.pre && f.post.events.length > 0) added.set(f.name, [...(added.get(f.name) ?? []), f]);
  }
  const partners = new Map<FunctionView, FunctionView>();
  for (const [name, from] of removed) {
    const to = added.get(name);
    if (from.length !== 1 || to?.length !== 1) continue;
    partners.set(to[0]!, from[0]!);
    partners.set(from[0]!, to[0]!);
  }
  return partners;
}
