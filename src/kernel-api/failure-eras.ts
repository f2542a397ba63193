/**
 * What a failable kernel API promises on failure, when that promise changed between releases. Each entry gives the
 * release from which the current promise holds in every tree (a tree dated that release or later by the APIs its
 * code uses, catalogue API_SINCE, has it), the commit that made it, and the two promises, for the claim that has to
 * name the question when the visible code does not date the tree.
 */
export interface FailureEra {
  /** First mainline release whose tree certainly has the current promise, [major, minor]. */
  settledSince: readonly [number, number];
  /** The commit that changed the promise. */
  commit: string;
  /** The release it was merged for, as a reader names it. */
  changedIn: string;
  /** The promise before it. */
  before: string;
  /** The promise since it (catalogue FAILURE describes this one). */
  since: string;
}

export const FAILURE_ERAS: Readonly<Record<string, FailureEra>> = {
  // mm/mmu_notifier.c mn_hlist_invalidate_range_start(): before c2655835fd8c ("mm/mmu_notifiers: ensure range_end()
  // is paired with range_start()", merged for v5.12-rc3) a failed non-blocking start returned -EAGAIN and left the
  // hlist subscriptions whose invalidate_range_start() had succeeded started (KVM's mmu_invalidate count raised),
  // so the oom reaper's fix of the time called _end() after a failure. Since it, the core calls
  // invalidate_range_end() for them itself before returning -EAGAIN ("On -EAGAIN the non-blocking caller is not
  // allowed to call invalidate_range_end()"), and one more _end() unbalances them. v5.12 final has it; 5.13 is the
  // first release whose every tree (-rc1 included) does.
  mmu_notifier_invalidate_range_start_nonblock: {
    settledSince: [5, 13],
    commit: 'c2655835fd8c',
    changedIn: '5.12',
    before: 'the notifiers whose start succeeded still waited for an _end()',
    since: 'a failed mmu_notifier_invalidate_range_start_nonblock() has already ended the notifiers whose start succeeded, so this _end() unbalances them',
  },
};

/** The question a claim resting on the newer promise names when the visible code does not date the tree. */
export function eraQuestion(callee: string): string | undefined {
  const e = FAILURE_ERAS[callee];
  return e ? `depends on the kernel the patch applies to: since ${e.changedIn} (${e.commit}) ${e.since}; before it, ${e.before}` : undefined;
}
