// A branch on a failable call written in its condition (`if (!mmu_notifier_invalidate_range_start_nonblock(&r))`)
// stays on the paths even when its arms differ only in opaque calls: on one arm the call did its work, on the other
// nothing (src/c/result-tests.ts). A branch on anything else whose arms differ only in opaque calls is still sliced.
import { describe, expect, it } from 'vitest';
import { analyzeFunctionText } from '../../src/c/analyze.ts';
import type { EventPath } from '../../src/core/events.ts';

function show(p: EventPath): string {
  return p.steps
    .map((s) => (s.step === 'event' ? (s.kind === 'call' ? s.callee : s.kind) : s.kind === 'branch' ? `${s.taken ? '+' : '-'}(${s.cond})` : s.kind))
    .join(' ');
}

const fn = (cond: string): string => `static bool trim_one(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct mmu_notifier_range range;
	bool done = true;

	mmu_notifier_range_init(&range, MMU_NOTIFY_UNMAP, 0, mm, vma->vm_start, vma->vm_end);
	if (${cond})
		trim_range(vma, range.start, range.end);
	else
		done = false;
	mmu_notifier_invalidate_range_end(&range);
	return done;
}
`;

describe('branches on a failable call in the condition', () => {
  it('keeps `if (!…_start_nonblock(&range))` whose arms differ only in an opaque call', async () => {
    const r = await analyzeFunctionText(fn('!mmu_notifier_invalidate_range_start_nonblock(&range)'));
    const shown = r.paths.map(show);
    expect(shown).toHaveLength(2);
    expect(shown.some((s) => /\+\(!mmu_notifier_invalidate_range_start_nonblock\(&range\)\) trim_range notifier-end/.test(s))).toBe(true);
    expect(shown.some((s) => /-\(!mmu_notifier_invalidate_range_start_nonblock\(&range\)\) notifier-end/.test(s))).toBe(true);
  });
  it('still slices a branch on a plain flag whose arms differ only in an opaque call', async () => {
    const r = await analyzeFunctionText(fn('vma->vm_flags & VM_LOCKED'));
    expect(r.paths.map(show)).toEqual(['notifier-range-init notifier-end return']);
  });
});
