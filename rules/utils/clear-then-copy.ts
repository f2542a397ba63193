/**
 * Clear-then-copy without a flush (flush-under-ptl, `copyBeforeFlush`): an entry is cleared without a TLB flush
 * (`pmdp_huge_get_and_clear()`, `ptep_get_and_clear()`), the page it mapped is copied into a new page
 * (catalogue PAGE_COPIES: `__collapse_huge_page_copy()`, `copy_user_highpage()`, `folio_copy()` ...), and the entry
 * is then set to map the copy — with the flush only after the copy, or nowhere on the path. A CPU that still holds
 * the old writable TLB entry stores into the old page after the copy read it: once the copy is mapped, that store
 * is lost. mm/khugepaged.c collapse_huge_page() therefore clears the PMD with pmdp_collapse_flush() (clear AND
 * flush, under the PMD lock) before __collapse_huge_page_copy(). The simulator's `page-get` with `copy` models the
 * copy (ground truth `collapse-copy-flush`); the invariant is `no-lost-write`, the adversary `user-writer`.
 *
 * The copy must be made while the lock that cleared the entry is still held, with no page-table lock released
 * before the flush: a release before the flush is flushAfterUnlock's finding (one root cause, one finding).
 * Only a copy the path ties to the cleared entry is claimed: a PTE-table copy (`from: 'ptes'`) after a PMD-level
 * clear, or a copy whose source page is computed from the value the clear returned (`page = vm_normal_page(vma,
 * addr, pteval)`); and only when the path then installs the copy at the same entry (the value written is built
 * from the copy's destination). Anything between the clear and the copy that may flush — a TLB flush of any scope,
 * an mmu_gather step, a call the catalogue does not know that is handed the mm, the vma or the entry — ends the
 * claim.
 */
import type { Event, EventPath, FunctionImage, PathStep } from '../../src/core/events.ts';
import type { Candidate, Side } from '../../src/core/rule.ts';
import { PAGE_COPIES } from '../../src/kernel-api/catalogue.ts';
import { callArgs, eventsOf, imageEvent, insertAt, isPtlRelease, norm, pickAnchor, synthEvent } from './paths.ts';
import { escapeRegExp } from '../../src/core/regexp.ts';

export type CopyMessageId = 'copyBeforeFlush';

export const COPY_MESSAGES: Record<CopyMessageId, string> = {
  copyBeforeFlush:
    '{{copy}}() copies the page that {{clear}}() unmapped before any TLB flush of that {{entry}}{{late}}: another CPU can still store to the old page through its stale TLB entry after the copy read it, and that store is lost when {{install}}() maps the copy.',
};

/** Event kinds that flush, or hand the entry to something that will (a gather): the claim ends there. */
const FLUSHING: ReadonlySet<Event['kind']> = new Set(['tlb-flush', 'pte-clear-flush', 'gather-remove', 'gather-flush', 'gather-finish']);

/** The leading identifier of an argument (`&folio->page` → `folio`, `new_page` → `new_page`). */
function baseOf(expr: string | undefined): string | undefined {
  return /^[&*(\s]*([A-Za-z_]\w*)/.exec(expr ?? '')?.[1];
}

/** Does `name` hold a value computed from `from` (the expression mentions it, or an assignment in the text does)? */
function derivedFrom(image: FunctionImage, expr: string, from: string): boolean {
  const word = new RegExp(`\\b${escapeRegExp(from)}\\b`);
  if (word.test(expr)) return true;
  const name = baseOf(expr);
  if (!name || name === from) return name === from;
  return new RegExp(`\\b${escapeRegExp(name)}\\s*=[^=;][^;]*\\b${escapeRegExp(from)}\\b`).test(image.text);
}

/**
 * Lookups that only compute the page an entry maps (mm/memory.c vm_normal_page(), vm_normal_folio(),
 * vm_normal_page_pmd(): read the pfn, test special mappings; no TLB or page-table side effect).
 */
const PAGE_LOOKUPS: ReadonlySet<string> = new Set(['vm_normal_page', 'vm_normal_folio', 'vm_normal_page_pmd', 'vm_normal_folio_pmd']);

/** May an uncatalogued call flush the TLB for the entry (it is handed the mm, the vma, or the entry)? */
function mayFlush(ev: Event, clear: Event): boolean {
  if (ev.kind !== 'call' || PAGE_LOOKUPS.has(ev.callee)) return false;
  const entry = norm(clear.args.pte);
  return Object.values(ev.args).some((a) => {
    const n = norm(a);
    return /(?:^|->|\.)(?:vma|mm|vm_mm)$/.test(n) || n === 'vma' || n === 'mm' || n === entry;
  });
}

interface Pending {
  clear: Event;
  index: number;
}

export interface CopyViolation {
  clear: Event;
  copy: Event;
  install: Event;
  flush?: Event;
  clearIndex: number;
  path: EventPath;
}

/** The clear-then-copy violations of one path. */
export function copyBeforeFlush(image: FunctionImage, path: EventPath): CopyViolation[] {
  const out: CopyViolation[] = [];
  const events = eventsOf(path);
  let pending: Pending[] = [];
  for (const { event: ev, index } of events) {
    if (ev.kind === 'pte-clear' && (ev.attrs.effects ?? ['clear']).includes('clear')) {
      pending = [...pending.filter((p) => norm(p.clear.args.pte) !== norm(ev.args.pte)), { clear: ev, index }];
      continue;
    }
    if (FLUSHING.has(ev.kind)) {
      pending = [];
      continue;
    }
    const spec = PAGE_COPIES[ev.callee];
    if (spec) {
      const args = callArgs(ev.text);
      const dest = baseOf(args[spec.to]);
      const from = spec.from === 'ptes' ? undefined : args[spec.from];
      const linked = pending.filter((p) =>
        spec.from === 'ptes'
          ? p.clear.attrs.level === 'pmd'
          : from !== undefined && p.clear.result !== undefined && derivedFrom(image, from, norm(p.clear.result)),
      );
      for (const p of linked) {
        if (!dest) continue;
        const entry = norm(p.clear.args.pte);
        const install = events.find(
          (x) => x.index > index && x.event.kind === 'pte-set' && norm(x.event.args.pte) === entry && derivedFrom(image, x.event.args.value ?? '', dest),
        );
        if (!install) continue;
        const flushAt = events.find((x) => x.index > index && x.event.kind === 'tlb-flush');
        const flush = flushAt?.event;
        // A page-table lock released between the clear and the flush is flushAfterUnlock's finding (one root cause,
        // one finding): this claim is the copy made while the clearing lock is still held.
        const end = flushAt?.index ?? Number.POSITIVE_INFINITY;
        if (events.some((x) => x.index > p.index && x.index < end && isPtlRelease(x.event))) continue;
        out.push({ clear: p.clear, copy: ev, install: install.event, ...(flush ? { flush } : {}), clearIndex: p.index, path });
      }
      if (linked.length > 0) pending = pending.filter((p) => !linked.includes(p));
      continue;
    }
    if (pending.some((p) => mayFlush(ev, p.clear))) pending = pending.filter((p) => !mayFlush(ev, p.clear));
  }
  return out;
}

/** The path the simulator runs: the copy becomes a page copy of the cleared entry's page, the install maps it. */
function modelPath(v: CopyViolation, path: EventPath): EventPath {
  const steps: PathStep[] = path.steps.map((s) => {
    if (s.step !== 'event') return s;
    if (s.id === v.copy.id && s.loc.line === v.copy.loc.line && s.callee === v.copy.callee) {
      const { opaque: _opaque, ...attrs } = s.attrs;
      return { ...s, kind: 'page-get', args: { ...s.args, pte: v.clear.args.pte ?? '' }, attrs: { ...attrs, copyInto: true } };
    }
    if (s.id === v.install.id && s.loc.line === v.install.loc.line && s.kind === 'pte-set') {
      const effects = [...new Set([...(s.attrs.effects ?? []).filter((e) => e !== 'unknown'), 'new-page' as const])];
      return { ...s, attrs: { ...s.attrs, effects, mapsCopy: true } };
    }
    return s;
  });
  return { steps, complete: path.complete };
}

/** One candidate per violation (the caller dedupes by anchor). */
export function copyBeforeFlushCandidate(v: CopyViolation, image: FunctionImage, side: Side): Omit<Candidate, 'rule' | 'message' | 'side' | 'messageId'> & { messageId: CopyMessageId } {
  const real = (e: Event): Event => imageEvent(image, e);
  const shown = [v.clear, v.copy, ...(v.flush ? [v.flush] : [])].map(real).filter((e) => e.id >= 0);
  const anchor = pickAnchor(side, shown);
  const entry = v.clear.attrs.level === 'pmd' ? 'PMD' : 'PTE';
  const related = [
    { event: real(v.clear), message: `${entry} cleared here, no TLB flush yet` },
    { event: real(v.copy), message: 'old page copied here while stale TLB entries may still write to it' },
    ...(v.flush ? [{ event: real(v.flush), message: 'TLB flushed only here, after the copy' }] : []),
    { event: real(v.install), message: 'the copy is mapped here' },
  ].filter((x) => x.event.id >= 0 && x.event.id !== anchor.id);
  const flushAfterClear = synthEvent('tlb-flush', 'flush_tlb_range', { vma: 'vma', start: 'address', end: 'end' }, v.clear.loc, { scope: 'range' });
  return {
    messageId: 'copyBeforeFlush',
    data: {
      copy: v.copy.callee,
      clear: v.clear.callee,
      entry,
      late: v.flush ? ` (${v.flush.callee}() comes after the copy)` : '',
      install: v.install.callee,
    },
    anchor,
    related,
    path: modelPath(v, v.path),
    hazard: {
      kind: 'copy-before-flush',
      invariants: ['no-lost-write'],
      adversaries: ['user-writer'],
      arch: ['x86', 'arm64'],
      context: ['mm-live'],
    },
    suggestion: {
      text: `flush the TLB for the cleared ${entry} before copying the page (clear and flush together: ${entry === 'PMD' ? 'pmdp_collapse_flush()' : 'ptep_clear_flush()'})`,
      path: modelPath(v, insertAt(v.path, v.clearIndex + 1, flushAfterClear)),
    },
  };
}

/** Every clear-then-copy candidate of an image, one per anchor. */
export function copyBeforeFlushCandidates(image: FunctionImage, side: Side): Array<ReturnType<typeof copyBeforeFlushCandidate>> {
  const seen = new Set<string>();
  const out: Array<ReturnType<typeof copyBeforeFlushCandidate>> = [];
  for (const path of image.paths) {
    for (const v of copyBeforeFlush(image, path)) {
      const key = `${v.clear.id}:${v.copy.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(copyBeforeFlushCandidate(v, image, side));
    }
  }
  return out;
}
