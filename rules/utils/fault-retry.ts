/**
 * Is a gup lookup a fault fix-up that something retries? fault-fixup's livelock needs the user access that faulted to
 * be tried again after the gup "fixed" it. A function that makes the atomic access itself shows that retry only as a
 * path from the gup back to the access (a `goto retry`, a loop's back edge). Without one, the retry can only be the
 * caller's, on the gup's result: the function must hand that result back (return it) on a path where the gup did not
 * fail and the pinned page was not read or written through the kernel map — uprobes' is_trap_at_addr() pins the
 * page and reads it with copy_from_page(): the access is completed, nothing is retried. The callers are not seen, so
 * that claim depends on them; a path cut before it reaches a return (the hunk ends) depends on the unseen rest.
 */
import type { Event, EventPath } from '../../src/core/events.ts';
import { callArgs, norm, stripStep, truncated } from './paths.ts';
import { escapeRegExp } from '../../src/core/regexp.ts';

export type RetryEvidence = { kind: 'retried' } | { kind: 'unseen'; question: string } | { kind: 'none' };

/** Calls that read or write a pinned page through a kernel mapping (the access done without the user mapping). */
const PAGE_ACCESS = /^(?:kmap\w*|kmap_local_\w+|page_address|folio_address|copy_(?:from|to)_page|memcpy_(?:from|to)_page|memcpy_(?:from|to)_folio|copy_(?:from|to)_user_page|memcpy_page|copy_page)$/;

/** Variables a gup call may store pinned pages into (`&page`, `&pg`, `pages`, `&pages[0]`). */
function pinnedPages(gup: Event): string[] {
  return callArgs(gup.text)
    .map((a) => /^(&?)\s*([A-Za-z_]\w*)/.exec(a.trim()))
    .filter((m): m is RegExpExecArray => m !== null && (m[1] === '&' || /page/.test(m[2] as string)) && !/^(?:nr_pages|npages|nr)$/.test(m[2] as string))
    .map((m) => m[2] as string);
}

/** Does the path read or write one of the pinned pages through a kernel mapping after step `from`? */
export function pageAccessedAfter(path: EventPath, from: number, gup: Event): boolean {
  const pages = pinnedPages(gup);
  if (pages.length === 0) return false;
  const words = pages.map((p) => new RegExp(`\\b${escapeRegExp(p)}\\b`));
  return path.steps.slice(from + 1).some((s) => s.step === 'event' && PAGE_ACCESS.test(s.callee) && words.some((w) => w.test(s.text)));
}

/** Strip `likely()/unlikely()`, spaces and outer parentheses. */
function bare(cond: string): string {
  let c = norm(cond);
  for (;;) {
    const m = /^(?:un)?likely\((.*)\)$/.exec(c);
    if (!m) return c;
    c = norm(m[1]);
  }
}

/** Did the gup fail on this path, by the first branch after it that tests its result alone? */
function failedOn(path: EventPath, from: number, result: string | undefined): boolean {
  if (!result) return false;
  const r = escapeRegExp(result);
  const fails = new RegExp(`^(?:${r}(?:<0|<=0|<1|!=1|==0)|!${r})$`);
  const succeeds = new RegExp(`^(?:${r}(?:>0|>=1|==1|!=0)|${r})$`);
  for (const s of path.steps.slice(from + 1)) {
    if (s.step !== 'control' || s.kind !== 'branch') continue;
    const c = bare(s.cond);
    if (fails.test(c)) return s.taken;
    if (succeeds.test(c)) return !s.taken;
  }
  return false;
}

/** Loops entered (and not left) before step `at`. */
function openLoops(path: EventPath, at: number): Set<number> {
  const open = new Set<number>();
  path.steps.slice(0, at).forEach((s) => {
    if (s.step !== 'control') return;
    if (s.kind === 'loop-enter') open.add(s.loop);
    if (s.kind === 'loop-exit') open.delete(s.loop);
  });
  return open;
}

/**
 * Evidence that the access the gup fixes up is retried: on some path through the gup (event id `gupId`), the access
 * (`isAccess`) runs again after it, or the loop that made the access goes round again. Otherwise a question about
 * the unseen code that could retry it (the rest of a cut path, or the callers the gup's result is returned to).
 */
export function retryAfterGup(fnName: string, paths: readonly EventPath[], gupId: number, isAccess: (e: Event) => boolean): RetryEvidence {
  let unseen: string | undefined;
  for (const path of paths) {
    const gi = path.steps.findIndex((s) => s.step === 'event' && s.id === gupId);
    if (gi < 0) continue;
    const g = path.steps[gi];
    if (g?.step !== 'event') continue;
    const gup = stripStep(g);
    if (path.steps.slice(gi + 1).some((s) => s.step === 'event' && isAccess(stripStep(s)))) return { kind: 'retried' };
    let ai = -1;
    path.steps.slice(0, gi).forEach((s, k) => {
      if (s.step === 'event' && isAccess(stripStep(s))) ai = k;
    });
    if (ai >= 0) {
      const loops = openLoops(path, ai);
      if (path.steps.slice(gi + 1).some((s) => s.step === 'control' && s.kind === 'loop-next' && loops.has(s.loop))) return { kind: 'retried' };
    }
    if (failedOn(path, gi, gup.result) || pageAccessedAfter(path, gi, gup)) continue;
    const line = gup.loc.fileLine ?? gup.loc.line;
    const ret = path.steps.slice(gi + 1).find((s) => s.step === 'control' && s.kind === 'return');
    if (!ret && truncated(path)) {
      unseen ??= `depends on code the diff does not show after ${gup.callee}() (line ${line}): does ${fnName}() go back to the user access it fixes up?`;
      continue;
    }
    const value = ret?.step === 'control' && ret.kind === 'return' ? ret.value : undefined;
    if (gup.result && value && new RegExp(`\\b${gup.result.replace(/[^\w]/g, '')}\\b`).test(value)) {
      unseen ??= `depends on the callers of ${fnName}(), which the diff does not show: do they retry the user access when it returns the result of ${gup.callee}() (line ${line})?`;
    }
  }
  return unseen ? { kind: 'unseen', question: unseen } : { kind: 'none' };
}
