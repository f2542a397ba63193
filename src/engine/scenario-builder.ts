/**
 * Builds simulator scenarios from a rule's candidate: the candidate's own path becomes the patched thread
 * (wrapped in the context the rule inferred: a caller holding the PTL, a caller that flushes after return, a
 * fault-retry loop), the hazard's adversaries come from the simulator's library, and the initial state is the one
 * in which the hazard can show (a writable, dirty PTE cached in a user CPU's TLB; a live mm; a secondary MMU).
 */
import type { EventPath } from '../core/events.ts';
import type { Candidate } from '../core/rule.ts';
import type { Arch, InvariantName } from '../core/sim-contract.ts';
import type { Instr, Scenario, ThreadSpec } from '../sim/scenario.ts';
import { buildAdversary } from '../sim/adversaries/index.ts';
import { COPY_PAGE, DEST_PTE, PREV_PTE, PREV_PTL, pathToProgram, shapeOf } from './path-program.ts';
import { completionsOf } from './unseen.ts';
import { destinationTable } from './move-table.ts';
import type { Completion, Completions, UnseenFacts } from './unseen.ts';

/** The free page adversaries that allocate (COW, migration) copy into. */
const ADVERSARY_PAGE = 'copy1';

/**
 * The simulator's budget for one candidate scenario: a number of distinct states, so that a verdict is the same on
 * every machine whatever its load (a state-bound run is `inconclusive`, `states>N`).
 */
export const SIMULATION_STATE_BUDGET = 400_000;
/**
 * Wall-clock safety net only, far above any run within the state budget (a few seconds): a run it cuts is reported
 * as machine-dependent (engine budgets), never relied on to decide a verdict class in normal operation.
 */
export const SIMULATION_SAFETY_NET_MS = 120_000;

/** Invariants about data (lost writes, freed pages, protection, coherence, progress): checked first. */
export const DATA_INVARIANTS: readonly InvariantName[] = [
  'no-lost-write',
  'no-stale-access',
  'write-protect-holds',
  'secondary-mmu-coherent',
  'no-livelock',
];

export interface BuildInput {
  candidate: Candidate;
  /** File path of the function. */
  path: string;
  /** Function name (thread role). */
  fn: string;
  /** Replace the candidate's path (to simulate the suggested fix). */
  pathOverride?: EventPath;
  /** The candidate's image is a hunk fragment, not the whole function. */
  fragment?: boolean;
  /** Another patched path of the same patch with the same hazard, run as a second kernel thread. */
  companion?: { candidate: Candidate; path: string; fn: string; fragment?: boolean; facts?: UnseenFacts };
  /**
   * Build the baseline: the same initial state and adversaries, without the patched threads. A violation the
   * adversaries reach on their own is the model's, not the patch's (confirm.ts).
   */
  baseline?: boolean;
  /** Adversaries of the hazard left out of the scenario (confirm.ts, when the others violate on their own). */
  without?: readonly string[];
  /** What is known about the function beyond the path (default: only `fragment`). */
  facts?: UnseenFacts;
  /** Which completion of the unseen code to run (index into completionsFor(); default 0). */
  completion?: number;
}

function factsOf(input: BuildInput): UnseenFacts {
  return input.facts ?? { fragment: input.fragment === true, visibleStart: false, handsLock: false, lockOnEntry: false };
}

/** The completions of the unseen code around the candidate's (or its override's) path (see unseen.ts). */
export function completionsFor(input: BuildInput): Completions {
  const path = input.pathOverride ?? input.candidate.path;
  const ptes = shapeOf([path, ...(input.companion ? [input.companion.candidate.path] : [])]).ptes;
  const program = pathToProgram(path, { path: input.path, ptes, fragment: input.fragment === true });
  const complete = path.complete && !path.steps.some((s) => s.step === 'control' && s.kind === 'truncated');
  return completionsOf(program, complete, factsOf(input), input.candidate, ptes);
}

/** Context prologue / epilogue around a patched path. */
function wrapContext(program: Instr[], context: readonly string[], ptes: number, role: string): Instr[] {
  let body = program;
  if (context.includes('ptl-held-on-entry')) {
    const held = lockBalanceAtEnd(body);
    body = [{ op: 'lock', lock: 'ptl0', label: `caller takes the PTL before ${role}()` }, ...body];
    if (held >= 0) body.push({ op: 'unlock', lock: 'ptl0', label: `caller drops the PTL after ${role}()` });
    if (context.includes('flush-after-return')) {
      body.push({ op: 'tlb-flush', scope: 'range', range: [0, ptes], label: 'caller flushes the TLB range' });
    }
  }
  if (context.includes('fault-retry-loop')) {
    body = [
      { ctl: 'label', name: 'retry' },
      { op: 'user-store', pte: 'pte0', nofault: true, label: 'user access with pagefaults disabled' },
      { ctl: 'if', cond: { test: 'last-ok' }, then: 'done' },
      ...body,
      { ctl: 'goto', to: 'retry' },
      { ctl: 'label', name: 'done' },
    ];
  }
  return body;
}

/** Net PTL acquisitions of a straight-line program (used to know whether the caller still holds it at the end). */
function lockBalanceAtEnd(program: Instr[]): number {
  let n = 0;
  for (const i of program) {
    if ('ctl' in i) continue;
    if ((i.op === 'lock' || i.op === 'pte-map-lock') && i.lock === 'ptl0') n++;
    if ((i.op === 'unlock' || i.op === 'pte-unmap-unlock') && i.lock === 'ptl0') n--;
    if (i.releases?.includes('ptl0')) n--;
  }
  return n;
}

/**
 * Start from a state in which the patched path is feasible: the first assumption the path makes about a PTE it has
 * not written yet (a branch on `pte_dirty()`, `pte_write()`, `pte_present()`, ...) sets that flag initially.
 */
function applyPathAssumptions(ptes: Array<Scenario['init']['ptes'][number]>, program: readonly Instr[], keepPresent = false): void {
  const written = new Set<string>();
  // A test reads the thread's snapshot of the entry once it took one (src/sim/step.ts evalCond()): a snapshot taken
  // before the thread wrote the entry (`pte = ptep_get_and_clear()`, or `pte = *ptep` and then the clear) still holds
  // the initial value, so a test of it after the write decides the initial state too.
  const snap = new Map<string, boolean>();
  const decided = new Set<string>();
  for (const i of program) {
    if (!('ctl' in i)) {
      if (i.pte && SNAPSHOTS.has(i.op)) snap.set(i.pte, !written.has(i.pte));
      if (i.pte && (PTE_WRITES.has(i.op) || i.op === 'pte-modify-start' || i.op === 'wp-page-copy' || i.op === 'fault')) written.add(i.pte);
      continue;
    }
    if (i.ctl !== 'assume' || !i.cond.pte) continue;
    const initial = snap.has(i.cond.pte) ? snap.get(i.cond.pte) === true : !written.has(i.cond.pte);
    if (!initial) continue;
    const key = `${i.cond.pte}:${i.cond.test}`;
    if (decided.has(key)) continue;
    decided.add(key);
    const p = ptes.find((x) => x.name === i.cond.pte);
    if (!p) continue;
    const value = i.cond.negate !== true;
    if (i.cond.test === 'pte-present' && !value && !keepPresent) p.page = null;
    if (i.cond.test === 'pte-write') p.write = value;
    if (i.cond.test === 'pte-dirty') p.dirty = value;
    if (i.cond.test === 'pte-young') p.young = value;
    if (i.cond.test === 'pte-uffd-wp') {
      p.uffdWp = value;
      // a uffd-wp PTE is write-protected (pte_mkuffd_wp() implies pte_wrprotect())
      if (value && !decided.has(`${i.cond.pte}:pte-write`)) p.write = false;
    }
  }
}

/** Ops that load the thread's snapshot of the entry before anything they write (src/sim/ops-kernel.ts). */
const SNAPSHOTS = new Set(['pte-read', 'pte-clear', 'pte-clear-flush', 'pte-modify-start']);

const PTE_WRITES = new Set(['pte-set', 'pte-clear', 'pte-clear-flush', 'pte-modify-commit', 'pte-wrprotect', 'pte-mkold']);

/**
 * A gather exists to batch the PTE changes of a page-table walk. When the walk is a call the function hands the
 * gather to (walk_page_range(), unmap_vmas(), ...), its PTE updates are not on the path: model them as one PTE
 * write-protected and recorded in the gather under the PTL, between the gather's start and its finish.
 */
function modelGatherWalk(program: Instr[], path: EventPath, file: string): Instr[] {
  const init = program.findIndex((i) => !('ctl' in i) && i.op === 'gather-init');
  if (init < 0) return program;
  const finish = program.findIndex((i, k) => k > init && !('ctl' in i) && i.op === 'gather-finish');
  const between = program.slice(init + 1, finish < 0 ? undefined : finish);
  if (between.some((i) => !('ctl' in i) && PTE_WRITES.has(i.op))) return program;
  const initEvent = path.steps.findIndex((s) => s.step === 'event' && s.kind === 'gather-init');
  const walker = path.steps.slice(initEvent + 1).find((s) => s.step === 'event' && s.kind === 'call');
  const who = walker && walker.step === 'event' ? `${walker.callee}()` : 'the page-table walk';
  const src = walker && walker.step === 'event' ? { src: { path: file, line: walker.loc.fileLine ?? walker.loc.line, text: walker.text } } : {};
  const walk: Instr[] = [
    { op: 'lock', lock: 'ptl0', label: `${who}: pte_offset_map_lock()`, ...src },
    { op: 'pte-wrprotect', pte: 'pte0', effects: ['wrprotect'], label: `${who}: PTE write-protected`, ...src },
    { op: 'gather-remove', pte: 'pte0', label: `${who}: tlb_flush_pte_range()`, ...src },
    { op: 'unlock', lock: 'ptl0', label: `${who}: pte_unmap_unlock()`, ...src },
  ];
  return [...program.slice(0, init + 1), ...walk, ...program.slice(init + 1)];
}

/**
 * A table detach (hazard context `table-detach:<line>`, rules/utils/emptied-table.ts): pmdp_collapse_flush() at that
 * line takes the whole PTE table out of the PMD, so in the model it clears and flushes every entry of the table, not
 * only the one the path's cursor is at.
 */
function detachWholeTable(program: Instr[], context: readonly string[], ptes: number): Instr[] {
  const lines = new Set(context.filter((c) => c.startsWith('table-detach:')).map((c) => Number(c.slice('table-detach:'.length))));
  if (lines.size === 0) return program;
  return program.flatMap((i): Instr[] => {
    if ('ctl' in i || i.op !== 'pte-clear-flush' || i.src?.line === undefined || !lines.has(i.src.line)) return [i];
    return Array.from({ length: ptes }, (_, k): Instr => ({ ...i, pte: `pte${k}` }));
  });
}

/**
 * A whole-table move (hazard context `pmd-table-move`, rules/utils/stale-pmd.ts): `pmd_populate(mm, new_pmd,
 * pmd_pgtable(pmd))` of a value that is no longer a table (cleared meanwhile) installs what pmd_pgtable() of it names —
 * a page that is not a table (pfn 0 on x86) — not an empty entry: in the model the free adversary page.
 */
function populateFromNonTable(program: Instr[], context: readonly string[]): Instr[] {
  if (!context.includes('pmd-table-move')) return program;
  let k = 0;
  return program.flatMap((i): Instr[] => {
    if ('ctl' in i || i.op !== 'pte-set' || i.pte !== DEST_PTE || i.from === undefined) return [i];
    k++;
    const { from, ...rest } = i;
    const table = `__pmd_table_${k}`;
    const done = `__pmd_done_${k}`;
    return [
      { ctl: 'if', cond: { test: 'pte-present', pte: from }, then: table },
      { ...rest, page: ADVERSARY_PAGE, effects: ['new-page'], label: `${i.src?.text ?? 'pmd_populate()'}: of an entry that is no longer a table, a page that is not one` },
      { ctl: 'goto', to: done },
      { ctl: 'label', name: table },
      i,
      { ctl: 'label', name: done },
    ];
  });
}

function patchedThread(name: string, candidate: Candidate, path: EventPath, file: string, fn: string, ptes: number, fragment: boolean, completion?: Completion): ThreadSpec {
  let body = pathToProgram(path, { path: file, ptes, fragment });
  if (completion) body = [...completion.prologue, ...(completion.transform ? completion.transform(body) : body), ...completion.epilogue];
  if (candidate.hazard.kind === 'fullmm-on-live-mm') body = modelGatherWalk(body, path, file);
  body = detachWholeTable(body, candidate.hazard.context, ptes);
  body = populateFromNonTable(body, candidate.hazard.context);
  // Protection promises (write-protect, uffd-wp, unmap) are derived by the simulator from the ops themselves; an
  // unmapping call that may find its entries already cleared (context `unmap-call`) promises them unmapped on return.
  const program = wrapContext(body, candidate.hazard.context, ptes, fn);
  return { name, role: fn, program, ...(candidate.hazard.context.includes('unmap-call') ? { protects: ['pte0'] } : {}) };
}

/**
 * The scenario for a candidate on one arch. Deterministic: the same candidate gives the same scenario.
 */
export function buildScenario(input: BuildInput, arch: Arch, invariants: readonly InvariantName[]): Scenario {
  const { candidate } = input;
  const hazard = candidate.hazard;
  const mainPath = input.pathOverride ?? candidate.path;
  const paths = [mainPath, ...(input.companion ? [input.companion.candidate.path] : [])];
  const shape = shapeOf(paths);
  const ptes = shape.ptes;
  const completion = completionsFor(input).list[input.completion ?? 0];
  const threads: ThreadSpec[] = [patchedThread('patched', candidate, mainPath, input.path, input.fn, ptes, input.fragment === true, completion)];
  if (input.companion) {
    const c = input.companion;
    // The companion's unseen code is completed like the main path's (its established gap releases and takes): a
    // re-take across a gap must not deadlock the model.
    const own = completionsFor({ candidate: c.candidate, path: c.path, fn: c.fn, fragment: c.fragment === true, ...(c.facts ? { facts: c.facts } : {}) }).list[0];
    threads.push(patchedThread('patched2', c.candidate, c.candidate.path, c.path, c.fn, ptes, c.fragment === true, own));
  }
  const faultFixup = hazard.context.includes('fault-retry-loop');
  const secondary = hazard.adversaries.includes('kvm-vcpu') || hazard.adversaries.includes('invalidator') || hazard.context.includes('secondary-mmu');
  const tlb: Array<{ thread: string; pte: string }> = [];
  // A path that moves an entry (clear the old one, install its value at a new one): munmap of the new range is
  // what frees the page the old entry's stale TLB entry still maps.
  const moves = threads.some((t) => t.program.some((i) => !('ctl' in i) && i.pte === DEST_PTE));
  for (const adv of hazard.adversaries.filter((a) => !input.without?.includes(a))) {
    const at = moves && (adv === 'zap' || adv === 'migration') ? DEST_PTE : 'pte0';
    // Migration of the page through the move's destination (try_to_migrate_one(): ptep_clear_flush() flushes the
    // address it walked, the new one) frees the page the old entry's stale TLB entry still maps. A zap's forced
    // flush for another thread's announced deferral (tlb_finish_mmu() under mm_tlb_flush_nested() sets fullmm and
    // flushes the whole mm) covers every entry, the old one included.
    const range: [number, number] = [0, ptes];
    // Lazyfree reclaim acts once the patched path (MADV_FREE's walker) returned (src/sim/adversaries/lazyfree-reclaim.ts).
    // A companion running the same MADV_FREE path is waited for too: a store racing with either call may be discarded.
    const walkers = threads.filter((t) => t.name === 'patched' || t.name === 'patched2').map((t) => t.name);
    // A userfaultfd fill looks at the address again once the path that emptied and detached the table returned.
    // Reclaim of a page the path left in use (clean-reclaim) finds it once that path let go of it.
    const after = (adv === 'lazyfree-reclaim' || adv === 'uffd-fill' || adv === 'pmd-retract' || adv === 'clean-reclaim') && !input.baseline ? { after: walkers } : {};
    const t = buildAdversary(adv, { pte: at, ptl: 'ptl0', page: 'page0', newPage: ADVERSARY_PAGE, name: adv, range, ...after });
    threads.push(t);
    if (adv === 'user-writer' || adv === 'user-reader') tlb.push({ thread: t.name, pte: 'pte0' });
  }
  const pages: Scenario['init']['pages'] = Array.from({ length: ptes }, (_, i) => ({ name: `page${i}` }));
  const uses = (page: string): boolean => threads.some((t) => t.program.some((i) => !('ctl' in i) && (i.page === page || i.copy === page)));
  for (const spare of [COPY_PAGE, ADVERSARY_PAGE]) if (uses(spare)) pages.push({ name: spare, free: true });
  const usesPrev = threads.some((t) => t.program.some((i) => !('ctl' in i) && i.pte === PREV_PTE));
  if (usesPrev) pages.push({ name: 'pageprev' });
  const pteInit: Array<Scenario['init']['ptes'][number]> = Array.from({ length: ptes }, (_, i) => ({
    name: `pte${i}`,
    page: `page${i}`,
    table: 'ptl0',
    write: true,
    dirty: !faultFixup,
    young: !faultFixup,
  }));
  if (usesPrev) pteInit.push({ name: PREV_PTE, page: 'pageprev', table: PREV_PTL, write: true, dirty: !faultFixup, young: !faultFixup });
  // An adversary that moves a table (mremap-table-move) installs the move's destination entry of its own.
  const destUsed = moves || threads.some((t) => t.program.some((i) => !('ctl' in i) && i.pte === DEST_PTE));
  if (destUsed) pteInit.push({ name: DEST_PTE, page: null, table: destinationTable(threads[0]!.program, mainPath), write: false, dirty: false, young: false });
  // A path that finds its entry already cleared by an adversary (context `entry-cleared-concurrently`) starts from a
  // present entry: the adversary clears it first.
  applyPathAssumptions(pteInit, threads[0]!.program, hazard.context.includes('entry-cleared-concurrently'));
  // Arch flush coverage (flush-under-ptl, rules/utils/arch-flush.ts): the entry other CPUs cache for the first
  // slot is a block (PMD-level) leaf or a walk-cache entry (its page then stands for a page-table page).
  const level = hazard.context.find((c) => c.startsWith('tlb-level:'))?.slice('tlb-level:'.length);
  if (pteInit[0] && (level === 'pmd' || level === 'table')) pteInit[0].level = level;
  const present = new Set(pteInit.filter((p) => p.page !== null).map((p) => p.name));
  for (let i = tlb.length - 1; i >= 0; i--) if (!present.has(tlb[i]!.pte)) tlb.splice(i, 1);
  if (input.baseline) threads.splice(0, threads.length, ...threads.filter((t) => t.name !== 'patched' && t.name !== 'patched2'));
  const scenario: Scenario = {
    name: `${candidate.rule}:${input.fn}`,
    description: candidate.message,
    arch: [arch],
    params: { changePteEra: 'callback', mkcleanChecksPending: true },
    init: {
      pages,
      ptes: pteInit,
      ...(tlb.length > 0 ? { tlb } : {}),
      ...(secondary ? { secondaryMmu: true, sptes: pteInit.map((p) => ({ pte: p.name, write: true })) } : {}),
      ...(shape.locks.length > 0 ? { locks: shape.locks } : {}),
      mmLive: !hazard.context.includes('mm-dead'),
    },
    threads,
    invariants: [...invariants],
    bounds: { maxStates: SIMULATION_STATE_BUDGET, maxMs: SIMULATION_SAFETY_NET_MS },
  };
  return scenario;
}
