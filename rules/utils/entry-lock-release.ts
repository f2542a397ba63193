/**
 * A lock the function is entered with (asserted held, annotated `__must_hold`, held by a visible caller) is known to
 * be held only as far as nothing the patch does not show may have released it. A call of a function the tool does
 * not know (no catalogue entry, no visible body that keeps its caller's locks) that is given the lock or the object
 * that owns it (`wp_drop_pte_lock(vmf)` and `vmf->ptl`; mm/memory.c wp_page_shared() hands vmf to helpers that
 * pte_unmap_unlock(vmf->pte, vmf->ptl)) may drop it: a sleep after such a call depends on that callee.
 *
 * The same holds for a lock the visible code takes itself, or holds from above a hunk (takenLockReleaser()): a
 * helper given the lock, the struct that owns it, the PTE pointer mapped with it (`pte_unmap_unlock(pte, ptl)` needs
 * both, and pte_lockptr() finds the lock from the table) or a local that captured it (`w.ptl = ptl;`,
 * `struct x w = { .ptl = ptl };`) may have released it (mm/userfaultfd.c double_pt_unlock(ptl1, ptl2) releases the
 * two locks it is given).
 *
 * Conservative: only ever turns a claim into a question.
 */
import type { Event, EventPath, FunctionImage, FunctionView } from '../../src/core/events.ts';
import { baseName } from './contracts.ts';
import { handsLocks } from './sleep-callees.ts';
import { norm, positionalArgs } from './paths.ts';
import { escapeRegExp } from '../../src/core/regexp.ts';

/** The names under which the function sees a lock's owner: the lock expression's base (`vmf` of `vmf->ptl`). */
export function ownersOf(lock: string): string[] {
  const b = baseName(lock);
  return b === '' ? [] : [b];
}

/**
 * The names under which a function sees the owner of a lock its caller holds at `call`: the parameters the call
 * passes the lock or an expression on the lock's base (`f(mm, b)` under `mm->page_table_lock` → the first
 * parameter's name).
 */
export function calleeOwnersOf(lock: string, call: Event, image: FunctionImage): string[] {
  const base = baseName(lock);
  const params = image.params.map((p) => /(\w+)\s*(?:\[\s*\])?\s*$/.exec(p)?.[1]);
  const out: string[] = [];
  params.forEach((p, k) => {
    const a = call.args[`arg${k}`];
    if (p && a !== undefined && base !== '' && baseName(a) === base) out.push(p);
  });
  return out;
}

/**
 * The first call on `path` before step `to`, on a line below `afterLine`, of a function not known to keep its caller's locks that is given
 * `lock` or one of `owners` (an argument that is the lock, or whose base is an owner), or undefined.
 */
export function unknownReleaserBefore(path: EventPath, to: number, afterLine: number, lock: string, owners: readonly string[], views: readonly FunctionView[], file: string, side: 'pre' | 'post'): Event | undefined {
  return releaserBetween(path, 0, to, afterLine, lock, owners, views, file, side);
}

/** unknownReleaserBefore() over the steps `from`..`to` (exclusive) of the path. */
function releaserBetween(path: EventPath, from: number, to: number, afterLine: number, lock: string, owners: readonly string[], views: readonly FunctionView[], file: string, side: 'pre' | 'post'): Event | undefined {
  const key = norm(lock);
  for (let i = Math.max(0, from); i < to && i < path.steps.length; i++) {
    const s = path.steps[i];
    if (s?.step !== 'event' || s.kind !== 'call' || s.attrs.opaque !== true || s.loc.line <= afterLine) continue;
    const args = positionalArgs(s);
    if (!args.some((a) => (key !== '' && norm(a) === key) || owners.includes(baseName(a)))) continue;
    // A body the patch (or the tree) shows that releases nothing it was not given is known to keep the lock.
    const body = views.find((v) => v.name === s.callee && v.path === file);
    const img: FunctionImage | undefined = body ? (side === 'pre' ? body.pre : body.post) : undefined;
    if (img?.complete && !handsLocks(img)) continue;
    const { step: _s, ...ev } = s;
    return ev;
  }
  return undefined;
}


/**
 * Locals of the image that capture the lock: assigned it or its address (`w.ptl = ptl;`, `p = &ptl;`), or
 * initialised with a brace list one of whose members is it (`struct x w = { .pte = pte, .ptl = ptl };`).
 */
function capturesOf(lock: string, image: FunctionImage): string[] {
  const key = norm(lock);
  if (key === '') return [];
  const l = key.split(/(->|\.)/).map((t) => (t === '->' ? '\\s*->\\s*' : t === '.' ? '\\s*\\.\\s*' : escapeRegExp(t))).join('');
  const plain = new RegExp(`(?:^|[^\\w.>])([A-Za-z_]\\w*)(?:\\s*(?:\\.|->)\\s*\\w+)*\\s*=\\s*&?\\s*${l}\\s*;`);
  const brace = new RegExp(`(?:^|[^\\w.>])([A-Za-z_]\\w*)\\s*=\\s*\\{[^}]*=\\s*&?\\s*${l}\\s*[,}]`);
  const out = new Set<string>();
  for (const line of image.text.split('\n')) {
    for (const re of [plain, brace]) {
      const m = re.exec(line);
      if (m?.[1] && m[1] !== baseName(key)) out.add(m[1]);
    }
  }
  return [...out];
}

/**
 * The names under which the image sees a lock it holds, besides the lock itself: the lock's base (`vmf` of
 * `vmf->ptl`), the PTE pointer taken or released with it (the take's result and its aliases, its `pte` argument),
 * and the locals that capture it (capturesOf()).
 */
function heldLockOwners(lock: string, take: Event | undefined, image: FunctionImage): string[] {
  const out = new Set(ownersOf(lock));
  if (take) {
    for (const x of [take.result, ...(take.resultAliases ?? []), take.args.pte]) {
      const b = baseName(x);
      if (b !== '') out.add(b);
    }
  }
  for (const c of capturesOf(lock, image)) out.add(c);
  return [...out];
}

/**
 * For a lock the visible code took at `take` (or holds from above a hunk: `take` is not a step before `to`), the
 * first call before step `to`, after the take, of a function the tool does not know that is given the lock or one
 * of its owners (heldLockOwners()), or undefined.
 */
export function takenLockReleaser(path: EventPath, to: number, lock: string, take: Event | undefined, image: FunctionImage, views: readonly FunctionView[], file: string, side: 'pre' | 'post'): Event | undefined {
  const k = take && take.id >= 0 ? path.steps.findIndex((s) => s.step === 'event' && s.id === take.id) : -1;
  const from = k >= 0 && k < to ? k + 1 : 0;
  return releaserBetween(path, from, to, 0, lock, heldLockOwners(lock, take, image), views, file, side);
}

/**
 * For a PTE table mapped at `map` (pte_offset_map(): an RCU read-side section since 6.5, until pte_unmap()), the
 * first call before step `to`, after the map, of a function the tool does not know that is given the mapped pointer
 * (the map's result or an alias): it may pte_unmap() it. Undefined when there is none.
 */
export function mappedPteReleaser(path: EventPath, to: number, map: Event, views: readonly FunctionView[], file: string, side: 'pre' | 'post'): Event | undefined {
  const k = map.id >= 0 ? path.steps.findIndex((s) => s.step === 'event' && s.id === map.id) : -1;
  if (k < 0 || k >= to) return undefined;
  const ptes = [map.result, ...(map.resultAliases ?? []), map.args.pte].map((x) => baseName(x)).filter((b) => b !== '');
  return ptes.length === 0 ? undefined : releaserBetween(path, k + 1, to, 0, '', [...new Set(ptes)], views, file, side);
}
