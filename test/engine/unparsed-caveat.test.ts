/**
 * A violation found on code the C front end could only parse by recovering from syntax errors (a quoted diff that
 * lost lines, mangled whitespace) rests on paths the recovery may have invented: it is never confirmed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPatches } from '../../src/engine/index.ts';
import { readInputs } from '../../src/sources/index.ts';

const body = (broken: boolean): string[] => [
  'static unsigned long peek_pte_flags(pmd_t *pmd, unsigned long addr)',
  '{',
  '\tpte_t *pte;',
  '\tunsigned long flags = 0;',
  '',
  '\tpte = pte_offset_map(pmd, addr);',
  '\tif (!pte)',
  '\t\treturn 0;',
  broken ? '\tflags = pte_val(ptep_get(pte)) & ]] PTE_FLAGS_MASK;' : '\tflags = pte_val(ptep_get(pte)) & PTE_FLAGS_MASK;',
  broken ? '\tflags |= (( 1 <<< 3;' : '\tflags |= 1 << 3;',
  '\treturn flags;',
  '}',
];

async function statusOf(broken: boolean): Promise<{ status: string[]; dependsOn: string[] }> {
  const lines = body(broken);
  const text = ['From: A Developer <dev@example.org>', 'Subject: [PATCH] mm: peek at a pte', '', '---', 'diff --git a/mm/peek.c b/mm/peek.c', '--- a/mm/peek.c', '+++ b/mm/peek.c', `@@ -10,0 +11,${lines.length} @@`, ...lines.map((l) => `+${l}`), ''].join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'mmr-unparsed-'));
  try {
    writeFileSync(join(dir, 'x.patch'), text);
    const r = await checkPatches((await readInputs([join(dir, 'x.patch')])).patches);
    const mine = r.findings.filter((f) => f.function === 'peek_pte_flags');
    return { status: mine.map((f) => f.status), dependsOn: mine.map((f) => f.dependsOn ?? '') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('violations on code parsed only by syntax recovery', () => {
  it('a map leak in cleanly parsed code is confirmed', async () => {
    expect((await statusOf(false)).status).toEqual(['confirmed']);
  });

  it('the same leak in code with recovered syntax errors is inconclusive, saying why', async () => {
    const r = await statusOf(true);
    expect(r.status).toEqual(['inconclusive']);
    expect(r.dependsOn[0]).toContain('syntax errors recovered');
  });
});
