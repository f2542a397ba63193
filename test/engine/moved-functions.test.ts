/**
 * Code a patch moves (to a header, to a new file) is judged against its code before the move: a violation it
 * already had is pre-existing, not introduced; a function the patch only deletes fixes nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPatches, isReportable } from '../../src/engine/index.ts';
import { readInputs } from '../../src/sources/index.ts';
import { movedPartners } from '../../src/engine/moves.ts';
import type { FunctionView } from '../../src/core/events.ts';

const FIXTURE = join(import.meta.dirname, '../../fixtures/rules/flush-under-ptl/invalid-pte-move-flush-after-unlock.c');
/** The fixture's function, without its leading comment lines. */
const BODY = readFileSync(FIXTURE, 'utf8')
  .split('\n')
  .filter((l) => !l.startsWith('//') && !l.includes('ruleid:'))
  .join('\n')
  .trimEnd()
  .split('\n');

function hunk(sign: '+' | '-', lines: string[]): string {
  const n = lines.length;
  return sign === '-' ? `@@ -10,${n} +9,0 @@\n${lines.map((l) => `-${l}`).join('\n')}\n` : `@@ -20,0 +21,${n} @@\n${lines.map((l) => `+${l}`).join('\n')}\n`;
}

function patchText(files: Array<{ path: string; sign: '+' | '-' }>): string {
  const head = 'From: A Developer <dev@example.org>\nSubject: [PATCH] mm: move shift_ptes\n\n---\n';
  return head + files.map((f) => `diff --git a/${f.path} b/${f.path}\n--- a/${f.path}\n+++ b/${f.path}\n${hunk(f.sign, BODY)}`).join('');
}

async function check(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mmr-moved-'));
  try {
    writeFileSync(join(dir, 'x.patch'), text);
    return await checkPatches((await readInputs([join(dir, 'x.patch')])).patches);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('moved functions', () => {
  it('a violation moved verbatim to another file is pre-existing, not introduced, and not fixed where it left', async () => {
    const report = await check(patchText([{ path: 'mm/mremap.c', sign: '-' }, { path: 'include/linux/mremap-helpers.h', sign: '+' }]));
    const mine = report.findings.filter((f) => f.rule === 'flush-under-ptl' && f.function === 'shift_ptes');
    expect(mine.some((f) => f.status === 'confirmed' && f.path === 'include/linux/mremap-helpers.h')).toBe(true);
    expect(mine.filter((f) => f.introduced)).toEqual([]);
    expect(mine.filter((f) => f.fixed)).toEqual([]);
    expect(report.findings.filter(isReportable)).toEqual([]);
    expect(mine.find((f) => f.path === 'include/linux/mremap-helpers.h')?.notes?.join(' ')).toContain('moved by this patch from mm/mremap.c');
  });

  it('the same function only added is introduced; only deleted, it is not claimed as fixed', async () => {
    const added = await check(patchText([{ path: 'mm/mremap.c', sign: '+' }]));
    expect(added.findings.some((f) => f.function === 'shift_ptes' && f.status === 'confirmed' && f.introduced)).toBe(true);
    const deleted = await check(patchText([{ path: 'mm/mremap.c', sign: '-' }]));
    expect(deleted.findings.filter((f) => f.fixed)).toEqual([]);
  });

  it('a function moved under a new name, every call rewritten, is judged against its old code', async () => {
    const renamedBody = BODY.map((l) => l.replace('shift_ptes(', 'move_pte_run('));
    const callers = [
      'diff --git a/mm/mremap.c b/mm/mremap.c',
      '--- a/mm/mremap.c',
      '+++ b/mm/mremap.c',
      `@@ -10,${BODY.length} +9,0 @@`,
      ...BODY.map((l) => `-${l}`),
      '@@ -200,3 +170,3 @@ static unsigned long move_range(struct vm_area_struct *vma)',
      ' \tif (old_pmd && new_pmd)',
      '-\t\tshift_ptes(vma, old_pmd, old_addr, old_end, new_pmd, new_addr);',
      '+\t\tmove_pte_run(vma, old_pmd, old_addr, old_end, new_pmd, new_addr);',
      ' \treturn len;',
      'diff --git a/include/linux/mremap-helpers.h b/include/linux/mremap-helpers.h',
      '--- a/include/linux/mremap-helpers.h',
      '+++ b/include/linux/mremap-helpers.h',
      `@@ -20,0 +21,${renamedBody.length} @@`,
      ...renamedBody.map((l) => `+${l}`),
      '',
    ].join('\n');
    const report = await check('From: A Developer <dev@example.org>\nSubject: [PATCH] mm: move and rename shift_ptes\n\n---\n' + callers);
    const mine = report.findings.filter((f) => f.rule === 'flush-under-ptl' && (f.function === 'move_pte_run' || f.function === 'shift_ptes'));
    expect(mine.some((f) => f.status === 'confirmed' && f.function === 'move_pte_run')).toBe(true);
    expect(mine.filter((f) => f.introduced || f.fixed)).toEqual([]);
  });

  it('pairs by name only when the name is unambiguous', () => {
    const img = { events: [{}] } as unknown as NonNullable<FunctionView['pre']>;
    const stub = { events: [] } as unknown as NonNullable<FunctionView['pre']>;
    const gone = (path: string, name: string): FunctionView => ({ path, name, pre: img, changed: true });
    const come = (path: string, name: string): FunctionView => ({ path, name, post: img, changed: true });
    const a = gone('mm/a.c', 'f');
    const b = come('mm/b.h', 'f');
    expect(movedPartners([a, b]).get(b)).toBe(a);
    expect(movedPartners([a, b, come('mm/c.h', 'f')]).size).toBe(0);
    expect(movedPartners([a, come('mm/b.h', 'g')]).size).toBe(0);
    // an empty stub for another config does not make the name ambiguous
    expect(movedPartners([a, b, { path: 'include/linux/b.h', name: 'f', post: stub, changed: true }]).get(b)).toBe(a);
  });
});
