/**
 * The mms a function handles, by name. A system call can work on two: its own (current->mm, or one it pinned with
 * mmget()) and one that has no user yet — fork's child mm, which kernel/fork.c dup_mmap(mm, oldmm) fills while it
 * holds the parent's mmap lock killably (`mmap_write_lock_killable(oldmm)` → `-EINTR`). Evidence that the function
 * runs for a user task (rules/utils/task-context.ts) then says nothing about which of the two a gather is on.
 */
import type { FunctionImage } from '../../src/core/events.ts';
import { blankComments } from '../../src/c/blank-comments.ts';
import { paramName } from './contracts.ts';

const PLAIN = /^[A-Za-z_]\w*$/;

/**
 * Plain identifiers the image uses as an mm, other than `mm`: declared `struct mm_struct *`, or used as one. For an
 * mm that is no plain name (`tmp->vm_mm`), which of them it is cannot be told: when the image names two or more, all
 * are returned (any may be the one without users); with one or none, none.
 */
export function otherMms(image: FunctionImage, mm: string): string[] {
  if (!PLAIN.test(mm)) {
    const all = mmNames(image, '');
    return all.length >= 2 ? all : [];
  }
  return mmNames(image, mm);
}

function mmNames(image: FunctionImage, mm: string): string[] {
  const code = [blankComments(image.text), ...image.params].join('\n');
  const names = new Set<string>();
  const add = (re: RegExp): void => {
    for (const m of code.matchAll(re)) if (m[1] && m[1] !== mm) names.add(m[1]);
  };
  add(/\bstruct\s+mm_struct\s*\*\s*(?:const\s+)?([A-Za-z_]\w*)/g);
  add(/\b([A-Za-z_]\w*)\s*->\s*(?:mmap_lock|mmap_sem|mm_users|mm_count|mm_mt|map_count|pgd)\b/g);
  add(/\bmmap_(?:read|write)_(?:lock|unlock|trylock)\w*\s*\(\s*([A-Za-z_]\w*)\s*[,)]/g);
  // A parameter's own name is read from the parameter, not from the text above (`struct mm_struct *oldmm`).
  for (const p of image.params) if (/\bstruct\s+mm_struct\s*\*/.test(p) && paramName(p) !== mm && paramName(p)) names.add(paramName(p));
  return [...names].sort();
}
