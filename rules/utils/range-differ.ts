/**
 * Are two notifier ranges, as written, different values on every completion of the unseen code? Textually different
 * bounds may still be equal (`address & HPAGE_PMD_MASK` and `address` when the caller passed an aligned address, two
 * locals assigned the same value out of sight). Only a difference the text itself settles counts: the same base plus
 * a different size (`addr + PAGE_SIZE` against `addr + HPAGE_PMD_SIZE`, or `addr` against `addr + PAGE_SIZE`).
 */
import { norm } from './paths.ts';

/** Size constants by value class: PMD_SIZE and HPAGE_PMD_SIZE are one size wherever both exist. */
const SIZE_CLASS: Readonly<Record<string, string>> = {
  PAGE_SIZE: 'page',
  PMD_SIZE: 'pmd',
  HPAGE_PMD_SIZE: 'pmd',
  PUD_SIZE: 'pud',
  HPAGE_PUD_SIZE: 'pud',
};

/** `base + SIZE` → [base, size class]; a bound with no size term → [bound, 'none']. Undefined when unreadable. */
function split(bound: string): [string, string] | undefined {
  const b = norm(bound).replace(/\s+/g, '');
  const m = /^(.+)\+([A-Z_]+)$/.exec(b);
  if (m) {
    const cls = SIZE_CLASS[m[2] as string];
    if (!cls) return undefined;
    return [strip(m[1] as string), cls];
  }
  return [strip(b), 'none'];
}

function strip(x: string): string {
  let s = x;
  while (/^\((.*)\)$/.test(s) && balanced(s.slice(1, -1))) s = s.slice(1, -1);
  return s;
}

function balanced(x: string): boolean {
  let d = 0;
  for (const c of x) {
    if (c === '(') d++;
    else if (c === ')' && --d < 0) return false;
  }
  return d === 0;
}

/** Do two bounds provably differ (same base, different size term)? */
export function boundsDiffer(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const x = split(a);
  const y = split(b);
  return x !== undefined && y !== undefined && x[0] === y[0] && x[1] !== y[1];
}

/** Do two `start..end` range keys provably differ (either bound)? */
export function rangesDiffer(a: string, b: string): boolean {
  const pa = a.split('..');
  const pb = b.split('..');
  if (pa.length !== 2 || pb.length !== 2) return false;
  return boundsDiffer(pa[0], pb[0]) || boundsDiffer(pa[1], pb[1]);
}
