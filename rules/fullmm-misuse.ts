/**
 * Rule fullmm-misuse: a fullmm mmu_gather (tlb_gather_mmu_fullmm, or the whole-address-space range form) on an mm
 * that is not being torn down; architectures that elide the fullmm TLB flush leave stale entries for live threads.
 * And the converse: an architecture's mmu_gather flush hook that skips the flush because `tlb->fullmm` is set,
 * treating fullmm as "the mm is dead" although tlb_finish_mmu() sets it on a live mm (mm_tlb_flush_nested()).
 *
 * Whether the mm is dead is found, not guessed: from the path (mm_users tested 0, a fresh mm_alloc() mm), from the
 * function being a dead-mm entry (exit_mmap(), arch_exit_mmap(): catalogue), or from the callers the patch shows
 * (RuleContext.siblings), recursively. Liveness likewise needs evidence (an mm_users reference taken on the path,
 * current->mm, a live caller). Without either the candidate carries `hazard.unknown`: inconclusive, with the reason.
 */
import type { ControlStep, Event, EventPath, FunctionImage, FunctionView, PathStep } from '../src/core/events.ts';
import type { Side } from '../src/core/rule.ts';
import type { AdversaryName } from '../src/core/sim-contract.ts';
import { DEAD_MM_ENTRIES, GATHER_FLUSH_HOOKS, MM_USER_REFS, MM_WITHOUT_USERS } from '../src/kernel-api/catalogue.ts';
import { isNonZeroConstant } from '../src/c/expr-events.ts';
import { syscallEvidence } from './utils/task-context.ts';
import { otherMms } from './utils/mm-names.ts';
import { createRule } from './create-rule.ts';
import { callArgs, downgradeEffects, imageEvent, norm, replaceAt, stripStep } from './utils/paths.ts';

export type MessageId = 'liveMm' | 'maybeLiveMm' | 'flushSkipped';

/** Values meaning "the last address" in the legacy `tlb_gather_mmu(tlb, mm, 0, -1)` fullmm form. */
const ALL_ONES = new Set(['-1', '~0', '~0UL', '~0ul', '-1UL', '-1L', 'ULONG_MAX', '(unsignedlong)-1', '~0ULL']);

/**
 * Is this gather-init a fullmm gather? The catalogue's attrs.fullmm, else the kernel's own test on the range
 * form: `fullmm = !(start | (end + 1))` (start 0, end all-ones), or the 3-argument `(tlb, mm, true)` form.
 */
export function isFullmmGather(ev: Event): boolean {
  if (ev.kind !== 'gather-init') return false;
  if (ev.attrs.fullmm !== undefined) return ev.attrs.fullmm;
  if (/_fullmm\b/.test(ev.callee)) return true;
  const args = callArgs(ev.text);
  const start = ev.args.start ?? args[2];
  const end = ev.args.end ?? args[3];
  if (end === undefined && args.length === 3) return ['1', 'true'].includes(norm(args[2]));
  // 2.6-era `tlb = tlb_gather_mmu(mm, full_mm_flush)`.
  if (args.length === 2 && ev.result !== undefined) return ['1', 'true'].includes(norm(args[1]));
  return start !== undefined && end !== undefined && norm(start) === '0' && ALL_ONES.has(norm(end));
}

/** Teardown evidence on a path: a branch that establishes that no user of the mm is left. */
function teardownEvidence(path: EventPath): boolean {
  return path.steps.some((s) => {
    if (s.step !== 'control' || s.kind !== 'branch') return false;
    const c = norm(s.cond);
    const zeroUsers = /mm_users\)?==0|!atomic_read\(&?[\w>.-]*mm_users\)|atomic_dec_and_test\(&?[\w>.-]*mm_users\)/.test(c);
    return zeroUsers ? s.taken : /mm_users\)?!=0|atomic_read\(&?[\w>.-]*mm_users\)$/.test(c) ? !s.taken : false;
  });
}

/** The mm the path works on comes from an allocation no thread runs on yet (mm_alloc()): no user but us. */
function freshMm(path: EventPath, mm: string): boolean {
  return path.steps.some((s) => s.step === 'event' && MM_WITHOUT_USERS.has(s.callee) && s.result !== undefined && norm(s.result) === mm);
}

/** Evidence on a path (before step `until`) that the mm has users: a reference taken, or the caller's own mm. */
function liveEvidence(path: EventPath, until: number, image: FunctionImage, mm: string): string | undefined {
  // current->mm, not current->active_mm: a task holds an mm_users reference on its own mm (NULL in kernel threads and
  // after exit_mm()), but active_mm is only borrowed with mm_count (kernel/sched/core.c lazy TLB; do_exit() → exit_mm()
  // → mmput() → exit_mmap() still runs with the dying mm as active_mm).
  if (/^current->mm$/.test(mm) || new RegExp(`\\b${mm.replace(/[^\w]/g, '')}\\s*=\\s*current->mm\\b`).test(image.text)) {
    return 'it works on current->mm, the mm the calling task runs on';
  }
  const task = taskContext(path, until, image, mm);
  if (task) return task;
  for (const s of path.steps.slice(0, until)) {
    // The reference must be on the gather's mm: a function that pins one mm says nothing about another it handles.
    if (s.step === 'event' && MM_USER_REFS.has(s.callee) && sameMm(mm, s.result ?? callArgs(s.text)[0])) return `${s.callee}() took an mm_users reference`;
    if (s.step !== 'control' || s.kind !== 'branch') continue;
    const c = norm(s.cond);
    const ref = /^(?:likely|unlikely)?\(?(!?)(mmget_not_zero\([^)]*\)|atomic_inc_not_zero\([^)]*mm_users\))\)?$/.exec(c);
    if (ref && (ref[1] === '!') !== s.taken && sameMm(mm, callArgs(ref[2] ?? '')[0])) return `${ref[2]?.replace(/\(.*/, '')}() succeeded: the mm has users`;
  }
  return undefined;
}

/**
 * Could `ref` (the mm an mm_users reference was taken on: `mm`, `&mm->mm_users`) be the gather's `mm`? Only two plain
 * names that differ are known to be different mms; anything else (a field, an expression) is not compared.
 */
function sameMm(mm: string, ref: string | undefined): boolean {
  const root = /^&?\s*([A-Za-z_]\w*)\s*(?:->\s*mm_users)?$/.exec(norm(ref))?.[1];
  return !/^[A-Za-z_]\w*$/.test(mm) || root === undefined || root === mm;
}

/**
 * Evidence that the function runs for a user task's system call (rules/utils/task-context.ts): a `__user` parameter,
 * a killable mmap_lock taken on the path, or an `-EINTR` exit above the gather. Page tables of an mm are walked there
 * only on current->mm or on an mm pinned with mmget() (get_task_mm(), mm_access()): the mm has users. The dead-mm
 * teardown (exit_mmap()) and the OOM reaper (a kthread on an mm it pins with mmgrab() only) show none of these.
 */
function taskContext(path: EventPath, until: number, image: FunctionImage, mm: string): string | undefined {
  // A function that handles a second mm (fork's dup_mmap(mm, oldmm): the child mm has no user yet, the -EINTR is the
  // parent's killable mmap lock) shows a system call, but not which of its mms is live.
  if (otherMms(image, mm).length > 0) return undefined;
  const line = path.steps[until]?.loc.line ?? Infinity;
  const why = syscallEvidence(image, path.steps.slice(0, until), line);
  return why ? `${why}: a system call works on current->mm or on an mm it holds with mmget()` : undefined;
}

/** An assignment that makes the gather's flush cover the whole mm whatever fullmm means to the arch. */
const FULL_FLUSH_ASSIGNMENT = /(?:->|\.)\s*(?:freed_tables|need_flush_all)\s*=\s*(?:true|[1-9])/;

/** Does the text assign a gather's fullmm anything but a non-zero constant? */
function otherFullmmValue(text: string): boolean {
  for (const m of text.matchAll(/(?:->|\.)\s*fullmm\s*=(?!=)\s*([^;]+);/g)) {
    if (!isNonZeroConstant(norm(m[1] ?? ''))) return true;
  }
  return false;
}

/**
 * The mm of the gather a `tlb->fullmm = 1` assignment changes: the mm its tlb_gather_mmu() on the path was given,
 * else the gather's own (`tlb->mm`, a gather the caller started).
 */
function gatherMm(path: EventPath, at: number, ev: Event): string {
  const tlb = norm(ev.args.tlb ?? 'tlb');
  for (const s of path.steps.slice(0, at).reverse()) {
    if (s.step !== 'event' || s.kind !== 'gather-init') continue;
    const args = callArgs(s.text);
    if (norm(s.args.tlb ?? args[0] ?? '') !== tlb) continue;
    return norm(s.args.mm ?? (args.length === 2 && s.result !== undefined ? args[0] : args[1]) ?? 'mm');
  }
  return tlb.startsWith('&') ? `${tlb.slice(1)}.mm` : `${tlb}->mm`;
}

type Reach = { kind: 'live' | 'dead' | 'unknown'; why: string };

/** Paths of a sibling's image on `side` that call `name`, with the index of the call. */
function callSites(fn: FunctionView, side: Side, name: string): Array<{ image: FunctionImage; path: EventPath; at: number; ev: Event }> {
  const image = side === 'pre' ? fn.pre : fn.post;
  if (!image) return [];
  const out: Array<{ image: FunctionImage; path: EventPath; at: number; ev: Event }> = [];
  for (const path of image.paths) {
    const at = path.steps.findIndex((s) => s.step === 'event' && s.callee === name);
    const s = path.steps[at];
    if (at >= 0 && s && s.step === 'event') out.push({ image, path, at, ev: stripStep(s) });
  }
  return out;
}

/**
 * Where a function is reached from, through the callers the patch shows: dead when every caller is a dead-mm entry
 * or reached only from one, live when a caller has live evidence before the call (or is reached live), unknown when
 * no caller is visible or a caller's own reach is unknown.
 */
function reachOf(name: string, side: Side, siblings: readonly FunctionView[], visiting: Set<string>): Reach {
  if (DEAD_MM_ENTRIES.has(name)) return { kind: 'dead', why: `${name}() is where the kernel tears down an mm without users` };
  if (visiting.has(name)) return { kind: 'unknown', why: `${name}() is reached recursively` };
  visiting.add(name);
  const callers = siblings.filter((f) => f.name !== name && callSites(f, side, name).length > 0);
  if (callers.length === 0) return { kind: 'unknown', why: `no caller of ${name}() is in this patch, so whether its mm can still be in use depends on code the patch does not show` };
  let allDead = true;
  let unknown: Reach | undefined;
  for (const c of callers) {
    const sites = callSites(c, side, name);
    const live = sites.map((s) => liveEvidence(s.path, s.at, s.image, norm(callArgs(s.ev.text).find((a) => /mm\b/.test(a)) ?? 'mm'))).find((x) => x !== undefined);
    if (live) return { kind: 'live', why: `${name}() is called from ${c.name}(), where ${live}` };
    // Dead on every call path: no user left, or the mm passed was just allocated and never published (fork).
    if (sites.every((s) => teardownEvidence(s.path) || s.path.steps.slice(0, s.at).some((x) => x.step === 'event' && MM_WITHOUT_USERS.has(x.callee)))) continue;
    const r = reachOf(c.name, side, siblings, visiting);
    if (r.kind === 'live') return { kind: 'live', why: `${name}() is called from ${c.name}(): ${r.why}` };
    if (r.kind === 'unknown') {
      allDead = false;
      unknown ??= { kind: 'unknown', why: `${name}() is called from ${c.name}(): ${r.why}` };
    }
  }
  return allDead ? { kind: 'dead', why: `every caller of ${name}() in this patch tears down a dead mm` } : (unknown as Reach);
}

/**
 * Is the function reached from the gather's flush hook (where a forced fullmm is seen)? The hook itself, or called
 * from it by a function the patch shows. Undefined when no caller is visible.
 */
function reachedFromFlushHook(name: string, side: Side, siblings: readonly FunctionView[], visiting: Set<string>): boolean | undefined {
  if (GATHER_FLUSH_HOOKS.has(name)) return true;
  if (visiting.has(name)) return undefined;
  visiting.add(name);
  const callers = siblings.filter((f) => f.name !== name && callSites(f, side, name).length > 0);
  if (callers.length === 0) return undefined;
  let unknown = false;
  for (const c of callers) {
    const r = reachedFromFlushHook(c.name, side, siblings, visiting);
    if (r === true) return true;
    if (r === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}

/** Is the function the mmu_gather API itself (its own fullmm entry point), not a user of it? */
function isGatherApi(fn: FunctionView): boolean {
  return /^_*(?:arch_)?tlb_(gather|finish)_mmu/.test(fn.name);
}

/** `a && b` taken → [a, b]; `a || b` not taken → [!a, !b]; otherwise the condition itself when it is simple. */
function impliedLiterals(cond: string, taken: boolean): string[] | undefined {
  const c = norm(cond);
  const conj = taken ? '&&' : '||';
  const other = taken ? '||' : '&&';
  if (c.includes(other)) return undefined;
  return c.split(conj).map((x) => {
    const p = norm(x);
    if (taken) return p;
    return p.startsWith('!') ? norm(p.slice(1)) : `!${p}`;
  });
}

/**
 * A path of an mmu_gather flush hook that returns without flushing because `tlb->fullmm` is set (and nothing else
 * it tests is about freed page tables): the branch and the index of the return.
 */
function fullmmSkip(path: EventPath): { branch: Extract<ControlStep, { kind: 'branch' }>; at: number; ret: number } | undefined {
  for (const [i, s] of path.steps.entries()) {
    if (s.step !== 'control' || s.kind !== 'branch') continue;
    const lits = impliedLiterals(s.cond, s.taken);
    if (!lits || !lits.some((l) => /^[A-Za-z_]\w*->fullmm$/.test(l))) continue;
    // A skip guarded by freed_tables / need_flush_all (arm64: only the last-level flush is elided) is not this one:
    // tlb_finish_mmu() sets freed_tables together with the fullmm it forces.
    if (lits.some((l) => /freed_tables|need_flush_all|last_level|cleared_/.test(l))) continue;
    for (let k = i + 1; k < path.steps.length; k++) {
      const t = path.steps[k] as PathStep;
      if (t.step === 'event' || (t.step === 'control' && (t.kind === 'branch' || t.kind === 'truncated' || t.kind.startsWith('loop')))) break;
      if (t.step === 'control' && t.kind === 'return') return { branch: s, at: i, ret: k };
    }
  }
  return undefined;
}

/** A synthetic step of the modelled context around a flush hook (negative id: not an event of the image). */
function ctxStep(kind: Event['kind'], callee: string, args: Record<string, string>, text: string, loc: PathStep['loc'], attrs: Event['attrs'] = {}): PathStep {
  return { step: 'event', id: -1, kind, callee, args, attrs, loc: { line: loc.line, column: loc.column, ...(loc.fileLine !== undefined ? { fileLine: loc.fileLine } : {}) }, text };
}

export default createRule<MessageId>({
  meta: {
    id: 'fullmm-misuse',
    severity: 'error',
    docs: { description: 'Use a fullmm mmu_gather only to tear down an mm that no thread can still use' },
    messages: {
      liveMm:
        '{{call}} makes a fullmm mmu_gather in {{fn}}(), but the mm is still live here ({{why}}): architectures that skip the TLB flush for fullmm (arm64) leave other threads with stale TLB entries.',
      maybeLiveMm:
        '{{call}} makes a fullmm mmu_gather in {{fn}}(), and nothing this patch shows establishes that the mm is dead ({{why}}): if other threads can still use it, architectures that skip the TLB flush for fullmm (arm64) leave them with stale TLB entries.',
      flushSkipped:
        '{{fn}}() returns without flushing the TLB when {{field}} is set, as if fullmm meant a dead mm; but tlb_finish_mmu() sets tlb->fullmm on a live mm when another thread batches on it (mm_tlb_flush_nested()), and the gathered pages are then freed while other CPUs still cache them.',
    },
    hazard:
      'A fullmm mmu_gather tells the architecture the whole mm is going away: arm64 then skips TLB invalidation (the ASID is recycled later) and the page-table teardown may take shortcuts. On an mm that other threads still use (a syscall, a /proc write handler, the OOM reaper, madvise), those threads keep stale TLB entries to pages that are then written-protected, cleaned or freed. Conversely fullmm does not mean "dead": tlb_finish_mmu() forces it on a live mm when flushes are nested, so a flush hook may not skip its flush on fullmm alone.',
  },
  check(ctx) {
    if (isGatherApi(ctx.fn)) return;
    const dead = DEAD_MM_ENTRIES.has(ctx.fn.name);
    let reach: Reach | undefined;
    const reported = new Set<number>();
    // Callers: the patch's changed functions and, with a tree, the unchanged callers it shows completely.
    const callers = [...ctx.siblings, ...(ctx.context ?? [])];
    const fullFlushOrOtherValue = FULL_FLUSH_ASSIGNMENT.test(ctx.image.text) || otherFullmmValue(ctx.image.text);
    for (const path of ctx.image.paths) {
      // The converse: a flush hook that skips its flush because fullmm is set.
      const skip = fullmmSkip(path);
      const hook = skip ? reachedFromFlushHook(ctx.fn.name, ctx.side, callers, new Set()) : false;
      if (skip && hook !== false && !reported.has(-1)) {
        reported.add(-1);
        const field = impliedLiterals(skip.branch.cond, skip.branch.taken)?.find((l) => /->fullmm$/.test(l)) ?? 'tlb->fullmm';
        // Anchored on a call of the branch's own line, else on the first call after it (the flush it skips).
        const later = [...ctx.image.events].filter((e) => e.loc.line >= skip.branch.loc.line).sort((a, b) => a.loc.line - b.loc.line || a.id - b.id);
        const anchorEv = later.find((e) => e.loc.line === skip.branch.loc.line) ?? later.find((e) => e.kind === "tlb-flush") ?? later[0];
        if (!anchorEv) continue;
        const loc = skip.branch.loc;
        const hookSteps = path.steps.slice(0, skip.ret);
        const before: PathStep[] = [
          ctxStep('pte-map-lock', 'pte_offset_map_lock', { lock: 'ptl', pte: 'pte' }, 'zap_pte_range(): pte_offset_map_lock() — munmap / MADV_DONTNEED on a live mm', loc, { lockClass: 'ptl' }),
          ctxStep('pte-clear', 'ptep_get_and_clear_full', { pte: 'pte' }, 'zap_pte_range(): ptep_get_and_clear_full(), page gathered (tlb_remove_page)', loc, { effects: ['clear'] }),
          ctxStep('pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, 'zap_pte_range(): pte_unmap_unlock()', loc, { lockClass: 'ptl' }),
          ctxStep('flush-pending-read', 'mm_tlb_flush_nested', { mm: 'tlb->mm' }, 'tlb_finish_mmu(): mm_tlb_flush_nested() → tlb->fullmm = 1, then tlb_flush()', loc),
        ];
        const after: PathStep[] = [ctxStep('page-free', 'tlb_batch_pages_flush', { page: 'page', pte: 'pte' }, 'tlb_flush_mmu(): tlb_batch_pages_flush() frees the gathered page', loc)];
        const retStep = path.steps[skip.ret] as PathStep;
        const modelled: EventPath = { steps: [...before, ...hookSteps, ...after, retStep], complete: path.complete };
        const flush = ctxStep('tlb-flush', 'flush_tlb_mm', { mm: 'tlb->mm' }, 'flush_tlb_mm(tlb->mm)', loc, { scope: 'mm' });
        const fixed: EventPath = { steps: [...before, ...hookSteps, flush, ...after, retStep], complete: path.complete };
        ctx.report({
          messageId: 'flushSkipped',
          data: { fn: ctx.fn.name, field },
          anchor: imageEvent(ctx.image, anchorEv),
          related: [],
          path: modelled,
          hazard: {
            kind: 'fullmm-flush-skipped',
            invariants: ['no-stale-access'],
            adversaries: ['user-reader'],
            arch: ['x86'],
            context: ['mm-live'],
            ...(hook === undefined
              ? { unknown: `a forced fullmm reaches only the gather's flush hook (tlb_flush(), from tlb_finish_mmu()); no caller in this patch shows that ${ctx.fn.name}() runs there rather than while the gather is still collecting (when fullmm does mean exit_mmap())` }
              : {}),
          },
          suggestion: { text: `skip only what a forced fullmm allows: flush when ${field} is set unless no page tables were freed (tlb->freed_tables), as tlb_finish_mmu() sets both`, path: fixed },
        });
      }
      if (dead) continue;
      if (teardownEvidence(path)) continue;
      for (const [i, s] of path.steps.entries()) {
        if (s.step !== 'event') continue;
        const ev = stripStep(s);
        const assigned = ev.kind === 'gather-set-fullmm';
        if ((!assigned && !isFullmmGather(ev)) || reported.has(ev.id)) continue;
        // Setting fullmm together with freed_tables / need_flush_all is what tlb_finish_mmu() does on a nested flush:
        // the flush hooks then invalidate the whole mm (arm64: flush_tlb_mm()), so it is not a skipped flush.
        // So is a function that also gives fullmm another value (`tlb->fullmm = 0`, a computed one): the model keeps
        // only the constant, so the claim would rest on an order of assignments it does not track.
        if (assigned && fullFlushOrOtherValue) continue;
        const mm = assigned ? gatherMm(path, i, ev) : norm(ev.args.mm ?? (callArgs(ev.text).length === 2 ? callArgs(ev.text)[0] : callArgs(ev.text)[1]) ?? 'mm');
        if (freshMm(path, mm)) continue;
        const here = liveEvidence(path, i, ctx.image, mm);
        let r: Reach = here ? { kind: 'live', why: here } : (reach ??= reachOf(ctx.fn.name, ctx.side, callers, new Set()));
        if (r.kind === 'dead') continue;
        // A fix: the patch itself turns this gather into a ranged one, its author treating the mm as live; the
        // pre-image finding then only agrees with the patch (a `fixed` note), it makes no claim of its own.
        const other = ctx.side === 'pre' ? ctx.fn.post : undefined;
        if (!assigned && r.kind === 'unknown' && other?.events.some((e) => e.kind === 'gather-init' && !isFullmmGather(e) && norm(e.args.mm ?? callArgs(e.text)[1]) === mm)) {
          r = { kind: 'live', why: 'this patch replaces it with a ranged gather on the same mm' };
        }
        reported.add(ev.id);
        const effects = path.steps.flatMap((x) => (x.step === 'event' ? downgradeEffects(stripStep(x)) : []));
        const frees = path.steps.some((x) => x.step === 'event' && (x.kind === 'gather-remove' || x.kind === 'page-free'));
        const adversaries: AdversaryName[] = [];
        if (effects.some((e) => e !== 'clear') || !frees) adversaries.push('user-writer', 'writeback');
        if (frees || effects.includes('clear')) adversaries.push('user-reader');
        const ranged: Event = {
          ...ev,
          callee: 'tlb_gather_mmu',
          args: { tlb: ev.args.tlb ?? callArgs(ev.text)[0] ?? '&tlb', mm: ev.args.mm ?? callArgs(ev.text)[1] ?? 'mm', start: '0', end: 'TASK_SIZE' },
          attrs: { ...ev.attrs, fullmm: false },
        };
        ctx.report({
          messageId: r.kind === 'live' ? 'liveMm' : 'maybeLiveMm',
          data: { call: assigned ? `\`${ev.text}\`` : `${ev.callee}()`, fn: ctx.fn.name, why: r.why },
          anchor: imageEvent(ctx.image, ev),
          related: [],
          path,
          hazard: {
            kind: 'fullmm-on-live-mm',
            invariants: ['fullmm-dead-mm', 'no-stale-access', 'write-protect-holds'],
            adversaries,
            arch: ['arm64'],
            context: ['mm-live'],
            ...(r.kind === 'unknown' ? { unknown: `the mm may be dead: ${r.why}` } : {}),
          },
          suggestion: assigned
            ? { text: 'leave tlb->fullmm to the gather on a live mm: record the range to flush instead (or flush_tlb_mm())', path: { steps: path.steps.filter((_, k) => k !== i), complete: path.complete } }
            : { text: 'use a ranged gather (tlb_gather_mmu(&tlb, mm, start, end)) on a live mm', path: replaceAt(path, i, ranged) },
        });
      }
    }
  },
});
