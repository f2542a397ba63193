/**
 * Unseen code is unknown, not absent. A path from a hunk fragment starts and ends where the diff stops showing the
 * function; a whole function starts where its caller called it and returns to it. What the unseen code did before
 * the path (took the PTL, opened an mmu_notifier window, started a gather) and does after it (drops the lock, ends
 * the window, finishes the gather) is modelled as a set of COMPLETIONS: each is a prologue and an epilogue the
 * visible code allows. A state the visible code establishes (a lock released before it is taken was held; an end
 * with no start was opened above) is in every completion; a state it does not establish is a choice, and each
 * admissible choice is a completion. The engine confirms a violation only when every completion violates
 * (confirm.ts); otherwise the finding is inconclusive with the question the unseen code would answer.
 */
import type { Instr, OpInstr } from '../sim/scenario.ts';
import type { Candidate } from '../core/rule.ts';
import type { FunctionImage } from '../core/events.ts';
import { INVENTED_BACK_EDGES, LOOP_EPILOGUE_LABEL, PREV_PTL, TAKEN_BEFORE_LABEL, unseenRelease } from './path-program.ts';
import { PTL_BEFORE_LOOP } from '../../rules/utils/loop-lock.ts';
import { MIRRORED_KINDS } from '../../rules/utils/paths.ts';
import { DOWNGRADE_EFFECTS } from '../core/ops.ts';
import { callArgs } from '../c/call-args.ts';

/** The simulator ops of the PTE changes secondary MMUs mirror (same names as the event kinds). */
const MIRRORED_OPS: ReadonlySet<string> = MIRRORED_KINDS;

/** What the engine knows about the function beyond the path (from its images, annotations and parameters). */
export interface UnseenFacts {
  /** The path comes from a hunk fragment, not the whole function. */
  fragment: boolean;
  /** A notifier start is visible in either image (so no window was opened by code the diff does not show). */
  visibleStart: boolean;
  /** The function hands a page-table lock to its caller (`spinlock_t **` out-parameter, `__acquires`). */
  handsLock: boolean;
  /**
   * The function is entered with a page-table lock held by its caller (`__must_hold(ptl)`, `__releases(ptl)`, or a
   * whole function that asserts it — `lockdep_assert_held(ptl)` — before any operation on it).
   */
  lockOnEntry: boolean;
  /**
   * A fragment's own top-level assertions that a page-table lock is held (rules/utils/lock-assertions.ts
   * assertedPtl: every page-table-lock operation of the image names that lock): at those file lines the lock IS
   * held, on every completion.
   */
  ptlAsserted?: { lock: string; fileLines: number[] };
  /**
   * `lockOnEntry` rests only on the function's assertion (no `__must_hold()` / `__releases()`): whether the caller
   * drops the lock after the return (a walker callback) or expects it released is not stated.
   */
  entryAsserted?: boolean;
  /**
   * `maybe`: the function stores its PTL where the caller sees it (`&vmf->ptl`, `*ptlp` of a parameter) and no
   * caller in the patch shows whether it drops the lock handed back: a path returning with it held is a choice.
   */
  lockToCaller?: 'maybe';
  /** File lines after which unseen file lines lie (the gaps between the hunks of a fragment). */
  gaps?: number[];
  /**
   * Whole functions: do its callers hold the page-table lock when they call it? `yes`/`no` when every caller in the
   * patch shows it (held at every call / a whole caller calls it without), `maybe` (default) when none does.
   */
  callerHoldsPtl?: 'yes' | 'no' | 'maybe';
}

export { gapsOf } from '../../rules/utils/paths.ts';

export interface Completion {
  /** Rewrites the path program before prologue and epilogue are added (e.g. moves a lock into a gap). */
  transform?: (program: Instr[]) => Instr[];
  /** Run by unseen code before the path. */
  prologue: OpInstr[];
  /** Run by unseen code after the path. */
  epilogue: OpInstr[];
  /** The choices this completion makes about unseen code, in words (empty for the established-only completion). */
  assumes: string[];
}

export interface Completions {
  /** The first is the default (the choices under which a hazard shows most plainly); at least one. */
  list: Completion[];
  /** Questions the unseen code answers, one per open choice (`code above the hunk: is the PTL held at line 40?`). */
  questions: string[];
  /** Open choices beyond the enumeration bound (their completions were not built). */
  dropped: string[];
  /**
   * What the path program cannot model about unseen code that a refutation would rest on (entries changed above the
   * hunk under a lock the hunk releases before a flush): when no completion violates, the candidate is
   * `inconclusive` with this question, never `refuted`.
   */
  unmodelled?: string;
}

const PTE_CHANGES = new Set(['pte-set', 'pte-clear', 'pte-clear-flush', 'pte-modify-start', 'pte-modify-commit', 'pte-wrprotect', 'pte-mkold', 'pte-set-access-flags', 'pte-fixup-young-dirty']);

/** Ops that sleep, or take the PTL themselves: code that runs them cannot be holding the PTL. */
const EXCLUDES_PTL = new Set(['may-sleep', 'fault', 'gup', 'wp-page-copy', 'handle-userfault']);

/**
 * Hazard context: the path leaves the hunk by a `continue` of a loop it does not show, and the announcement it
 * leaves open belongs to the iteration (rules/flush-under-ptl.ts, announceLeak).
 */
export const ITERATION_ANNOUNCEMENT = 'iteration-announcement';

/** At most this many open choices are enumerated (2^n completions). */
export const MAX_OPEN_CHOICES = 2;

function ops(program: readonly Instr[]): OpInstr[] {
  return program.filter((i): i is OpInstr => !('ctl' in i));
}

function lineOf(i: OpInstr | undefined): string {
  return i?.src?.line !== undefined ? ` at line ${i.src.line}` : '';
}

/** Net holds of `lock` over a straight-line program. */
function balance(program: readonly OpInstr[], lock: string): number {
  let n = 0;
  for (const i of program) {
    if ((i.op === 'lock' || i.op === 'pte-map-lock') && i.lock === lock) n++;
    if ((i.op === 'unlock' || i.op === 'pte-unmap-unlock') && i.lock === lock) n--;
    if (i.releases?.includes(lock)) n--;
  }
  return n;
}

interface Choice {
  /** Where the unseen code is (`code above the hunk`, `the caller`) and what it would answer. */
  question: string;
  /** The completion pieces when the answer is "yes" (the default answer is "no": nothing added). */
  yes: { prologue: OpInstr[]; epilogue: OpInstr[]; assumes: string; transform?: (program: Instr[]) => Instr[] };
}

/**
 * The completions of a patched path's program. `program` is the path program after the established fragment
 * prologue (path-program.ts already adds a PTL released before it is taken and releases locks a cut path still
 * holds); `complete` says whether the path ends at a visible return.
 */
export function completionsOf(program: readonly Instr[], complete: boolean, facts: UnseenFacts, candidate: Candidate, ptes = 1): Completions {
  const whole: [number, number] = [0, ptes];
  const list = ops(program);
  const context = candidate.hazard.context;
  const invariants = new Set(candidate.hazard.invariants);
  const base: Completion = { prologue: [], epilogue: [], assumes: [] };
  const choices: Choice[] = [];

  // ---- the mmu_notifier window -----------------------------------------------------------------------------------
  const firstNotifier = list.find((i) => i.op === 'notifier-start' || i.op === 'notifier-end');
  if (facts.fragment && !facts.visibleStart && firstNotifier?.op === 'notifier-end') {
    // Established: the visible code ends a window it never starts.
    base.prologue.push({ op: 'notifier-start', range: firstNotifier.range ?? whole, blockable: true, label: '(above the hunk) mmu_notifier_invalidate_range_start()' });
    base.assumes.push('the invalidation window ended in the hunk was opened above it');
  } else if (facts.fragment && !facts.visibleStart && !firstNotifier && invariants.has('secondary-mmu-coherent')) {
    const change = list.find((i) => MIRRORED_OPS.has(i.op));
    if (change) {
      choices.push({
        question: `code above the hunk: is an mmu_notifier invalidation window open${lineOf(change)}?`,
        yes: {
          prologue: [{ op: 'notifier-start', range: whole, blockable: true, label: '(above the hunk) mmu_notifier_invalidate_range_start()' }],
          epilogue: [{ op: 'notifier-end', range: whole, label: '(below the hunk) mmu_notifier_invalidate_range_end()' }],
          assumes: 'an invalidation window is open around the hunk',
        },
      });
    }
  }
  if (!complete) {
    // A cut path leaves the rest of the function unseen: it closes the windows the visible part still has open.
    const open: Array<[number, number]> = base.prologue.filter((i) => i.op === 'notifier-start').map((i) => i.range ?? whole);
    for (const i of list) {
      if (i.op === 'notifier-start') open.push(i.range ?? whole);
      if (i.op === 'notifier-end') open.pop();
    }
    for (const range of open.reverse()) base.epilogue.push({ op: 'notifier-end', range, label: '(unseen rest of the function) mmu_notifier_invalidate_range_end()' });
  }

  // ---- the mmu_gather ------------------------------------------------------------------------------------------
  const firstGather = list.find((i) => i.op.startsWith('gather-'));
  if (facts.fragment && firstGather && firstGather.op !== 'gather-init') {
    base.prologue.push({ op: 'gather-init', fullmm: false, label: '(above the hunk) tlb_gather_mmu()' });
    base.assumes.push('the mmu_gather used in the hunk was started above it');
  }
  if (!complete) {
    const above = base.prologue.some((i) => i.op === 'gather-init') ? 1 : 0;
    let active = above;
    for (const i of list) {
      if (i.op === 'gather-init') active++;
      if (i.op === 'gather-finish') active = Math.max(0, active - 1);
    }
    // A path cut at a `continue` of a loop the hunk does not show, whose gather the rule showed to belong to the
    // iteration (the other image finishes it before that `continue`): the unseen rest is the next iteration and
    // does not finish the gather this one left open; only one started above the hunk is still finished.
    if (context.includes(ITERATION_ANNOUNCEMENT)) active = Math.min(active, above);
    for (let k = 0; k < active; k++) base.epilogue.push({ op: 'gather-finish', label: '(unseen rest of the function) tlb_finish_mmu()' });
  }

  // ---- the page-table lock -------------------------------------------------------------------------------------
  const touchesPtl = list.some((i) => i.lock === 'ptl0' || i.releases?.includes('ptl0'));
  const callerHolds = context.includes('ptl-held-on-entry') || facts.lockOnEntry;
  const firstPtl = list.find((i) => i.lock === 'ptl0' || i.releases?.includes('ptl0'));
  const acquiresFirst = firstPtl !== undefined && (firstPtl.op === 'lock' || firstPtl.op === 'trylock' || firstPtl.op === 'pte-map-lock');
  if (!facts.fragment && facts.lockOnEntry && !context.includes('ptl-held-on-entry') && !acquiresFirst) {
    // `__must_hold(ptl)` / `__releases(ptl)`: the caller took the page-table lock before the call.
    base.prologue.push({ op: 'lock', lock: 'ptl0', label: '(caller) holds the page-table lock (__must_hold / __releases / asserted held)' });
    base.assumes.push('the caller holds the page-table lock on entry, as annotated or asserted');
  }
  if (complete && (facts.handsLock || facts.lockOnEntry) && !context.includes('ptl-held-on-entry') && balance([...base.prologue, ...list], 'ptl0') > 0) {
    // The function returns with the lock held by contract: its caller drops it.
    base.epilogue.push({ op: 'unlock', lock: 'ptl0', label: '(caller) drops the page-table lock handed to it' });
    base.assumes.push('the caller drops the page-table lock the function returns with');
  }
  if (complete && facts.entryAsserted === true && facts.lockOnEntry && !facts.handsLock && !context.includes('ptl-held-on-entry') && !acquiresFirst && balance([...base.prologue, ...list], 'ptl0') === 0) {
    // Asserted held on entry and released by the function: a caller that drops the lock after the call (a walker
    // around its callback) would release it a second time; one that expects it released would not. The default is
    // the first (the hazard shows plainly); the choice takes the lock back for the caller's unlock to balance.
    const release = [...list].reverse().find((i) => i.src?.line !== undefined && ((i.op === 'unlock' || i.op === 'pte-unmap-unlock') && i.lock === 'ptl0'));
    base.epilogue.push({ op: 'unlock', lock: 'ptl0', label: '(caller) drops the page-table lock it held around the call' });
    base.assumes.push('the caller drops the page-table lock after the call, as it held it on entry');
    choices.push({
      question: `the caller: does it expect the page-table lock, asserted held on entry, to be released by the function${lineOf(release)} (or does it drop it itself after the return)?`,
      yes: {
        prologue: [],
        epilogue: [{ op: 'lock', lock: 'ptl0', label: '(caller) expects the lock released: it does not drop it (modelled as taken back for the unlock below)' }],
        assumes: 'the caller expects the function to return with the page-table lock released',
      },
    });
  }
  if (!touchesPtl && !callerHolds) {
    const change = list.find((i) => PTE_CHANGES.has(i.op));
    const excluded = list.some((i) => EXCLUDES_PTL.has(i.op) || (i.op === 'notifier-start' && i.blockable === true) || (i.op === 'lock' && i.lock === 'mmap'));
    const caller = facts.callerHoldsPtl ?? 'maybe';
    const asserted = change && facts.fragment ? assertedBefore(facts, change) : undefined;
    if (change && !excluded && !facts.fragment && caller === 'yes') {
      // Every caller in the patch calls it with the page-table lock held.
      base.prologue.push({ op: 'lock', lock: 'ptl0', label: '(caller) holds the page-table lock' });
      base.epilogue.push({ op: 'unlock', lock: 'ptl0', label: '(caller) drops the page-table lock' });
      base.assumes.push('the callers in the patch hold the page-table lock when they call it');
    } else if (change && !excluded && !facts.fragment && caller === 'maybe') {
      choices.push({
        question: `the caller: is the page-table lock held when this function is called (for the PTE change${lineOf(change)})?`,
        yes: {
          prologue: [{ op: 'lock', lock: 'ptl0', label: '(caller) holds the page-table lock' }],
          epilogue: [{ op: 'unlock', lock: 'ptl0', label: '(caller) drops the page-table lock' }],
          assumes: 'the caller holds the page-table lock around the call',
        },
      });
    } else if (change && !excluded && facts.fragment && asserted !== undefined) {
      // The hunk itself asserts the page-table lock held above the change, with no unseen line in between.
      const at = asserted;
      base.prologue.push({ op: 'lock', lock: 'ptl0', label: `(above the hunk) the page-table lock is taken (asserted held at line ${at})` });
      base.epilogue.push({ op: 'unlock', lock: 'ptl0', label: '(below the hunk) the page-table lock is dropped' });
      base.assumes.push(`the page-table lock is held at line ${at}, as the code asserts`);
    } else if (change && !excluded && facts.fragment) {
      choices.push({
        question: `code above the hunk: is the page-table lock held${lineOf(change)}?`,
        yes: {
          prologue: [{ op: 'lock', lock: 'ptl0', label: '(above the hunk) the page-table lock is taken' }],
          epilogue: [{ op: 'unlock', lock: 'ptl0', label: '(below the hunk) the page-table lock is dropped' }],
          assumes: 'the page-table lock is held around the hunk',
        },
      });
    }
  }

  if (complete && facts.lockToCaller === 'maybe' && !facts.handsLock && !callerHolds && invariants.has('lock-balance') && balance([...base.prologue, ...list], 'ptl0') > 0) {
    const last = [...list].reverse().find((i) => i.src?.line !== undefined);
    choices.push({
      question: `the caller: does it drop the page-table lock this function hands back${lineOf(last)}?`,
      yes: { prologue: [], epilogue: [{ op: 'unlock', lock: 'ptl0', label: '(caller) drops the page-table lock handed back' }], assumes: 'the caller drops the page-table lock handed back to it' },
    });
  }

  // A PTL the fragment releases before taking it was held at the release, but may have been taken in the unseen lines
  // between two hunks rather than above the first one: then the visible code before that gap ran without it.
  const lateGap = takenInGap(program, facts);
  if (lateGap) choices.push(lateGap);

  // A PTL taken by unseen code, released in the hunk, and the path goes on into a loop whose head the hunk does not
  // show (or shows with gaps before the release): the unseen code may take it once before the loop (then the unseen
  // epilogue releases it again after the loop) or re-take it at the top of each iteration. Established only when
  // the rule saw the body from the loop head to the release (PTL_BEFORE_LOOP).
  const loopEpilogue = list.find((i) => i.label === LOOP_EPILOGUE_LABEL);
  if (loopEpilogue && !context.includes(PTL_BEFORE_LOOP)) {
    const release = list.find((i) => i.src?.line !== undefined && ((i.op === 'unlock' || i.op === 'pte-unmap-unlock') && i.lock === loopEpilogue.lock));
    choices.unshift({
      question: `the unseen loop code: is the page-table lock released${lineOf(release)} taken once before the loop, or re-taken at the top of each iteration?`,
      yes: {
        prologue: [],
        epilogue: [],
        assumes: 'the page-table lock is re-taken at the top of each iteration of the loop',
        transform: (p) => p.filter((i) => 'ctl' in i || i.label !== LOOP_EPILOGUE_LABEL),
      },
    });
  }

  // A lock the visible code holds across the unseen lines between two hunks and takes again after them (or does not
  // hold and releases again after them) was released (taken) by those lines: established for every completion, so
  // a double take or a release of a lock not held across a gap is never a violation (gapLocks).
  const gap = gapLocks(program, facts, 'gaps');
  if (gap) base.assumes.push(...gap.assumes);
  // Going round a loop whose head the front end invented runs unseen code too (the real head, the top of the body):
  // whether it drops (takes) a lock the hunk takes (releases) again is an open choice, unless the rule established
  // that the lock is held across iterations (hazard context PTL_BEFORE_LOOP).
  const wrap = context.includes(PTL_BEFORE_LOOP) ? undefined : gapLocks(program, facts, 'back-edges');
  if (wrap) {
    choices.unshift({
      question: `the unseen top of the loop body (above the hunk): ${wrap.assumes.map((a) => a.replace(/^the unseen lines after line \d+ /, 'does it ')).join('; ')}?`,
      yes: { prologue: [], epilogue: [], assumes: wrap.assumes.join('; '), transform: wrap.transform },
    });
  }

  const unmodelled = changedAboveRelease(list, facts, candidate);

  const open = choices.slice(0, MAX_OPEN_CHOICES);
  const dropped = choices.slice(MAX_OPEN_CHOICES).map((c) => c.question);
  const out: Completion[] = [];
  for (let mask = 0; mask < 1 << open.length; mask++) {
    const c: Completion = { prologue: [...base.prologue], epilogue: [...base.epilogue], assumes: [...base.assumes] };
    open.forEach((ch, k) => {
      if ((mask >> k) & 1) {
        if (ch.yes.transform) {
          const before = c.transform;
          const t = ch.yes.transform;
          c.transform = before ? (p) => t(before(p)) : t;
        }
        c.prologue.push(...ch.yes.prologue);
        c.epilogue.unshift(...ch.yes.epilogue);
        c.assumes.push(ch.yes.assumes);
      }
    });
    if (gap) {
      const chosen = c.transform;
      c.transform = chosen ? (p) => gap.transform(chosen(p)) : gap.transform;
    }
    out.push(c);
  }
  return { list: out, questions: open.map((c) => c.question), dropped, ...(unmodelled ? { unmodelled } : {}) };
}

/**
 * A PTE change of the path known to leave a stale TLB entry. A write whose effect the rule could not tell (`unknown`:
 * `pmd_populate()` of a destination, a value from an untraced helper) shows no such change: a refutation cannot rest
 * on it.
 */
function shownDowngrade(i: OpInstr): boolean {
  // A step a rule made up for unseen code (no source line) stands for that code: it is not shown.
  if (!PTE_CHANGES.has(i.op) || i.src === undefined) return false;
  if (i.op !== 'pte-set') return true;
  return (i.effects ?? []).some((e) => DOWNGRADE_EFFECTS.includes(e));
}

/**
 * A fragment whose path releases a page-table lock it did not take, with a deferred flush after it, and changes no
 * entry before that release: the entries the flush is for were changed above the hunk (if at all), which the path
 * program does not show, so "no violation" would be a claim about code the patch does not show.
 */
function changedAboveRelease(list: readonly OpInstr[], facts: UnseenFacts, candidate: Candidate): string | undefined {
  if (!facts.fragment || candidate.hazard.kind !== 'flush-after-unlock') return undefined;
  const taken = new Set<string>();
  for (const [k, i] of list.entries()) {
    if (shownDowngrade(i)) return undefined;
    if ((i.op === 'lock' || i.op === 'trylock' || i.op === 'pte-map-lock') && i.lock && !i.label?.startsWith('(before the hunk)')) taken.add(i.lock);
    const release = (i.op === 'unlock' || i.op === 'pte-unmap-unlock') && i.lock !== undefined && /^(ptl|lock:)/.test(i.lock) && !taken.has(i.lock);
    if (release && list.slice(k + 1).some((x) => x.op === 'tlb-flush')) {
      return `code above the hunk: which page-table entries were changed under the lock released${lineOf(i)} before the flush after it (the hunk shows none, so the simulation cannot rule a stale TLB entry out)?`;
    }
  }
  return undefined;
}

/**
 * The file line of a fragment's assertion that its page-table lock is held, before instruction `at` with no unseen
 * lines (a hunk gap) between them, if any.
 */
function assertedBefore(facts: UnseenFacts, at: OpInstr): number | undefined {
  const line = at.src?.line;
  if (!facts.ptlAsserted || line === undefined) return undefined;
  return facts.ptlAsserted.fileLines.filter((a) => a < line && !(facts.gaps ?? []).some((g) => g >= a && g < line)).pop();
}

/** The lock expression a release instruction names (`pte_unmap_unlock(pte, ptl)` / `spin_unlock(ptl)` → `ptl`). */
function releasedExpr(i: OpInstr): string {
  const args = callArgs(i.src?.text ?? '');
  return (args[args.length - 1] ?? '').replace(/\s+/g, '').replace(/^&/, '');
}

/** The choice "the PTL released in the hunk was taken in the last gap before the release, not above the hunk". */
function takenInGap(program: readonly Instr[], facts: UnseenFacts): Choice | undefined {
  if (!facts.fragment || !facts.gaps || facts.gaps.length === 0) return undefined;
  const first = program[0];
  if (!first || 'ctl' in first || first.label !== TAKEN_BEFORE_LABEL) return undefined;
  const release = program.findIndex((i, k) => k > 0 && !('ctl' in i) && (((i.op === 'unlock' || i.op === 'pte-unmap-unlock') && i.lock === 'ptl0') || i.releases?.includes('ptl0') === true));
  const releaseLine = release > 0 ? (program[release] as OpInstr).src?.line : undefined;
  if (releaseLine === undefined) return undefined;
  // The last gap between two visible instructions before the release (instructions carry file lines in src).
  let at = -1;
  let gapAfterLine: number | undefined;
  for (let k = 1; k < release; k++) {
    const i = program[k] as Instr;
    if ('ctl' in i || i.src?.line === undefined) continue;
    const next = program.slice(k + 1, release + 1).find((x): x is OpInstr => !('ctl' in x) && x.src?.line !== undefined);
    if (next?.src?.line !== undefined && facts.gaps.some((g) => g >= i.src!.line! && g < next.src!.line!)) {
      at = k;
      gapAfterLine = i.src.line;
    }
  }
  if (at < 0 || gapAfterLine === undefined) return undefined;
  // The code asserts that lock held at or before the last visible line before that gap: it was not first taken there.
  const released = releasedExpr(program[release] as OpInstr);
  if (facts.ptlAsserted && facts.ptlAsserted.lock === released && facts.ptlAsserted.fileLines.some((a) => a <= gapAfterLine!)) return undefined;
  const cut = at;
  const firstLine = program.slice(1).find((x): x is OpInstr => !('ctl' in x) && x.src?.line !== undefined)?.src?.line;
  return {
    question: `the lines between the hunks: is the page-table lock taken above the hunk (held from line ${firstLine ?? '?'}), or only in the unseen lines after line ${gapAfterLine}?`,
    yes: {
      prologue: [],
      epilogue: [],
      assumes: `the page-table lock is taken in the unseen lines after line ${gapAfterLine}`,
      transform: (p) => {
        const lock = p[0] as Instr;
        const rest = p.slice(1);
        return [...rest.slice(0, cut), { ...(lock as OpInstr), label: `(unseen, after line ${gapAfterLine}) the page-table lock is taken` }, ...rest.slice(cut)];
      },
    },
  };
}

/** The reason a verdict depends on unseen code, from the questions that split it (`where: question`). */
export function unseenReason(questions: readonly string[]): string {
  return `depends on ${questions.join('; and on ')}`;
}

const TAKES = new Set(['lock', 'trylock', 'pte-map-lock']);
const RELEASES = new Set(['unlock', 'pte-unmap-unlock']);

/**
 * What the lines between two hunks did to the locks the visible code uses, as far as the visible code shows it: a
 * lock held before the gap and taken again after it was released in the gap (`if (ptl) { ...; spin_unlock(ptl);
 * return 0; }`: taking it twice would deadlock on every run), and one not held before the gap and released after it
 * was taken in it. Returns the transform inserting those releases and acquisitions at their gaps (placed by the
 * identity of the instruction before the gap, so other transforms may run first) and what it assumes; undefined when
 * there is nothing to insert. The back edge of a loop whose head the front end invented is such a gap too (the real
 * head and the top of the body above the hunk run there: `pte_unmap_unlock(orig_pte, ptl)` before a re-take in the
 * hunk); `which` picks the gaps between hunks (established) or those back edges (an open choice, completionsOf).
 * The `pte - 1` entry's table lock (PREV_PTL) is the hazard's own, never inserted.
 */
export function gapLocks(program: readonly Instr[], facts: UnseenFacts, which: 'gaps' | 'back-edges'): { transform: (p: Instr[]) => Instr[]; assumes: string[] } | undefined {
  const backEdges = which === 'back-edges' ? (INVENTED_BACK_EDGES.get(program) ?? []) : [];
  if (!facts.fragment || ((!facts.gaps || facts.gaps.length === 0) && backEdges.length === 0)) return undefined;
  const gaps = which === 'gaps' ? (facts.gaps ?? []) : [];
  const visible = program.map((i, k) => ({ i, k })).filter((x): x is { i: OpInstr; k: number } => !('ctl' in x.i) && x.i.src?.line !== undefined);
  const gapAfter = new Map<number, number>();
  for (let v = 0; v + 1 < visible.length; v++) {
    const a = visible[v]!.i.src!.line!;
    const b = visible[v + 1]!.i.src!.line!;
    if (gaps.some((g) => g >= a && g < b)) gapAfter.set(visible[v]!.k, a);
  }
  for (const k of backEdges) {
    const i = program[k];
    if (i && !('ctl' in i)) gapAfter.set(k, i.src?.line ?? 0);
  }
  if (gapAfter.size === 0) return undefined;
  const nextOn = (from: number, lock: string): OpInstr | undefined => {
    for (let k = from; k < program.length; k++) {
      const i = program[k]!;
      if ('ctl' in i) continue;
      if (i.lock === lock && (TAKES.has(i.op) || RELEASES.has(i.op))) return i;
      if (i.releases?.includes(lock)) return { ...i, op: 'unlock', lock };
    }
    return undefined;
  };
  const locks = [...new Set(program.flatMap((x) => ('ctl' in x || !x.lock || x.lock === PREV_PTL ? [] : [x.lock])))];
  const held = new Map<string, number>();
  const inserts: Array<{ at: number; instr: OpInstr }> = [];
  const assumes: string[] = [];
  for (const [k, i] of program.entries()) {
    if ('ctl' in i) continue;
    if (i.lock && TAKES.has(i.op)) held.set(i.lock, (held.get(i.lock) ?? 0) + 1);
    if (i.lock && RELEASES.has(i.op)) held.set(i.lock, (held.get(i.lock) ?? 0) - 1);
    for (const r of i.releases ?? []) held.set(r, (held.get(r) ?? 0) - 1);
    const line = gapAfter.get(k);
    if (line === undefined) continue;
    for (const lock of locks) {
      const next = nextOn(k + 1, lock);
      if (!next) continue;
      const isHeld = (held.get(lock) ?? 0) > 0;
      const name = lock.replace(/^lock:/, '');
      const mode = next.mode ? { mode: next.mode } : {};
      if (isHeld && TAKES.has(next.op)) {
        inserts.push({ at: k, instr: { op: 'unlock', lock, ...mode, label: `(unseen, after line ${line}) ${name} is released` } });
        assumes.push(`the unseen lines after line ${line} release ${name} (held there, taken again${lineOf(next)})`);
        held.set(lock, (held.get(lock) ?? 0) - 1);
      } else if (!isHeld && RELEASES.has(next.op)) {
        inserts.push({ at: k, instr: { op: 'lock', lock, ...mode, label: `(unseen, after line ${line}) ${name} is taken` } });
        assumes.push(`the unseen lines after line ${line} take ${name} (not held there, released${lineOf(next)})`);
        held.set(lock, (held.get(lock) ?? 0) + 1);
      }
    }
  }
  if (inserts.length === 0) return undefined;
  return {
    assumes,
    transform: (p) => {
      let out = p;
      // Last first, so an index fallback still points where it did; at one gap the releases come before the takes
      // (the unseen code does not take a sleeping lock under a spinlock it then drops).
      const ordered = [...inserts].sort((a, b) => b.at - a.at || (a.instr.op === 'unlock' ? 1 : 0) - (b.instr.op === 'unlock' ? 1 : 0));
      for (const x of ordered) {
        const after = locate(out, program, x.at);
        out = [...out.slice(0, after + 1), x.instr, ...out.slice(after + 1)];
        // The release the fragment epilogue made for the hold the gap now ends is not made twice.
        if (x.instr.op === 'unlock') {
          const tail = out.map((i) => !('ctl' in i) && i.op === 'unlock' && i.lock === x.instr.lock && i.label === unseenRelease(x.instr.lock ?? "")).lastIndexOf(true);
          if (tail > after) out = [...out.slice(0, tail), ...out.slice(tail + 1)];
        }
      }
      return out;
    },
  };
}

/** An instruction's identity across two translations of one path (pathToProgram builds new objects each time). */
function signature(i: Instr): string {
  return 'ctl' in i ? `ctl:${i.ctl}` : `${i.op}|${i.lock ?? ''}|${i.pte ?? ''}|${i.label ?? ''}|${i.src?.line ?? ''}`;
}

/**
 * Where instruction `at` of `program` is in `p` (another translation of the same path, possibly with instructions
 * inserted by other completion choices): the same object, else the same occurrence of an equal instruction.
 */
function locate(p: readonly Instr[], program: readonly Instr[], at: number): number {
  const target = program[at]!;
  const same = p.indexOf(target);
  if (same >= 0) return same;
  const sig = signature(target);
  let n = 0;
  for (let k = 0; k <= at; k++) if (signature(program[k]!) === sig) n++;
  for (let k = 0; k < p.length; k++) if (signature(p[k]!) === sig && --n === 0) return k;
  return Math.min(at, p.length - 1);
}
