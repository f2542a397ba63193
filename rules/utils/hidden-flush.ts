/**
 * A TLB flush behind a call the catalogue does not know. A patch (or an architecture) may route the flush through a
 * wrapper of its own (mm/mremap.c flush_pte_tlb_pwc_range(), whose generic body is flush_tlb_range()): the call is
 * an opaque event, and a path that shows no catalogued flush before the lock release is not proof that nothing
 * flushed there.
 *
 * - A wrapper whose definition is visible (a changed function of the patch, or with a tree a function of the same
 *   file) and flushes on every path of every visible definition counts as that flush, with the range its arguments
 *   give: `withVisibleFlushes()` rewrites the call into the flush event, parameters replaced by the call's
 *   arguments, so the rule's range checks and the simulation see the flush where the call is.
 * - A call whose definition flushes on some paths only, or whose definition is not visible and whose name says it
 *   may flush (src/kernel-api/flush-names.ts), leaves the claim resting on code the tool cannot judge:
 *   `mayFlushBetween()` gives the question ("does foo() flush the TLB?") that makes the finding inconclusive.
 */
import type { Event, EventPath, FunctionImage, FunctionView, PathStep } from '../../src/core/events.ts';
import { mayFlushName } from '../../src/kernel-api/flush-names.ts';
import { paramName } from './contracts.ts';
import { stripStep } from './paths.ts';

type Side = 'pre' | 'post';

type Summary = { kind: 'flushes'; flush: Event } | { kind: 'may'; why: string } | { kind: 'none' };

/** How deep wrappers of wrappers are followed. */
const MAX_DEPTH = 3;

const IDENT = /[A-Za-z_]\w*/g;

/** The parameter names of an image (`struct vm_area_struct *vma` → `vma`). */
function paramNames(img: FunctionImage): string[] {
  return img.params.map(paramName);
}

/** Words of a cast or `sizeof` in an argument (`(unsigned long)addr`), not variables. */
const CAST_WORDS: ReadonlySet<string> = new Set(['unsigned', 'signed', 'long', 'int', 'short', 'char', 'const', 'struct', 'void', 'sizeof', 'u64', 'u32', 'size_t', 'pgoff_t', 'phys_addr_t']);

/**
 * Variables a definition's flush arguments read that are not its parameters (`end` in
 * `unsigned long end = addr + PAGE_SIZE; flush_tlb_range(vma, addr, end);`): substituted into the caller, such a name
 * would be read as the caller's own variable. Fields (`->x`, `.x`), called functions and upper-case constants are
 * not variables.
 */
function localsRead(flush: Event, img: FunctionImage): string[] {
  const params = new Set(paramNames(img));
  const out: string[] = [];
  for (const v of Object.values(flush.args)) {
    for (const m of v.matchAll(IDENT)) {
      const id = m[0];
      const at = m.index ?? 0;
      if (/(?:->|\.)\s*$/.test(v.slice(0, at)) || /^\s*\(/.test(v.slice(at + id.length)) || /^[A-Z0-9_]+$/.test(id) || CAST_WORDS.has(id)) continue;
      if (!params.has(id) && !out.includes(id)) out.push(id);
    }
  }
  return out;
}

/** The flush event with the definition's parameters replaced by the call's arguments. */
function substitute(flush: Event, img: FunctionImage, call: Event): Event {
  const names = paramNames(img);
  const actual = new Map<string, string>();
  names.forEach((n, i) => {
    const a = call.args[`arg${i}`];
    if (n && a !== undefined) actual.set(n, a);
  });
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries(flush.args)) {
    args[k] = v.replace(IDENT, (id) => {
      const a = actual.get(id);
      if (a === undefined) return id;
      return /^[A-Za-z_]\w*$/.test(a) ? a : `(${a})`;
    });
  }
  return { ...flush, args };
}

/** Visible definitions of `name` on one side (a definition the patch deleted does not answer for a post-image call). */
function visibleDefinitions(name: string, defs: readonly FunctionView[], side: Side): FunctionImage[] {
  return defs
    .filter((f) => f.name === name)
    .map((f) => f[side])
    .filter((img): img is FunctionImage => img !== undefined);
}

/** Visible complete definitions of `name` for one side. */
function definitions(name: string, defs: readonly FunctionView[], side: Side): FunctionImage[] {
  return visibleDefinitions(name, defs, side).filter((img) => img.complete && img.paths.length > 0);
}

function summarise(name: string, defs: readonly FunctionView[], side: Side, depth: number): Summary {
  const shown = visibleDefinitions(name, defs, side);
  // A definition the tool sees only in part, or a chain of wrappers deeper than it follows: what it does is unseen.
  if (shown.length > 0 && depth > MAX_DEPTH) return { kind: 'may', why: `its definition calls wrappers deeper than ${MAX_DEPTH} levels` };
  const imgs = depth > MAX_DEPTH ? [] : definitions(name, defs, side);
  if (shown.length > imgs.length) return { kind: 'may', why: `its definition is shown only in part` };
  if (imgs.length === 0) {
    const reason = mayFlushName(name);
    return reason ? { kind: 'may', why: `its definition is not visible, and ${reason}` } : { kind: 'none' };
  }
  let first: Event | undefined;
  let all = true;
  let some: string | undefined;
  for (const img of imgs) {
    const got = imageSummary(name, img, defs, side, depth);
    if (got.first && first && !sameRange(got.first, first)) {
      all = false;
      some ??= `its visible definitions flush different ranges`;
    }
    if (got.first) first ??= got.first;
    if (!got.all) all = false;
    if (got.some) some ??= got.some;
  }
  if (all && first) return { kind: 'flushes', flush: first };
  if (first) some ??= `a visible definition of ${name}() does not flush on every path`;
  return some ? { kind: 'may', why: some } : { kind: 'none' };
}

interface ImageSummary {
  first?: Event;
  all: boolean;
  some?: string;
}

/** Per definition image, side and depth: what its paths flush (a callee's paths are read once per review, not per call). */
const SUMMARIES = new WeakMap<FunctionImage, Map<string, ImageSummary>>();

function imageSummary(name: string, img: FunctionImage, defs: readonly FunctionView[], side: Side, depth: number): ImageSummary {
  const key = `${side}\u0000${depth}`;
  let byKey = SUMMARIES.get(img);
  const hit = byKey?.get(key);
  if (hit) return hit;
  const out: ImageSummary = { all: true };
  for (const path of img.paths) {
    const got = pathFlush(path, img, defs, side, depth);
    if (got.kind === 'flushes') {
      const locals = localsRead(got.flush, img);
      if (locals.length > 0) {
        out.all = false;
        out.some ??= `the flush in ${name}() covers a range computed in its own variables (${locals.join(', ')})`;
        continue;
      }
      if (out.first && !sameRange(got.flush, out.first)) {
        out.all = false;
        out.some ??= `${name}() flushes different ranges on different paths`;
        continue;
      }
      out.first ??= got.flush;
      continue;
    }
    out.all = false;
    if (got.kind === 'may') out.some ??= got.why;
  }
  if (!out.all && out.first) out.some ??= `a visible definition of ${name}() does not flush on every path`;
  if (!byKey) SUMMARIES.set(img, (byKey = new Map()));
  byKey.set(key, out);
  return out;
}

/** The flush one path of a definition makes (a catalogued flush, or a wrapper's), or what may flush on it. */
function pathFlush(path: EventPath, img: FunctionImage, defs: readonly FunctionView[], side: Side, depth: number): Summary {
  let may: string | undefined;
  for (const s of path.steps) {
    if (s.step !== 'event') continue;
    if (s.kind === 'tlb-flush') return { kind: 'flushes', flush: eventOf(s) };
    if (s.kind === 'call' && s.attrs.opaque === true) {
      const inner = summarise(s.callee, defs, side, depth + 1);
      if (inner.kind === 'flushes') return { kind: 'flushes', flush: substitute(inner.flush, definitions(s.callee, defs, side)[0] ?? img, eventOf(s)) };
      if (inner.kind === 'may') may ??= `it calls ${s.callee}(): ${inner.why}`;
    }
  }
  if (!path.complete) return { kind: 'may', why: may ?? 'a path of its definition could not be followed to its end' };
  return may ? { kind: 'may', why: may } : { kind: 'none' };
}

/** Do two flushes have the same kind and arguments (the same range, as the definition spells it)? */
function sameRange(a: Event, b: Event): boolean {
  return a.callee === b.callee && JSON.stringify(a.args) === JSON.stringify(b.args);
}

const eventOf = stripStep;

/**
 * The path with each call to a wrapper whose visible definitions flush on every path replaced by that flush (the
 * call's site, name and text kept; the flush's kind, scope and range, in the call's arguments). The same object when
 * nothing changes.
 */
export function withVisibleFlushes(path: EventPath, defs: readonly FunctionView[], side: Side): EventPath {
  let changed = false;
  const steps = path.steps.map((s): PathStep => {
    if (s.step !== 'event' || s.kind !== 'call' || s.attrs.opaque !== true) return s;
    const sum = summarise(s.callee, defs, side, 1);
    if (sum.kind !== 'flushes') return s;
    const img = definitions(s.callee, defs, side)[0];
    if (!img) return s;
    const flush = substitute(sum.flush, img, eventOf(s));
    changed = true;
    return { ...s, kind: 'tlb-flush', args: flush.args, attrs: { ...flush.attrs } };
  });
  return changed ? { ...path, steps } : path;
}

/**
 * The question a flush claim rests on when a call between path steps `from` and `to` (exclusive) may be the flush:
 * an unknown call whose definition is not visible and whose name says it may flush, or whose visible definition
 * flushes on some paths only. Undefined when there is none.
 */
export function mayFlushBetween(path: EventPath, from: number, to: number, defs: readonly FunctionView[], side: Side): string | undefined {
  for (let i = Math.max(0, from + 1); i < Math.min(to, path.steps.length); i++) {
    const s = path.steps[i]!;
    if (s.step !== 'event' || s.kind !== 'call' || s.attrs.opaque !== true) continue;
    const sum = summarise(s.callee, defs, side, 1);
    if (sum.kind === 'may') {
      const line = s.loc.fileLine ?? s.loc.line;
      return `does ${s.callee}() (line ${line}, between the change and the lock release) flush the TLB? ${sum.why}`;
    }
  }
  return undefined;
}
