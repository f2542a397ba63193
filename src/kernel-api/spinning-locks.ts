/**
 * More spinning locks (merged into CATALOGUE; names no other catalogue entry uses): the rwlock, xarray, seqlock and
 * bit-spinlock forms of a spinlock. Each holds a spinning lock (preemption disabled on !PREEMPT_RT) from its lock to
 * its unlock, like spin_lock(): sleeping in between is a bug (sleep-in-atomic). Each group cites the kernel
 * definition it describes:
 * - include/linux/rwlock.h write_lock_irq() / write_lock_irqsave() / write_lock_bh() and the read_ forms, with their
 *   unlocks (_raw_write_lock_irq() etc.: the rwlock taken with interrupts or softirqs off). Keyed by the lock
 *   expression's spelling like spin_lock() (`hook: 'spin'`: a KVM `mmu_lock` is the mmu class).
 * - include/linux/spinlock.h raw_spin_lock_irq() / raw_spin_unlock_irq().
 * - include/linux/xarray.h xa_lock() / xa_lock_irq() / xa_lock_irqsave() / xa_lock_bh() and their unlocks:
 *   spin_lock*(&(xa)->xa_lock); keyed by the xarray (`xa_lock(&mapping->i_pages)` ... `xa_unlock(&mapping->i_pages)`).
 * - include/linux/seqlock.h write_seqlock() / write_seqlock_irq() / write_seqlock_irqsave() / write_seqlock_bh()
 *   and write_sequnlock*(): spin_lock*(&sl->lock) then the sequence count; keyed by the seqlock.
 * - include/linux/bit_spinlock.h bit_spin_lock(bitnum, addr) (preempt_disable(), then spins on the bit),
 *   bit_spin_trylock() (preempt_enable() again when the bit is taken), bit_spin_unlock() / __bit_spin_unlock()
 *   (clear the bit, preempt_enable()); keyed by the word; include/linux/list_bl.h hlist_bl_lock() /
 *   hlist_bl_unlock() (bit_spin_lock(0, b) / __bit_spin_unlock(0, b)).
 */
import type { ApiEntry, FailureSemantics } from './catalogue.ts';

const LOCK: ApiEntry = { kind: 'lock', roles: ['lock'], hook: 'spin' };
const LOCK_FLAGS: ApiEntry = { kind: 'lock', roles: ['lock', 'flags'], hook: 'spin' };
const UNLOCK: ApiEntry = { kind: 'unlock', roles: ['lock'], hook: 'spin' };
const UNLOCK_FLAGS: ApiEntry = { kind: 'unlock', roles: ['lock', 'flags'], hook: 'spin' };
const BIT_LOCK: ApiEntry = { kind: 'lock', roles: ['', 'lock'], lockClass: 'spin' };
const BIT_TRYLOCK: ApiEntry = { kind: 'trylock', roles: ['', 'lock'], lockClass: 'spin' };
const BIT_UNLOCK: ApiEntry = { kind: 'unlock', roles: ['', 'lock'], lockClass: 'spin' };
const BL_LOCK: ApiEntry = { kind: 'lock', roles: ['lock'], lockClass: 'spin' };
const BL_UNLOCK: ApiEntry = { kind: 'unlock', roles: ['lock'], lockClass: 'spin' };

export const MORE_SPINLOCKS: Readonly<Record<string, ApiEntry>> = {
  write_lock_irq: LOCK,
  write_unlock_irq: UNLOCK,
  write_lock_irqsave: LOCK_FLAGS,
  write_unlock_irqrestore: UNLOCK_FLAGS,
  write_lock_bh: LOCK,
  write_unlock_bh: UNLOCK,
  read_lock_irq: LOCK,
  read_unlock_irq: UNLOCK,
  read_lock_irqsave: LOCK_FLAGS,
  read_unlock_irqrestore: UNLOCK_FLAGS,
  read_lock_bh: LOCK,
  read_unlock_bh: UNLOCK,
  raw_spin_lock_irq: LOCK,
  raw_spin_unlock_irq: UNLOCK,
  xa_lock: LOCK,
  xa_unlock: UNLOCK,
  xa_lock_irq: LOCK,
  xa_unlock_irq: UNLOCK,
  xa_lock_irqsave: LOCK_FLAGS,
  xa_unlock_irqrestore: UNLOCK_FLAGS,
  xa_lock_bh: LOCK,
  xa_unlock_bh: UNLOCK,
  write_seqlock: LOCK,
  write_sequnlock: UNLOCK,
  write_seqlock_irq: LOCK,
  write_sequnlock_irq: UNLOCK,
  write_seqlock_irqsave: LOCK_FLAGS,
  write_sequnlock_irqrestore: UNLOCK_FLAGS,
  write_seqlock_bh: LOCK,
  write_sequnlock_bh: UNLOCK,
  bit_spin_lock: BIT_LOCK,
  bit_spin_trylock: BIT_TRYLOCK,
  bit_spin_unlock: BIT_UNLOCK,
  __bit_spin_unlock: BIT_UNLOCK,
  hlist_bl_lock: BL_LOCK,
  hlist_bl_unlock: BL_UNLOCK,
};

/** include/linux/bit_spinlock.h bit_spin_trylock(): 1 when the bit was taken, 0 (preemption on again) when not. */
export const MORE_SPIN_FAILURE: Readonly<Record<string, FailureSemantics>> = {
  bit_spin_trylock: { returns: 'zero', kernel: 'bit_spin_trylock' },
};
