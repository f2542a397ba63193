/**
 * Turn a violating action path into a `Trace` (src/core/finding.ts): replay it with a recorder to collect each
 * step's text, bracketed state notes and source line; the violation goes on the last step.
 */
import type { Trace, TraceStep } from '../core/finding.ts';
import type { InvariantName } from '../core/sim-contract.ts';
import { TH, thAt } from './layout.ts';
import type { Machine, Recorder } from './machine.ts';
import { initialState, successor } from './step.ts';

const SUMMARY: Record<InvariantName, string> = {
  'no-stale-access': 'A CPU accessed a freed or reused page through a stale TLB entry or spte.',
  'no-lost-write': 'A user store was lost: the page was dropped as clean, or replaced, without it.',
  'write-protect-holds': 'A store succeeded through an old mapping after the write-protecting call returned.',
  'pte-under-ptl': 'A PTE was modified without its page-table lock held.',
  'lock-balance': 'A lock was released while not held, taken twice, or still held on return.',
  'no-sleep-in-atomic': 'An operation that may sleep ran while a spinlock was held.',
  'secondary-mmu-coherent': 'A secondary MMU used a mapping the primary page table no longer has, outside an invalidation window.',
  'notifier-balance': 'mmu_notifier invalidate_range_start/end were unbalanced or used different ranges.',
  'flush-pending-balance': 'inc/dec_tlb_flush_pending() (or tlb_gather_mmu/tlb_finish_mmu) were unbalanced.',
  'fullmm-dead-mm': 'A fullmm mmu_gather was used on an mm that is still live.',
  'no-livelock': 'A retry loop returned to an identical state with nothing else able to make progress.',
};

/** One-sentence description of an invariant's violation. */
export function summaryOf(inv: InvariantName): string {
  return SUMMARY[inv];
}

/** A branch condition in kernel words: `pte_present(pte)`, `!pte_write(pte)`, `mm_tlb_flush_pending(mm)`. */
export function conditionText(test: string, negate: boolean, pte: string): string {
  const p = pte ? pte.replace(/^pte\d+$/, 'pte') : 'pte';
  const words: Record<string, string> = {
    'pte-present': `pte_present(${p})`,
    'pte-write': `pte_write(${p})`,
    'pte-dirty': `pte_dirty(${p})`,
    'pte-young': `pte_young(${p})`,
    'pte-uffd-wp': `pte_uffd_wp(${p})`,
    'pte-same': `pte_same(${p}, orig_pte)`,
    'flush-pending': 'mm_tlb_flush_pending(mm)',
    'last-ok': 'the previous call succeeded',
    'tlb-writable': 'the TLB entry is writable',
  };
  return `${negate ? '!' : ''}${words[test] ?? test}`;
}

/** Replay `path` and build the trace. */
export function buildTrace(m: Machine, path: number[], invariant: InvariantName, cycleStart?: number): Trace {
  const threads = m.c.threads.map((t, i) => `CPU${i} (${t.role})`);
  const steps: TraceStep[] = [];
  let s = initialState(m).state;
  path.forEach((a, idx) => {
    const t = a >> 6;
    const k = a & 63;
    const pc = s[thAt(m.L, t) + TH.pc]!;
    const ins = m.c.threads[t]!.code[pc]!;
    const rec: Recorder = { notes: [] };
    const r = successor(m, s, t, k, rec);
    if (!r) return;
    let action: string;
    switch (ins.kind) {
      case 'op':
        action = rec.action ?? ins.text;
        break;
      case 'choose':
        action = `take branch ${ins.names[k] ?? k}`;
        break;
      case 'if': {
        const taken = r.state[thAt(m.L, t) + TH.pc] === ins.then || ins.then === ins.else;
        action = `if (${conditionText(ins.test, ins.negate, m.c.ptes[ins.pte] ?? '')}): ${taken ? 'yes' : 'no'}`;
        break;
      }
      case 'assume':
        // the path the patch takes requires this condition: say so as the branch the code takes; a wait for
        // another thread's return (lazyfree-reclaim) names that thread
        action = ins.test === 'thread-exited'
          ? `[${ins.negate ? 'before' : 'after'} ${m.c.threads[ins.thread]?.role ?? 'the other thread'} returned]`
          : `[path taken: ${conditionText(ins.test, ins.negate, m.c.ptes[ins.pte] ?? '')}]`;
        break;
      default:
        action = ins.kind;
    }
    if (cycleStart !== undefined && idx === cycleStart) rec.notes.unshift('retry loop starts');
    const step: TraceStep = { thread: t, action };
    if (rec.notes.length > 0) step.note = rec.notes.join('; ');
    if (ins.kind === 'op' && ins.src) step.source = { ...ins.src };
    if (idx === path.length - 1) step.violation = invariant;
    steps.push(step);
    s = r.state;
  });
  if (invariant === 'no-livelock' && steps.length > 0) {
    const last = steps[steps.length - 1]!;
    last.note = (last.note ? `${last.note}; ` : '') + 'back to an identical state: livelock';
  }
  if (steps.length === 0) steps.push({ thread: 0, action: '(initial state)', violation: invariant });
  return { threads, steps, summary: SUMMARY[invariant] };
}
