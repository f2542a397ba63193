// Tests for applyFileDiff (offset fuzz, mangled whitespace, failing hunks) and directoryTree (confinement).

import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyFileDiff, directoryTree, parseUnifiedDiff } from '../../src/sources/index.ts';

const FIX = join(import.meta.dirname, '../../fixtures/inputs');
const pre = readFileSync(join(FIX, 'tree/mm/mprotect.c'), 'utf8');
const diffOf = (n: string) => parseUnifiedDiff(readFileSync(join(FIX, n), 'utf8')).files;

describe('applyFileDiff', () => {
  const git = spawnSync('git', ['--version']).status === 0;
  it.runIf(git)('produces the same post-image as git apply', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-apply-'));
    cpSync(join(FIX, 'tree'), dir, { recursive: true });
    spawnSync('git', ['init', '-q'], { cwd: dir });
    const r = spawnSync('git', ['apply', join(FIX, 'format-patch-multi.patch')], { cwd: dir });
    expect(r.status).toBe(0);
    const files = diffOf('format-patch-multi.patch');
    let text = pre;
    for (const f of files) {
      const out = applyFileDiff(text, f);
      expect(out.problems).toEqual([]);
      text = out.text;
    }
    expect(text).toBe(readFileSync(join(dir, 'mm/mprotect.c'), 'utf8'));
  });

  it('finds hunks moved by an offset', () => {
    const shifted = '/* one */\n/* two */\n/* three */\n' + pre;
    const out = applyFileDiff(shifted, diffOf('format-patch-single.patch')[0]!);
    expect(out.problems).toEqual([]);
    expect(out.text).toContain('ptep_modify_prot_commit(vma, addr, pte, oldpte, ptent);');
    expect(out.text.startsWith('/* one */')).toBe(true);
  });

  it('applies a whitespace-mangled diff keeping the tree context text', () => {
    const out = applyFileDiff(pre, diffOf('mangled-web.txt')[0]!);
    expect(out.problems).toEqual([]);
    expect(out.text).toContain('\t\t\tpages++;');
    expect(out.text).not.toContain('\t\t\tset_pte_at(vma->vm_mm, addr, pte, ptent);');
  });

  it('reports a hunk that does not fit and still applies the others', () => {
    const f = diffOf('github-bare.patch');
    const bare = parseUnifiedDiff(readFileSync(join(FIX, 'github-bare.patch'), 'utf8'), { path: 'mm/mprotect.c' }).files[0]!;
    expect(f).toHaveLength(1);
    const broken = structuredClone(bare);
    broken.hunks[0]!.lines[0]!.text = 'no such line in the tree';
    broken.hunks[0]!.lines[1]!.text = 'nor this one';
    broken.hunks[0]!.lines[2]!.text = 'nor this';
    const out = applyFileDiff(pre, broken);
    expect(out.problems.map((p) => p.code)).toEqual(['MMR003']);
    expect(out.text).toContain('flush_tlb_range(vma, end - pages * PAGE_SIZE, end);');
  });

  it('creates a new file from an added-file diff', () => {
    const f = parseUnifiedDiff(['--- /dev/null', '+++ b/mm/new.c', '@@ -0,0 +1,2 @@', '+int a;', '+int b;', ''].join('\n')).files[0]!;
    expect(applyFileDiff('', f).text).toBe('int a;\nint b;\n');
  });
});

describe('directoryTree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmr-tree-'));
  cpSync(join(FIX, 'tree'), join(dir, 'linux'), { recursive: true });
  writeFileSync(join(dir, 'secret.txt'), 'outside');
  symlinkSync(join(dir, 'secret.txt'), join(dir, 'linux', 'escape.c'));
  const tree = directoryTree(join(dir, 'linux'));

  it('reads files under the directory', async () => {
    expect(await tree.read('mm/mprotect.c')).toBe(pre);
    expect(await tree.read('mm/missing.c')).toBeUndefined();
  });

  it('refuses paths and symlinks leading outside', async () => {
    expect(await tree.read('../secret.txt')).toBeUndefined();
    expect(await tree.read('mm/../../secret.txt')).toBeUndefined();
    expect(await tree.read(join(dir, 'secret.txt'))).toBeUndefined();
    expect(await tree.read('escape.c')).toBeUndefined();
    expect(await tree.read('mm/\0x')).toBeUndefined();
  });
});
