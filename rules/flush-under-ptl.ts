/**
 * Rule flush-under-ptl: a PTE downgraded (cleared, write-protected, cleaned) under its page-table lock and the lock
 * released before the TLB flush, with no tlb_flush_pending announcement and no mmu_gather keeping pages alive.
 */
import type { Event, EventPath, FunctionImage, FunctionView } from '../src/core/events.ts';
import type { PteEffect } from '../src/core/ops.ts';
import type { AdversaryName, InvariantName } from '../src/core/sim-contract.ts';
import type { Hazard, Side } from '../src/core/rule.ts';
import { createRule } from './create-rule.ts';
import type { TypedRuleContext } from './create-rule.ts';
import {
  LockState,
  downgradeEffects,
  eventsOf,
  fragmentEntryLocks,
  imageEvent,
  insertAt,
  isPtlAcquire,
  locAt,
  loopStacks,
  moveBefore,
  norm,
  pickAnchor,
  returnIndex,
  truncated,
  stripStep,
  synthEvent,
} from './utils/paths.ts';

export type MessageId = 'flushAfterUnlock' | 'callbackNoFlush' | 'unlockBeforeFlush';

/** Verb for each downgrade effect, for messages. */
const EFFECT_VERB: Record<string, string> = {
  clear: 'clears',
  wrprotect: 'write-protects',
  clean: 'cleans',
  'new-page': 'remaps',
  prot: 'changes the protection of',
  'soft-dirty-clear': 'clears soft-dirty on',
  'uffd-wp': 'uffd-write-protects',
};

/** Invariants and adversaries that can show the stale TLB entry for a set of effects. */
export function hazardFor(effects: readonly PteEffect[], context: string[]): Hazard {
  const inv = new Set<InvariantName>();
  const adv = new Set<AdversaryName>();
  for (const e of effects) {
    if (e === 'clean') {
      inv.add('no-lost-write');
      adv.add('user-writer');
      adv.add('writeback');
    } else if (e === 'clear' || e === 'new-page') {
      inv.add('no-stale-access');
      adv.add('user-reader');
      adv.add('zap');
    } else {
      // A write-protected PTE invites a COW write fault on another CPU: it copies the page while the stale
      // writable TLB entry still writes to the old one.
      inv.add('no-lost-write');
      inv.add('write-protect-holds');
      adv.add('user-writer');
      adv.add('cow');
    }
  }
  const invOrder: InvariantName[] = ['no-lost-write', 'write-protect-holds', 'no-stale-access'];
  const advOrder: AdversaryName[] = ['user-writer', 'writeback', 'cow', 'user-reader', 'zap'];
  return {
    kind: 'flush-after-unlock',
    invariants: invOrder.filter((i) => inv.has(i)),
    adversaries: advOrder.filter((a) => adv.has(a)),
    arch: ['x86', 'arm64'],
    context,
  };
}

/** A PTE callback: updates PTEs through a `pte_t *` parameter and never takes a page-table lock itself. */
export function isPtlHeldOnEntry(image: FunctionImage): boolean {
  if (image.events.some(isPtlAcquire)) return false;
  const ptrParams = image.params.filter((p) => /\bpte_t\s*\*/.test(p));
  if (ptrParams.length === 0) return false;
  return image.events.some((e) => downgradeEffects(e).length > 0);
}

/** Does another changed function of the patch announce the deferred flush (inc_tlb_flush_pending / a gather)? */
function deferredBySibling(side: Side, siblings: readonly FunctionView[], self: FunctionView): boolean {
  return siblings.some((s) => {
    if (s === self || (s.name === self.name && s.path === self.path)) return false;
    const img = side === 'pre' ? s.pre : s.post;
    return img?.events.some((e) => e.kind === 'flush-pending-inc' || e.kind === 'gather-init') ?? false;
  });
}

interface Pending {
  index: number;
  event: Event;
  effects: PteEffect[];
}

/** Suggested path: the first flush after the release moved before it, or a range flush inserted before it. */
function suggestPath(path: EventPath, releaseIndex: number, down: Event, downIndex: number): { text: string; path: EventPath } {
  // A dirty bit handed to the page (set_page_dirty()) before the flush is handed over too early: a CPU can still
  // write through the old entry after it, and writeback can consume the page's dirty flag in between. The flush
  // must come before that hand-over, not just before the unlock.
  const handover = path.steps.findIndex((s, j) => j > downIndex && j < releaseIndex && s.step === 'event' && s.kind === 'page-dirty');
  if (handover >= 0) {
    const vma = down.args.vma ?? down.args.mm ?? 'vma';
    const addr = down.args.addr ?? 'addr';
    const flush = synthEvent('tlb-flush', 'flush_tlb_page', { vma, addr }, locAt(path, handover), { scope: 'page' });
    return {
      text: 'flush the TLB entry (flush_tlb_page()) right after the PTE is changed, before its dirty bit is handed to the page and before the page-table lock is released',
      path: insertAt(path, handover, flush),
    };
  }
  for (let j = releaseIndex + 1; j < path.steps.length; j++) {
    const s = path.steps[j];
    if (s?.step === 'event' && (s.kind === 'tlb-flush' || s.kind === 'gather-flush' || s.kind === 'gather-finish')) {
      return { text: `flush the TLB (${s.callee}()) before the page-table lock is released`, path: moveBefore(path, j, releaseIndex) };
    }
  }
  const vma = down.args.vma ?? down.args.mm ?? 'vma';
  const addr = down.args.addr ?? 'addr';
  const flush = synthEvent('tlb-flush', 'flush_tlb_range', { vma, start: addr, end: `${addr} + PAGE_SIZE` }, locAt(path, releaseIndex), {
    scope: 'range',
  });
  return { text: 'flush the TLB for the modified range before the page-table lock is released', path: insertAt(path, releaseIndex, flush) };
}

/**
 * Conditions that guard a TLB flush (`if (unmapped) flush_tlb_range(...)`): on a path that skips such a flush, the
 * condition is taken to say nothing was modified (the kernel idiom of counting modified entries), so no flush is owed.
 */
export function flushGuards(image: FunctionImage): Set<string> {
  const guards = new Set<string>();
  for (const path of image.paths) {
    let lastTaken: string | undefined;
    for (const s of path.steps) {
      if (s.step === 'control') {
        if (s.kind === 'branch') lastTaken = s.taken ? norm(s.cond) : undefined;
        continue;
      }
      if (lastTaken !== undefined && (s.kind === 'tlb-flush' || s.kind === 'gather-flush')) guards.add(lastTaken);
      lastTaken = undefined;
    }
  }
  return guards;
}

/** Does a PTE value expression use a variable that an event on the path produced? */
function valueSeen(value: string, produced: ReadonlySet<string>): boolean {
  const ids = norm(value).match(/[A-Za-z_]\w*/g) ?? [];
  return ids.some((id) => produced.has(id));
}

/** Check one path; report each pending downgrade that loses its lock before a flush. */
function checkPath(ctx: TypedRuleContext<MessageId>, path: EventPath, onEntry: boolean, guards: ReadonlySet<string>): void {
  const state = new LockState([
    ...(onEntry ? [{ key: '<caller-ptl>', cls: 'ptl' as const, by: { id: -1, kind: 'lock' as const, callee: '<caller>', args: {}, attrs: {}, loc: { line: 1, column: 0 }, text: '' } }] : []),
    ...fragmentEntryLocks(ctx.image, path),
  ]);
  const loops = loopStacks(path);
  let pending: Pending[] = [];
  /** PTEs cleared and flushed on this path: installing a new value there leaves no stale TLB entry behind. */
  const emptied = new Set<string>();
  const produced = new Set<string>();
  let announce = 0;
  let gatherActive = false;
  let sawDowngrade = false;
  const report = (releaseIndex: number, release: Event | undefined): void => {
    for (const p of pending) {
      const after = eventsOf(path).filter((x) => x.index > releaseIndex && x.event.kind === 'tlb-flush');
      const flush = after[0]?.event;
      const context: string[] = [];
      if (onEntry) context.push('ptl-held-on-entry', 'flush-after-return');
      context.push('mm-live');
      if ((loops[p.index]?.length ?? 0) > 0) context.push('pte-loop');
      const shown = [p.event, ...(release ? [release] : []), ...(flush ? [flush] : [])].map((e) => imageEvent(ctx.image, e)).filter((e) => e.id >= 0);
      const anchor = pickAnchor(ctx.side, shown);
      const related: Array<{ event: Event; message: string }> = [];
      if (anchor.id !== p.event.id) related.push({ event: imageEvent(ctx.image, p.event), message: `PTE ${EFFECT_VERB[p.effects[0] ?? 'clear'] ?? 'changed'} here` });
      if (release && anchor.id !== release.id) related.push({ event: imageEvent(ctx.image, release), message: 'page-table lock released here' });
      if (flush && anchor.id !== flush.id) related.push({ event: imageEvent(ctx.image, flush), message: 'TLB flushed here, after the lock was dropped' });
      const sugg = suggestPath(path, releaseIndex, p.event, p.index);
      const verb = EFFECT_VERB[p.effects[0] ?? 'clear'] ?? 'changes';
      if (onEntry && !release) {
        ctx.report({
          messageId: 'callbackNoFlush',
          data: { op: p.event.callee, verb, fn: ctx.fn.name },
          anchor,
          related,
          path,
          hazard: hazardFor(p.effects, context),
          suggestion: { text: 'flush the TLB for this PTE before returning, while the caller still holds the page-table lock', path: sugg.path },
        });
      } else {
        ctx.report({
          messageId: 'flushAfterUnlock',
          data: { op: p.event.callee, verb, unlock: release?.callee ?? 'the caller', flush: flush ? `${flush.callee}()` : 'any TLB flush' },
          anchor,
          related,
          path,
          hazard: hazardFor(p.effects, context),
          suggestion: sugg,
        });
      }
    }
    pending = [];
  };
  path.steps.forEach((s, i) => {
    if (s.step === 'control') {
      if (s.kind === 'branch' && !s.taken && guards.has(norm(s.cond))) pending = [];
      return;
    }
    const ev = stripStep(s);
    const pte = norm(ev.args.pte);
    if (ev.kind === 'pte-clear-flush' || (ev.kind === 'pte-clear' && ev.attrs.flushes === true)) emptied.add(pte);
    if (ev.kind === 'pte-advance') emptied.delete(pte);
    if (ev.result) produced.add(norm(ev.result));
    // In a hunk-only image, a value computed from an entry read in code the hunk does not show may come from a
    // cleared-and-flushed PTE: its effects cannot be judged.
    const unseen = !ctx.image.complete && ev.kind === 'pte-set' && ev.args.value !== undefined && !valueSeen(ev.args.value, produced);
    const fromEmpty = (ev.kind === 'pte-set' && emptied.has(pte)) || unseen;
    if (ev.kind === 'pte-set') emptied.delete(pte);
    switch (ev.kind) {
      case 'tlb-flush':
      case 'gather-flush':
      case 'gather-finish':
        for (const p of pending) if (p.event.kind === 'pte-clear') emptied.add(norm(p.event.args.pte));
        pending = [];
        if (ev.kind === 'gather-finish') gatherActive = false;
        break;
      case 'gather-init':
        gatherActive = true;
        break;
      case 'gather-remove':
        pending = [];
        break;
      case 'flush-pending-inc':
        announce++;
        break;
      case 'flush-pending-dec':
        announce--;
        break;
      default:
        break;
    }
    const effects = downgradeEffects(ev);
    if (effects.length > 0 && !fromEmpty && ev.kind !== 'pte-clear-flush' && ev.attrs.flushes !== true && state.ptlHeld()) {
      pending.push({ index: i, event: ev, effects });
    }
    const res = state.apply(ev);
    const ptlReleased = res.released.some((r) => r.cls === 'ptl' || r.cls === 'pmd-ptl');
    if (effects.length > 0) sawDowngrade = true;
    if (ptlReleased && pending.length > 0) {
      if (announce > 0 || gatherActive) pending = [];
      else report(i, ev);
    } else if (ptlReleased && !sawDowngrade && announce <= 0 && !gatherActive && !ctx.image.complete) {
      // Hunk-only image: the lock was taken before the hunk; a flush after its release flushes changes made under
      // it in code the hunk does not show.
      const entry = res.released.find((r) => r.by.id < 0 && r.by.callee === '<before hunk>');
      const flush = entry ? eventsOf(path).find((x) => x.index > i && x.event.kind === 'tlb-flush') : undefined;
      if (flush) {
        const shown = [imageEvent(ctx.image, ev), imageEvent(ctx.image, flush.event)];
        const anchor = pickAnchor(ctx.side, shown);
        ctx.report({
          messageId: 'unlockBeforeFlush',
          data: { unlock: ev.callee, flush: flush.event.callee },
          anchor,
          related: shown.filter((e) => e.id !== anchor.id).map((e) => ({ event: e, message: e.kind === 'tlb-flush' ? 'TLB flushed here, after the lock was dropped' : 'page-table lock released here' })),
          path,
          hazard: hazardFor(['clean', 'wrprotect', 'clear'], ['mm-live']),
          suggestion: { text: `flush the TLB (${flush.event.callee}()) before the page-table lock is released`, path: moveBefore(path, flush.index, i) },
        });
      }
    }
  });
  if (onEntry && state.held.has('<caller-ptl>') && pending.length > 0 && announce <= 0 && !gatherActive && !truncated(path)) {
    report(returnIndex(path), undefined);
  }
}

export default createRule<MessageId>({
  meta: {
    id: 'flush-under-ptl',
    severity: 'error',
    docs: { description: 'Flush the TLB before releasing the page-table lock after clearing, write-protecting or cleaning a PTE' },
    messages: {
      flushAfterUnlock:
        '{{op}}() {{verb}} a PTE under the page-table lock, but {{unlock}}() releases the lock before {{flush}}: another CPU can keep using the stale TLB entry in between.',
      unlockBeforeFlush:
        '{{unlock}}() releases the page-table lock before {{flush}}(): PTEs changed under the lock (before this hunk) stay cached in other CPUs\' TLBs in between.',
      callbackNoFlush:
        '{{op}}() {{verb}} a PTE in {{fn}}(), which runs under its caller\'s page-table lock and does not flush the TLB; the caller drops the lock before flushing, so another CPU can keep using the stale TLB entry.',
    },
    hazard:
      'Between the PTE update and the TLB flush, other CPUs may still hold the old translation. Once the page-table lock is dropped, a concurrent thread (writeback, zap, a fault) sees the new PTE and acts on it while a user CPU still writes or reads through the stale entry: lost writes after page_mkclean, writes through a write-protected mapping, or accesses to a freed page.',
  },
  check(ctx) {
    const onEntry = isPtlHeldOnEntry(ctx.image);
    if (onEntry && deferredBySibling(ctx.side, ctx.siblings, ctx.fn)) return;
    const guards = flushGuards(ctx.image);
    for (const path of ctx.image.paths) checkPath(ctx, path, onEntry, guards);
  },
});
