/** Config validation, glob matching and the cheap relevance filter. */
import { describe, expect, it } from 'vitest';
import { configDefaults, parseConfig } from '../../src/app/config.ts';
import { globMatches } from '../../src/app/glob.ts';
import { patchUsesMmApi, relevanceFilter } from '../../src/app/relevance.ts';
import { fixture } from './helpers/scenario.ts';

describe('parseConfig', () => {
  it('gives the defaults for a missing file and for the defaults object', () => {
    const a = parseConfig(null);
    const b = parseConfig(configDefaults());
    expect(a).toStrictEqual(b);
    expect(a).toMatchObject({ ok: true, config: { report: 'confirmed', maxInlineComments: 30, detectApis: true } });
  });

  it('names every wrong key, sorted, including unknown ones', () => {
    const r = parseConfig({ arch: ['x86', 'mips'], report: 'loud', maxInlineComments: -1, rulez: [] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.key)).toStrictEqual(['arch.1', 'maxInlineComments', 'report', 'rulez']);
    expect(r.issues.find((i) => i.key === 'rulez')?.message).toBe('unknown key');
  });

  it('rejects a non-object document and a bad rule id', () => {
    expect(parseConfig('just text')).toMatchObject({ ok: false, issues: [{ key: '(root)' }] });
    expect(parseConfig({ rules: ['Flush Under PTL'] })).toMatchObject({ ok: false, issues: [{ key: 'rules.0' }] });
  });

  it('keeps rules and arch only when non-empty', () => {
    const r = parseConfig({ rules: [], arch: ['arm64'] });
    expect(r).toMatchObject({ ok: true });
    if (!r.ok) return;
    expect(r.config.rules).toBeUndefined();
    expect(r.config.arch).toStrictEqual(['arm64']);
  });
});

describe('globMatches', () => {
  it.each([
    ['mm/**', 'mm/memory.c', true],
    ['mm/**', 'mm/damon/core.c', true],
    ['mm/**', 'mmx/memory.c', false],
    ['arch/*/mm/**', 'arch/x86/mm/tlb.c', true],
    ['arch/*/mm/**', 'arch/x86/kernel/mm/tlb.c', false],
    ['**/*.h', 'include/linux/mm.h', true],
    ['**/*.h', 'mm.h', true],
    ['include/linux/mm*.h', 'include/linux/mm_types.h', true],
    ['{mm,kernel}/*.c', 'kernel/fork.c', true],
    ['fs/proc/task_mm?.c', 'fs/proc/task_mmu.c', true],
    ['drivers/[a-g]*/**', 'drivers/gpu/drm/x.c', true],
    ['drivers/[!a-g]*/**', 'drivers/gpu/drm/x.c', false],
  ])('%s ~ %s = %s', (glob, path, expected) => {
    expect(globMatches(glob)(path)).toBe(expected);
  });
});

describe('relevance', () => {
  const ok = parseConfig(null);
  if (!ok.ok) throw new Error('defaults must validate');
  const rel = relevanceFilter(ok.config);

  it('takes mm/ C files by path and others by API use', () => {
    expect(rel({ filename: 'mm/mapping_clean.c', status: 'modified', patch: fixture('mapping_clean.bug.patch') })).toStrictEqual({ relevant: true, reason: 'path' });
    expect(rel({ filename: 'drivers/gpu/drm/ttm/ttm_dirty.c', status: 'added', patch: fixture('ttm_dirty.c.patch') })).toStrictEqual({ relevant: true, reason: 'api' });
    expect(rel({ filename: 'include/linux/mapping_clean.h', status: 'added', patch: fixture('mapping_clean.h.patch') })).toStrictEqual({ relevant: false, reason: 'no-mm-api' });
    expect(rel({ filename: 'mm/Makefile', status: 'modified', patch: fixture('Makefile.patch') })).toStrictEqual({ relevant: false, reason: 'not-c' });
    expect(rel({ filename: 'mm/old.c', status: 'removed', patch: '@@ -1 +0,0 @@\n-x\n' })).toStrictEqual({ relevant: false, reason: 'removed' });
    expect(rel({ filename: 'mm/huge.c', status: 'modified' })).toStrictEqual({ relevant: false, reason: 'no-patch' });
  });

  it('honours ignore and detectApis', () => {
    const c = parseConfig({ ignore: ['mm/kasan/**'], detectApis: false });
    if (!c.ok) throw new Error('valid');
    const r = relevanceFilter(c.config);
    expect(r({ filename: 'mm/kasan/init.c', status: 'modified', patch: '@@ -1 +1 @@\n-a\n+b\n' })).toMatchObject({ relevant: false, reason: 'ignored' });
    expect(r({ filename: 'drivers/gpu/drm/ttm/ttm_dirty.c', status: 'added', patch: fixture('ttm_dirty.c.patch') })).toMatchObject({ relevant: false });
  });

  it('recognises API calls, not mere mentions', () => {
    expect(patchUsesMmApi('+\tflush_tlb_range(vma, start, end);')).toBe(true);
    expect(patchUsesMmApi(' \tmmu_notifier_invalidate_range_start(&range);')).toBe(true);
    expect(patchUsesMmApi('+ * see flush_tlb_range for details')).toBe(false);
    expect(patchUsesMmApi('+\tprintk("hello");')).toBe(false);
  });
});

describe('relevance of notifier internals', () => {
  it('sees __mmu_notifier_* and ops-> callbacks', () => {
    expect(patchUsesMmApi('@@ -1 +1 @@ void __mmu_notifier_change_pte(struct mm_struct *mm)')).toBe(true);
    expect(patchUsesMmApi('-\t\t\tmn->ops->invalidate_page(mn, mm, address);')).toBe(true);
    expect(patchUsesMmApi('+\tsubscription->ops->invalidate_range_start(subscription, range);')).toBe(true);
    expect(patchUsesMmApi('+\tmy_mmu_notifier_helper(x);')).toBe(false);
  });
});
