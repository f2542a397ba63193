/**
 * A move helper whose flush the patch hoists into its caller (mremap's move_normal_pmd()/move_normal_pud() called
 * from move_pgt_entry()): in a hunk fragment the helper shows an install (`set_pmd_at(mm, new_addr, new_pmd, pmd)`)
 * under a page-table lock it then releases, the other image of the helper flushed right after that install, before
 * the release, and a caller in the patch now flushes after the call returns — after the helper dropped the lock.
 * Whether the installed value was moved out of an entry cleared under that lock is in the lines above the hunk: the
 * claim names them (src/kernel-api/entry-moves.ts for why a move's flush is owed under the lock).
 */
import type { Event, EventPath, FunctionImage, FunctionView, PathStep } from '../../src/core/events.ts';
import type { Side } from '../../src/core/rule.ts';
import { callersOf, type CallSite } from './contracts.ts';
import { isPtlAcquire, isPtlRelease as isPtlReleaseEvent, norm } from './paths.ts';

/** What the hoist shows, on one path of the helper's image. */
export interface HoistedFlush {
  install: Event;
  installIndex: number;
  release: Event;
  releaseIndex: number;
  /** The caller's flush after the call. */
  site: CallSite;
  callerFlush: Event;
  /** The helper's other image flushed here, before its release. */
  otherFlush: Event;
}

const FLUSHING = new Set(['tlb-flush', 'gather-init', 'gather-remove', 'gather-flush', 'gather-finish', 'flush-defer', 'flush-pending-inc', 'pte-clear-flush']);

const isEv = (s: PathStep | undefined): s is PathStep & { step: 'event' } => s?.step === 'event';
const isPtlRelease = (s: PathStep): boolean => s.step === 'event' && isPtlReleaseEvent(s);
const isPtlTake = (s: PathStep): boolean => s.step === 'event' && isPtlAcquire(s);

/** Identifiers of an expression. */
const ids = (expr: string): string[] => norm(expr).match(/[A-Za-z_]\w*/g) ?? [];

/** Does the image, on some path, flush right after an install of the same text, before its next PTL release? */
function flushAfterSameInstall(image: FunctionImage | undefined, install: Event): Event | undefined {
  for (const path of image?.paths ?? []) {
    const at = path.steps.findIndex((s) => isEv(s) && s.kind === 'pte-set' && norm(s.text) === norm(install.text));
    if (at < 0) continue;
    for (const s of path.steps.slice(at + 1)) {
      if (isPtlRelease(s)) break;
      if (isEv(s) && s.kind === 'tlb-flush') {
        const { step: _s, ...ev } = s;
        return ev;
      }
    }
  }
  return undefined;
}

/** A caller of the helper (same side) that flushes after the call returns, with no page-table lock taken between. */
function flushingCaller(views: readonly FunctionView[], self: FunctionView, side: Side): { site: CallSite; flush: Event } | undefined {
  for (const site of callersOf(views, self, side)) {
    for (const s of site.path.steps.slice(site.index + 1)) {
      if (isPtlTake(s)) break;
      if (isEv(s) && s.kind === 'tlb-flush') {
        const { step: _s, ...flush } = s;
        return { site, flush };
      }
    }
  }
  return undefined;
}

/**
 * The hoist on `path` of a fragment image of `self`, if the patch shows one: an install of a value no event of the
 * path produced, under a page-table lock the path then releases with nothing cleared, flushed, gathered or announced
 * on the path; the helper's other image flushing right after that install; a caller flushing after the call.
 */
export function hoistedMoveFlush(
  self: FunctionView,
  side: Side,
  image: FunctionImage,
  path: EventPath,
  views: readonly FunctionView[],
): HoistedFlush | undefined {
  if (image.complete) return undefined;
  const steps = path.steps;
  if (steps.some((s) => isEv(s) && (FLUSHING.has(s.kind) || s.kind === 'pte-clear'))) return undefined;
  const produced = new Set<string>();
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i] as PathStep;
    if (!isEv(s)) continue;
    if (s.kind === 'pte-set' && s.args.value !== undefined && !ids(s.args.value).some((x) => produced.has(x))) {
      let releaseIndex = -1;
      for (let j = i + 1; j < steps.length; j++) {
        const t = steps[j] as PathStep;
        if (isPtlTake(t)) break;
        if (isPtlRelease(t)) {
          releaseIndex = j;
          break;
        }
      }
      if (releaseIndex < 0) continue;
      const { step: _s, ...install } = s;
      const otherFlush = flushAfterSameInstall(side === 'post' ? self.pre : self.post, install);
      if (!otherFlush) continue;
      const caller = flushingCaller(views, self, side);
      if (!caller) continue;
      const { step: _r, ...release } = steps[releaseIndex] as PathStep & { step: 'event' };
      return { install, installIndex: i, release, releaseIndex, site: caller.site, callerFlush: caller.flush, otherFlush };
    }
    if (s.result) produced.add(norm(s.result));
  }
  return undefined;
}
