// rules/utils/range-differ.ts: only a difference the text settles (same base, another size) counts.
import { describe, expect, it } from 'vitest';
import { boundsDiffer, rangesDiffer } from '../../rules/utils/range-differ.ts';

describe('range-differ', () => {
  it('same base, another size: different', () => {
    expect(boundsDiffer('haddr + HPAGE_PMD_SIZE', 'haddr+PAGE_SIZE')).toBe(true);
    expect(boundsDiffer('addr', 'addr + PAGE_SIZE')).toBe(true);
    expect(rangesDiffer('a..a+HPAGE_PMD_SIZE', 'a..a+PAGE_SIZE')).toBe(true);
  });
  it('sizes of one value class, other bases, masks: not settled', () => {
    expect(boundsDiffer('a + PMD_SIZE', 'a + HPAGE_PMD_SIZE')).toBe(false);
    expect(boundsDiffer('address & HPAGE_PMD_MASK', 'address')).toBe(false);
    expect(boundsDiffer('(address&HPAGE_PMD_MASK)+HPAGE_PMD_SIZE', 'address+HPAGE_PMD_SIZE')).toBe(false);
    expect(boundsDiffer('start', 'mmun_start')).toBe(false);
    expect(boundsDiffer('a + sz', 'a + PAGE_SIZE')).toBe(false);
    expect(rangesDiffer('range:range', 'a..b')).toBe(false);
  });
});
