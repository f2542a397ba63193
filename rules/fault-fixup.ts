/**
 * Rule fault-fixup: a helper that makes a just-faulted user access succeed on retry, but "fixes" the fault with a
 * get_user_pages()-style lookup instead of a real fault; where dirty/young are software-managed the retry faults
 * again forever.
 */
import type { Event, FunctionImage, FunctionView } from '../src/core/events.ts';
import { createRule } from './create-rule.ts';
import { callArgs, imageEvent, replaceAt, stripStep } from './utils/paths.ts';
import { pageAccessedAfter, retryAfterGup } from './utils/fault-retry.ts';
import type { RetryEvidence } from './utils/fault-retry.ts';

export type MessageId = 'gupFixup';

/** Names of helpers whose job is to fix a user access up after a fault (fault_in_user_writeable, *fixup*). */
const FIXUP_NAME = /(^|_)fault_in(_|$)|fixup/;

/** Calls that perform a user access with page faults disabled (the access the caller retries). */
const ATOMIC_ACCESS = /^(__copy_\w+_inatomic|\w+_user_inatomic|futex_atomic_\w+|arch_futex_atomic_\w+|cmpxchg_futex_value_locked|get_futex_value_locked)$/;

/** Plain user accesses: with page faults disabled, they fail with -EFAULT instead of faulting. */
const USER_ACCESS = /\b(?:__)?(?:get_user|put_user|copy_from_user|copy_to_user|raw_copy_from_user|raw_copy_to_user|unsafe_get_user|unsafe_put_user)\s*\(/;

/** The same user accesses as calls (events of a path). */
const USER_ACCESS_CALL = /^(?:__)?(?:get_user|put_user|copy_from_user|copy_to_user|raw_copy_from_user|raw_copy_to_user|unsafe_get_user|unsafe_put_user)$/;

/** Is the event the user access a fix-up is for (atomic, or a plain one with page faults disabled)? */
function isUserAccess(e: Event): boolean {
  return ATOMIC_ACCESS.test(e.callee) || USER_ACCESS_CALL.test(e.callee);
}

/**
 * Does the function fix up faults: a fixup helper by name, or an in-place retry around an atomic user access?
 * `pagefault_disable()` alone is no access: it makes one (get_user(), copy_from_user() …) fail instead of fault,
 * and only a function that also makes such an access has a fault to fix up (a lookup with page faults disabled,
 * e.g. to translate an address, has none).
 */
export function isFixupSite(fn: FunctionView, image: FunctionImage): boolean {
  if (FIXUP_NAME.test(fn.name)) return true;
  if (image.events.some((e) => ATOMIC_ACCESS.test(e.callee))) return true;
  return image.events.some((e) => e.callee === 'pagefault_disable') && USER_ACCESS.test(image.text);
}

/** Does the image run real-fault semantics (a fault handler, or the software young/dirty fixup a fault does)? */
function hasRealFault(img: FunctionImage | undefined): boolean {
  return img?.events.some((e) => e.kind === 'fault' || e.kind === 'pte-fixup-young-dirty') ?? false;
}

/** FOLL_* flags passed to a gup call. */
function follFlags(ev: Event): string[] {
  return [...new Set(callArgs(ev.text).flatMap((a) => a.match(/\bFOLL_[A-Z_]+\b/g) ?? []))].sort();
}

/** Does a sibling of the patch make one of these flags honour real-fault semantics (e.g. follow_page + FOLL_FIXFAULT)? */
function flagHonoured(flags: readonly string[], siblings: readonly FunctionView[], self: FunctionView, side: 'pre' | 'post'): boolean {
  const generic = new Set(['FOLL_WRITE', 'FOLL_GET', 'FOLL_TOUCH', 'FOLL_FORCE', 'FOLL_PIN', 'FOLL_NOWAIT', 'FOLL_REMOTE', 'FOLL_LONGTERM']);
  const special = flags.filter((f) => !generic.has(f));
  if (special.length === 0) return false;
  return siblings.some((s) => {
    if (s.name === self.name && s.path === self.path) return false;
    const img = side === 'pre' ? s.pre : s.post;
    return img !== undefined && hasRealFault(img) && special.some((f) => img.text.includes(f));
  });
}

export default createRule<MessageId>({
  meta: {
    id: 'fault-fixup',
    severity: 'error',
    docs: { description: 'Fix up a user-access fault with a real fault (fixup_user_fault), not a get_user_pages() lookup' },
    messages: {
      gupFixup:
        '{{fn}}() fixes up a faulting user access with {{gup}}(), which does not have the semantics of a real fault: where dirty/young bits are managed in software the PTE stays clean/old, the retried access faults again, and the caller livelocks.',
    },
    hazard:
      'Code that disables page faults (futex, uaccess in atomic context) handles -EFAULT by "faulting the page in" and retrying. get_user_pages() only looks the page up (and breaks COW): it does not set the dirty and young bits the way handle_mm_fault() does. On architectures with software-managed dirty/young (ppc e500, arm64 without DBM) the PTE stays clean or old, the retried atomic access faults again, and the retry loop never makes progress.',
  },
  check(ctx) {
    const { image, fn, side } = ctx;
    if (!image.events.some((e) => e.kind === 'gup')) return;
    if (!isFixupSite(fn, image) || hasRealFault(image)) return;
    // A fix-up helper by name is called to fix a fault its caller then retries (its contract). A function that makes
    // the access itself must show the retry (utils/fault-retry.ts), or the claim depends on its unseen callers.
    const byName = FIXUP_NAME.test(fn.name);
    const retries = new Map<number, RetryEvidence>();
    const retryOf = (gup: Event): RetryEvidence => {
      const known = retries.get(gup.id);
      if (known) return known;
      const found = retryAfterGup(fn.name, image.paths, gup.id, isUserAccess);
      retries.set(gup.id, found);
      return found;
    };
    for (const path of image.paths) {
      if (path.steps.some((s) => s.step === 'event' && (s.kind === 'fault' || s.kind === 'pte-fixup-young-dirty'))) continue;
      for (const [i, s] of path.steps.entries()) {
        if (s.step !== 'event' || s.kind !== 'gup') continue;
        const ev = stripStep(s);
        if (ev.attrs.fixfault === true || flagHonoured(follFlags(ev), ctx.siblings, fn, side)) continue;
        // The pinned page read or written through the kernel map: the access is done there, not retried.
        if (pageAccessedAfter(path, i, ev)) continue;
        const retry = byName ? undefined : retryOf(ev);
        if (retry?.kind === 'none') continue;
        const args = callArgs(ev.text);
        const addr = ev.args.addr ?? ev.args.start ?? args.find((a) => /addr|uaddr/.test(a)) ?? 'address';
        const fault: Event = {
          ...ev,
          id: -1,
          kind: 'fault',
          callee: 'fixup_user_fault',
          args: { mm: ev.args.mm ?? 'mm', addr, flags: ev.attrs.write === false ? '0' : 'FAULT_FLAG_WRITE' },
          attrs: {},
          text: `fixup_user_fault(${ev.args.mm ?? 'mm'}, ${addr}, FAULT_FLAG_WRITE, NULL)`,
        };
        ctx.report({
          ...(retry?.kind === 'unseen' ? { unseen: retry.question } : {}),
          messageId: 'gupFixup',
          data: { fn: fn.name, gup: ev.callee },
          anchor: imageEvent(image, ev),
          related: [],
          path,
          hazard: {
            kind: 'gup-fault-fixup',
            invariants: ['no-livelock'],
            adversaries: [],
            arch: ['ppc-e500', 'x86'],
            context: ['fault-retry-loop'],
          },
          suggestion: { text: 'use fixup_user_fault(), which runs the real fault handler (sets dirty/young as a fault does)', path: replaceAt(path, i, fault) },
        });
      }
    }
  },
});
