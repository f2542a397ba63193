/**
 * Calls by which a function states which lock it holds: lockdep assertions and the mm wrappers around them. On
 * every execution that gets past such a call (lockdep builds WARN on a violation; the contract is the same without
 * lockdep), the named lock IS held there, whatever code the diff does not show. Kernel knowledge as data: each entry
 * cites the kernel definition it describes.
 *
 * `arg` is the argument that names the lock; `lock` turns that argument into the lock expression the lock model
 * uses (`&mm->mmap_lock` for `mmap_assert_locked(mm)`), `undefined` for the argument itself (address-of stripped
 * by the reader). `mode` is what the assertion proves: `write` (exclusive: a spinlock, a mutex, or an rwsem held
 * for write), `read` (shared), `any` (held, mode unknown: `lockdep_assert_held()` of an rwsem).
 */
import type { LockClass } from '../core/ops.ts';

export interface LockAssertion {
  /** Index of the argument naming the lock (or its owner). */
  arg: number;
  /** The lock class, when the assertion fixes it (mm wrappers); otherwise read from the expression. */
  cls?: LockClass;
  /** Lock expression built from the argument (`${a}` is the argument), when it is an owner, not the lock. */
  lock?: (a: string) => string;
  mode: 'any' | 'read' | 'write';
  /** The kernel definition. */
  kernel: string;
}

export const LOCK_ASSERTIONS: Readonly<Record<string, LockAssertion>> = {
  // include/linux/lockdep.h: lockdep_assert(lockdep_is_held(l) != LOCK_STATE_NOT_HELD).
  lockdep_assert_held: { arg: 0, mode: 'any', kernel: 'include/linux/lockdep.h lockdep_assert_held()' },
  lockdep_assert_held_once: { arg: 0, mode: 'any', kernel: 'include/linux/lockdep.h lockdep_assert_held_once()' },
  // lockdep_is_held_type(l, 0): held exclusively (a spinlock or mutex, or an rwsem/rwlock taken for write).
  lockdep_assert_held_write: { arg: 0, mode: 'write', kernel: 'include/linux/lockdep.h lockdep_assert_held_write()' },
  // lockdep_is_held_type(l, 1): held shared.
  lockdep_assert_held_read: { arg: 0, mode: 'read', kernel: 'include/linux/lockdep.h lockdep_assert_held_read()' },
  // include/linux/spinlock.h: #define assert_spin_locked(lock) assert_raw_spin_locked(&(lock)->rlock).
  assert_spin_locked: { arg: 0, mode: 'write', kernel: 'include/linux/spinlock.h assert_spin_locked()' },
  // include/linux/mmap_lock.h: lockdep_assert_held(&mm->mmap_lock) / lockdep_assert_held_write(&mm->mmap_lock).
  mmap_assert_locked: { arg: 0, cls: 'mmap', lock: (a) => `${a}->mmap_lock`, mode: 'any', kernel: 'include/linux/mmap_lock.h mmap_assert_locked()' },
  mmap_assert_write_locked: { arg: 0, cls: 'mmap', lock: (a) => `${a}->mmap_lock`, mode: 'write', kernel: 'include/linux/mmap_lock.h mmap_assert_write_locked()' },
  // include/linux/mmap_lock.h vma_assert_write_locked(): the VMA's write lock, taken only under the mmap_lock held for
  // write (without CONFIG_PER_VMA_LOCK it is mmap_assert_write_locked(vma->vm_mm)): the mmap_lock's write hold.
  vma_assert_write_locked: { arg: 0, cls: 'mmap', lock: (a) => `${a}->vm_mm->mmap_lock`, mode: 'write', kernel: 'include/linux/mmap_lock.h vma_assert_write_locked()' },
  // include/linux/fs.h: lockdep_assert_held(&mapping->i_mmap_rwsem) / lockdep_assert_held_write(...).
  i_mmap_assert_locked: { arg: 0, cls: 'i_mmap', lock: (a) => `${a}->i_mmap_rwsem`, mode: 'any', kernel: 'include/linux/fs.h i_mmap_assert_locked()' },
  i_mmap_assert_write_locked: { arg: 0, cls: 'i_mmap', lock: (a) => `${a}->i_mmap_rwsem`, mode: 'write', kernel: 'include/linux/fs.h i_mmap_assert_write_locked()' },
};

/**
 * Lock classes whose exclusive holder keeps every other holder out: what a writer that needs the lock cannot change
 * while it is held. Not every writer of a page-table entry needs them (rmap walkers — reclaim, migration,
 * truncation — change entries without the mmap_lock), so an exclusive hold is a question for the unseen code, not
 * a proof the entry is unchanged.
 */
export const EXCLUSIVE_CLASSES: ReadonlySet<LockClass> = new Set(['mmap', 'i_mmap']);
