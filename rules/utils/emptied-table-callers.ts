/**
 * Which mmap_lock mode the callers of a function hold at the call, for a function that only asserts
 * `mmap_assert_locked()` (include/linux/mmap_lock.h: lockdep_assert_held() of the rwsem — held for read OR write).
 * The assertion says the function may run under a read hold; whether it does is the callers' business: an emptied
 * table's gap (rules/utils/emptied-table.ts) is open to a userfaultfd fill only under a read hold.
 *
 * - `read`: some visible caller reaches the call holding mmap_lock for read (mmap_read_lock*() on its path, not
 *   released, or its own `mmap_assert_read_locked()` / `lockdep_assert_held_read()`).
 * - `write`: there are visible call sites and every one holds it for write (mmap_write_lock*() on its path, or a
 *   write assertion, or vma_start_write()).
 * - `unknown`: no visible caller, or a site whose mode the caller does not show.
 */
import type { EventPath, FunctionImage } from '../../src/core/events.ts';
import { UFFD_FILL } from '../../src/kernel-api/emptied-table.ts';
import type { CallSite } from './contracts.ts';
import { heldAssertions } from './lock-assertions.ts';
import { stripStep } from './paths.ts';

export type CallerMode = 'read' | 'write' | 'unknown';

/** The mmap_lock mode held at step `index` of a caller's path, as the caller shows it. */
function modeAt(image: FunctionImage, path: EventPath, index: number, line: number): CallerMode {
  let mode: CallerMode = 'unknown';
  for (const a of heldAssertions(image)) {
    if (a.cls !== 'mmap' || a.line > line) continue;
    if (a.mode === 'write') mode = 'write';
    else if (a.mode === 'read' && mode !== 'write') mode = 'read';
  }
  for (const s of path.steps.slice(0, index)) {
    if (s.step !== 'event') continue;
    const ev = stripStep(s);
    if (ev.kind === 'mmap-lock' || (ev.kind === 'trylock' && ev.attrs.lockClass === 'mmap')) mode = ev.attrs.mode === 'write' ? 'write' : ev.attrs.mode === 'read' ? 'read' : 'unknown';
    else if (ev.kind === 'mmap-unlock') mode = 'unknown';
    else if (ev.kind === 'call' && /^mmap_write_downgrade$/.test(ev.callee)) mode = 'read';
    else if (ev.kind === 'call' && UFFD_FILL.writeLocked.test(ev.callee)) mode = 'write';
    else if (ev.kind === 'call' && UFFD_FILL.readLocked.test(ev.callee)) mode = 'read';
  }
  return mode;
}

/** The callers' verdict over the visible call sites (see the module comment). */
export function callersMmapMode(sites: readonly CallSite[]): CallerMode {
  if (sites.length === 0) return 'unknown';
  const modes = sites.map((s) => modeAt(s.image, s.path, s.index, s.event.loc.line));
  if (modes.includes('read')) return 'read';
  return modes.every((m) => m === 'write') ? 'write' : 'unknown';
}
