/**
 * The fault handler's lockless snapshot (`vmf->orig_pte`, `vmf->orig_pmd`): what a handler installs after taking
 * the page-table lock rests on it until the handler re-reads the entry under that lock.
 *
 * mm/memory.c handle_pte_fault() reads `vmf->orig_pte = ptep_get_lockless(vmf->pte)` with no lock held and
 * dispatches to do_swap_page(), do_numa_page(), do_fault() ... with the lock NOT held; __handle_mm_fault() reads
 * `vmf.orig_pmd = pmdp_get_lockless(vmf.pmd)` likewise (include/linux/mm_types.h struct vm_fault: "orig_pte: Value
 * of PTE at the time of fault"). So when a handler takes `vmf->ptl` itself (`pte_offset_map_lock(..., &vmf->ptl)`,
 * `spin_lock(vmf->ptl)`, `vmf->ptl = pmd_lock(...)`), the entry may have changed between the snapshot and the lock
 * (a zap, a racing fault, migration), and every install must first re-validate it: `pte_same(ptep_get(vmf->pte),
 * vmf->orig_pte)` (do_swap_page, do_numa_page, wp_page_copy), `vmf_pte_changed(vmf)` (finish_fault), `pmd_same()`
 * (do_huge_pmd_numa_page). A lock taken by the handler is never already held (that would self-deadlock), so
 * whatever was read before it — by the caller or by the handler under an earlier, dropped lock — is stale.
 */
import type { Event, FunctionImage, PathStep } from '../../src/core/events.ts';
import { FAULT_INSTALLERS } from '../../src/kernel-api/catalogue.ts';
import { callArgs, lockOf, norm } from './paths.ts';
import { escapeRegExp } from '../../src/core/regexp.ts';

export interface FaultSnapshot {
  /** The entry pointer whose writes rest on the snapshot (`vmf->pte`, `vmf->pmd`). */
  target: string;
  /** The snapshot field (`vmf->orig_pte`, `vmf->orig_pmd`). */
  entry: string;
}

/** Is `owner` a `struct vm_fault *` of this function (a parameter declared so, or the kernel's `vmf` by name)? */
function isFaultOwner(image: FunctionImage, owner: string): boolean {
  if (owner === 'vmf') return true;
  const re = new RegExp(`\\bstruct\\s+vm_fault\\s*\\*\\s*${escapeRegExp(owner)}\\b`);
  return image.params.some((p) => re.test(p)) || re.test(image.text);
}

/**
 * The snapshot an acquisition of `vmf->ptl` makes stale: a PTE lock (`pte_offset_map_lock(..., &vmf->ptl)`,
 * `spin_lock(vmf->ptl)`) guards `vmf->pte` against `vmf->orig_pte`; a PMD lock (`vmf->ptl = pmd_lock()`) guards
 * `vmf->pmd` against `vmf->orig_pmd`. Undefined for any other lock.
 */
export function faultSnapshotAt(image: FunctionImage, ev: Event): FaultSnapshot | undefined {
  // A trylock (pmd_trans_huge_lock()) may fail: only an acquisition that always takes the lock.
  if (ev.kind !== 'pte-map-lock' && ev.kind !== 'lock') return undefined;
  const key = lockOf(ev) || norm(ev.result);
  const owner = /^([A-Za-z_]\w*)->ptl$/.exec(key)?.[1];
  if (!owner || !isFaultOwner(image, owner)) return undefined;
  if (ev.kind === 'pte-map-lock') {
    // The map must be of the faulting entry itself (it sets vmf->pte); a walk of other entries is not the snapshot's.
    if (norm(ev.result) !== `${owner}->pte`) return undefined;
    return { target: `${owner}->pte`, entry: `${owner}->orig_pte` };
  }
  if (ev.attrs.lockClass === 'pmd-ptl') return { target: `${owner}->pmd`, entry: `${owner}->orig_pmd` };
  if (ev.attrs.lockClass === 'ptl') return { target: `${owner}->pte`, entry: `${owner}->orig_pte` };
  return undefined;
}

/**
 * May this event re-validate the snapshot in code the analysis does not model: a call the catalogue does not know
 * that is handed the fault descriptor itself or the entry pointer (`vmf_pte_changed(vmf)`, a helper comparing
 * `*vmf->pte` with `vmf->orig_pte`). Counted as a re-read, so the claim never rests on such a call doing nothing.
 */
/**
 * The entry a fault-path installer writes (catalogue FAULT_INSTALLERS: `set_pte_range(vmf, ...)` writes `vmf->pte`),
 * or undefined for any other event.
 */
export function installTarget(ev: Event): string | undefined {
  if (ev.kind !== 'call' || !FAULT_INSTALLERS[ev.callee]) return undefined;
  const owner = norm(ev.args.arg0);
  return /^[A-Za-z_]\w*$/.test(owner) ? `${owner}->pte` : undefined;
}

/** The path with an installer call simulated as the PTE write it makes (`set_ptes(..., vmf->pte, ...)`). */
export function installAsWrite(steps: readonly PathStep[], ev: Event, target: string): PathStep[] {
  return steps.map((s) =>
    s.step === 'event' && s.id === ev.id && s.loc.line === ev.loc.line && s.callee === ev.callee
      ? { ...s, kind: 'pte-set', args: { ...s.args, pte: target }, attrs: { effects: ['unknown'] } }
      : s,
  );
}

/** Does the event act on a PMD or PUD entry (its catalogue level, or a pmd/pud-named comparison such as pmd_same())? */
function upperLevel(ev: Event): boolean {
  return ev.attrs.level === 'pmd' || ev.attrs.level === 'pud' || /^(?:pmd|pud)p?_/.test(ev.callee);
}

export function mayRevalidate(ev: Event, snap: FaultSnapshot): boolean {
  if (installTarget(ev) !== undefined) return false;
  // Any entry read or compared under the lock, through whatever pointer (`pte_t *pte = vmf->pte;` then
  // `pte_same(ptep_get(pte), vmf->orig_pte)`): the analysis does not follow the alias, so it is taken as the re-check
  // when it is an entry of the snapshot's level (a PMD compared says nothing of a PTE, nor a PTE of a huge PMD).
  if (ev.kind === 'pte-same' || ev.kind === 'pte-read' || ev.kind === 'pte-modify-start' || ev.kind === 'pte-clear' || ev.kind === 'pte-clear-flush') {
    return upperLevel(ev) === /->(?:pmd|pud)$/.test(snap.target);
  }
  return callHandsEntry(ev, snap.target);
}

/**
 * Is this a call the catalogue does not know (an opaque `call`) handed the entry pointer `target`, a pointer into
 * the same table at an offset, what reads through it, or (for `X->pte` / `X->pmd`) the structure `X` that owns it?
 * Such a call may compare the entry with a value read earlier.
 */
export function callHandsEntry(ev: Event, target: string): boolean {
  if (ev.kind !== 'call' || target === '') return false;
  const owner = /^(.+)->\w+$/.exec(target)?.[1];
  return Object.values(ev.args).some((a) => {
    const n = norm(a);
    return n === target || entryOf(a) === target || n.startsWith(`${target}+`) || n.startsWith(`${target}[`) || (owner !== undefined && n === owner);
  });
}

/**
 * Does `text` call a `*_same()` comparison (pte_same(), pmd_same(), a helper named so) with an argument that names
 * one of `names` (the entry pointer, the value read earlier, the structure owning them)? A comparison of other
 * values re-validates nothing here.
 */
export function sameCallNaming(text: string, names: readonly string[]): boolean {
  const wanted = names.map(norm).filter((n) => n !== '');
  if (wanted.length === 0) return false;
  const res = wanted.map((n) => new RegExp(`(?:^|[^\\w>.])${escapeRegExp(n)}(?![\\w]|->|\\.)`));
  for (const m of text.matchAll(/\b\w*_same\w*\s*\(/g)) {
    if (callArgs(text.slice(m.index ?? 0)).some((a) => res.some((re) => re.test(a)))) return true;
  }
  return false;
}

/** The entry pointer an expression reads: `*vmf->pmd`, `ptep_get(vmf->pte)`, `pmdp_get(vmf->pmd)`, `READ_ONCE(*p)`. */
export function entryOf(expr: string | undefined): string {
  let s = norm(expr);
  for (;;) {
    const before = s;
    const call = /^(?:ptep_get|pmdp_get|ptep_get_lockless|pmdp_get_lockless|READ_ONCE)\((.*)\)$/.exec(s);
    if (call) s = norm(call[1]);
    if (s.startsWith('*')) s = norm(s.slice(1));
    if (s === before) return s;
  }
}

/**
 * Calls whose argument is tested or released, not read through: `unlikely(!vmf->pte)` tests the pointer,
 * `pte_unmap_unlock(vmf->pte, vmf->ptl)` (include/linux/mm.h) unmaps the table and drops its lock without reading
 * the entry.
 */
const NOT_READING: ReadonlySet<string> = new Set(['likely', 'unlikely', 'if', 'while', 'WARN_ON', 'WARN_ON_ONCE', 'VM_WARN_ON', 'VM_WARN_ON_ONCE', 'BUG_ON', 'VM_BUG_ON', 'IS_ERR_OR_NULL', 'pte_unmap_unlock', 'pte_unmap']);

/**
 * Does the source between the lock (line `from`) and the write (line `to`) read the entry in a way the events do
 * not show: a dereference (`pmd_none(*vmf->pmd)`, where pmd_none() is not an event), the entry pointer handed to any
 * call other than a test wrapper, the fault descriptor itself handed to a call (`vmf_pte_changed(vmf)`), or any
 * `*_same()` comparison? Read from the text, whatever path runs: any such line is taken as the re-validation.
 */
export function textRevalidates(image: FunctionImage, snap: FaultSnapshot, from: number, to: number): boolean {
  const lines = image.text.split('\n').slice(from, Math.max(from, to - 1));
  const text = lines.join('\n');
  const owner = snap.target.replace(/->\w+$/, '');
  if (new RegExp(`[(,]\\s*&?\\s*${escapeRegExp(owner)}\\s*[,)]`).test(text)) return true;
  // A comparison (pte_same(), pmd_same(), pte_same_norecency(), a helper named so) of the entry or the snapshot.
  if (sameCallNaming(text, [snap.target, snap.entry, owner])) return true;
  const re = new RegExp(`${escapeRegExp(snap.target)}\\b`, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = Math.max(text.lastIndexOf(';', m.index), text.lastIndexOf('{', m.index), text.lastIndexOf('}', m.index)) + 1;
    const pre = text.slice(start, m.index);
    if (/\*\s*\(?\s*$/.test(pre) || /^\s*\[/.test(text.slice(m.index + m[0].length))) return true;
    // The innermost call still open before the mention.
    let depth = 0;
    for (let i = pre.length - 1; i >= 0; i--) {
      const c = pre[i];
      if (c === ')') depth++;
      else if (c === '(') {
        if (depth === 0) {
          const name = /([A-Za-z_]\w*)\s*$/.exec(pre.slice(0, i))?.[1];
          if (name && !NOT_READING.has(name)) return true;
          if (!name) continue;
          break;
        }
        depth--;
      }
    }
  }
  return false;
}
