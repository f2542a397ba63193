/**
 * The simulator's scenario format (threads of instructions over named model objects) and its zod validation.
 */
import * as z from 'zod';
import { KERNEL_OP_KINDS, HARDWARE_OP_KINDS, TLB_LEVELS } from '../core/ops.ts';
import type { OpKind, PteEffect, FlushScope, TlbLevel, FlushCpus } from '../core/ops.ts';
import { ARCH_PRESETS, INVARIANTS } from '../core/sim-contract.ts';
import type { Arch, InvariantName } from '../core/sim-contract.ts';

/** A model object name declared in `init` (pte, page, lock, table). */
export type Ref = string;

/** Source of an instruction when it came from a patched path. */
export interface InstrSource {
  path?: string;
  line?: number;
  text?: string;
}

/** An operation instruction: an op kind with bound arguments. */
export interface OpInstr {
  op: OpKind;
  pte?: Ref;
  /** pte-set: take the local value read from this other PTE (mremap's move_ptes). */
  from?: Ref;
  lock?: Ref;
  page?: Ref;
  mode?: 'read' | 'write';
  effects?: PteEffect[];
  scope?: FlushScope;
  /** tlb-flush: the kinds of TLB entries it drops (default: every kind; arch flush coverage, docs/simulator.md). */
  levels?: TlbLevel[];
  /** tlb-flush: the CPUs it reaches (default `all`; `local`: only the flushing thread's TLB). */
  cpus?: FlushCpus;
  fullmm?: boolean;
  blockable?: boolean;
  /** PTE index range [start, end) (flushes, gathers, notifier ranges). */
  range?: [number, number];
  write?: boolean;
  fixfault?: boolean;
  /** user-store / user-load with pagefaults disabled: a fault returns -EFAULT instead of running the handler. */
  nofault?: boolean;
  /**
   * PG_dirty handling of page-mkclean / writeback: `page-mkclean` with `clearDirty` is folio_clear_dirty_for_io()
   * (clean the PTEs, then test-and-clear PG_dirty, before the I/O); `writeback` clears PG_dirty when it writes the
   * data unless `clearDirty: false` (the dirty bit was already cleared for the I/O).
   */
  clearDirty?: boolean;
  releases?: Ref[];
  /** page-get: the new `page` is allocated with a copy of this page's data (migrate_page_copy, collapse copy). */
  copy?: Ref;
  /** Label shown in traces instead of the generated one (`pte_mkclean()`). */
  label?: string;
  src?: InstrSource;
}

export type CondTest =
  | 'pte-present'
  | 'pte-write'
  | 'pte-dirty'
  | 'pte-young'
  | 'pte-uffd-wp'
  | 'pte-same'
  | 'flush-pending'
  | 'last-ok'
  | 'tlb-writable'
  /** Has the thread named by `thread` returned (run past its last instruction)? */
  | 'thread-exited';

export interface Cond {
  test: CondTest;
  pte?: Ref;
  /** `thread-exited`: the thread it asks about. */
  thread?: string;
  negate?: boolean;
}

export type CtlInstr =
  | { ctl: 'label'; name: string }
  | { ctl: 'goto'; to: string }
  | { ctl: 'choose'; to: string[] }
  | { ctl: 'if'; cond: Cond; then: string; else?: string }
  /**
   * The path this program was extracted from took a branch on this condition: executions where it does not hold
   * are not executions of that path. The thread stops there; a state where nothing else can move and a thread
   * sits at a false `assume` is an abandoned (infeasible) execution, never a deadlock.
   */
  | { ctl: 'assume'; cond: Cond };

export type Instr = OpInstr | CtlInstr;

export interface ThreadSpec {
  name: string;
  /** Column label in traces (`clear_refs_write`, `user`). */
  role: string;
  program: Instr[];
  /** PTEs whose protection userspace may rely on once this thread's program returned (e.g. MADV_DONTNEED's range). */
  protects?: Ref[];
}

export interface PageInit {
  name: string;
  dirty?: boolean;
  /** Starts free (a page the program allocates, e.g. the COW copy). */
  free?: boolean;
}

export interface PteInit {
  name: string;
  page: string | null;
  /** Name of the page table; its PTL is the lock of the same name. Default `ptl0`. */
  table?: string;
  /** The kind of TLB entry a CPU caches for this slot (default `pte`); `table`: a walk-cache entry, the page is a page table. */
  level?: TlbLevel;
  write?: boolean;
  dirty?: boolean;
  young?: boolean;
  uffdWp?: boolean;
}

export interface ScenarioParams {
  /** mmu_notifier change_pte: 'callback' updates the spte to the new pfn, 'removed' (v6.9+) is a no-op. */
  changePteEra?: 'callback' | 'removed';
  /** page_mkclean_one also flushes when mm_tlb_flush_pending() (the fix discussed in seed 004). */
  mkcleanChecksPending?: boolean;
}

export interface Bounds {
  maxStates?: number;
  maxMs?: number;
  userStores?: number;
  retries?: number;
}

export interface Scenario {
  name: string;
  description?: string;
  arch?: Arch[];
  params?: ScenarioParams;
  init: {
    pages: PageInit[];
    ptes: PteInit[];
    tlb?: { thread: string; pte: string }[];
    sptes?: { pte: string; write?: boolean }[];
    locks?: { name: string; kind: 'spin' | 'mutex' | 'rwsem' }[];
    mmLive?: boolean;
    secondaryMmu?: boolean;
  };
  threads: ThreadSpec[];
  invariants?: InvariantName[];
  bounds?: Bounds;
}

export function isCtl(i: Instr): i is CtlInstr {
  return 'ctl' in i;
}

// ---- zod schema ------------------------------------------------------------------------------------------

const OP_KINDS = [...KERNEL_OP_KINDS, ...HARDWARE_OP_KINDS] as readonly string[];
const EFFECTS = [
  'wrprotect', 'clean', 'mkold', 'clear', 'mkwrite', 'mkdirty', 'mkyoung', 'uffd-wp', 'uffd-unwp',
  'soft-dirty-clear', 'new-page', 'prot', 'unknown',
] as const;
const SCOPES = ['page', 'range', 'mm', 'all', 'batched-pending'] as const;
const TESTS = [
  'pte-present', 'pte-write', 'pte-dirty', 'pte-young', 'pte-uffd-wp', 'pte-same', 'flush-pending', 'last-ok',
  'tlb-writable', 'thread-exited',
] as const;

const name = z.string().min(1);
const range = z.tuple([z.number().int().min(0), z.number().int().min(0)]);

const opInstr = z
  .object({
    op: z.string().refine((s) => OP_KINDS.includes(s), { error: (iss) => `unknown op ${JSON.stringify(iss.input)}` }),
    pte: name.optional(),
    from: name.optional(),
    lock: name.optional(),
    page: name.optional(),
    mode: z.enum(['read', 'write']).optional(),
    effects: z.array(z.enum(EFFECTS)).optional(),
    scope: z.enum(SCOPES).optional(),
    levels: z.array(z.enum(TLB_LEVELS)).optional(),
    cpus: z.enum(['local', 'all']).optional(),
    fullmm: z.boolean().optional(),
    blockable: z.boolean().optional(),
    range: range.optional(),
    write: z.boolean().optional(),
    fixfault: z.boolean().optional(),
    nofault: z.boolean().optional(),
    clearDirty: z.boolean().optional(),
    releases: z.array(name).optional(),
    copy: name.optional(),
    label: z.string().optional(),
    src: z.object({ path: z.string().optional(), line: z.number().int().optional(), text: z.string().optional() }).optional(),
  })
  .strict();

const ctlInstr = z.discriminatedUnion('ctl', [
  z.object({ ctl: z.literal('label'), name }).strict(),
  z.object({ ctl: z.literal('goto'), to: name }).strict(),
  z.object({ ctl: z.literal('choose'), to: z.array(name).min(1) }).strict(),
  z
    .object({
      ctl: z.literal('if'),
      cond: z.object({ test: z.enum(TESTS), pte: name.optional(), thread: name.optional(), negate: z.boolean().optional() }).strict(),
      then: name,
      else: name.optional(),
    })
    .strict(),
  z
    .object({
      ctl: z.literal('assume'),
      cond: z.object({ test: z.enum(TESTS), pte: name.optional(), thread: name.optional(), negate: z.boolean().optional() }).strict(),
    })
    .strict(),
]);

const instr = z.union([opInstr, ctlInstr]);

const scenarioSchema = z
  .object({
    name,
    description: z.string().optional(),
    arch: z.array(z.enum(ARCH_PRESETS)).min(1, { error: `must list at least one arch preset (${ARCH_PRESETS.join(', ')}), or be left out for x86` }).optional(),
    params: z
      .object({ changePteEra: z.enum(['callback', 'removed']).optional(), mkcleanChecksPending: z.boolean().optional() })
      .strict()
      .optional(),
    init: z
      .object({
        pages: z.array(z.object({ name, dirty: z.boolean().optional(), free: z.boolean().optional() }).strict()),
        ptes: z
          .array(
            z
              .object({
                name,
                page: name.nullable(),
                table: name.optional(),
                level: z.enum(TLB_LEVELS).optional(),
                write: z.boolean().optional(),
                dirty: z.boolean().optional(),
                young: z.boolean().optional(),
                uffdWp: z.boolean().optional(),
              })
              .strict(),
          )
          .min(1),
        tlb: z.array(z.object({ thread: name, pte: name }).strict()).optional(),
        sptes: z.array(z.object({ pte: name, write: z.boolean().optional() }).strict()).optional(),
        locks: z.array(z.object({ name, kind: z.enum(['spin', 'mutex', 'rwsem']) }).strict()).optional(),
        mmLive: z.boolean().optional(),
        secondaryMmu: z.boolean().optional(),
      })
      .strict(),
    threads: z
      .array(
        z
          .object({ name, role: z.string(), program: z.array(instr), protects: z.array(name).optional() })
          .strict(),
      )
      .min(1)
      .max(8),
    invariants: z.array(z.enum(INVARIANTS)).optional(),
    bounds: z
      .object({
        maxStates: z.number().int().positive().optional(),
        maxMs: z.number().positive().optional(),
        userStores: z.number().int().min(0).optional(),
        retries: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out === '' ? '(root)' : out;
}

/** Pick the most specific message for an instruction that matched neither the op nor the control shape. */
function instrMessage(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if ('op' in v && typeof v.op === 'string' && !OP_KINDS.includes(v.op)) return `op: unknown op ${JSON.stringify(v.op)}`;
  return undefined;
}

function getAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/** Cross-reference checks zod cannot express: names resolve, labels exist. */
function checkRefs(s: Scenario): string[] {
  const errs: string[] = [];
  const pages = new Set(s.init.pages.map((p) => p.name));
  const ptes = new Set(s.init.ptes.map((p) => p.name));
  const threads = new Set(s.threads.map((t) => t.name));
  const locks = new Set<string>(['mmap_lock', 'mmu_lock', ...pages, ...(s.init.locks ?? []).map((l) => l.name)]);
  for (const p of s.init.ptes) locks.add(p.table ?? 'ptl0');
  s.init.ptes.forEach((p, i) => {
    if (p.page !== null && !pages.has(p.page)) errs.push(`init.ptes[${i}].page: unknown page "${p.page}"`);
  });
  (s.init.tlb ?? []).forEach((e, i) => {
    if (!threads.has(e.thread)) errs.push(`init.tlb[${i}].thread: unknown thread "${e.thread}"`);
    if (!ptes.has(e.pte)) errs.push(`init.tlb[${i}].pte: unknown pte "${e.pte}"`);
  });
  (s.init.sptes ?? []).forEach((e, i) => {
    if (!ptes.has(e.pte)) errs.push(`init.sptes[${i}].pte: unknown pte "${e.pte}"`);
  });
  const seen = new Set<string>();
  s.threads.forEach((t, ti) => {
    if (seen.has(t.name)) errs.push(`threads[${ti}].name: duplicate thread "${t.name}"`);
    seen.add(t.name);
    const labels = new Set<string>();
    for (const ins of t.program) if (isCtl(ins) && ins.ctl === 'label') labels.add(ins.name);
    (t.protects ?? []).forEach((r, k) => {
      if (!ptes.has(r)) errs.push(`threads[${ti}].protects[${k}]: unknown pte "${r}"`);
    });
    t.program.forEach((ins, k) => {
      const at = `threads[${ti}].program[${k}]`;
      if (isCtl(ins)) {
        const targets = ins.ctl === 'goto' ? [ins.to] : ins.ctl === 'choose' ? ins.to : ins.ctl === 'if' ? [ins.then, ...(ins.else ? [ins.else] : [])] : [];
        for (const l of targets) if (!labels.has(l)) errs.push(`${at}: unknown label "${l}"`);
        if (ins.ctl === 'if' && ins.cond.pte !== undefined && !ptes.has(ins.cond.pte)) errs.push(`${at}.cond.pte: unknown pte "${ins.cond.pte}"`);
        if ((ins.ctl === 'if' || ins.ctl === 'assume') && ins.cond.test === 'thread-exited' && (ins.cond.thread === undefined || !threads.has(ins.cond.thread)))
          errs.push(`${at}.cond.thread: unknown thread "${ins.cond.thread ?? ''}"`);
        return;
      }
      if (ins.pte !== undefined && !ptes.has(ins.pte)) errs.push(`${at}.pte: unknown pte "${ins.pte}"`);
      if (ins.from !== undefined && !ptes.has(ins.from)) errs.push(`${at}.from: unknown pte "${ins.from}"`);
      if (ins.copy !== undefined && !pages.has(ins.copy)) errs.push(`${at}.copy: unknown page "${ins.copy}"`);
      if (ins.page !== undefined && !pages.has(ins.page)) errs.push(`${at}.page: unknown page "${ins.page}"`);
      if (ins.lock !== undefined && !locks.has(ins.lock)) errs.push(`${at}.lock: unknown lock "${ins.lock}"`);
      (ins.releases ?? []).forEach((r, j) => {
        if (!locks.has(r)) errs.push(`${at}.releases[${j}]: unknown lock "${r}"`);
      });
      if (ins.range && ins.range[0] > ins.range[1]) errs.push(`${at}.range: start after end`);
      const needsPte = ['pte-map-lock', 'pte-unmap-unlock', 'pte-read', 'pte-same', 'pte-set', 'pte-clear', 'pte-clear-flush',
        'pte-modify-start', 'pte-modify-commit', 'pte-wrprotect', 'pte-mkold', 'pte-set-access-flags', 'fault', 'gup',
        'pte-fixup-young-dirty', 'wp-page-copy', 'tlb-fill', 'user-load', 'user-store', 'kvm-fault', 'guest-access', 'age',
        'notifier-change-pte', 'uffd-wp-check'];
      if (needsPte.includes(ins.op) && ins.pte === undefined) errs.push(`${at}.pte: op "${ins.op}" needs a pte`);
      const needsPage = ['page-free', 'page-dirty', 'page-mkclean', 'writeback', 'reclaim-drop', 'page-reuse', 'wp-page-copy'];
      if (needsPage.includes(ins.op) && ins.page === undefined) errs.push(`${at}.page: op "${ins.op}" needs a page`);
      if ((ins.op === 'lock' || ins.op === 'unlock' || ins.op === 'trylock') && ins.lock === undefined) errs.push(`${at}.lock: op "${ins.op}" needs a lock`);
      if (ins.op === 'tlb-flush' && (ins.scope ?? 'range') === 'page' && ins.pte === undefined) errs.push(`${at}.pte: a page-scope flush needs a pte`);
    });
  });
  return errs;
}

/** Validate and return a scenario; errors name the offending field (`threads[1].program[3].op: unknown op "pte-clr"`). */
export function parseScenario(json: unknown): { ok: true; scenario: Scenario } | { ok: false; errors: string[] } {
  const r = scenarioSchema.safeParse(json);
  if (!r.success) {
    const errors: string[] = [];
    for (const iss of r.error.issues) {
      const path = iss.path as PropertyKey[];
      const special = path.length >= 4 && path[0] === 'threads' && path[2] === 'program' ? instrMessage(getAt(json, path.slice(0, 4))) : undefined;
      if (special !== undefined) errors.push(`${fieldPath(path.slice(0, 4))}.${special}`);
      else errors.push(`${fieldPath(path)}: ${iss.message}`);
    }
    return { ok: false, errors: [...new Set(errors)] };
  }
  const scenario = r.data as Scenario;
  const refErrs = checkRefs(scenario);
  if (refErrs.length > 0) return { ok: false, errors: refErrs };
  return { ok: true, scenario };
}
