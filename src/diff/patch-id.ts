// Computes a `git patch-id --stable` equivalent from parsed file diffs, so rerolls of a patch can be matched.

import { createHash } from 'node:crypto';
import type { FileDiff } from '../core/patch.ts';

function noSpace(s: string): string {
  return s.replace(/\s+/g, '');
}

/**
 * Hash of the diff with whitespace and line numbers removed, summed per file (order-independent), as
 * `git patch-id --stable` does: per file SHA-1 over `diff --git a/X b/Y`, `--- a/X`, `+++ b/Y` and every hunk line
 * (sign + text) with all whitespace removed, `@@` lines skipped; the 20-byte digests are added bytewise with carry.
 * Matches git for modified files; mode lines of added/deleted files are not kept by the parser and so not hashed.
 * Returns undefined when there is nothing to hash.
 */
export function computePatchId(files: FileDiff[]): string | undefined {
  const sum = new Uint8Array(20);
  let any = false;
  for (const f of files) {
    if (f.hunks.length === 0 && !f.binary) continue;
    const h = createHash('sha1');
    const oldP = f.oldPath ?? f.newPath ?? '?';
    const newP = f.newPath ?? f.oldPath ?? '?';
    h.update(noSpace(`diff --git a/${oldP} b/${newP}`));
    if (f.binary) {
      h.update(noSpace(`binary ${oldP} ${newP}`));
    } else {
      h.update(noSpace(f.oldPath === undefined && f.status === 'added' ? '--- /dev/null' : `--- a/${oldP}`));
      h.update(noSpace(f.newPath === undefined && f.status === 'deleted' ? '+++ /dev/null' : `+++ b/${newP}`));
      for (const hunk of f.hunks) {
        for (const l of hunk.lines) {
          const sign = l.type === 'add' ? '+' : l.type === 'del' ? '-' : ' ';
          h.update(noSpace(sign + l.text));
        }
      }
    }
    const d = h.digest();
    let carry = 0;
    for (let i = 0; i < 20; i++) {
      carry += sum[i]! + d[i]!;
      sum[i] = carry & 0xff;
      carry >>= 8;
    }
    any = true;
  }
  return any ? Buffer.from(sum).toString('hex') : undefined;
}
