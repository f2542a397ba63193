/**
 * An mm the path itself just created (catalogue MM_WITHOUT_USERS: mm_alloc(), copy_init_mm()) and has neither loaded
 * on a CPU nor handed to anyone yet: no task runs on it and no CPU has it loaded, so no TLB holds a translation of
 * its entries and a change to them leaves nothing stale. Conservative: a switch_mm()/use_mm() anywhere in the
 * function, or a step of the path at or below a line that stores the mm somewhere else (`opal_mm = mm;`: published,
 * another CPU may switch to it) before the change, and it is not fresh.
 */
import type { EventPath, FunctionImage } from '../../src/core/events.ts';
import { MM_WITHOUT_USERS } from '../../src/kernel-api/catalogue.ts';
import { escapeRegExp } from '../../src/core/regexp.ts';
import { norm } from './paths.ts';

const LOADS_MM = /^(?:switch_mm(?:_irqs_off)?|use_mm|kthread_use_mm|activate_mm)$/;

/** Is `mm` (as an event argument names it) created fresh on the path before step `until`, and still unpublished? */
export function freshMmOnPath(image: FunctionImage, path: EventPath, mm: string | undefined, until: number): boolean {
  if (mm === undefined || !/^[A-Za-z_]\w*$/.test(norm(mm))) return false;
  const name = norm(mm);
  if (image.events.some((e) => LOADS_MM.test(e.callee))) return false;
  const made = path.steps.slice(0, until).findIndex((s) => s.step === 'event' && MM_WITHOUT_USERS.has(s.callee) && s.result !== undefined && norm(s.result) === name);
  if (made < 0) return false;
  // Lines (1-based) that store the mm elsewhere: `x = mm;`, `x->f = mm;` (not `mm = ...`, not a comparison).
  const store = new RegExp(`[\\w\\]>.)-]\\s*=\\s*${escapeRegExp(name)}\\s*;`);
  const assigns = new RegExp(`^\\s*${escapeRegExp(name)}\\s*=`);
  const published = image.text.split('\n').flatMap((l, i) => (store.test(l) && !assigns.test(l) ? [i + 1] : []));
  if (published.length === 0) return true;
  const first = Math.min(...published);
  return !path.steps.slice(made, until + 1).some((s) => s.loc.line >= first);
}
