/**
 * More calls that may sleep, for sleep-in-atomic (merged into CATALOGUE; names no other catalogue entry uses).
 * `hook: 'gfp'`: an allocation that sleeps only when its GFP mask allows direct reclaim (include/linux/gfp_types.h
 * __GFP_DIRECT_RECLAIM, part of GFP_KERNEL / GFP_USER / GFP_HIGHUSER*; not of GFP_ATOMIC / GFP_NOWAIT); a mask the
 * front end cannot read is `attrs.unresolved` (claimed only as a question). Each group cites the kernel definition it describes.
 */
import type { ApiEntry } from './catalogue.ts';

const SLEEPS = { sleeps: true } as const;
/**
 * Lookups that allocate missing page-table levels (mm/memory.c __get_locked_pte() → walk_to_pmd() →
 * p4d_alloc()/pud_alloc()/pmd_alloc(), then pte_alloc_map_lock() → pte_alloc(): `unlikely(pmd_none(*pmd)) &&
 * __pte_alloc()`) sleep only when a level is missing: on tables the caller preallocated (powerpc's patching mm,
 * text_area_cpu_up_mm() then __do_patch_instruction_mm() with interrupts off) they never allocate. The explicit
 * allocators (pte_alloc(), pmd_alloc(), ...) stay unconditional sleepers: code calls them because the level may be
 * missing.
 */
export const SLEEPS_ALLOCATING_TABLE = { sleeps: true, sleepsWhen: 'only when a page-table level is missing and must be allocated' } as const;
const GFP: ApiEntry = { kind: 'may-sleep', hook: 'gfp' };
const SLEEPER: ApiEntry = { kind: 'may-sleep', roles: [], attrs: SLEEPS };

export const MORE_SLEEPERS: Readonly<Record<string, ApiEntry>> = {
  // Allocators taking a GFP mask: include/linux/slab.h kmalloc_node() / kzalloc_node() / kcalloc_node() /
  // kmalloc_array_node() / kvmalloc_node() / kvzalloc_node() / kvmalloc_array() / kvcalloc() / krealloc(),
  // mm/slub.c kmem_cache_alloc_node(), mm/util.c kmemdup() / kstrdup(), include/linux/gfp.h alloc_pages_node() /
  // __alloc_pages() / __alloc_pages_node() / __folio_alloc(), mm/page_alloc.c alloc_pages_exact(),
  // mm/mempool.c mempool_alloc(), mm/vmalloc.c __vmalloc().
  kmalloc_node: GFP,
  kzalloc_node: GFP,
  kcalloc_node: GFP,
  kmalloc_array_node: GFP,
  kvmalloc_node: GFP,
  kvzalloc_node: GFP,
  kvmalloc_array: GFP,
  kvcalloc: GFP,
  krealloc: GFP,
  kmem_cache_alloc_node: GFP,
  kmemdup: GFP,
  kstrdup: GFP,
  alloc_pages_node: GFP,
  __alloc_pages: GFP,
  __alloc_pages_node: GFP,
  __folio_alloc: GFP,
  alloc_pages_exact: GFP,
  mempool_alloc: GFP,
  __vmalloc: GFP,
  // mm/vmalloc.c vmalloc_node() / vzalloc_node() (GFP_KERNEL), vmap(), vunmap(), vm_map_ram(): might_sleep().
  vmalloc_node: SLEEPER,
  vzalloc_node: SLEEPER,
  vmap: SLEEPER,
  vunmap: SLEEPER,
  vm_map_ram: SLEEPER,
  // Page-table allocation: include/linux/mm.h pte_alloc() (→ __pte_alloc() when the PMD entry is empty),
  // pmd_alloc() / pud_alloc() / p4d_alloc() (→ __pmd_alloc() / __pud_alloc() / __p4d_alloc()): mm/memory.c
  // allocates the table with GFP_PGTABLE_USER / GFP_PGTABLE_KERNEL (GFP_KERNEL based).
  pte_alloc: SLEEPER,
  __pte_alloc: SLEEPER,
  pmd_alloc: SLEEPER,
  __pmd_alloc: SLEEPER,
  pud_alloc: SLEEPER,
  __pud_alloc: SLEEPER,
  p4d_alloc: SLEEPER,
  __p4d_alloc: SLEEPER,
  // Waiting: include/linux/wait.h wait_event*() (might_sleep()), kernel/sched/completion.c
  // wait_for_completion_*(), kernel/time/timer.c schedule_timeout_*() / msleep_interruptible(), include/linux/wait_bit.h
  // wait_on_bit*(), mm/filemap.c folio_wait_bit().
  wait_event: SLEEPER,
  wait_event_interruptible: SLEEPER,
  wait_event_killable: SLEEPER,
  wait_event_timeout: SLEEPER,
  wait_event_interruptible_timeout: SLEEPER,
  wait_for_completion_interruptible: SLEEPER,
  wait_for_completion_killable: SLEEPER,
  wait_for_completion_timeout: SLEEPER,
  schedule_timeout_interruptible: SLEEPER,
  schedule_timeout_uninterruptible: SLEEPER,
  schedule_timeout_killable: SLEEPER,
  schedule_timeout_idle: SLEEPER,
  msleep_interruptible: SLEEPER,
  wait_on_bit: SLEEPER,
  wait_on_bit_io: SLEEPER,
  folio_wait_bit: SLEEPER,
  // Flushing work and grace periods: kernel/workqueue.c flush_work() / cancel_work_sync() / flush_workqueue() /
  // flush_delayed_work() / cancel_delayed_work_sync() (might_sleep(), wait for the work), kernel/rcu/tree.c
  // synchronize_rcu_expedited() / rcu_barrier().
  flush_work: SLEEPER,
  cancel_work_sync: SLEEPER,
  flush_workqueue: SLEEPER,
  flush_delayed_work: SLEEPER,
  cancel_delayed_work_sync: SLEEPER,
  synchronize_rcu_expedited: SLEEPER,
  rcu_barrier: SLEEPER,
  // mm/swap.c lru_add_drain_all(): mutex_lock() and flush_work() on every CPU's drain.
  lru_add_drain_all: SLEEPER,
  // mm/migrate.c migrate_pages(): locks and waits on the folios it migrates (folio_lock(), writeback waits).
  migrate_pages: SLEEPER,
  // The lockdep-subclass forms of the sleeping locks: kernel/locking/mutex.c mutex_lock_nested() (__mutex_lock():
  // might_sleep(); mutex_lock() itself without CONFIG_DEBUG_LOCK_ALLOC), kernel/locking/rwsem.c down_read_nested() /
  // down_write_nested() (might_sleep()).
  mutex_lock_nested: { kind: 'lock', roles: ['lock', ''], lockClass: 'mutex', attrs: SLEEPS },
  down_read_nested: { kind: 'lock', roles: ['lock', ''], hook: 'rwsem', attrs: { mode: 'read', sleeps: true } },
  down_write_nested: { kind: 'lock', roles: ['lock', ''], hook: 'rwsem', attrs: { mode: 'write', sleeps: true } },
  // include/linux/percpu-rwsem.h percpu_down_read() (might_sleep()), kernel/locking/percpu-rwsem.c
  // percpu_down_write() (might_sleep()).
  percpu_down_read: SLEEPER,
  percpu_down_write: SLEEPER,
  // include/linux/pagemap.h folio_lock_killable() (might_sleep()); mm/filemap.c __folio_lock() /
  // __folio_lock_killable() (folio_wait_bit_common() on PG_locked: called when the trylock failed, they wait).
  folio_lock_killable: SLEEPER,
  __folio_lock: SLEEPER,
  __folio_lock_killable: SLEEPER,
  // include/linux/buffer_head.h lock_buffer(): might_sleep(), then __lock_buffer() waits on BH_Lock.
  lock_buffer: SLEEPER,
  // mm/util.c memdup_user() (a GFP_USER allocation, then copy_from_user()), vmemdup_user() (kvmalloc(GFP_USER)),
  // strndup_user() (memdup_user()): the allocation may sleep even with page faults off.
  memdup_user: SLEEPER,
  vmemdup_user: SLEEPER,
  strndup_user: SLEEPER,
};
