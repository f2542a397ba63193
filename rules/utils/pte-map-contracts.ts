/**
 * Contracts between functions for PTE-table mappings (issue 10): what a helper, seen whole, does to a mapping its
 * caller holds or receives. A map (pte_offset_map[_lock](), pte_alloc_map_lock(), get_locked_pte(): kmap_local under
 * CONFIG_HIGHPTE, rcu_read_lock() since v6.5 in __pte_offset_map()) owes exactly one pte_unmap[_unlock](); a helper
 * that returns the mapping (its return value, the PTL through a `spinlock_t **` out-parameter — s390
 * gmap_pte_op_walk()-like) hands that obligation to its caller, and a helper that ends it (`end(ptep, ptl)` doing
 * pte_unmap_unlock(), or only spin_unlock(ptl)) discharges it — or only half of it — at the call. Judged only where
 * the helper's body is visible (a function of the patch, or with a tree one of the same file) and complete; any
 * doubt gives no contract, and the call stays a call the catalogue does not know.
 * Pure functions over src/core/events.ts data.
 */
import type { Event, EventPath, FunctionImage, FunctionView, PathStep } from '../../src/core/events.ts';
import type { Side } from '../../src/core/rule.ts';
import { escapeRegExp } from '../../src/core/regexp.ts';
import { callArgs, lockOf, norm, returnIndex, stripStep, truncated } from './paths.ts';
import { header, paramName } from './contracts.ts';

/** The helper returns NULL or a mapping of a PTE table (taken with its lock when `lockParam` is set). */
export interface ReturnsMap {
  kind: 'returns-map';
  /** Index of the `spinlock_t **` parameter the map stored its PTL through (pte-map-lock); undefined: no lock. */
  lockParam?: number;
  /** The map call inside the helper (for messages). */
  mapCallee: string;
}

/** The helper releases a mapping its caller hands it: unmap (and unlock), or only the lock. */
export interface Releases {
  kind: 'releases';
  /** Index of the pte_t * parameter it unmaps (undefined: it unmaps nothing). */
  ptrParam?: number;
  /** Index of the spinlock_t * parameter it unlocks (undefined: it unlocks nothing). */
  lockParam?: number;
  /** What it calls to do so (for messages): `pte_unmap_unlock`, `spin_unlock`. */
  via: string;
}

export type PteMapContract = ReturnsMap | Releases;

const MAPS: ReadonlySet<Event['kind']> = new Set(['pte-map', 'pte-map-lock']);
const UNMAPS: ReadonlySet<Event['kind']> = new Set(['pte-unmap', 'pte-unmap-unlock']);

/** The image of a helper for `side`: a changed function's own image, an unchanged (tree) one's either. */
function imageFor(view: FunctionView, side: Side): FunctionImage | undefined {
  const own = side === 'pre' ? view.pre : view.post;
  if (own) return own;
  return view.changed ? undefined : (view.post ?? view.pre);
}

function paramIndex(image: FunctionImage, name: string): number {
  return image.params.findIndex((p) => paramName(p) === name);
}

/** The path's return value, when the path returns. */
function returnValue(path: EventPath): string | undefined {
  const s = path.steps[returnIndex(path)];
  return s?.step === 'control' && s.kind === 'return' ? norm(s.value ?? '') : undefined;
}

/** `pte = pte_offset_map_lock(...)` → 'pte' (the plain variable the map's result is assigned to, from its line). */
function assignedTo(image: FunctionImage, ev: Event): string | undefined {
  if (ev.result) return norm(ev.result);
  const line = image.text.split('\n')[ev.loc.line - 1] ?? '';
  const at = line.indexOf(ev.callee);
  const m = at < 0 ? null : /([A-Za-z_]\w*)\s*=(?!=)\s*$/.exec(line.slice(0, at));
  return m ? (m[1] as string) : undefined;
}

/**
 * Does the helper (complete, declared to return `pte_t *`) return either NULL or a live mapping on every path,
 * and a mapping on at least one? Every map's lock must be a `spinlock_t **` parameter (or none for a pte-map).
 */
function returnsMap(name: string, image: FunctionImage): ReturnsMap | undefined {
  if (!new RegExp(`\\bpte_t\\s*\\*\\s*${escapeRegExp(name)}\\s*\\(`).test(header(image))) return undefined;
  let found: ReturnsMap | undefined;
  for (const path of image.paths) {
    if (truncated(path)) return undefined;
    const value = returnValue(path);
    if (value === undefined) return undefined;
    const live = new Map<string, Event>();
    let direct: Event | undefined;
    for (const s of path.steps) {
      if (s.step !== 'event') continue;
      const ev = stripStep(s);
      if (MAPS.has(ev.kind)) {
        const name = assignedTo(image, ev);
        if (name) live.set(name, ev);
        else direct = ev;
      } else if (UNMAPS.has(ev.kind)) {
        live.delete(norm(callArgs(ev.text)[0] ?? ev.args.pte).replace(/\s*[-+]\s*\d+$/, ''));
      } else if (ev.kind === 'call') {
        // A call that may take or release what this helper hands on: no contract.
        if (callArgs(ev.text).some((a) => live.has(norm(a)))) return undefined;
      }
    }
    if (value === 'NULL' || value === '0') {
      if (live.size > 0 || direct) return undefined;
      continue;
    }
    const map = direct && new RegExp(`^${escapeRegExp(direct.callee)}\\s*\\(`).test(value) ? direct : live.get(value);
    if (!map || (direct && map !== direct) || live.size > (map === direct ? 0 : 1)) return undefined;
    let lockParam: number | undefined;
    if (map.kind === 'pte-map-lock') {
      const lock = lockOf(map).replace(/^\*\s*/, '');
      lockParam = paramIndex(image, lock);
      if (lockParam < 0 || !/\bspinlock_t\s*\*\s*\*/.test(image.params[lockParam] ?? '')) return undefined;
    }
    if (found && found.lockParam !== lockParam) return undefined;
    found = { kind: 'returns-map', mapCallee: map.callee, ...(lockParam !== undefined ? { lockParam } : {}) };
  }
  return found;
}

/**
 * Does the helper (complete) release a mapping handed in: on every path, pte_unmap[_unlock]() of a pte_t *
 * parameter and/or an unlock of a spinlock_t * parameter, the same on every path, nothing else but reads? A path
 * that does nothing must be one where a branch found the released parameter itself NULL (`if (ptl)
 * spin_unlock(ptl);`, the parameter declared as a pointer): a caller handing a mapping it holds gives a set pointer.
 * A flag (`if (unlock) pte_unmap_unlock(pte, ptl);`) or another pointer (`if (!ctl) return;`) says nothing about
 * what the caller hands in: no contract, the call stays a call the catalogue does not know.
 */
function releases(image: FunctionImage): Releases | undefined {
  let out: Releases | undefined;
  const idle: Array<ReadonlySet<string>> = [];
  for (const path of image.paths) {
    if (truncated(path)) return undefined;
    let ptr: number | undefined;
    let lock: number | undefined;
    let via = '';
    const nulls = new Set<string>();
    for (const s of path.steps) {
      if (s.step === 'control') {
        if (s.kind === 'branch') {
          const c = norm(s.cond);
          const m = /^(!?)([A-Za-z_]\w*)$/.exec(c);
          if (m && (m[1] === '!') === s.taken) nulls.add(m[2] as string);
        }
        continue;
      }
      const ev = stripStep(s);
      if (UNMAPS.has(ev.kind)) {
        const p = paramIndex(image, norm(callArgs(ev.text)[0] ?? ev.args.pte));
        if (p < 0 || ptr !== undefined) return undefined;
        ptr = p;
        via = ev.callee;
        if (ev.kind === 'pte-unmap-unlock') {
          const l = paramIndex(image, lockOf(ev));
          if (l < 0 || lock !== undefined) return undefined;
          lock = l;
        }
      } else if (ev.kind === 'unlock' && (ev.attrs.lockClass === 'ptl' || ev.attrs.lockClass === 'spin' || ev.attrs.lockClass === undefined)) {
        const l = paramIndex(image, lockOf(ev));
        if (l < 0 || lock !== undefined) return undefined;
        lock = l;
        via = via === '' ? ev.callee : via;
      } else if (ev.kind === 'call' || ev.kind === 'lock' || ev.kind === 'unlock' || MAPS.has(ev.kind) || ev.attrs.releases !== undefined) {
        return undefined;
      }
    }
    if (ptr === undefined && lock === undefined) {
      // Nothing released: only on a path that found what it would release NULL.
      if (nulls.size === 0) return undefined;
      idle.push(nulls);
      continue;
    }
    const r: Releases = { kind: 'releases', via, ...(ptr !== undefined ? { ptrParam: ptr } : {}), ...(lock !== undefined ? { lockParam: lock } : {}) };
    if (out && (out.ptrParam !== r.ptrParam || out.lockParam !== r.lockParam)) return undefined;
    out = r;
  }
  if (!out) return undefined;
  // Each path releasing nothing found a released pointer parameter NULL.
  const released = [out.ptrParam, out.lockParam]
    .filter((i): i is number => i !== undefined && /\*/.test(image.params[i] ?? ''))
    .map((i) => paramName(image.params[i] as string));
  if (idle.some((nulls) => !released.some((n) => nulls.has(n)))) return undefined;
  return out;
}

/** A literal that is no pointer a caller holds a mapping through (`NULL`, `0`, `false`). */
function nullLiteral(arg: string | undefined): boolean {
  return /^\(?\s*(?:NULL|0|0L|0UL|false|\(\s*void\s*\*\s*\)\s*0)\s*\)?$/.test(norm(arg ?? ''));
}

/** Contracts by image (every path of every caller asks). */
const CACHE = new WeakMap<FunctionImage, PteMapContract | null>();

/** The contract of a helper `callee` among the visible functions, for the caller's `side`. */
function pteMapContract(callee: string, views: readonly FunctionView[], side: Side): PteMapContract | undefined {
  const matches = views.filter((v) => v.name === callee);
  if (matches.length !== 1) return undefined;
  const image = imageFor(matches[0] as FunctionView, side);
  if (!image || !image.complete || image.paths.length === 0 || image.pathBound !== undefined) return undefined;
  let c = CACHE.get(image);
  if (c === undefined) {
    c = returnsMap(callee, image) ?? releases(image) ?? null;
    CACHE.set(image, c);
  }
  return c ?? undefined;
}

/** Steps made by contractStep(), by object: the helper each stands for. */
const HELPER = new WeakMap<PathStep, string>();

/** The helper a step made by withContract() stands for (undefined for the path's own steps). */
export function contractHelper(s: PathStep): string | undefined {
  return HELPER.get(s);
}

/**
 * The call step rewritten as what the helper does to the caller's mapping: a map (with the lock the caller passed
 * by address), an unmap (and unlock) of the pointer it passed, or an unlock of the lock it passed. The step keeps
 * its id, location and text (the anchor is the call); its callee is the primitive the helper runs (so the engine
 * does not take it for a catalogued call of a function the patch redefines), contractHelper() names the helper.
 */
function contractStep(s: PathStep & { step: 'event' }, c: PteMapContract): (PathStep & { step: 'event' }) | undefined {
  const args = callArgs(s.text);
  const { opaque: _opaque, ...kept } = s.attrs;
  const attrs = { ...kept, lockClass: 'ptl' as const };
  const argAt = (i: number | undefined): string | undefined => (i === undefined ? undefined : norm(args[i]));
  let out: (PathStep & { step: 'event' }) | undefined;
  if (c.kind === 'returns-map') {
    // The caller passes its own lock variable by address (`&ptl`): the helper sets it.
    const lock = argAt(c.lockParam);
    if (c.lockParam !== undefined && (!lock || !/^&\s*[A-Za-z_]\w*$/.test((args[c.lockParam] ?? '').trim()))) return undefined;
    out = { ...s, kind: lock ? 'pte-map-lock' : 'pte-map', callee: c.mapCallee, args: { ...s.args, ...(lock ? { lock } : {}) }, attrs };
  } else {
    const ptr = argAt(c.ptrParam);
    const lock = argAt(c.lockParam);
    if ((c.ptrParam !== undefined && !ptr) || (c.lockParam !== undefined && !lock)) return undefined;
    // A literal NULL at the released pointer or lock is no release (the helper's NULL path, or worse).
    if (nullLiteral(ptr) || nullLiteral(lock)) return undefined;
    if (ptr !== undefined) {
      out = { ...s, kind: lock !== undefined ? 'pte-unmap-unlock' : 'pte-unmap', callee: lock !== undefined ? 'pte_unmap_unlock' : 'pte_unmap', args: { pte: ptr, ...(lock ? { lock } : {}) }, attrs };
    } else {
      out = { ...s, kind: 'unlock', callee: 'spin_unlock', args: { lock: lock as string }, attrs };
    }
  }
  HELPER.set(out, s.callee);
  return out;
}

/** The step as the contract of the helper it calls makes it (unchanged when the helper has none). */
export function withContract(s: PathStep, views: readonly FunctionView[], side: Side): PathStep {
  if (s.step !== 'event' || s.kind !== 'call') return s;
  const c = pteMapContract(s.callee, views, side);
  return (c && contractStep(s, c)) ?? s;
}
