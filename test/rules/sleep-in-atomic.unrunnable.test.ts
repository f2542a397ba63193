/**
 * sleep-in-atomic: claims that hold only on paths the code cannot run, or across code the tool cannot see.
 * - a section opened and closed under the same test, taken one way then the other (unrunnable-release.ts);
 * - a spinlock release with _irq / _irqrestore / _bh ends an irq / softirq section opened before the lock;
 * - a helper that reschedules through cond_resched_lock() on its caller's lock takes it by contract;
 * - an asserted lock handed, by its owner, to a helper the patch does not show (entry-lock-release.ts);
 * - a static helper of another file that shares a name is another function (contracts.ts callReaches()).
 * Each with the true finding next to it, still confirmed. Patches are written here: a whole-file hunk per file, from
 * lines marked ' ', '+' or '-'.
 */
import { describe, expect, it } from 'vitest';
import { checkPatches } from '../../src/engine/index.ts';
import { extractPatchesFromText } from '../../src/sources/index.ts';

/** A whole-file diff of `path` from marked lines (' ' both sides, '-' old only, '+' new only). */
function fileDiff(path: string, marked: string): string {
  const lines = marked.replace(/^\n/, '').replace(/\n$/, '').split('\n').map((l) => (l === '' ? ' ' : l));
  const oldN = lines.filter((l) => l[0] !== '+').length;
  const newN = lines.filter((l) => l[0] !== '-').length;
  return `diff --git a/${path} b/${path}\nindex 1111111..2222222 100644\n--- a/${path}\n+++ b/${path}\n@@ -1,${oldN} +1,${newN} @@\n${lines.join('\n')}\n`;
}

function patchOf(...files: string[]): string {
  return `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: Fixture Author <fixtures@mmreview.invalid>\nSubject: [PATCH] mm: fixture\n\n---\n${files.join('')}`;
}

async function findings(text: string): Promise<Array<[string, string]>> {
  const patches = extractPatchesFromText(text, { kind: 'patch-file', name: 'fixture.patch' }).patches;
  const report = await checkPatches(patches, {});
  return report.findings.filter((f) => f.rule === 'sleep-in-atomic').map((f) => [f.function, f.status]);
}

const TALLY = (open: string, close: string): string => `
 // SPDX-License-Identifier: GPL-2.0
 #include <linux/mm.h>

 static unsigned long tally_span(struct vm_area_struct *vma, struct tally *t,
 				unsigned long start, unsigned long end)
 {
 	unsigned long nr;

${open}
 	nr = tally_walk(vma, start, end);
${close}
+	mutex_lock(&t->stat_mutex);
+	t->total += nr;
+	mutex_unlock(&t->stat_mutex);
 	return nr;
 }
`;

describe('sleep-in-atomic: a path that releases what it did not take', () => {
  it('a section opened and closed under the same test is not claimed on the mixed paths', async () => {
    const open = ' \tif (vma_is_anonymous(vma))\n \t\trcu_read_lock();\n \telse\n \t\ti_mmap_lock_read(vma->vm_file->f_mapping);';
    const close = ' \tif (vma_is_anonymous(vma))\n \t\trcu_read_unlock();\n \telse\n \t\ti_mmap_unlock_read(vma->vm_file->f_mapping);';
    const out = await findings(patchOf(fileDiff('mm/tally.c', TALLY(open, close))));
    expect(out.filter(([, s]) => s === 'confirmed')).toEqual([]);
  });
  it('nor a spinlock taken and dropped under the same test', async () => {
    const open = ' \tif (vma_is_anonymous(vma))\n \t\tspin_lock(&t->lock);\n \telse\n \t\ti_mmap_lock_read(vma->vm_file->f_mapping);';
    const close = ' \tif (vma_is_anonymous(vma))\n \t\tspin_unlock(&t->lock);\n \telse\n \t\ti_mmap_unlock_read(vma->vm_file->f_mapping);';
    const out = await findings(patchOf(fileDiff('mm/tally.c', TALLY(open, close))));
    expect(out.filter(([, s]) => s === 'confirmed')).toEqual([]);
  });
  it('the section left open on the path that runs is still confirmed', async () => {
    const open = ' \tif (vma_is_anonymous(vma))\n \t\trcu_read_lock();\n \telse\n \t\ti_mmap_lock_read(vma->vm_file->f_mapping);';
    const close = ' \tif (!vma_is_anonymous(vma))\n \t\ti_mmap_unlock_read(vma->vm_file->f_mapping);';
    expect(await findings(patchOf(fileDiff('mm/tally.c', TALLY(open, close))))).toContainEqual(['tally_span', 'confirmed']);
  });
});

const KICK = (disable: string, release: string): string => `
 // SPDX-License-Identifier: GPL-2.0
 #include <linux/mm.h>

 void reclaim_queue_kick(struct reclaim_queue *q)
 {
 	unsigned long pending, flags;

${disable}
 	spin_lock(&q->lock);
 	pending = q->pending;
 	q->pending = 0;
${release}
 	if (!pending)
 		return;
+	mutex_lock(&q->mutex);
 	reclaim_queue_run(q, pending);
+	mutex_unlock(&q->mutex);
 }
`;

describe('sleep-in-atomic: a spinlock release that ends an irq / softirq section', () => {
  it('spin_unlock_irq() ends the section of local_irq_disable()', async () => {
    expect(await findings(patchOf(fileDiff('mm/reclaim-queue.c', KICK(' \tlocal_irq_disable();', ' \tspin_unlock_irq(&q->lock);'))))).toEqual([]);
  });
  it('spin_unlock_irqrestore() ends the section of local_irq_save()', async () => {
    expect(await findings(patchOf(fileDiff('mm/reclaim-queue.c', KICK(' \tlocal_irq_save(flags);', ' \tspin_unlock_irqrestore(&q->lock, flags);'))))).toEqual([]);
  });
  it('spin_unlock_bh() ends the section of local_bh_disable()', async () => {
    expect(await findings(patchOf(fileDiff('mm/reclaim-queue.c', KICK(' \tlocal_bh_disable();', ' \tspin_unlock_bh(&q->lock);'))))).toEqual([]);
  });
  it('a plain spin_unlock() leaves interrupts off: still confirmed', async () => {
    expect(await findings(patchOf(fileDiff('mm/reclaim-queue.c', KICK(' \tlocal_irq_disable();', ' \tspin_unlock(&q->lock);'))))).toEqual([['reclaim_queue_kick', 'confirmed']]);
  });
});

const TABLES = (sleep: string): string => `
 // SPDX-License-Identifier: GPL-2.0
 #include <linux/mm.h>

 static void pgd_cache_trim(struct mm_struct *mm, struct pgd_cache *pc)
 {
 	do {
 		struct page *page = pc->pages[--pc->nr];

 		pte_free(mm, page);
${sleep}
 	} while (pc->nr);
 }

 void pgd_cache_drain(struct mm_struct *mm, struct pgd_cache *pc)
 {
-	if (!pc->nr)
+	if (!READ_ONCE(pc->nr))
 		return;
 	spin_lock(&mm->page_table_lock);
 	pgd_cache_trim(mm, pc);
 	spin_unlock(&mm->page_table_lock);
 }
`;

describe('sleep-in-atomic: cond_resched_lock() of the caller\'s lock', () => {
  it('a helper rescheduling on the lock its caller holds drops it: nothing', async () => {
    expect(await findings(patchOf(fileDiff('mm/pgd-cache.c', TABLES('+\t\tcond_resched_lock(&mm->page_table_lock);'))))).toEqual([]);
  });
  it('a helper that sleeps otherwise under it: confirmed', async () => {
    expect((await findings(patchOf(fileDiff('mm/pgd-cache.c', TABLES('+\t\tcond_resched();'))))).some(([, s]) => s === 'confirmed')).toBe(true);
  });
});

const SHARED = (helper: string): string => `
 // SPDX-License-Identifier: GPL-2.0
 #include <linux/mm.h>

 static vm_fault_t shared_fault_finish(struct vm_fault *vmf, struct folio *folio)
 {
 	vm_fault_t ret = 0;

+	lockdep_assert_held(vmf->ptl);
+
 	folio_get(folio);
${helper}
 	folio_lock(folio);
 	ret |= shared_fault_commit(vmf->vma, folio);
 	folio_unlock(folio);
 	folio_put(folio);
 	return ret;
 }
`;

describe('sleep-in-atomic: an asserted lock handed to a helper the patch does not show', () => {
  it('the helper is given the lock\'s owner: it may drop it, not confirmed', async () => {
    const out = await findings(patchOf(fileDiff('mm/shared-fault.c', SHARED(' \tshared_fault_unlock_pte(vmf);'))));
    expect(out.filter(([, s]) => s === 'confirmed')).toEqual([]);
  });
  it('a helper given something else: still confirmed', async () => {
    expect(await findings(patchOf(fileDiff('mm/shared-fault.c', SHARED(' \tshared_fault_account(folio);'))))).toEqual([['shared_fault_finish', 'confirmed']]);
  });
});

const FLUSHER = `
 // SPDX-License-Identifier: GPL-2.0
 #include <linux/mm.h>

 static void batch_empty(struct pcp_stash *s)
 {
 	s->count = 0;
 }

 void pcp_stash_flush(struct pcp_stash *s)
 {
+	if (!s->count)
+		return;
 	spin_lock(&s->lock);
 	batch_empty(s);
 	spin_unlock(&s->lock);
 }
`;

const SLEEPER = (storage: string): string => `
 // SPDX-License-Identifier: GPL-2.0
 #include <linux/mm.h>

 ${storage}void batch_empty(struct lru_stash *s)
 {
+	mutex_lock(&s->mutex);
 	s->count = 0;
+	mutex_unlock(&s->mutex);
 }
`;

describe('sleep-in-atomic: functions of two files that share a name', () => {
  it('a static helper of another file that now sleeps is not the one called under the lock', async () => {
    const out = await findings(patchOf(fileDiff('mm/pcp-stash.c', FLUSHER), fileDiff('mm/lru-stash.c', SLEEPER('static '))));
    expect(out).toEqual([]);
  });
  it('one of the same file that now sleeps is: confirmed', async () => {
    const out = await findings(patchOf(fileDiff('mm/pcp-stash.c', FLUSHER.replace(' static void batch_empty(struct pcp_stash *s)\n {\n', ' static void batch_empty(struct pcp_stash *s)\n {\n+\tmutex_lock(&s->mutex);\n'))));
    expect(out).toEqual([['pcp_stash_flush', 'confirmed']]);
  });
  it('a non-static one of another file may be the one called: confirmed', async () => {
    const out = await findings(patchOf(fileDiff('mm/pcp-stash.c', FLUSHER.replace(/ static void batch_empty[^]*?}\n\n/, '')), fileDiff('mm/lru-stash.c', SLEEPER(''))));
    expect(out).toEqual([['pcp_stash_flush', 'confirmed']]);
  });
});
