/**
 * A range that is a vma's own bounds: `vma->vm_start` .. `vma->vm_end`, written directly or through locals assigned
 * from them once. Such a range covers every PUD region whose PMD table the vma shares: mm/hugetlb.c want_pmd_share()
 * shares a PMD table for `addr` only when `range_in_vma(vma, addr & PUD_MASK, (addr & PUD_MASK) + PUD_SIZE)`, and a
 * split of the vma unshares the tables it cuts (hugetlb_split() → hugetlb_unshare_pmds()). So huge_pmd_unshare() on
 * that vma clears a PUD entry whose whole region lies inside the range.
 */
import type { FunctionImage } from '../../src/core/events.ts';
import { blankComments } from '../../src/c/blank-comments.ts';
import { norm } from './paths.ts';

/** The vma whose `field` the expression is: written directly, or a local whose one write is `local = vma->field`. */
function boundOf(image: FunctionImage, expr: string | undefined, field: 'vm_start' | 'vm_end'): string | undefined {
  const e = norm(expr);
  const bound = new RegExp(`^([A-Za-z_]\\w*)\\s*->\\s*${field}$`);
  const direct = bound.exec(e);
  if (direct) return direct[1];
  if (!/^[A-Za-z_]\w*$/.test(e)) return undefined;
  const code = blankComments(image.text);
  // Every write: an assignment (plain or compound), an increment or decrement, or its address handed out.
  const writes = code.match(new RegExp(`(?<![\\w.>])${e}\\s*(?:(?:[-+*/|&^]|<<|>>)?=(?!=)|\\+\\+|--)|(?:\\+\\+|--|&)\\s*${e}\\b(?!\\s*(?:\\.|->))`, 'g')) ?? [];
  if (writes.length !== 1) return undefined;
  return new RegExp(`(?<![\\w.>])${e}\\s*=(?!=)\\s*([A-Za-z_]\\w*)\\s*->\\s*${field}\\s*[;,)]`).exec(code)?.[1];
}

/** Is [start, end) the whole of one vma's own range, and is that vma one of `vmas` (the change's vma argument)? */
export function wholeVmaRange(image: FunctionImage, start: string | undefined, end: string | undefined, vmas: readonly string[]): boolean {
  const a = boundOf(image, start, 'vm_start');
  const b = boundOf(image, end, 'vm_end');
  return a !== undefined && a === b && vmas.map((v) => norm(v)).includes(a);
}
