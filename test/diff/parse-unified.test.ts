// Tests for parseUnifiedDiff, the tolerant hunk reader and patch-id, on fixtures written for mmreview.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import parseDiff from 'parse-diff';
import { describe, expect, it } from 'vitest';
import { computePatchId } from '../../src/diff/patch-id.ts';
import { parseUnifiedDiff } from '../../src/sources/index.ts';

const FIX = join(import.meta.dirname, '../../fixtures/inputs');
const read = (n: string): string => readFileSync(join(FIX, n), 'utf8');

describe('parseUnifiedDiff', () => {
  it('parses a format-patch diff with exact line numbers and input lines', () => {
    const text = read('format-patch-single.patch');
    const { files, problems } = parseUnifiedDiff(text);
    expect(problems).toEqual([]);
    expect(files).toHaveLength(1);
    const f = files[0]!;
    expect(f).toMatchObject({ oldPath: 'mm/mprotect.c', newPath: 'mm/mprotect.c', status: 'modified', binary: false });
    const h = f.hunks[0]!;
    expect([h.oldStart, h.oldLines, h.newStart, h.newLines]).toEqual([21, 12, 21, 13]);
    expect(h.header).toBe('static long change_pte_range(struct mmu_gather *tlb,');
    const lines = text.split('\n');
    expect(lines[h.inputLine! - 1]).toMatch(/^@@ -21,12/);
    for (const l of h.lines) {
      const sign = l.type === 'add' ? '+' : l.type === 'del' ? '-' : ' ';
      expect(lines[l.inputLine! - 1]).toBe(sign + l.text);
    }
    expect(h.lines.filter((l) => l.type === 'add').map((l) => l.newLine)).toEqual([28, 29, 30]);
  });

  it('agrees with parse-diff on line numbers for a well-formed diff', () => {
    const text = read('format-patch-multi.patch');
    const ours = parseUnifiedDiff(text).files;
    const theirs = parseDiff(text);
    expect(ours.map((f) => f.newPath)).toEqual(theirs.map((f) => f.to));
    ours.forEach((f, i) => {
      const adds = f.hunks.flatMap((h) => h.lines.filter((l) => l.type === 'add').map((l) => l.newLine));
      const tadds = theirs[i]!.chunks.flatMap((c) => c.changes.filter((c2) => c2.type === 'add').map((c2) => (c2 as { ln: number }).ln));
      expect(adds).toEqual(tadds);
    });
  });

  it('parses a GitHub bare patch field with the path given', () => {
    const { files, problems } = parseUnifiedDiff(read('github-bare.patch'), { path: 'mm/mprotect.c' });
    expect(problems).toEqual([]);
    expect(files).toHaveLength(1);
    expect(files[0]!.newPath).toBe('mm/mprotect.c');
    expect(files[0]!.hunks.map((h) => [h.oldStart, h.newStart])).toEqual([
      [21, 21],
      [32, 33],
    ]);
  });

  it('strips differing top directories of diff -u headers', () => {
    const { files } = parseUnifiedDiff(read('plain-diff-u.diff'));
    expect(files[0]).toMatchObject({ oldPath: 'mm/mprotect.c', newPath: 'mm/mprotect.c', status: 'modified' });
  });

  it('reports wrong hunk counts (MMR003) and keeps the hunk and the next file', () => {
    const { files, problems } = parseUnifiedDiff(read('wrong-hunk-counts.patch'));
    expect(problems.map((p) => p.code)).toEqual(['MMR003']);
    expect(files).toHaveLength(2);
    expect(files[0]!.hunks[0]!.lines).toHaveLength(15);
    expect(files[1]!.hunks[0]!.lines).toHaveLength(7);
  });

  it('recovers a whitespace-mangled, mailer-wrapped hunk to the clean one', () => {
    const clean = parseUnifiedDiff(read('format-patch-single.patch')).files[0]!.hunks[0]!;
    const { files, problems } = parseUnifiedDiff(read('mangled-web.txt'));
    expect(problems).toEqual([]);
    const h = files[0]!.hunks[0]!;
    const norm = (s: string): string => s.replace(/\s+/g, '');
    expect(h.lines.map((l) => [l.type, norm(l.text)])).toEqual(clean.lines.map((l) => [l.type, norm(l.text)]));
    expect(norm(h.header)).toBe(norm(clean.header));
    expect(computePatchId(files)).toBe(computePatchId(parseUnifiedDiff(read('format-patch-single.patch')).files));
  });

  it('does not take prose starting with - or + for a diff', () => {
    const text = ['My plan:', '', '- drop the helper, it buys nothing;', '- send v2 next week', '+ more tests for the flush path', ''].join('\n');
    expect(parseUnifiedDiff(text).files).toEqual([]);
  });

  it('reads added, deleted, renamed and binary git diffs', () => {
    const text = [
      'diff --git a/mm/new.c b/mm/new.c',
      'new file mode 100644',
      'index 0000000..1111111',
      '--- /dev/null',
      '+++ b/mm/new.c',
      '@@ -0,0 +1,2 @@',
      '+#include <linux/mm.h>',
      '+int x;',
      'diff --git a/mm/old.c b/mm/old.c',
      'deleted file mode 100644',
      'index 2222222..0000000',
      '--- a/mm/old.c',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-int y;',
      'diff --git a/mm/a.c b/mm/b.c',
      'similarity index 100%',
      'rename from mm/a.c',
      'rename to mm/b.c',
      'diff --git a/img.png b/img.png',
      'index 3333333..4444444 100644',
      'Binary files a/img.png and b/img.png differ',
      '',
    ].join('\n');
    const { files, problems } = parseUnifiedDiff(text);
    expect(problems).toEqual([]);
    expect(files.map((f) => [f.status, f.oldPath, f.newPath, f.binary])).toEqual([
      ['added', undefined, 'mm/new.c', false],
      ['deleted', 'mm/old.c', undefined, false],
      ['renamed', 'mm/a.c', 'mm/b.c', false],
      ['modified', 'img.png', 'img.png', true],
    ]);
  });
});

describe('computePatchId', () => {
  const git = spawnSync('git', ['--version']).status === 0;
  it.runIf(git)('equals git patch-id --stable for each patch of a format-patch file', () => {
    const text = read('format-patch-multi.patch');
    const out = spawnSync('git', ['patch-id', '--stable'], { input: text, encoding: 'utf8' }).stdout.trim().split('\n');
    const expected = out.map((l) => l.split(' ')[0]);
    const parts = text.split(/(?=^From [0-9a-f]{40} )/m);
    expect(parts.map((p) => computePatchId(parseUnifiedDiff(p).files))).toEqual(expected);
  });

  it('ignores whitespace and line numbers but not content', () => {
    const a = parseUnifiedDiff(['--- a/mm/x.c', '+++ b/mm/x.c', '@@ -1,1 +1,1 @@', '-int a;', '+int  b;', ''].join('\n')).files;
    const b = parseUnifiedDiff(['--- a/mm/x.c', '+++ b/mm/x.c', '@@ -9,1 +9,1 @@', '-int a;', '+int b;', ''].join('\n')).files;
    const c = parseUnifiedDiff(['--- a/mm/x.c', '+++ b/mm/x.c', '@@ -9,1 +9,1 @@', '-int a;', '+int c;', ''].join('\n')).files;
    expect(computePatchId(a)).toBe(computePatchId(b));
    expect(computePatchId(a)).not.toBe(computePatchId(c));
  });
});
