/**
 * Atomic sections that are not locks: calls that open or close a stretch of code where sleeping is not allowed (a
 * task that sleeps there triggers "BUG: sleeping function called from invalid context" or an illegal RCU context
 * switch), and calls that only turn page faults off. Non-PREEMPT_RT semantics, as the rest of sleep-in-atomic.
 *
 * Each entry cites the kernel definition it describes:
 * - `rcu`: include/linux/rcupdate.h rcu_read_lock() ("it is illegal to block while in an RCU read-side critical
 *   section"), rcu_read_lock_bh(), rcu_read_lock_sched(). Not srcu_read_lock(): SRCU readers may sleep.
 * - `preempt`: include/linux/preempt.h preempt_disable() / preempt_enable(); include/linux/smp.h get_cpu() /
 *   put_cpu() (preempt_disable() + smp_processor_id()); include/linux/local_lock_internal.h __local_lock()
 *   (preempt_disable() on !PREEMPT_RT).
 * - `irq`: include/linux/irqflags.h local_irq_disable() / local_irq_save() and their enable / restore;
 *   local_lock_irq() / local_lock_irqsave(). `softirq`: include/linux/bottom_half.h local_bh_disable() (softirq
 *   count: in_atomic()).
 * - `kmap`: include/linux/highmem-internal.h kmap_atomic() (preempt_disable() and pagefault_disable() on
 *   !PREEMPT_RT) / kunmap_atomic() (__kunmap_atomic(): pagefault_enable(), preempt_enable()). kmap_local_page() is not
 *   one: it only disables migration.
 * - `pagefault`: include/linux/uaccess.h pagefault_disable() / pagefault_enable(): not atomic (the task may still
 *   sleep), but user accesses no longer fault pages in (faulthandler_disabled()), so they do not sleep.
 */

export type SectionKind = 'rcu' | 'preempt' | 'irq' | 'softirq' | 'kmap' | 'pagefault';

export interface SectionCall {
  kind: SectionKind;
  /** Opens (true) or closes (false) the section. */
  opens: boolean;
}

export const SECTION_CALLS: Readonly<Record<string, SectionCall>> = {
  rcu_read_lock: { kind: 'rcu', opens: true },
  rcu_read_unlock: { kind: 'rcu', opens: false },
  rcu_read_lock_bh: { kind: 'rcu', opens: true },
  rcu_read_unlock_bh: { kind: 'rcu', opens: false },
  rcu_read_lock_sched: { kind: 'rcu', opens: true },
  rcu_read_unlock_sched: { kind: 'rcu', opens: false },
  preempt_disable: { kind: 'preempt', opens: true },
  preempt_enable: { kind: 'preempt', opens: false },
  preempt_enable_no_resched: { kind: 'preempt', opens: false },
  get_cpu: { kind: 'preempt', opens: true },
  put_cpu: { kind: 'preempt', opens: false },
  local_lock: { kind: 'preempt', opens: true },
  local_unlock: { kind: 'preempt', opens: false },
  local_irq_disable: { kind: 'irq', opens: true },
  local_irq_enable: { kind: 'irq', opens: false },
  local_irq_save: { kind: 'irq', opens: true },
  local_irq_restore: { kind: 'irq', opens: false },
  local_lock_irq: { kind: 'irq', opens: true },
  local_unlock_irq: { kind: 'irq', opens: false },
  local_lock_irqsave: { kind: 'irq', opens: true },
  local_unlock_irqrestore: { kind: 'irq', opens: false },
  local_bh_disable: { kind: 'softirq', opens: true },
  local_bh_enable: { kind: 'softirq', opens: false },
  kmap_atomic: { kind: 'kmap', opens: true },
  kunmap_atomic: { kind: 'kmap', opens: false },
  pagefault_disable: { kind: 'pagefault', opens: true },
  pagefault_enable: { kind: 'pagefault', opens: false },
};

/** Sections where sleeping is not allowed (all but `pagefault`). */
export const ATOMIC_SECTION_KINDS: ReadonlySet<SectionKind> = new Set(['rcu', 'preempt', 'irq', 'softirq', 'kmap']);

/** Sections with page faults disabled: kmap_atomic() calls pagefault_disable() too. */
export const PAGEFAULT_OFF_KINDS: ReadonlySet<SectionKind> = new Set(['kmap', 'pagefault']);

/**
 * Sleepers that sleep only by faulting a user page in: mm/memory.c __might_fault() returns early when
 * pagefault_disabled(), and a fault taken with faults disabled fails (-EFAULT) instead of sleeping
 * (include/linux/uaccess.h faulthandler_disabled()). With page faults off they do not sleep. mm/gup.c
 * fault_in_writeable() / fault_in_readable() only touch the pages with unsafe_put_user() / unsafe_get_user().
 */
export const FAULT_ONLY_SLEEPERS: ReadonlySet<string> = new Set(['copy_from_user', 'copy_to_user', 'clear_user', 'get_user', 'put_user', 'might_fault', 'fault_in_writeable', 'fault_in_readable']);

/**
 * Lock releases that also end an irq or softirq section: include/linux/spinlock_api_smp.h
 * __raw_spin_unlock_irq() (spin_release + do_raw_spin_unlock + local_irq_enable()),
 * __raw_spin_unlock_irqrestore() (local_irq_restore(flags)), __raw_spin_unlock_bh() (__local_bh_enable_ip()); the
 * rwlock forms in include/linux/rwlock_api_smp.h; xa_unlock_irq() / xa_unlock_bh() / xa_unlock_irqrestore()
 * (include/linux/xarray.h: spin_unlock_*(&xa->xa_lock)). They only close: `local_irq_disable(); spin_lock(l); …
 * spin_unlock_irq(l);` leaves interrupts on. A restore returns to the saved state, which may still be off (a save
 * nested inside an open section): treated as a close all the same, which can only drop a claim, never add one. A
 * close with no open section on the path closes nothing.
 */
const RELEASE_SECTION_CLOSES: Readonly<Record<string, SectionCall>> = Object.fromEntries(
  [
    ...['spin', 'raw_spin', 'read', 'write', 'xa'].flatMap((p) => [`${p}_unlock_irq`, `${p}_unlock_irqrestore`].map((c) => [c, { kind: 'irq', opens: false }] as const)),
    ...['spin', 'raw_spin', 'read', 'write', 'xa'].map((p) => [`${p}_unlock_bh`, { kind: 'softirq', opens: false }] as const),
  ],
);

/** What a call does to atomic sections: SECTION_CALLS, else a section-closing release (RELEASE_SECTION_CLOSES). */
export function sectionEffect(callee: string): SectionCall | undefined {
  return SECTION_CALLS[callee] ?? RELEASE_SECTION_CLOSES[callee];
}
