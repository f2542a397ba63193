/**
 * Evidence in the visible code that a function runs for a user task's system call (process context that takes
 * signals), not in a kernel thread or the exit path:
 * - a `__user` parameter: it is handed a user-space pointer (a syscall, a file operation's read/write handler),
 *   in the function's own header or, for a fragment, in the hunk header's function line;
 * - a killable or interruptible mmap_lock acquisition on the path (mmap_read_lock_killable(),
 *   mmap_write_lock_killable()): the wait ends on a signal, which only a user task receives;
 * - an `-EINTR` result set or returned above the line: the function reports an interrupted wait to its caller.
 * Kernel threads (khugepaged, the OOM reaper) use mmap_read_trylock() or plain locks and never take signals; the
 * exit path (exit_mmap()) returns nothing.
 */
import type { FunctionImage, PathStep } from '../../src/core/events.ts';
import { blankComments } from '../../src/c/blank-comments.ts';

const KILLABLE_MMAP = /^(?:mmap_(?:read|write)_lock_killable|down_(?:read|write)_killable)$/;

/** The first evidence of a user task's system call before image line `line`, described; undefined when none. */
export function syscallEvidence(image: FunctionImage, before: readonly PathStep[], line: number): string | undefined {
  const user = [...image.params, ...(image.headerParams ?? [])].find((p) => /\b__user\b/.test(p));
  if (user) return `its parameter \`${user}\` is a user-space pointer`;
  for (const s of before) {
    if (s.step === 'event' && KILLABLE_MMAP.test(s.callee) && /mmap_lock|mmap_sem|\bmm\b/.test(s.text)) return `${s.callee}() waits for the mmap lock until a signal`;
  }
  // Comments blanked across lines (a ` * we return -EINTR` inside a block comment is no evidence).
  const lines = blankComments(image.text).split('\n');
  for (let l = 0; l < Math.min(lines.length, line - 1); l++) {
    const code = lines[l] ?? '';
    if (/(?:=|\breturn)\s*-EINTR\b/.test(code)) return `line ${image.lineInfo[l]?.fileLine ?? l + 1} exits with -EINTR (a wait a signal interrupted)`;
  }
  return undefined;
}
