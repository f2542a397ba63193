/**
 * Arch TLB-flush hooks defined as macros, read from the tree's file (src/frontend/macro-hooks.ts
 * treeMacroHookImages): a hunk that shows a hook macro's body but not its `#define` line names no function, so
 * without a tree the change is not judged; with the tree the macro is read whole and judged like a function
 * (flush-under-ptl's arch-flush analysis). Other macros with the same body are not hooks.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPatches, isReportable } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';
import { directoryTree, extractPatchesFromText } from '../../src/sources/index.ts';
import type { Finding } from '../../src/core/finding.ts';

const PATH = 'arch/x86/include/asm/tlbflush.h';

/** A kernel-like x86 header (written for this test): the range-flush macro at lines 9-12. */
function header(name: string, lazy: 'false' | 'true'): string {
  return [
    '/* SPDX-License-Identifier: GPL-2.0 */',
    '#ifndef _ASM_DEMO_TLBFLUSH_H',
    '#define _ASM_DEMO_TLBFLUSH_H',
    '',
    'void demo_flush_cpus(const struct cpumask *cpumask,',
    '\t\t     const struct flush_tlb_info *info);',
    '',
    `#define ${name}(vma, start, end)\t\t\t\\`,
    '\tflush_tlb_mm_range((vma)->vm_mm, start, end,\t\t\\',
    '\t\t\t   ((vma)->vm_flags & VM_HUGETLB) ?\t\\',
    '\t\t\t   HPAGE_SHIFT : PAGE_SHIFT,\t\t\\',
    `\t\t\t   ${lazy})`,
    '',
    'extern void flush_tlb_all(void);',
    'extern void flush_tlb_mm_range(struct mm_struct *mm, unsigned long start,',
    '\t\t\t\tunsigned long end, unsigned int stride_shift,',
    '\t\t\t\tbool freed_tables);',
    '',
    '#endif',
    '',
  ].join('\n');
}

/** A patch whose only hunk starts below the `#define` line: body lines 9-14 of the header. */
function patch(from: 'false' | 'true', to: 'false' | 'true'): string {
  return [
    'From: Demo <demo@example.org>',
    'Subject: [PATCH] x86/demo: range flush and freed tables',
    '',
    'Body.',
    '---',
    `diff --git a/${PATH} b/${PATH}`,
    '--- a/' + PATH,
    '+++ b/' + PATH,
    '@@ -9,6 +9,6 @@ void demo_flush_cpus(const struct cpumask *cpumask,',
    ' \tflush_tlb_mm_range((vma)->vm_mm, start, end,\t\t\\',
    ' \t\t\t   ((vma)->vm_flags & VM_HUGETLB) ?\t\\',
    ' \t\t\t   HPAGE_SHIFT : PAGE_SHIFT,\t\t\\',
    `-\t\t\t   ${from})`,
    `+\t\t\t   ${to})`,
    ' ',
    ' extern void flush_tlb_all(void);',
    '-- ',
    '2.40.0',
    '',
  ].join('\n');
}

function tree(name: string, lazy: 'false' | 'true'): string {
  const dir = mkdtempSync(join(tmpdir(), 'mmr-macro-tree-'));
  mkdirSync(join(dir, 'arch/x86/include/asm'), { recursive: true });
  writeFileSync(join(dir, PATH), header(name, lazy));
  return dir;
}

async function run(text: string, dir?: string): Promise<Finding[]> {
  const { patches } = extractPatchesFromText(text, { kind: 'patch-file', name: 'demo.patch' });
  const r = await checkPatches(patches, dir ? { tree: directoryTree(dir) } : {});
  return r.findings.filter((f) => f.rule === 'flush-under-ptl');
}

describe('hook macros read from the tree', () => {
  beforeAll(async () => {
    await loadSimulator();
  });

  it('without a tree, a hunk that does not show the #define line judges nothing', async () => {
    expect(await run(patch('false', 'true'))).toEqual([]);
  });

  it('with the tree, the range-flush macro that stops skipping lazy CPUs is a recognised fix', async () => {
    const f = await run(patch('false', 'true'), tree('flush_tlb_range', 'false'));
    expect(f.map((x) => [x.function, x.status, x.fixed])).toEqual([['flush_tlb_range', 'confirmed', true]]);
    expect(f.some(isReportable)).toBe(false);
  });

  it('with the tree, the range-flush macro that starts skipping lazy CPUs is a confirmed introduced finding', async () => {
    const f = await run(patch('true', 'false'), tree('flush_tlb_range', 'true'));
    expect(f.filter(isReportable).map((x) => [x.function, x.status])).toEqual([['flush_tlb_range', 'confirmed']]);
    expect(f[0]?.message).toMatch(/lazy-TLB CPUs/);
  });

  it('with the tree, a change that only adds lines to the macro still reads its other image', async () => {
    // The pre-image has no removed line inside the macro: its image comes from the name the post-image changed.
    const added = patch('false', 'true')
      .replace(`-\t\t\t   false)\n+\t\t\t   true)\n`, `+\t\t\t   0 ||\t\t\t\t\\\n \t\t\t   false)\n`)
      .replace('@@ -9,6 +9,6 @@', '@@ -9,6 +9,7 @@');
    expect(added).toContain('+\t\t\t   0 ||');
    const f = await run(added, tree('flush_tlb_range', 'false'));
    // Before and after skip lazy CPUs alike: a pre-existing violation, neither introduced nor fixed.
    expect(f.map((x) => [x.function, x.status, x.introduced, x.fixed])).toEqual([['flush_tlb_range', 'confirmed', false, false]]);
  });

  it('a macro that is not a catalogued hook stays unjudged with the tree too', async () => {
    expect(await run(patch('true', 'false'), tree('demo_leaf_range', 'true'))).toEqual([]);
  });
});
