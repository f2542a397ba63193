/**
 * An emptied page table detached after its lock was dropped (khugepaged-style collapse): PTEs cleared under the
 * PTL, the PTL released, then the table taken out of its PMD (pmdp_collapse_flush()) under the PMD lock, with no
 * look at the entries in between. While the PTL is dropped a userfaultfd fill (mmap_lock for read and the PTL only:
 * src/kernel-api/emptied-table.ts) can install an entry into the empty table; the detach then drops it with its page.
 *
 * What closes the gap (no finding): the PTE's lock held from the clear to the detach; an entry read or compared under
 * a page-table lock re-taken before the detach (a re-scan, `pte_none()` / `pmd_same()` tested after the re-take);
 * mmap_lock held for write (taken or asserted: exclusiveHolds(), or shown by vma_start_write()) across the gap; a
 * path whose branches say the VMA is not registered with userfaultfd or is shared (`if (userfaultfd_armed(vma) &&
 * !(vma->vm_flags & VM_SHARED))` not taken). What leaves it to the unseen code (`unknown`): no sign on the path or in
 * the function of which mmap_lock mode the function runs under — the caller may hold it for write. A function that
 * takes mmap_lock for read runs beside the fill. `mmap_assert_locked()` allows a read OR a write hold: the callers
 * decide (emptied-table-callers.ts): one visible caller holding it for read lets the fill run; visible callers all
 * holding it for write close the gap; else `unknown`. A call handed the table or its PMD between the re-take and the
 * detach may be the re-check (emptied-table-helper.ts): followed when its body is visible, else `unknown`.
 */
import type { Event, EventPath, FunctionImage } from '../../src/core/events.ts';
import { TABLE_DETACHERS, UFFD_FILL } from '../../src/kernel-api/emptied-table.ts';
import { hasTopLevel, splitTop } from '../../src/c/split-top.ts';
import { heldAssertions } from './lock-assertions.ts';
import { isPtlAcquire, isPtlRelease, lockOf, norm, stripStep } from './paths.ts';
import { exclusiveHolds } from './stale-entry.ts';
import type { CallerMode } from './emptied-table-callers.ts';
import { helperRecheck } from './emptied-table-helper.ts';

/** What the rule knows beyond the function: its callers' mmap_lock mode, the bodies of functions it calls. */
export interface GapContext {
  /** The visible callers' mmap_lock mode at the calls (rules/utils/emptied-table-callers.ts). */
  callersMode?: CallerMode;
  /** The body of a function this one calls, when visible (a function of the patch; with a tree, of the same file). */
  body?: (name: string) => FunctionImage | undefined;
}

export interface EmptiedTableGap {
  /** Path index and event of the last PTE clear under the lock before the drop. */
  clear: { index: number; event: Event };
  /** Where the lock protecting the cleared entries was released. */
  release: { index: number; event: Event };
  /** The detach (pmdp_collapse_flush()). */
  detach: { index: number; event: Event };
  /** The claim rests on unseen code (which mmap_lock mode the caller holds), when set. */
  unknown?: string;
}

/** Entry reads and comparisons that re-check the table after a re-take. */
const ENTRY_LOOKS: ReadonlySet<string> = new Set(['pte-read', 'pte-same', 'pte-clear', 'pte-modify-start']);
/** Branch conditions that re-check the entries or the PMD after a re-take. */
const RECHECK_COND = /\b(?:pte_none|pte_present|pmd_same|pmd_none|pmd_present|pmd_leaf|pmd_trans_huge|pmd_bad)\s*\(|\bptep_get\s*\(/;

/** Source text that reads an entry of the table or the PMD (`ptep_get(pte)`, `pte_none(...)`, `pmd_same(...)`). */
const TEXT_RECHECK = /\b(?:ptep_get|ptep_get_lockless|pte_none|pte_present|pte_same|pmd_same|pmdp_get|pmdp_get_lockless|pmd_none|pmd_present)\s*\(/;

/** Is this a detach of a PTE table (pmdp_collapse_flush())? */
export function isTableDetach(ev: Event): boolean {
  return Object.hasOwn(TABLE_DETACHERS, ev.callee);
}

/** A PTE cleared by the event (not a PMD-level clear). */
function clearsPte(ev: Event): boolean {
  return (ev.kind === 'pte-clear' || ev.kind === 'pte-clear-flush') && ev.attrs.level !== 'pmd' && !isTableDetach(ev);
}

/**
 * Evaluate a branch condition over its atoms; undefined when it cannot be split (a `?:`).
 */
function evalCond(cond: string, value: (atom: string) => boolean): boolean | undefined {
  let s = cond.trim();
  for (;;) {
    const m = /^(?:likely|unlikely)\s*\(([\s\S]*)\)$/.exec(s);
    if (m && balanced(m[1]!)) s = m[1]!.trim();
    else if (s.startsWith('(') && s.endsWith(')') && balanced(s.slice(1, -1))) s = s.slice(1, -1).trim();
    else break;
  }
  if (hasTopLevel(s, '?')) return undefined;
  const ors = splitTop(s, ['||']);
  if (ors.length > 1) {
    const v = ors.map((x) => evalCond(x, value));
    return v.some((x) => x === undefined) ? undefined : v.some(Boolean);
  }
  const ands = splitTop(s, ['&&']);
  if (ands.length > 1) {
    const v = ands.map((x) => evalCond(x, value));
    return v.some((x) => x === undefined) ? undefined : v.every(Boolean);
  }
  if (s.startsWith('!') && !s.startsWith('!=')) {
    const v = evalCond(s.slice(1), value);
    return v === undefined ? undefined : !v;
  }
  return value(s);
}

function balanced(s: string): boolean {
  let d = 0;
  for (const ch of s) {
    if (ch === '(') d++;
    else if (ch === ')' && --d < 0) return false;
  }
  return d === 0;
}

/** Atoms of a condition (the operands of its top-level `&&` / `||` / `!`), as written. */
function atomsOf(cond: string): string[] {
  const out: string[] = [];
  evalCond(cond, (a) => {
    if (!out.includes(a)) out.push(a);
    return false;
  });
  return out;
}

/**
 * Does taking this branch (cond, taken) imply that no userfaultfd fill can reach the VMA: not armed, or shared?
 * Every assignment of the condition's atoms that gives the branch's outcome must make `armed && !shared` false.
 */
export function branchExcludesFill(cond: string, taken: boolean): boolean {
  if (!UFFD_FILL.armed.test(cond) && !UFFD_FILL.shared.test(cond)) return false;
  const atoms = atomsOf(cond);
  if (atoms.length === 0 || atoms.length > 8) return false;
  for (let bits = 0; bits < 1 << atoms.length; bits++) {
    const val = (a: string): boolean => ((bits >> atoms.indexOf(a)) & 1) === 1;
    const v = evalCond(cond, val);
    if (v === undefined) return false;
    if (v !== taken) continue;
    const armed = atoms.some((a) => UFFD_FILL.armed.test(a) && !/^\s*!/.test(a) && val(a));
    const shared = atoms.some((a) => UFFD_FILL.shared.test(a) && val(a));
    if (armed && !shared) return false;
  }
  return true;
}

/**
 * The emptied-then-detached gaps of one path. A path that goes on after a detach with another clear is read again
 * from there.
 */
export function emptiedTableGaps(image: FunctionImage, path: EventPath, gc: GapContext = {}): EmptiedTableGap[] {
  const out: EmptiedTableGap[] = [];
  const exclusive = exclusiveHolds(image, path);
  const held = new Map<string, string>(); // lock key -> class
  let cleared: { index: number; event: Event; locks: string[] } | undefined;
  let open: { clear: { index: number; event: Event }; release: { index: number; event: Event }; retakeLine?: number } | undefined;
  const lines = image.text.split('\n');
  let fillExcluded = false;
  let writeShown = false;
  let readShown = false;
  // Variables holding a lock pmd_lock() returned (include/linux/mm.h pmd_lock(): spin_lock(pmd_lockptr()) and return
  // it; never NULL): a path that then finds one NULL is no execution.
  const neverNull = new Set<string>();
  let impossible = false;
  // The table's pointers and its PMD, as the path names them (pte_offset_map*() results, their pmd, the clears).
  const tables = new Set<string>();
  path.steps.forEach((s, index) => {
    if (impossible) return;
    if (s.step === 'control') {
      if (s.kind !== 'branch') return;
      const t = nullTest(s.cond);
      if (t && neverNull.has(t.name) && t.isNull === s.taken) {
        impossible = true;
        return;
      }
      if (branchExcludesFill(s.cond, s.taken)) fillExcluded = true;
      // A look at the entries or the PMD after the lock was taken again.
      if (open && held.size > 0 && RECHECK_COND.test(s.cond)) open = undefined;
      return;
    }
    const ev = stripStep(s);
    if (ev.kind === 'lock' && ev.callee === 'pmd_lock' && ev.result) neverNull.add(ev.result);
    if (ev.kind === 'pte-map' || ev.kind === 'pte-map-lock' || clearsPte(ev) || (ev.kind === 'lock' && ev.callee === 'pmd_lock')) {
      for (const a of [ev.result, ev.args.pte, ev.args.pmd]) if (a && ev.kind !== 'lock') tables.add(norm(a));
      if (ev.args.pmd) tables.add(norm(ev.args.pmd));
    }
    if (ev.kind === 'call' && UFFD_FILL.writeLocked.test(ev.callee)) writeShown = true;
    if ((ev.kind === 'call' && UFFD_FILL.readLocked.test(ev.callee)) || (ev.kind === 'mmap-lock' && ev.attrs.mode === 'read')) readShown = true;
    if (isTableDetach(ev)) {
      // The source lines between the re-take and the detach are read too, whatever path runs through them: a look at
      // the entries there (a re-scan loop the path runs zero times) may be the re-check.
      const between = open?.retakeLine !== undefined ? lines.slice(open.retakeLine - 1, ev.loc.line - 1).join('\n').replace(/\/\*[\s\S]*?\*\//g, ' ') : '';
      // A call handed the table (or its PMD) between the re-take and the detach may be the re-check.
      const helper = open?.retakeLine !== undefined ? helperRecheck(image, open.retakeLine, ev.loc.line, tables, TEXT_RECHECK, gc.body ?? (() => undefined)) : undefined;
      const asserted = heldAssertions(image).filter((a) => a.cls === 'mmap');
      // mmap_assert_locked() allows a read OR a write hold: which one the function runs under is the callers' to
      // show. Every visible caller holding it for write: no gap; none holding it for read: a question.
      const readAsserted = asserted.some((a) => a.mode === 'read');
      const anyAsserted = asserted.some((a) => a.mode === 'any');
      const callers = gc.callersMode ?? 'unknown';
      const writeByCallers = !readShown && !readAsserted && anyAsserted && callers === 'write';
      if (open && held.size > 0 && !TEXT_RECHECK.test(between) && helper?.kind !== 'rechecks' && !fillExcluded && !writeShown && !writeByCallers && exclusive[index] === undefined && exclusive[open.release.index] === undefined) {
        const gap: EmptiedTableGap = { ...open, detach: { index, event: ev } };
        const readOk = readShown || readAsserted || (anyAsserted && callers === 'read');
        const questions: string[] = [];
        if (!readOk) {
          const at = ev.loc.fileLine ?? ev.loc.line;
          const from = open.release.event.loc.fileLine ?? open.release.event.loc.line;
          questions.push(anyAsserted
            ? `whether the callers hold mmap_lock for read or for write from line ${from} to line ${at} (mmap_assert_locked() allows either; a userfaultfd fill takes it for read only; no visible caller shows a read hold)`
            : `whether the caller holds mmap_lock for write from line ${from} to line ${at} (a userfaultfd fill takes it for read only)`);
        }
        if (helper?.kind === 'unknown') questions.push(helper.question);
        if (questions.length > 0) gap.unknown = questions.join('; ');
        out.push(gap);
      }
      open = undefined;
      cleared = undefined;
      return;
    }
    if (open && held.size > 0 && ENTRY_LOOKS.has(ev.kind)) open = undefined;
    if (isPtlAcquire(ev)) {
      if (open && open.retakeLine === undefined) open.retakeLine = ev.loc.line;
      const k = lockOf(ev);
      if (k !== '') held.set(k, ev.kind === 'pte-map-lock' ? 'ptl' : (ev.attrs.lockClass ?? 'ptl'));
    } else if (isPtlRelease(ev)) {
      held.delete(lockOf(ev));
      if (cleared && !open && cleared.locks.every((k) => !held.has(k))) open = { clear: { index: cleared.index, event: cleared.event }, release: { index, event: ev } };
    }
    if (clearsPte(ev) && held.size > 0) {
      // The lock of the entry: a PTE-level lock when one is held (the PMD lock does not keep a fill out of the table).
      const pte = [...held].filter(([, c]) => c === 'ptl').map(([k]) => k);
      cleared = { index, event: ev, locks: pte.length ? pte : [...held.keys()] };
      open = undefined;
    }
  });
  return impossible ? [] : out;
}

/** `!x`, `x == NULL` (under likely()/unlikely() too) → { name: x, isNull: true }; `x`, `x != NULL` → isNull false. */
function nullTest(cond: string): { name: string; isNull: boolean } | undefined {
  const c = cond.replace(/\s+/g, '').replace(/^(?:likely|unlikely)\((.*)\)$/, '$1');
  let m = /^!([A-Za-z_]\w*)$/.exec(c) ?? /^([A-Za-z_]\w*)==NULL$/.exec(c);
  if (m) return { name: m[1]!, isNull: true };
  m = /^([A-Za-z_]\w*)$/.exec(c) ?? /^([A-Za-z_]\w*)!=NULL$/.exec(c);
  return m ? { name: m[1]!, isNull: false } : undefined;
}
