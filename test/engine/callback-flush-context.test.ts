/**
 * A PTE callback (runs under its caller's page-table lock, never takes one) that changes an entry without a flush
 * leaves the flush to its caller. Whether that is wrong depends on the caller, so it is confirmed only when the
 * visible code shows the flush comes after the lock is dropped: the callback records the range it changed for a
 * later flush, or the patch shows the flush in a function that holds no page-table lock. Otherwise: inconclusive.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPatches } from '../../src/engine/index.ts';
import { readInputs } from '../../src/sources/index.ts';

function patchOf(path: string, body: string[]): string {
  return [
    'From: A Developer <dev@example.org>',
    'Subject: [PATCH] mm: add a sealing walk',
    '',
    '---',
    `diff --git a/${path} b/${path}`,
    `--- a/${path}`,
    `+++ b/${path}`,
    `@@ -40,0 +41,${body.length} @@`,
    ...body.map((l) => `+${l}`),
    '',
  ].join('\n');
}

const CALLBACK = (recordRange: boolean): string[] => [
  'static int seal_one_pte(pte_t *pte, unsigned long addr, void *data)',
  '{',
  '\tstruct seal_walk *sw = data;',
  '\tpte_t old = ptep_get(pte);',
  '',
  '\tif (!pte_present(old) || !pte_write(old))',
  '\t\treturn 0;',
  '\tptep_set_wrprotect(sw->mm, addr, pte);',
  '\tsw->count++;',
  ...(recordRange ? ['\tsw->first = min(sw->first, addr);', '\tsw->last = max(sw->last, addr + PAGE_SIZE);'] : []),
  '\treturn 0;',
  '}',
];

async function verdicts(text: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mmr-callback-'));
  try {
    writeFileSync(join(dir, 'x.patch'), text);
    const r = await checkPatches((await readInputs([join(dir, 'x.patch')])).patches);
    return r.findings.filter((f) => f.rule === 'flush-under-ptl' && f.function === 'seal_one_pte').map((f) => f.status);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('PTE callbacks that leave the flush to their caller', () => {
  it('is confirmed when the callback records the range it changed for a later flush', async () => {
    expect(await verdicts(patchOf('mm/seal.c', CALLBACK(true)))).toEqual(['confirmed']);
  });

  it('is inconclusive when nothing visible shows where or when the caller flushes', async () => {
    expect(await verdicts(patchOf('mm/seal.c', CALLBACK(false)))).toEqual(['inconclusive']);
  });

  it('is confirmed when the patch shows the flush in a function that holds no page-table lock', async () => {
    const caller = [
      '',
      'static void seal_range(struct mm_struct *mm, struct seal_walk *sw, unsigned long start, unsigned long end)',
      '{',
      '\tapply_to_page_range(mm, start, end - start, seal_one_pte, sw);',
      '\tflush_tlb_mm(mm);',
      '}',
    ];
    expect(await verdicts(patchOf('mm/seal.c', [...CALLBACK(false), ...caller]))).toEqual(['confirmed']);
  });
});
