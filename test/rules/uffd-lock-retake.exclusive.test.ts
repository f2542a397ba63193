// uffd-lock-retake staleValue (drop/re-take form) and the locks the code itself says it holds: an exclusive lock
// (mmap_lock / i_mmap_rwsem for write, taken or asserted) held across the drop keeps out the writers that need it
// but not rmap walkers, so the finding is at most inconclusive with that question; a shared hold, or an assertion
// in a comment, changes nothing. Also the reader of lock assertions (rules/utils/lock-assertions.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import rule from '../../rules/uffd-lock-retake.ts';
import { heldAssertions } from '../../rules/utils/lock-assertions.ts';
import { loadFixtureFunctions } from '../../src/rule-tester/load-functions.ts';
import { runRule } from '../../src/rule-tester/index.ts';

const FIXTURE = 'fixtures/rules/uffd-lock-retake/invalid-retake-under-mmap-write-lock.c';
const base = readFileSync(FIXTURE, 'utf8');

async function stale(text: string): Promise<Array<{ unknown?: string }>> {
  const fns = await loadFixtureFunctions('mm/cool.c', text);
  return fns.flatMap((f) => runRule(rule, f, fns)).filter((c) => c.messageId === 'staleValue').map((c) => ({ ...(c.hazard.unknown ? { unknown: c.hazard.unknown } : {}) }));
}

describe('uffd-lock-retake: exclusive locks across the drop', () => {
  it('an asserted mmap_lock write hold makes the stale install a question about writers outside it', async () => {
    const c = await stale(base);
    expect(c).toHaveLength(1);
    expect(c[0]?.unknown).toMatch(/mm->mmap_lock is held for write \(asserted at line 10\) across the drop: whether a writer that does not take it \(an rmap walker/);
  });
  it('so does an mmap_write_lock() taken on the path and an asserted i_mmap_rwsem write hold', async () => {
    const taken = base.replace('mmap_assert_write_locked(mm);', 'mmap_write_lock(mm);').replace(/return (\d);\n\}/, 'mmap_write_unlock(mm);\n\treturn $1;\n}');
    expect((await stale(taken))[0]?.unknown).toMatch(/mm->mmap_lock is held for write \(taken at line 10\)/);
    const immap = base.replace('mmap_assert_write_locked(mm);', 'i_mmap_assert_write_locked(vma->vm_file->f_mapping);');
    expect((await stale(immap))[0]?.unknown).toMatch(/vma->vm_file->f_mapping->i_mmap_rwsem is held for write/);
    const vmaWrite = base.replace('mmap_assert_write_locked(mm);', 'vma_assert_write_locked(vma);');
    expect((await stale(vmaWrite))[0]?.unknown).toMatch(/vma->vm_mm->mmap_lock is held for write \(asserted at line 10\)/);
  });
  it('a shared hold, a hold dropped before the drop, or an assertion in a comment leave the finding confirmable', async () => {
    expect(await stale(base.replace('mmap_assert_write_locked(mm);', 'mmap_assert_locked(mm);'))).toEqual([{}]);
    expect(await stale(base.replace('mmap_assert_write_locked(mm);', '/* mmap_assert_write_locked(mm); */'))).toEqual([{}]);
    const downgraded = base.replace('mmap_assert_write_locked(mm);', 'mmap_write_lock(mm);').replace('\told = ptep_get(ptep);\n', '\told = ptep_get(ptep);\n\tmmap_write_unlock(mm);\n');
    expect(await stale(downgraded)).toEqual([{}]);
  });
  it('a helper the analysis does not see, handed the entry after the re-take, is a question, not a re-validation', async () => {
    const text = readFileSync('fixtures/rules/uffd-lock-retake/invalid-retake-helper-may-compare-entry.c', 'utf8');
    const c = await stale(text);
    expect(c).toHaveLength(1);
    expect(c[0]?.unknown).toMatch(/whether soft_age_unchanged\(\) \(line \d+\), handed the entry after the re-take, compares it with the value read before the drop/);
    // Not handed the entry: no question, the claim stands.
    const blind = await stale(readFileSync('fixtures/rules/uffd-lock-retake/invalid-retake-helper-not-handed-entry.c', 'utf8'));
    expect(blind).toEqual([{}]);
  });
  it('reads lock assertions as the lock model names locks', async () => {
    const text = `static void held_here(struct vm_fault *vmf, struct address_space *mapping, struct mm_struct *mm)
{
	lockdep_assert_held(vmf->ptl);
	assert_spin_locked(&mm->page_table_lock);
	lockdep_assert_held_write(&mapping->i_mmap_rwsem);
	mmap_assert_locked(mm);
	/* lockdep_assert_held(other); */
}
`;
    const [fn] = await loadFixtureFunctions('mm/held.c', text);
    const got = heldAssertions(fn!.post!).map((a) => [a.callee, a.lock, a.cls, a.mode]);
    expect(got).toEqual([
      ['lockdep_assert_held', 'vmf->ptl', 'ptl', 'any'],
      ['assert_spin_locked', 'mm->page_table_lock', 'pmd-ptl', 'write'],
      ['lockdep_assert_held_write', 'mapping->i_mmap_rwsem', 'i_mmap', 'write'],
      ['mmap_assert_locked', 'mm->mmap_lock', 'mmap', 'any'],
    ]);
  });
});
