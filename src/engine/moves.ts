/**
 * Functions a patch moves: removed under one path and added under another (code moved to a header, a new file, made
 * global), under the same name or renamed with every call rewritten. A moved function's findings are judged against
 * its own code before the move: what it did there is not introduced by the move, and what it still does after the
 * move is not fixed by it.
 */
import type { FunctionImage, FunctionView } from '../core/events.ts';
import type { Patch } from '../core/patch.ts';

/** A definition with kernel-API events: an empty `static inline` stub for another config moves no behaviour. */
const hasBehaviour = (img: FunctionImage | undefined): img is FunctionImage => img !== undefined && img.events.length > 0;

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  m.set(k, [...(m.get(k) ?? []), v]);
}

/** Input lines of the diff that belong to the image (its own definition, not its callers). */
function inputLinesOf(img: FunctionImage): Set<number> {
  return new Set(img.lineInfo.map((l) => l.inputLine).filter((n): n is number => n !== undefined));
}

/** Diff lines of `type` outside `own` that call `name`. */
function callLines(patch: Patch, type: 'add' | 'del', name: string, own: ReadonlySet<number>): number {
  const call = new RegExp(`\\b${name.replace(/[^\w]/g, '')}\\s*\\(`);
  let n = 0;
  for (const f of patch.files) for (const h of f.hunks) for (const l of h.lines) if (l.type === type && !(l.inputLine !== undefined && own.has(l.inputLine)) && call.test(l.text)) n++;
  return n;
}

/** Do the two bodies make mostly the same kernel-API calls (at least half of the original's distinct callees)? */
function sameCalls(from: FunctionImage, to: FunctionImage): boolean {
  const a = new Set(from.events.map((e) => e.callee));
  const b = new Set(to.events.map((e) => e.callee));
  const shared = [...a].filter((c) => b.has(c)).length;
  return a.size > 0 && shared * 2 >= a.size;
}

/**
 * A removed function renamed into an added one: the patch rewrites calls to the old name into calls to the new one
 * (removed lines call the old name, added lines call the new one, no added line calls the old name any more), and the
 * two bodies make mostly the same calls. Only pairs where each side has exactly one such partner.
 */
function renamed(removed: FunctionView[], added: FunctionView[], patch: Patch): Array<[FunctionView, FunctionView]> {
  const links: Array<[FunctionView, FunctionView]> = [];
  // Added functions the patch calls outside their own definition: computed once, not per removed function.
  const called = added.filter((a) => callLines(patch, 'add', a.name, inputLinesOf(a.post!)) > 0);
  for (const r of removed) {
    const rOwn = inputLinesOf(r.pre!);
    if (callLines(patch, 'del', r.name, rOwn) === 0 || callLines(patch, 'add', r.name, rOwn) > 0) continue;
    for (const a of called) if (sameCalls(r.pre!, a.post!)) links.push([r, a]);
  }
  const count = (f: FunctionView): number => links.filter(([r, a]) => r === f || a === f).length;
  return links.filter(([r, a]) => count(r) === 1 && count(a) === 1);
}

/** Each moved function's other half: the added copy → the removed original, and back. Ambiguous names pair none. */
export function movedPartners(changed: readonly FunctionView[], patch?: Patch): Map<FunctionView, FunctionView> {
  const removed = new Map<string, FunctionView[]>();
  const added = new Map<string, FunctionView[]>();
  for (const f of changed) {
    if (hasBehaviour(f.pre) && !f.post) push(removed, f.name, f);
    if (hasBehaviour(f.post) && !f.pre) push(added, f.name, f);
  }
  const partners = new Map<FunctionView, FunctionView>();
  const pair = (from: FunctionView, to: FunctionView): void => {
    partners.set(to, from);
    partners.set(from, to);
  };
  for (const [name, from] of removed) {
    const to = added.get(name);
    if (from.length === 1 && to?.length === 1) pair(from[0]!, to[0]!);
  }
  if (patch) {
    const single = (m: Map<string, FunctionView[]>): FunctionView[] => [...m.values()].filter((l) => l.length === 1).map((l) => l[0]!).filter((f) => !partners.has(f));
    for (const [from, to] of renamed(single(removed), single(added), patch)) pair(from, to);
  }
  return partners;
}
