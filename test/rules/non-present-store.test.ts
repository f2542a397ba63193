// rules/utils/non-present-store.ts: a store of a migration/swap entry built on the path is an empty entry for the
// model; a value reassigned from anything else in between is stored as it is.
import { describe, expect, it } from 'vitest';
import { functionsOfSource } from '../../src/rule-tester/load-functions.ts';
import { modelNonPresentStores } from '../../rules/utils/non-present-store.ts';
import type { EventPath } from '../../src/core/events.ts';

const src = (between: string): string => `static void park_one(struct mm_struct *mm, unsigned long addr, pte_t *ptep, struct page *page, pte_t orig)
{
	swp_entry_t entry;
	pte_t swp_pte;

	ptep_get_and_clear(mm, addr, ptep);
	entry = make_readable_migration_entry(page_to_pfn(page));
	swp_pte = swp_entry_to_pte(entry);
${between}
	set_pte_at(mm, addr, ptep, swp_pte);
}
`;

const storeEffects = (p: EventPath): unknown[] =>
  p.steps.filter((s) => s.step === 'event' && s.kind === 'pte-set').map((s) => (s.step === 'event' ? s.attrs.effects : undefined));

describe('modelNonPresentStores', () => {
  it('a migration entry built on the path is stored as an empty entry', async () => {
    const img = (await functionsOfSource(src(''), 'test/nps.c'))[0]!.post!;
    for (const p of img.paths) expect(storeEffects(modelNonPresentStores(p, img))).toEqual([['clear']]);
  });
  it('a non-present constructor applied again in between keeps it non-present', async () => {
    const img = (await functionsOfSource(src('\tswp_pte = pte_swp_mksoft_dirty(swp_pte);'), 'test/nps.c'))[0]!.post!;
    for (const p of img.paths) expect(storeEffects(modelNonPresentStores(p, img))).toEqual([['clear']]);
  });
  it('a constructor written in the store itself is an empty entry; another call is stored as it is', async () => {
    const inline = (value: string): string => `static void park_inline(struct mm_struct *mm, unsigned long addr, pte_t *ptep, struct page *page)
{
	swp_entry_t entry;

	ptep_get_and_clear(mm, addr, ptep);
	entry = make_readable_migration_entry(page_to_pfn(page));
	set_pte_at(mm, addr, ptep, ${value});
}
`;
    const img = (await functionsOfSource(inline('swp_entry_to_pte(entry)'), 'test/nps.c'))[0]!.post!;
    for (const p of img.paths) expect(storeEffects(modelNonPresentStores(p, img))).toEqual([['clear']]);
    const other = (await functionsOfSource(inline('pte_mkwrite(entry_pte(entry))'), 'test/nps.c'))[0]!.post!;
    for (const p of other.paths) expect(storeEffects(modelNonPresentStores(p, other))).not.toEqual([['clear']]);
  });
  it('the variable reassigned from another value in between is stored as it is', async () => {
    const img = (await functionsOfSource(src('\tswp_pte = orig;'), 'test/nps.c'))[0]!.post!;
    for (const p of img.paths) expect(storeEffects(modelNonPresentStores(p, img))).not.toEqual([['clear']]);
  });
});
