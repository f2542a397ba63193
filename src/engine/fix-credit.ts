/**
 * When a violation that the pre-image has and the post-image lacks is NOT a fix: the patch only moved the code that
 * held it out of sight. A "fixes" note is a claim a maintainer reads, so it needs the after-image to be free of the
 * violation, not merely to stop showing it.
 *
 * - Moved into a function of the same patch: the after-image calls a function the patch adds or changes, and that
 *   function carries a candidate of the same rule on its own after-image (a clear moved into `__drop_one()` that the
 *   caller still runs under the lock it flushes after dropping). The hazard moved, it did not go.
 * - Replaced by a call: a removed line that held part of the violation (the operation, the release, the flush) is
 *   replaced, in the same run of changed lines, by an added call to a function that is not kernel-API knowledge and
 *   that is given one of the same objects (`ptep_get_and_clear(mm, addr, pte)` → `zap_one(vma, pte, addr)`). What
 *   that call does is unknown, so whether the violation is gone is unknown.
 */
import type { Event, FunctionImage } from '../core/events.ts';
import type { Patch } from '../core/patch.ts';
import type { Candidate } from '../core/rule.ts';
import { ARCH_HOOKS, ARCH_PRIMITIVES, HINT_PRODUCERS } from '../kernel-api/arch-flush.ts';
import { CATALOGUE, PURE_HELPERS, VALUE_IDENTITIES, VALUE_TRANSFORMS } from '../kernel-api/catalogue.ts';

/**
 * A function whose behaviour the tool knows by name: kernel-API knowledge (whatever arguments a given version
 * passes: a signature change is not an unseen call) and arch TLB primitives and hooks.
 */
function knownByName(name: string): boolean {
  return (
    Object.hasOwn(CATALOGUE, name) ||
    PURE_HELPERS.has(name) ||
    VALUE_IDENTITIES.has(name) ||
    Object.hasOwn(VALUE_TRANSFORMS, name) ||
    Object.hasOwn(ARCH_HOOKS, name) ||
    Object.hasOwn(HINT_PRODUCERS, name) ||
    Object.values(ARCH_PRIMITIVES).some((prims) => Object.hasOwn(prims, name))
  );
}

/** Names a call's argument list mentions (not the callee, not keywords, not constants). */
const NOT_OBJECTS = new Set(['NULL', 'true', 'false', 'sizeof', 'unsigned', 'long', 'int', 'struct', 'const', 'void', 'PAGE_SIZE', 'PMD_SIZE', 'PUD_SIZE']);
function objectsOf(text: string): Set<string> {
  const open = text.indexOf('(');
  const args = open < 0 ? '' : text.slice(open + 1);
  const out = new Set<string>();
  // Members of a struct name the object they belong to: `vmf->pte` hands over `vmf`, and `pte`.
  for (const m of args.matchAll(/[A-Za-z_]\w*/g)) if (!NOT_OBJECTS.has(m[0]) && !/^[A-Z_0-9]+$/.test(m[0])) out.add(m[0]);
  return out;
}

/** Calls that only report (tracepoints, printing, assertions): they take no part in any protocol. */
const DIAGNOSTIC = /^(?:trace_|pr_|printk|dump_|WARN|BUG|VM_BUG|VM_WARN|count_vm_|__count_vm_|mm_trace_)/;

/** Called functions of an image (any call the front end kept as an event). */
function calleesOf(img: FunctionImage): Set<string> {
  return new Set(img.events.filter((e) => e.kind === 'call').map((e) => e.callee));
}

/**
 * The name of a function of this patch, called by the after-image, that carries a candidate of `rule` on its own
 * after-image (not refuted), or undefined.
 */
export function movedIntoCallee(post: FunctionImage | undefined, rule: string, holders: ReadonlyMap<string, ReadonlySet<string>>): string | undefined {
  if (!post) return undefined;
  for (const callee of calleesOf(post)) if (holders.get(callee)?.has(rule)) return callee;
  return undefined;
}

/** Input lines of the run of changed lines (no context line between) that holds input line `at`. */
function changeRun(patch: Patch, at: number): Set<number> | undefined {
  for (const f of patch.files) {
    for (const h of f.hunks) {
      const i = h.lines.findIndex((l) => l.inputLine === at);
      if (i < 0) continue;
      let a = i;
      let b = i;
      while (a > 0 && h.lines[a - 1]!.type !== 'ctx') a--;
      while (b + 1 < h.lines.length && h.lines[b + 1]!.type !== 'ctx') b++;
      return new Set(h.lines.slice(a, b + 1).filter((l) => l.type === 'add' && l.inputLine !== undefined).map((l) => l.inputLine!));
    }
  }
  return undefined;
}

/** Events of the candidate that held its violation: the anchor and the related events. */
function violationEvents(c: Candidate): Event[] {
  return [c.anchor, ...c.related.map((r) => r.event)];
}

/**
 * The call (its text) that replaced a removed line of the pre-image candidate's violation, or undefined. `visible`
 * names the functions whose bodies the patch shows (their candidates are judged by movedIntoCallee()).
 */
export function replacedByUnseenCall(c: Candidate, post: FunctionImage | undefined, patch: Patch, visible: ReadonlySet<string>): string | undefined {
  if (!post) return undefined;
  for (const ev of violationEvents(c)) {
    if (ev.loc.diff !== 'del' || ev.loc.inputLine === undefined) continue;
    const run = changeRun(patch, ev.loc.inputLine);
    if (!run || run.size === 0) continue;
    const objects = objectsOf(ev.text);
    for (const v of Object.values(ev.args)) for (const o of objectsOf(`(${v})`)) objects.add(o);
    for (const e of post.events) {
      if (e.kind !== 'call' || e.loc.inputLine === undefined || !run.has(e.loc.inputLine)) continue;
      if (e.callee === ev.callee || DIAGNOSTIC.test(e.callee) || knownByName(e.callee) || visible.has(e.callee)) continue;
      const given = objectsOf(e.text);
      if ([...given].some((o) => objects.has(o))) return e.text;
    }
  }
  return undefined;
}
