/**
 * Rule fullmm-misuse: a fullmm mmu_gather (tlb_gather_mmu_fullmm, or the whole-address-space range form) on an mm
 * that is not being torn down; architectures that elide the fullmm TLB flush leave stale entries for live threads.
 */
import type { Event, EventPath, FunctionView } from '../src/core/events.ts';
import type { AdversaryName } from '../src/core/sim-contract.ts';
import { createRule } from './create-rule.ts';
import { callArgs, downgradeEffects, imageEvent, norm, replaceAt, stripStep } from './utils/paths.ts';

export type MessageId = 'liveMm';

/** Functions that tear down an mm no thread can use any more (exit_mmap and the mmput chain that calls it). */
export const TEARDOWN_FUNCTIONS: ReadonlySet<string> = new Set(['exit_mmap', 'arch_exit_mmap', '__mmput', 'mmput', 'mmput_async_fn', 'exit_mm']);

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

/** Is the function the mmu_gather API itself (its own fullmm entry point), not a user of it? */
function isGatherApi(fn: FunctionView): boolean {
  return /^_*tlb_(gather|finish)_mmu/.test(fn.name);
}

export default createRule<MessageId>({
  meta: {
    id: 'fullmm-misuse',
    severity: 'error',
    docs: { description: 'Use a fullmm mmu_gather only to tear down an mm that no thread can still use' },
    messages: {
      liveMm:
        '{{call}} starts a fullmm mmu_gather in {{fn}}(), but the mm is still live here ({{why}}): architectures that skip the TLB flush for fullmm (arm64) leave other threads with stale TLB entries.',
    },
    hazard:
      'A fullmm mmu_gather tells the architecture the whole mm is going away: arm64 then skips TLB invalidation (the ASID is recycled later) and the page-table teardown may take shortcuts. On an mm that other threads still use (a syscall, a /proc write handler, the OOM reaper, madvise), those threads keep stale TLB entries to pages that are then written-protected, cleaned or freed.',
  },
  check(ctx) {
    if (TEARDOWN_FUNCTIONS.has(ctx.fn.name) || isGatherApi(ctx.fn)) return;
    for (const path of ctx.image.paths) {
      if (teardownEvidence(path)) continue;
      for (const [i, s] of path.steps.entries()) {
        if (s.step !== 'event') continue;
        const ev = stripStep(s);
        if (!isFullmmGather(ev)) continue;
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
          messageId: 'liveMm',
          data: { call: `${ev.callee}()`, fn: ctx.fn.name, why: `${ctx.fn.name}() is not an exit_mmap-style teardown entry point` },
          anchor: imageEvent(ctx.image, ev),
          related: [],
          path,
          hazard: {
            kind: 'fullmm-on-live-mm',
            invariants: ['fullmm-dead-mm', 'no-stale-access', 'write-protect-holds'],
            adversaries,
            arch: ['arm64'],
            context: ['mm-live'],
          },
          suggestion: { text: 'use a ranged gather (tlb_gather_mmu(&tlb, mm, start, end)) on a live mm', path: replaceAt(path, i, ranged) },
        });
      }
    }
  },
});
