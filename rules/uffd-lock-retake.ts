/**
 * Rule uffd-lock-retake: a PTE loop drops the page-table lock (to call something that sleeps: wp_page_copy,
 * handle_userfault) and then reaches the next iteration, a PTE access or a second unlock without re-taking it; or
 * unmaps/unlocks a PTE pointer before the one it mapped (`pte - 1` after an early break).
 */
import type { Event, EventPath } from '../src/core/events.ts';
import type { Hazard } from '../src/core/rule.ts';
import { createRule } from './create-rule.ts';
import type { TypedRuleContext } from './create-rule.ts';
import { LockState, callArgs, fragmentEntryLocks, imageEvent, insertAt, isPtlAcquire, lockOf, loopStacks, norm, pickAnchor, removeAt, replaceAt, stripStep } from './utils/paths.ts';

export type MessageId = 'nextIteration' | 'accessUnlocked' | 'doubleUnlock' | 'unlockUnderflow';

/** Event kinds that read or write a PTE through its pointer (need the PTL). */
export const PTE_ACCESS_KINDS: ReadonlySet<Event['kind']> = new Set([
  'pte-read',
  'pte-set',
  'pte-clear',
  'pte-clear-flush',
  'pte-same',
  'pte-modify-start',
  'pte-modify-commit',
  'pte-wrprotect',
  'pte-mkold',
  'pte-set-access-flags',
]);

const HAZARD: Hazard = {
  kind: 'ptl-not-retaken',
  invariants: ['pte-under-ptl', 'lock-balance', 'no-lost-write'],
  adversaries: ['fault', 'cow'],
  arch: ['x86'],
  context: ['pte-loop'],
};

interface Dropped {
  key: string;
  index: number;
  release: Event;
  acquire: Event;
  loops: number[];
}

/** `X - k` → { base: X, k }. */
function minusForm(expr: string | undefined): { base: string; k: number } | undefined {
  const m = /^([A-Za-z_][\w>.-]*)-(\d+)$/.exec(norm(expr));
  return m ? { base: m[1] as string, k: Number(m[2]) } : undefined;
}

/** How far a pte-advance event moves its cursor (`pte++` → 1, `pte += 4` → 4). */
function advanceBy(ev: Event): number {
  const m = /\+=\s*(\d+)/.exec(ev.text);
  return m ? Number(m[1]) : 1;
}

function checkPath(ctx: TypedRuleContext<MessageId>, path: EventPath): void {
  const state = new LockState(fragmentEntryLocks(ctx.image, path));
  const loops = loopStacks(path);
  const real = (e: Event): Event => imageEvent(ctx.image, e);
  const cursors = new Map<string, { offset: number; map: Event }>();
  let earlyExit = false;
  let dropped: Dropped | undefined;
  const report = (messageId: MessageId, at: Event | undefined, suggestion: { text: string; path: EventPath }): void => {
    if (!dropped) return;
    const shown = [dropped.release, ...(at ? [at] : [])].map(real).filter((e) => e.id >= 0);
    const anchor = pickAnchor(ctx.side, shown);
    const related = shown.filter((e) => e.id !== anchor.id).map((e) => ({ event: e, message: e.id === dropped?.release.id ? 'page-table lock dropped here' : 'reached here without the lock' }));
    ctx.report({
      messageId,
      data: { unlock: dropped.release.callee, lock: dropped.key, op: at?.callee ?? 'the loop' },
      anchor,
      related,
      path,
      hazard: HAZARD,
      suggestion,
    });
    dropped = undefined;
  };
  const retake = (d: Dropped): Event => ({ ...d.acquire, id: -1 });
  path.steps.forEach((s, i) => {
    if (s.step === 'control') {
      if (s.kind === 'loop-exit' && (s.via === 'break' || s.via === 'goto')) earlyExit = true;
      if (s.kind === 'loop-next' && dropped && dropped.loops.includes(s.loop)) {
        report('nextIteration', undefined, { text: `re-take the page-table lock (${dropped.acquire.callee.startsWith("<") ? "pte_offset_map_lock" : dropped.acquire.callee}()) before continuing the loop`, path: insertAt(path, i, retake(dropped)) });
      }
      if (s.kind === 'return') dropped = undefined;
      return;
    }
    const ev = stripStep(s);
    if (ev.kind === 'pte-map-lock' && ev.result) cursors.set(norm(ev.result), { offset: 0, map: ev });
    if (ev.kind === 'pte-advance') {
      const c = cursors.get(norm(ev.args.pte));
      if (c) c.offset += advanceBy(ev);
      else if (!ctx.image.complete) cursors.set(norm(ev.args.pte), { offset: advanceBy(ev), map: ev });
    }
    if (ev.kind === 'pte-unmap-unlock' && earlyExit && state.held.has(lockOf(ev))) {
      const mf = minusForm(callArgs(ev.text)[0] ?? ev.args.pte);
      // In a hunk-only image the mapping may precede the hunk: count the advances the path shows.
      const c = mf ? (cursors.get(mf.base) ?? (ctx.image.complete ? undefined : { offset: 0, map: ev })) : undefined;
      if (mf && c && c.offset < mf.k) {
        const written = callArgs(ev.text)[0] ?? mf.base;
        const fixed: Event = { ...ev, args: { ...ev.args, pte: mf.base }, text: ev.text.replace(written, mf.base) };
        const shown = [real(ev)];
        ctx.report({
          messageId: 'unlockUnderflow',
          data: { unlock: ev.callee, arg: callArgs(ev.text)[0] ?? ev.args.pte ?? '', base: mf.base },
          anchor: pickAnchor(ctx.side, shown),
          related: c.map.id >= 0 && c.map.kind === 'pte-map-lock' ? [{ event: real(c.map), message: `${mf.base} mapped here` }] : [],
          path,
          hazard: { ...HAZARD, kind: 'unlock-wrong-pte', invariants: ['lock-balance', 'pte-under-ptl'] },
          suggestion: { text: `unmap and unlock the pointer returned by ${c.map.kind === 'pte-map-lock' ? c.map.callee : 'pte_offset_map_lock'}() (keep it in its own variable)`, path: replaceAt(path, i, fixed) },
        });
      }
    }
    if (dropped) {
      if (isPtlAcquire(ev)) dropped = undefined;
      else if (PTE_ACCESS_KINDS.has(ev.kind)) {
        report('accessUnlocked', ev, { text: `re-take the page-table lock before ${ev.callee}()`, path: insertAt(path, i, retake(dropped)) });
      } else if (ev.kind === 'pte-unmap-unlock' || (ev.kind === 'unlock' && norm(ev.args.lock) === dropped.key)) {
        report('doubleUnlock', ev, { text: `do not release the page-table lock a second time`, path: removeAt(path, i) });
      }
    }
    const res = state.apply(ev);
    const stack = loops[i] ?? [];
    for (const r of res.released) {
      if ((r.cls === 'ptl' || r.cls === 'pmd-ptl') && stack.length > 0 && r.by.kind === 'pte-map-lock') {
        dropped = { key: r.key, index: i, release: ev, acquire: r.by, loops: stack };
      }
    }
  });
}

export default createRule<MessageId>({
  meta: {
    id: 'uffd-lock-retake',
    severity: 'error',
    docs: { description: 'Re-take the page-table lock after dropping it inside a PTE loop before touching PTEs again' },
    messages: {
      nextIteration: '{{unlock}}() drops {{lock}} inside the PTE loop, and this path goes on to the next iteration without re-taking it.',
      accessUnlocked: '{{unlock}}() drops {{lock}} inside the PTE loop, and {{op}}() then touches a PTE without re-taking it.',
      doubleUnlock: '{{unlock}}() drops {{lock}} inside the PTE loop, and {{op}}() releases it again on this path.',
      unlockUnderflow: '{{unlock}}({{arg}}) is reached through an early exit before {{base}} advanced: it unmaps and unlocks the entry before the one that was mapped.',
    },
    hazard:
      'Loops over consecutive PTEs hold the page-table lock for the whole batch. When an iteration drops it to call something that sleeps (wp_page_copy, do_wp_page, handle_userfault, cond_resched) it must re-map and re-lock before the next PTE is read or written: otherwise PTEs are updated without their lock (racing a fault or a COW on another CPU, losing the update) and the final unlock releases a lock that is not held.',
  },
  check(ctx) {
    for (const path of ctx.image.paths) checkPath(ctx, path);
  },
});
