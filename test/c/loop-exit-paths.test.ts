/**
 * Path equivalence keeps a loop left by `break` apart from the same loop left by its condition: the cursor the loop
 * advances (`pte++`) differs, which an unlock of `pte - 1` after the loop depends on (a walk that breaks out before
 * its first `pte++` unmaps the entry before the table).
 */
import { describe, expect, it } from 'vitest';
import { analyzeFunctionText } from '../../src/c/analyze.ts';

// The tail of a PTE walk, as a hunk shows it: the loop's head is above the hunk.
const TAIL = `		} else
			break;
	}
	pte_unmap_unlock(pte - 1, ptl);
	cond_resched();
	return addr != end ? -EIO : 0;`;

describe('loop exits in path equivalence', () => {
  it('keeps a break exit of an event-free loop visit as its own path', async () => {
    const img = await analyzeFunctionText(TAIL, { fragment: true });
    const exits = img.paths.map((p) => p.steps.flatMap((s) => (s.step === 'control' && s.kind === 'loop-exit' ? [s.via] : [])).join(','));
    expect(exits).toContain('break');
    expect(exits).toContain('cond');
  });
});
