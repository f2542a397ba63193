/**
 * Turns an event path extracted from C into a simulator thread program: symbolic arguments (`ptl`, `vmf->ptl`,
 * `pte`, `pte - 1`, `range`) are bound to model objects (PTL `ptl0`, PTEs `pte0`/`pte1`, pages, ranges), events
 * keep their kind (the front end and the simulator share one op vocabulary) and carry their source line.
 */
import type { Event, EventPath, PathStep } from '../core/events.ts';
import type { Cond, Instr, OpInstr } from '../sim/scenario.ts';
import type { PteEffect } from '../core/ops.ts';
import { callArgs, norm } from '../../rules/utils/paths.ts';
import { failedCalls } from '../../rules/utils/failure.ts';

/** Label of the lock a fragment path releases before taking it, prepended to its program (see unseen.ts for gaps). */
export const TAKEN_BEFORE_LABEL = '(before the hunk) the page-table lock is taken';

/**
 * Label of the synthetic release, after an unseen loop, of a PTL taken before the hunk (path-program.ts): whether the
 * unseen code took that lock once before the loop or re-takes it at the top of each iteration is an open choice of
 * the completions (unseen.ts), unless the rule established it (hazard context PTL_BEFORE_LOOP).
 */
export const LOOP_EPILOGUE_LABEL = '(after the loop, unseen) pte_unmap_unlock() of the lock taken before the loop';

/** Label of the fragment epilogue's release of a lock the visible code still holds where the path is cut. */
export const unseenRelease = (lock: string): string => `(unseen rest of the function) releases ${lock}`;

/** The free page a patched wp_page_copy() copies into. */
export const COPY_PAGE = 'copy0';

/** The entry before the first mapped PTE (`pte - 1` underflow), in the previous page-table page. */
export const PREV_PTE = 'pteprev';
/** That page-table page's lock. */
export const PREV_PTL = 'ptl1';

/**
 * The entry a move writes (mremap's move_ptes()/move_normal_pmd(): clear the old entry, install its value at a new
 * one): an entry of its own, empty until the move, so the stale TLB entry of the old one is told apart from the
 * new mapping.
 */
export const DEST_PTE = 'ptedst';

/** What a path needs from the model: how many PTEs, which extra locks. */
export interface PathShape {
  ptes: number;
  locks: Array<{ name: string; kind: 'spin' | 'mutex' | 'rwsem' }>;
}

export interface ProgramOptions {
  /** File path for source annotations. */
  path: string;
  /** Number of PTEs in the model (the cursor never goes past the last one). */
  ptes: number;
  /**
   * The path comes from a hunk fragment: a PTL released on the path without being taken on it was taken before
   * the hunk (by code the diff does not show), so the program starts with it held.
   */
  fragment?: boolean;
}

/** The model lock a lock expression stands for. */
export function lockRef(e: Event, expr: string | undefined, nested?: ReadonlySet<string>): { name: string; kind: 'spin' | 'mutex' | 'rwsem' } {
  const cls = e.attrs.lockClass;
  if (e.kind === 'mmap-lock' || e.kind === 'mmap-unlock' || cls === 'mmap') return { name: 'mmap', kind: 'rwsem' };
  const norm = (expr ?? e.callee).replace(/\s+/g, '').replace(/^&/, '');
  if (cls === 'ptl' || cls === 'pmd-ptl' || e.kind === 'pte-map-lock' || e.kind === 'pte-unmap-unlock' || e.kind === 'pte-map') {
    // A second page-table lock taken while the first is held (the destination's lock of a move) is another lock.
    if (nested?.has(norm)) return { name: `lock:${norm}`, kind: 'spin' };
    return { name: 'ptl0', kind: 'spin' };
  }
  // The page/folio lock is a sleeping lock (lock_page() sleeps in folio_lock()): not an atomic context.
  if (cls === 'mutex' || cls === 'i_mmap' || cls === 'anon_vma' || cls === 'page') return { name: `lock:${norm}`, kind: 'mutex' };
  if (cls === 'mmu') return { name: 'mmu_lock', kind: 'spin' };
  return { name: `lock:${norm}`, kind: 'spin' };
}

/** Lock expressions a callee releases on our behalf (`do_wp_page` → vmf->ptl) as model lock names. */
function releasedRefs(e: Event): string[] {
  return (e.attrs.releases ?? []).map((expr) => {
    if (/mmap_(sem|lock)/.test(expr)) return 'mmap';
    return /ptl|lockptr/.test(expr) ? 'ptl0' : `lock:${expr.replace(/\s+/g, '').replace(/^&/, '')}`;
  });
}

const lockKey = (e: Event): string => (e.args.lock ?? '').replace(/\s+/g, '').replace(/^&/, '');
const isPtlClass = (e: Event): boolean => e.kind === 'pte-map-lock' || e.attrs.lockClass === 'ptl' || e.attrs.lockClass === 'pmd-ptl';

/**
 * Page-table lock expressions a path takes while another page-table lock is held (`spin_lock_nested(new_ptl)` after
 * `pmd_lock(old_pmd)`): the model gives them locks of their own instead of the PTE's `ptl0`.
 */
export function nestedPtls(path: EventPath): Set<string> {
  const held = new Set<string>();
  const nested = new Set<string>();
  for (const s of path.steps) {
    if (s.step !== 'event' || !isPtlClass(s)) continue;
    const k = lockKey(s);
    if (k === '') continue;
    if (s.kind === 'pte-map-lock' || s.kind === 'lock' || s.kind === 'trylock') {
      if (held.size > 0 && !held.has(k) && ![...held].every((h) => nested.has(h))) nested.add(k);
      held.add(k);
    } else if (s.kind === 'unlock' || s.kind === 'pte-unmap-unlock') held.delete(k);
  }
  return nested;
}

/**
 * Page-table lock expressions a path releases without taking them, after the first such one
 * (`spin_unlock(src_ptl); spin_unlock(dst_ptl);` in a fragment): each is a distinct lock taken by unseen code, so
 * each gets a model lock of its own (and its own "taken before" prologue), instead of collapsing into `ptl0`.
 */
export function untakenPtls(path: EventPath): Set<string> {
  const taken = new Set<string>();
  const order: string[] = [];
  for (const s of path.steps) {
    if (s.step !== 'event' || !isPtlClass(s)) continue;
    const k = lockKey(s);
    if (k === '') continue;
    if (s.kind === 'pte-map-lock' || s.kind === 'lock' || s.kind === 'trylock') taken.add(k);
    else if (s.kind === 'unlock' && !taken.has(k) && !order.includes(k)) order.push(k);
  }
  return new Set(order.slice(1));
}

/** Root expression of the entry an event reads or writes. */
const entryOf = (e: Event): string => (e.args.pte ?? (e.kind === 'pte-map-lock' || e.kind === 'pte-map' ? e.result : undefined) ?? '').replace(/\s+/g, '');

/**
 * The events of a path that write the destination of a move: a `pte-set` into an entry the path has not read,
 * cleared or written before (mapping it is fine), after it cleared another entry. Returns event id → the source
 * entry (and the variable holding its old value, when the written value names it).
 */
export function moveDestinations(path: EventPath): Map<number, { source: string; value?: string }> {
  const seen = new Set<string>();
  const cleared = new Map<string, string | undefined>();
  const out = new Map<number, { source: string; value?: string }>();
  for (const s of path.steps) {
    if (s.step !== 'event') continue;
    const entry = entryOf(s);
    if (entry === '') continue;
    if (s.kind === 'pte-set' && !seen.has(entry) && cleared.size > 0) {
      const value = s.args.value ?? '';
      const from = [...cleared.entries()].find(([, r]) => r !== undefined && new RegExp(`\\b${r.replace(/[^\w]/g, '')}\\b`).test(value));
      out.set(s.id, { source: from?.[0] ?? [...cleared.keys()][0]!, ...(from ? { value: from[1] } : {}) });
      continue;
    }
    if (s.kind !== 'pte-map' && s.kind !== 'pte-map-lock') seen.add(entry);
    if (s.kind === 'pte-clear' || s.kind === 'pte-clear-flush' || s.kind === 'pte-modify-start') cleared.set(entry, s.result);
  }
  return out;
}

/** The PTEs and locks a path touches. */
export function shapeOf(paths: readonly EventPath[]): PathShape {
  let ptes = 1;
  const locks = new Map<string, 'spin' | 'mutex' | 'rwsem'>();
  for (const p of paths) {
    const nested = new Set([...nestedPtls(p), ...untakenPtls(p)]);
    for (const s of p.steps) {
      if (s.step !== 'event') continue;
      if (s.kind === 'pte-advance') ptes = 2;
      // An end over a range no start of the path named: two ranges, so the model needs two entries to tell them apart.
      if (s.kind === 'notifier-end' && endsUnstartedRange(p, s)) ptes = 2;
      if (['lock', 'trylock', 'unlock', 'mmap-lock', 'mmap-unlock'].includes(s.kind)) {
        const r = lockRef(s, s.args.lock, nested);
        if (r.name !== 'ptl0') locks.set(r.name, r.kind);
      }
      for (const r of releasedRefs(s)) if (r !== 'ptl0') locks.set(r, r === 'mmap' ? 'rwsem' : 'spin');
    }
  }
  return { ptes, locks: [...locks.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, kind]) => ({ name, kind })) };
}

/**
 * Is `end` over a range that no notifier start of the path names (a range object resolved through the path's
 * mmu_notifier_range_init(), so `&range` and the bounds it was initialised with are one range)?
 */
function endsUnstartedRange(path: EventPath, end: Event): boolean {
  // Bounds compared as the rule compares them (rules/utils/paths.ts norm(): no blanks, outer parens or leading `&`).
  const bounds = (e: Event): string => `${norm(e.args.start)}..${norm(e.args.end)}`;
  const inits = new Map<string, string>();
  const resolved = (e: Event): string => (e.args.range ? (inits.get(norm(e.args.range)) ?? `range:${norm(e.args.range)}`) : bounds(e));
  const starts = new Set<string>();
  for (const s of path.steps) {
    if (s.step !== 'event') continue;
    if (s.kind === 'notifier-range-init' && s.args.range) inits.set(norm(s.args.range), bounds(s));
    if (s.kind === 'notifier-start') starts.add(resolved(s));
    if (s === end) return starts.size > 0 && !starts.has(resolved(s));
  }
  return false;
}

/** Distinct notifier range expressions of a path, in order of appearance. */
function rangeKey(e: Event): string {
  if (e.args.range) return e.args.range.replace(/\s+/g, '').replace(/^&/, '');
  return `${(e.args.start ?? '').replace(/\s+/g, '')}..${(e.args.end ?? '').replace(/\s+/g, '')}`;
}

/**
 * Translate one path into a program. Control steps are dropped (the path is already one concrete route); a
 * `return` ends the program; `pte-advance` moves the PTE cursor; `pte - 1` addresses the previous PTE.
 */
export function pathToProgram(path: EventPath, opts: ProgramOptions): Instr[] {
  const out: Instr[] = [];
  let cursor = 0;
  const ranges: string[] = [];
  const last = opts.ptes - 1;
  // The path ran a loop whose head the hunk does not show (`for (...; pte++, addr += PAGE_SIZE)`) and left it by
  // its condition after at least one iteration: the cursor advanced past the last entry handled (in the unseen
  // step, or wherever the loop advances it: a loop that never did would unlock `pte - 1` out of its table on
  // every run), so `pte - 1` after it is the entry the last iteration handled, under the same lock. A `break`
  // leaves before the step: that case keeps the "not advanced" reading.
  let advancedUnseen = false;
  const enteredHeads = new Map<number, string>();
  const iterated = new Set<number>();
  // A fragment path that starts after a PTE loop it does not show (no map, no loop step on the path) works on a
  // table mapped above the hunk with a cursor that loop advanced: its `pte - 1` is the last entry the loop
  // reached, not an underflow. (A path through a loop iteration the hunk shows can break out of the first one.)
  const afterUnseenLoop =
    opts.fragment === true &&
    !path.steps.some((s) => (s.step === 'event' && (s.kind === 'pte-map-lock' || s.kind === 'pte-map')) || (s.step === 'control' && s.kind.startsWith('loop')));
  const pteAt = (expr: string | undefined): string => {
    let i = cursor;
    if (expr && /-\s*1\s*$/.test(expr)) i = cursor - 1;
    if (i < 0 && advancedUnseen) i = cursor;
    // `pte - 1` before the cursor advanced points before the mapped table: the last entry of the previous
    // page-table page, which has its own PTL.
    if (i < 0) return afterUnseenLoop ? 'pte0' : PREV_PTE;
    return `pte${Math.min(last, i)}`;
  };
  const rangeOf = (e: Event): [number, number] => {
    const k = rangeKey(e);
    let idx = ranges.indexOf(k);
    if (idx < 0) {
      ranges.push(k);
      idx = ranges.length - 1;
    }
    return idx === 0 ? [0, opts.ptes] : [0, 1];
  };
  let truncated = false;
  let intoUnseenLoop = false;
  let lastControl: string | undefined;
  const untaken = opts.fragment === true ? untakenPtls(path) : new Set<string>();
  const nested = new Set([...nestedPtls(path), ...untaken]);
  const moves = moveDestinations(path);
  // A failable call that failed on this path did not do its work (catalogue FAILURE): no lock, no mapping, no window.
  const failed = failedCalls(path);
  // Model locks of holds no pointer survives to (attrs.unreleasable): the fragment epilogue leaves them held.
  const unreleasable = new Set<string>();
  // Locks left out of the held-on-entry prologue: a take the path shows failing, a lock of no known class, a spinlock
  // other than a page-table lock.
  const failedTakes = new Set<string>();
  const backEdges: Instr[] = [];
  for (const [index, step] of path.steps.entries()) {
    if (step.step === 'control') {
      if (step.kind === 'return') break;
      if (step.kind === 'loop-enter') enteredHeads.set(step.loop, step.head);
      if (step.kind === 'loop-next') iterated.add(step.loop);
      // Going round a loop whose head the front end invented crosses unseen code (the head, the top of the body above
      // the hunk): a gap after the last instruction so far (unseen.ts gapLocks).
      if (step.kind === 'loop-next' && /__mmr_/.test(enteredHeads.get(step.loop) ?? '')) {
        const before = out[out.length - 1];
        if (before) backEdges.push(before);
      }
      if (step.kind === 'loop-exit' && step.via === 'cond' && iterated.has(step.loop) && unseenHead(enteredHeads.get(step.loop))) advancedUnseen = true;
      if (step.kind === 'branch') {
        // The path took this branch: an execution where the PTE does not satisfy it is not this path.
        for (const cond of branchAssumptions(step.cond, step.taken)) {
          out.push({ ctl: 'assume', cond: { ...cond, pte: `pte${Math.min(last, cursor)}` } });
        }
      }
      if (step.kind === 'truncated') {
        truncated = true;
        intoUnseenLoop = lastControl === 'loop-next' || lastControl === 'loop-exit';
      }
      lastControl = step.kind;
      continue;
    }
    lastControl = undefined;
    if (failed.has(index)) {
      // A take that failed on this path is still where the path shows the lock taken (or not): it was not held above.
      const lock = eventInstr(step, { pteAt, rangeOf, ptes: opts.ptes, cursorPte: () => `pte${Math.min(last, cursor)}`, nested })?.lock;
      if (lock) failedTakes.add(lock);
      continue;
    }
    const instr = eventInstr(step, { pteAt, rangeOf, ptes: opts.ptes, cursorPte: () => `pte${Math.min(last, cursor)}`, nested });
    const move = moves.get(step.id);
    if (instr && move) {
      // The destination of a move gets the value taken from the cleared entry (its local snapshot).
      instr.pte = DEST_PTE;
      instr.from = pteAt(undefined);
    }
    if (step.kind === 'pte-advance') {
      cursor = Math.min(last, cursor + 1);
      continue;
    }
    if (!instr) continue;
    if (step.attrs.unreleasable && instr.lock) unreleasable.add(instr.lock);
    // A lock of no class the model knows (a rule's stand-in, `lockClass: 'other'`) says nothing about what was held.
    if (instr.lock && (step.kind === 'lock' || step.kind === 'unlock' || step.kind === 'trylock') && (step.attrs.lockClass === undefined || step.attrs.lockClass === 'other')) failedTakes.add(instr.lock);
    // A spinlock other than a page-table lock the path releases without taking (untakenPtls) may have been taken in
    // the unseen lines between two hunks rather than above the first: "held from the start" would claim the visible
    // code before that gap ran in atomic context. Only sleeping locks (and those page-table locks) are held on entry.
    if (instr.lock && (step.kind === 'lock' || step.kind === 'unlock' || step.kind === 'trylock') && lockRef(step, step.args.lock, nested).kind === 'spin' && !untaken.has(instr.lock.replace(/^lock:/, ''))) failedTakes.add(instr.lock);
    // A step a rule made up for unseen code (line 0) has no source line: its text stands in the interleaving.
    if (step.loc.line === 0 && step.loc.fileLine === undefined) instr.label = step.text;
    else instr.src = { path: opts.path, line: step.loc.fileLine ?? step.loc.line, text: step.text };
    // set_pte_at_notify() calls mmu_notifier_change_pte() and then set_pte_at(); ptep_clear_flush_notify()
    // clears and flushes, then invalidates the secondary TLBs.
    const notified = step.attrs.notifies === true && instr.pte ? instr.pte : undefined;
    if (notified && step.kind === 'pte-set') {
      // change_pte() carries the value about to be installed: the same effects as the write.
      const effects = instr.effects && instr.effects.length > 0 ? instr.effects : (['unknown'] as PteEffect[]);
      out.push({ op: 'notifier-change-pte', pte: notified, effects, label: 'mmu_notifier_change_pte()', src: instr.src });
    }
    // An in-place update (clear_young_dirty_ptes()) writes the entry it reads itself, not an earlier snapshot.
    if (step.attrs.inPlace === true && instr.pte && instr.op === 'pte-modify-commit') out.push({ op: 'pte-read', pte: instr.pte, label: instr.label, src: instr.src });
    out.push(instr);
    if (notified && step.kind !== 'pte-set') {
      const i = Number(notified.replace(/\D/g, '') || 0);
      out.push({ op: 'notifier-invalidate', range: [i, i + 1], label: 'mmu_notifier_invalidate_range()', src: instr.src });
    }
  }
  const takenBefore = opts.fragment === true && releasesBeforeTaking(out, 'ptl0');
  // Every other lock the model knows (another page-table lock, the page lock, mmap_lock, i_mmap_rwsem, ...) that a
  // fragment path releases before it takes it was held on entry too: taken by the code above the hunk.
  if (opts.fragment === true) out.unshift(...heldOnEntry(out, failedTakes));
  if (takenBefore) out.unshift({ op: 'lock', lock: 'ptl0', label: TAKEN_BEFORE_LABEL });
  if (truncated || !path.complete) {
    const release = releaseHeld(out, unreleasable);
    // A PTE loop runs its body under the lock taken before the loop and releases it after the loop: when the
    // path leaves the hunk into that unseen loop, the unseen epilogue releases the lock whether or not the
    // visible code still holds it.
    if (takenBefore && intoUnseenLoop && !release.some((r) => r.lock === 'ptl0')) {
      release.push({ op: 'unlock', lock: 'ptl0', label: LOOP_EPILOGUE_LABEL });
    }
    out.push(...release);
  }
  const edges = backEdges.map((i) => out.indexOf(i)).filter((k) => k >= 0);
  if (edges.length > 0) INVENTED_BACK_EDGES.set(out, edges);
  return out;
}

/**
 * Per program from pathToProgram: indices of the instructions after which the path goes round a loop whose head the
 * front end invented (`while (__mmr_loop__)`): the back edge runs unseen code (the real head, the top of the body
 * above the hunk) before the visible code again, like the lines between two hunks.
 */
export const INVENTED_BACK_EDGES = new WeakMap<readonly Instr[], number[]>();

/** A loop head the hunk does not show: not entered on the path, or one the front end invented (`__mmr_loop__`). */
function unseenHead(head: string | undefined): boolean {
  return head === undefined || /__mmr_/.test(head);
}

const PTE_TESTS: Record<string, { test: Cond['test']; negate: boolean }> = {
  pte_present: { test: 'pte-present', negate: false },
  pte_none: { test: 'pte-present', negate: true },
  pte_write: { test: 'pte-write', negate: false },
  pte_dirty: { test: 'pte-dirty', negate: false },
  pte_young: { test: 'pte-young', negate: false },
  pte_uffd_wp: { test: 'pte-uffd-wp', negate: false },
  // The one-argument form: can the hardware use the entry (x86: _PAGE_PRESENT), the model's `present`.
  pte_accessible: { test: 'pte-present', negate: false },
};

/** One `[!]pte_xxx(value)` test, or undefined for anything else. */
function pteTest(text: string): Omit<Cond, 'pte'> | undefined {
  const m = /^\s*(!\s*)?(pte_\w+)\s*\(\s*(?:\*\s*)?[\w>.-]+(?:\s*\(\s*[\w>.-]*\s*\))?\s*\)\s*$/.exec(text);
  const t = m ? PTE_TESTS[m[2]!] : undefined;
  if (!m || !t) return undefined;
  return { test: t.test, negate: t.negate !== (m[1] !== undefined) };
}

/**
 * What a branch on PTE state tells about the PTE when the path took it (`taken`) or not: a conjunction of simple
 * `pte_present/none/write/dirty/young/uffd_wp()` tests. `A && B` taken and `A || B` not taken decompose; anything
 * else (calls, other variables, mixed operators) says nothing.
 */
export function branchAssumptions(cond: string, taken: boolean): Array<Omit<Cond, 'pte'>> {
  const c = cond.trim().replace(/^\((.*)\)$/s, '$1');
  const conj = taken ? '&&' : '||';
  const other = taken ? '||' : '&&';
  if (c.includes(other)) return [];
  const parts = c.split(conj).map((x) => pteTest(x.trim().replace(/^\((.*)\)$/s, '$1')));
  if (parts.some((x) => x === undefined)) return [];
  return (parts as Array<Omit<Cond, 'pte'>>).map((x) => ({ test: x.test, negate: taken ? x.negate === true : x.negate !== true }));
}

/**
 * The locks other than the PTE's `ptl0` a program releases before any acquisition of them (the first release of each,
 * in order of appearance), as the acquisitions the code above a hunk made: `(before the hunk) X is taken`. Locks in
 * `shownTaken` are left out: a take the path shows failing (the path shows where it would have been taken), a lock of
 * no class the model knows, a spinlock other than a page-table lock (pathToProgram).
 */
export function heldOnEntry(program: readonly Instr[], shownTaken: ReadonlySet<string> = new Set()): OpInstr[] {
  const seen = new Set<string>(['ptl0', PREV_PTL, ...shownTaken]);
  const out: OpInstr[] = [];
  for (const i of program) {
    if ('ctl' in i) continue;
    const names = [...(i.lock ? [i.lock] : []), ...(i.releases ?? [])];
    for (const name of names) {
      if (seen.has(name)) continue;
      seen.add(name);
      if (!releasesBeforeTaking(program, name)) continue;
      const mode = i.lock === name ? i.mode : name === 'mmap' ? 'read' : undefined;
      out.push({ op: 'lock', lock: name, ...(mode ? { mode } : {}), label: `(before the hunk) ${name.replace(/^lock:/, '')} is taken` });
    }
  }
  return out;
}

/** Does the program release `lock` before any acquisition of it? */
function releasesBeforeTaking(program: readonly Instr[], lock: string): boolean {
  for (const i of program) {
    if ('ctl' in i) continue;
    if ((i.op === 'lock' || i.op === 'trylock' || i.op === 'pte-map-lock') && i.lock === lock) return false;
    if ((i.op === 'unlock' || i.op === 'pte-unmap-unlock') && i.lock === lock) return true;
    if (i.releases?.includes(lock)) return true;
  }
  return false;
}

/**
 * A path cut at the end of a hunk fragment does not show the rest of the function: assume the unseen tail releases
 * the locks the seen part still holds (kernel functions are lock-balanced unless annotated), so the model does not
 * blame the fragment boundary for a lock it cannot see released. A hold no pointer survives to (`unreleasable`,
 * from the lock event's attrs.unreleasable) stays held: no unseen code can release it.
 */
function releaseHeld(program: readonly Instr[], unreleasable: ReadonlySet<string>): OpInstr[] {
  const held: Array<{ lock: string; mode?: 'read' | 'write' }> = [];
  for (const i of program) {
    if ('ctl' in i || !i.lock) {
      if (!('ctl' in i)) for (const r of i.releases ?? []) held.splice(held.findIndex((h) => h.lock === r) >>> 0, 1);
      continue;
    }
    if (i.op === 'lock' || i.op === 'pte-map-lock') held.push({ lock: i.lock, ...(i.mode ? { mode: i.mode } : {}) });
    if (i.op === 'unlock' || i.op === 'pte-unmap-unlock') {
      const k = held.findIndex((h) => h.lock === i.lock);
      if (k >= 0) held.splice(k, 1);
    }
  }
  return held.reverse().filter((h) => !unreleasable.has(h.lock)).map((h) => ({ op: 'unlock', lock: h.lock, ...(h.mode ? { mode: h.mode } : {}), label: unseenRelease(h.lock) }));
}

interface Binder {
  nested?: ReadonlySet<string>;
  pteAt(expr: string | undefined): string;
  rangeOf(e: Event): [number, number];
  cursorPte(): string;
  ptes: number;
}

/** One event as an instruction, or undefined for events the model does not need (opaque calls, markers). */
function eventInstr(e: Extract<PathStep, { step: 'event' }>, b: Binder): OpInstr | undefined {
  // Operator forms (`*pte`, `pte++`) are shown as written.
  const label = /^[A-Za-z_]\w*$/.test(e.callee) ? `${e.callee}()` : e.text;
  // The written argument, not the alias-resolved one: `pte - 1` must stay `pte - 1`.
  const pte = b.pteAt(e.kind === 'pte-unmap-unlock' || e.kind === 'pte-unmap' ? (callArgs(e.text)[0] ?? e.args.pte) : (e.args.pte ?? e.result));
  const page = pte.replace('pte', 'page');
  switch (e.kind) {
    case 'call':
    case 'pte-advance':
    case 'uffd-wp-check':
      return undefined;
    case 'lock':
    case 'trylock': {
      const r = lockRef(e, e.args.lock, b.nested);
      return { op: 'lock', lock: r.name, ...(r.kind === 'rwsem' ? { mode: e.attrs.mode ?? 'read' } : {}), label };
    }
    case 'unlock': {
      const r = lockRef(e, e.args.lock, b.nested);
      return { op: 'unlock', lock: r.name, ...(r.kind === 'rwsem' ? { mode: e.attrs.mode ?? 'read' } : {}), label };
    }
    case 'mmap-lock':
    case 'mmap-unlock':
      return { op: e.kind === 'mmap-lock' ? 'lock' : 'unlock', lock: 'mmap', mode: e.attrs.mode ?? 'read', label };
    case 'pte-map-lock':
      return { op: 'pte-map-lock', pte: b.pteAt(e.result ?? e.args.pte), lock: 'ptl0', label };
    case 'pte-unmap-unlock':
      return { op: 'pte-unmap-unlock', pte, lock: pte === PREV_PTE ? PREV_PTL : 'ptl0', label };
    case 'pte-map':
    case 'pte-unmap':
      return { op: e.kind, pte, label };
    case 'pte-read':
    case 'pte-same':
    case 'pte-clear':
    case 'pte-modify-start':
    case 'pte-set-access-flags':
    case 'pte-fixup-young-dirty':
      return { op: e.kind, pte, label };
    case 'pte-clear-flush':
      return { op: 'pte-clear-flush', pte, label };
    case 'pte-set':
    case 'pte-modify-commit':
    case 'pte-wrprotect':
    case 'pte-mkold':
      return { op: e.kind, pte, ...(e.attrs.effects ? { effects: [...e.attrs.effects] } : {}), ...(e.attrs.mapsCopy ? { page: COPY_PAGE } : {}), label };
    case 'tlb-flush': {
      const scope = e.attrs.scope ?? 'range';
      // A range the rule showed to start past the changed entries covers none of the model's entries.
      if (e.attrs.rangeMisses === true && scope === 'range') return { op: 'tlb-flush', scope, range: [0, 0], label };
      const cover = { ...(e.attrs.flushLevels ? { levels: [...e.attrs.flushLevels] } : {}), ...(e.attrs.flushCpus ? { cpus: e.attrs.flushCpus } : {}) };
      if (scope === 'page') return { op: 'tlb-flush', scope, pte: b.cursorPte(), label, ...cover };
      return { op: 'tlb-flush', scope, range: [0, b.ptes], label, ...cover };
    }
    case 'flush-pending-inc':
    case 'flush-pending-dec':
    case 'flush-pending-read':
    case 'lazy-mmu-enter':
    case 'lazy-mmu-leave':
    case 'may-sleep':
      return { op: e.kind, label };
    case 'gather-init':
      return { op: 'gather-init', fullmm: e.attrs.fullmm === true, range: [0, b.ptes], label };
    case 'gather-remove':
      // tlb_remove_page*() hands the page to the gather (freed at finish); tlb_remove_tlb_entry() and
      // tlb_flush_pte_range() only record the range to flush.
      return { op: 'gather-remove', pte, ...(/remove_page/.test(e.callee) ? { page } : {}), label };
    case 'gather-set-fullmm':
    case 'gather-flush':
    case 'gather-finish':
      return { op: e.kind, label };
    case 'notifier-range-init':
      return { op: 'notifier-range-init', range: b.rangeOf(e), label };
    case 'notifier-start':
      return { op: 'notifier-start', range: b.rangeOf(e), blockable: e.attrs.blockable !== false, label };
    case 'notifier-end':
    case 'notifier-invalidate':
      return { op: e.kind, range: b.rangeOf(e), label };
    case 'notifier-change-pte':
      return { op: 'notifier-change-pte', pte, label };
    case 'page-free':
    case 'page-dirty':
    case 'page-mkclean':
    case 'page-get':
      // A page copy: the copy page (COPY_PAGE) is allocated with the data of the entry's page.
      if (e.kind === 'page-get' && e.attrs.copyInto) return { op: 'page-get', page: COPY_PAGE, copy: page, label };
      return { op: e.kind, page, label };
    case 'wp-page-copy':
      // The copy goes into a free page of the model (COPY_PAGE), allocated by the op.
      return { op: 'wp-page-copy', pte: b.cursorPte(), page: COPY_PAGE, releases: releasedRefs(e), label };
    case 'handle-userfault':
      return { op: 'handle-userfault', pte: b.cursorPte(), releases: releasedRefs(e), label };
    case 'fault':
      return { op: 'fault', pte, write: e.attrs.write !== false, label };
    case 'gup':
      return { op: 'gup', pte, write: e.attrs.write === true, fixfault: e.attrs.fixfault === true, label };
    default:
      return undefined;
  }
}
