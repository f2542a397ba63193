// The kernel-API catalogue through the extractor: each family, alias tracking, value effects, old spellings.
import { describe, expect, it } from 'vitest';
import { classifyCall } from '../../src/kernel-api/classify.ts';
import { CATALOGUE } from '../../src/kernel-api/catalogue.ts';
import { KERNEL_OP_KINDS } from '../../src/core/ops.ts';
import { analyzeFunctionSource } from '../../src/frontend/index.ts';

async function events(body: string, params = 'struct mm_struct *mm, pmd_t *pmd, unsigned long addr') {
  const r = await analyzeFunctionSource(`void f(${params})\n{\n${body}\n}\n`);
  return r.events;
}

describe('catalogue data', () => {
  it('maps only to kinds of the shared vocabulary', () => {
    for (const [name, e] of Object.entries(CATALOGUE)) expect(KERNEL_OP_KINDS, name).toContain(e.kind);
  });
});

describe('families', () => {
  it('page-table locks: map/unlock with ptl out-param, pte - 1, spin_lock class by expression', async () => {
    const ev = await events(
      '\tspinlock_t *ptl;\n\tpte_t *pte = pte_offset_map_lock(mm, pmd, addr, &ptl);\n\tpte++;\n\tpte_unmap_unlock(pte - 1, ptl);\n\tspin_lock(&mm->page_table_lock);\n\tspin_lock(&other->lock);\n\tspin_lock(vmf->ptl);',
    );
    expect(ev.map((e) => e.kind)).toEqual(['pte-map-lock', 'pte-advance', 'pte-unmap-unlock', 'lock', 'lock', 'lock']);
    expect(ev[0]!.args).toMatchObject({ lock: 'ptl', pte: 'pte', mm: 'mm', pmd: 'pmd', addr: 'addr' });
    expect(ev[0]!.result).toBe('pte');
    expect(ev[2]!.args).toEqual({ pte: 'pte', lock: 'ptl' });
    expect(ev.slice(3).map((e) => e.attrs.lockClass)).toEqual(['pmd-ptl', 'spin', 'ptl']);
  });

  it('lock aliases: ptl = pte_lockptr(...) and pmd_lock results', async () => {
    const ev = await events('\tspinlock_t *l = pte_lockptr(mm, pmd);\n\tspin_lock(l);\n\tspinlock_t *pl = pmd_lock(mm, pmd);\n\tspin_unlock(pl);\n\tspin_unlock(l);');
    expect(ev.map((e) => `${e.kind}:${e.args.lock}:${e.attrs.lockClass}`)).toEqual([
      'lock:l:ptl',
      'lock:pl:pmd-ptl',
      'unlock:pl:pmd-ptl',
      'unlock:l:ptl',
    ]);
  });

  it('pte aliases: orig_pte = pte = map, start_pte', async () => {
    const ev = await events('\tpte_t *orig, *pte;\n\torig = pte = pte_offset_map_lock(mm, pmd, addr, &ptl);\n\tpte++;\n\tpte_unmap_unlock(orig, ptl);');
    expect(ev.map((e) => `${e.kind}:${e.args.pte}`)).toEqual(['pte-map-lock:pte', 'pte-advance:pte', 'pte-unmap-unlock:pte']);
  });

  it('effects through value transforms (ksm / apply_pt_clean shapes)', async () => {
    const ev = await events(
      '\tpte_t entry = ptep_clear_flush(vma, addr, ptep);\n\tentry = pte_mkclean(pte_wrprotect(entry));\n\tset_pte_at(mm, addr, ptep, entry);\n\tpte_t old_pte = ptep_modify_prot_start(vma, addr, pte);\n\tpte_t ptent = pte_mkclean(old_pte);\n\tptep_modify_prot_commit(vma, addr, pte, old_pte, ptent);\n\tset_pte_at(mm, addr, ptep, mk_pte(page, prot));\n\tset_pte_at(mm, addr, ptep, unknown_val);',
      'struct vm_area_struct *vma, pte_t *ptep, pte_t *pte',
    );
    const writes = ev.filter((e) => e.kind === 'pte-set' || e.kind === 'pte-modify-commit');
    expect(writes.map((e) => e.attrs.effects)).toEqual([['wrprotect', 'clean'], ['clean'], ['new-page'], ['unknown']]);
    expect(ev[0]!.attrs).toMatchObject({ flushes: true, effects: ['clear'] });
  });

  it('PTE reads: *pte, READ_ONCE(*pte), ptep_get, pte_same', async () => {
    const r = await analyzeFunctionSource('void f(pte_t *pte)\n{\n\tpte_t a = *pte;\n\tpte_t b = READ_ONCE(*pte);\n\tpte_t c = ptep_get(pte);\n\tif (!pte_same(*pte, a))\n\t\treturn;\n}\n');
    // Paths follow evaluation order (the dereference before pte_same); ids follow source order.
    const onPath = r.paths[0]!.steps.filter((s) => s.step === 'event').map((s) => (s.step === 'event' ? s.kind : ''));
    expect(onPath).toEqual(['pte-read', 'pte-read', 'pte-read', 'pte-read', 'pte-same']);
    expect(r.events.map((e) => e.id)).toEqual([0, 1, 2, 3, 4]);
  });

  it('notifier spellings: (range) and old (mm, start, end), nonblock, end_only, __mmu_notifier_*', async () => {
    const ev = await events(
      '\tmmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, mm, s, e);\n\tmmu_notifier_invalidate_range_start(&range);\n\tmmu_notifier_invalidate_range_start(mm, s, e);\n\tmmu_notifier_invalidate_range_start_nonblock(&range);\n\tmmu_notifier_invalidate_range_end_only(&range);\n\t__mmu_notifier_invalidate_range_end(&range);\n\tset_pte_at_notify(mm, a, ptep, v);\n\tptep_clear_flush_notify(vma, a, ptep);',
    );
    expect(ev.map((e) => e.kind)).toEqual([
      'notifier-range-init',
      'notifier-start',
      'notifier-start',
      'notifier-start',
      'notifier-end',
      'notifier-end',
      'pte-set',
      'pte-clear-flush',
    ]);
    expect(ev[0]!.args).toMatchObject({ range: 'range', mm: 'mm', start: 's', end: 'e' });
    expect(ev[1]!.args).toEqual({ range: 'range' });
    expect(ev[2]!.args).toEqual({ mm: 'mm', start: 's', end: 'e' });
    expect(ev[3]!.attrs.blockable).toBe(false);
    expect(ev[4]!.attrs.only).toBe(true);
    expect(ev[6]!.attrs.notifies).toBe(true);
    expect(ev[7]!.attrs).toMatchObject({ notifies: true, flushes: true });
  });

  it('mmu_gather forms: fullmm by spelling and by arguments across versions', () => {
    const g = (args: string[], callee = 'tlb_gather_mmu') => classifyCall({ callee, args })!.attrs.fullmm;
    expect(g(['&tlb', 'mm'], 'tlb_gather_mmu_fullmm')).toBe(true);
    expect(g(['&tlb', 'mm'])).toBe(false);
    expect(g(['&tlb', 'mm', '0', '-1'])).toBe(true);
    expect(g(['&tlb', 'mm', '0', '~0UL'])).toBe(true);
    expect(g(['&tlb', 'mm', '0', 'TASK_SIZE'])).toBe(false);
    expect(g(['&tlb', 'mm', 'start', 'end'])).toBe(false);
    expect(g(['&tlb', 'mm', '1'])).toBe(true);
    expect(g(['&tlb', 'mm', '0'])).toBe(false);
    expect(classifyCall({ callee: 'tlb_gather_mmu', args: ['&tlb', 'mm', '0', '-1'] })!.args.tlb).toBe('tlb');
  });

  it('TLB flushes and flush-pending', () => {
    const k = (callee: string, args: string[]) => {
      const c = classifyCall({ callee, args })!;
      return `${c.kind}:${c.attrs.scope ?? ''}`;
    };
    expect(k('flush_tlb_range', ['vma', 's', 'e'])).toBe('tlb-flush:range');
    expect(k('flush_tlb_page', ['vma', 'a'])).toBe('tlb-flush:page');
    expect(k('flush_tlb_mm', ['mm'])).toBe('tlb-flush:mm');
    expect(k('flush_tlb_batched_pending', ['mm'])).toBe('tlb-flush:batched-pending');
    expect(k('inc_tlb_flush_pending', ['mm'])).toBe('flush-pending-inc:');
    expect(k('set_tlb_flush_pending', ['mm'])).toBe('flush-pending-inc:');
    expect(k('mm_tlb_flush_nested', ['mm'])).toBe('flush-pending-read:');
  });

  it('mmap_sem / mmap_lock old and new spellings; other rwsems sleep', () => {
    const c = (callee: string, args: string[]) => classifyCall({ callee, args })!;
    expect(c('down_read', ['&mm->mmap_sem'])).toMatchObject({ kind: 'mmap-lock', attrs: { mode: 'read', lockClass: 'mmap' } });
    expect(c('up_write', ['&current->mm->mmap_lock']).kind).toBe('mmap-unlock');
    expect(c('mmap_read_lock', ['mm']).kind).toBe('mmap-lock');
    expect(c('down_write', ['&sem'])).toMatchObject({ kind: 'lock', attrs: { lockClass: 'other', sleeps: true } });
  });

  it('gup: write from FOLL_WRITE or the old positional argument; flags recorded', () => {
    const c = (callee: string, args: string[]) => classifyCall({ callee, args })!;
    const old = c('get_user_pages', ['current', 'mm', '(unsigned long)uaddr', '1', '1', '0', 'NULL', 'NULL']);
    expect(old).toMatchObject({ kind: 'gup', attrs: { write: true }, args: { mm: 'mm' } });
    const nw = c('__get_user_pages', ['current', 'mm', 'a', '1', 'FOLL_WRITE | FOLL_FIXFAULT', 'NULL', 'NULL', 'NULL']);
    expect(nw.args.flags).toBe('FOLL_WRITE|FOLL_FIXFAULT');
    expect(nw.attrs.write).toBe(true);
    expect(c('follow_page', ['vma', 'addr', 'FOLL_GET']).attrs.write).toBe(false);
    expect(c('fixup_user_fault', ['tsk', 'mm', 'addr', 'FAULT_FLAG_WRITE'])).toMatchObject({ kind: 'fault', attrs: { write: true } });
  });

  it('COW / uffd / sleeping calls', () => {
    const c = (callee: string, args: string[]) => classifyCall({ callee, args })!;
    expect(c('do_wp_page', ['vmf']).attrs.releases).toEqual(['vmf->ptl']);
    expect(c('do_wp_page', ['mm', 'vma', 'address', 'page_table', 'pmd', 'ptl', 'orig_pte'])).toMatchObject({
      attrs: { releases: ['ptl'] },
      args: { pte: 'page_table', lock: 'ptl' },
    });
    expect(c('handle_userfault', ['vmf', 'VM_UFFD_WP']).attrs.sleeps).toBe(true);
    expect(c('kmalloc', ['sz', 'GFP_KERNEL']).kind).toBe('may-sleep');
    expect(c('kmalloc', ['sz', 'GFP_ATOMIC']).kind).toBe('call');
    expect(c('alloc_page', ['GFP_HIGHUSER_MOVABLE']).attrs.sleeps).toBe(true);
    // Direct reclaim masked out (include/linux/gfp_types.h GFP_TRANSHUGE_LIGHT is `& ~__GFP_RECLAIM`): no sleep.
    expect(c('vma_alloc_folio', ['GFP_TRANSHUGE_LIGHT', '0', 'vma', 'addr']).kind).toBe('call');
    expect(c('kmalloc', ['sz', 'GFP_KERNEL & ~__GFP_DIRECT_RECLAIM']).kind).toBe('call');
    expect(c('vma_alloc_folio', ['GFP_TRANSHUGE', '0', 'vma', 'addr']).kind).toBe('may-sleep');
    // mm/huge_memory.c: every split may sleep (anon_vma / i_mmap rwsem).
    expect(c('split_folio', ['folio']).kind).toBe('may-sleep');
    expect(c('cond_resched', []).kind).toBe('may-sleep');
    expect(c('mutex_lock', ['&m'])).toMatchObject({ kind: 'lock', attrs: { lockClass: 'mutex', sleeps: true } });
    expect(c('page_vma_mapped_walk', ['&pvmw']).args).toMatchObject({ pte: 'pvmw.pte', lock: 'pvmw.ptl' });
  });

  it('unknown calls stay opaque; pure helpers vanish', () => {
    expect(classifyCall({ callee: 'vm_normal_page', args: ['vma', 'addr', 'pte'] })).toMatchObject({ kind: 'call', attrs: { opaque: true } });
    expect(classifyCall({ callee: 'pte_dirty', args: ['pte'] })).toBeNull();
    expect(classifyCall({ callee: 'list_for_each_entry', args: ['a', 'b', 'c'] })).toBeNull();
  });
});
