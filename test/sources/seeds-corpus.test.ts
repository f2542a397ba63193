// Reads the shared seed threads and the labelled corpus (when present) and checks every diff is found.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Patch } from '../../src/core/patch.ts';
import { extractPatchesFromText, readInputs } from '../../src/sources/index.ts';

import { CORPUS, SEEDS, corpusPresent, seedsPresent } from '../helpers/shared.ts';
import { expectRatchets } from '../helpers/ratchet.ts';

function seed(prefix: string): Patch[] {
  const name = readdirSync(SEEDS).find((n) => n.startsWith(prefix))!;
  return extractPatchesFromText(readFileSync(join(SEEDS, name), 'utf8'), { kind: 'text', name }).patches;
}
const paths = (p: Patch) => p.files.map((f) => f.newPath ?? null);
const addText = (p: Patch) => p.files.flatMap((f) => f.hunks.flatMap((h) => h.lines.filter((l) => l.type === 'add').map((l) => l.text)));

describe.runIf(seedsPresent())('seeds', () => {
  it('000: futex.c diff, a continuation fragment and the mangled follow_page hunks', () => {
    const ps = seed('000_');
    expect(ps.map(paths)).toEqual([['kernel/futex.c'], ['kernel/futex.c'], ['mm/memory.c']]);
    expect(ps.every((p) => !p.quoted && p.damaged)).toBe(true);
    const mem = ps[2]!.files[0]!;
    expect(mem.hunks.map((h) => [h.oldStart, h.oldLines, h.newLines])).toEqual([[1442, 6, 7], [1519, 6, 11], [1551, 7, 7]]);
    for (const h of mem.hunks) {
      expect(h.lines.filter((l) => l.type !== 'add')).toHaveLength(h.oldLines);
      expect(h.lines.filter((l) => l.type !== 'del')).toHaveLength(h.newLines);
    }
    expect(mem.hunks[0]!.header).toMatch(/follow_page\(struct vm_area_struct \*vma/);
    expect(ps[1]!.damage.join('\n')).toMatch(/taken from the file header/);
  });

  it('001: quoted macro hunk plus uprobes, ksm, memory and mmu_notifier diffs', () => {
    const ps = seed('001_');
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ quoted: true, quoteDepth: 1, damaged: true });
    expect(paths(ps[0]!)).toEqual([null, 'kernel/events/uprobes.c', 'mm/ksm.c', 'mm/memory.c', 'mm/mmu_notifier.c']);
    expect(ps[0]!.files.map((f) => f.hunks.length)).toEqual([1, 2, 3, 4, 2]);
    expect(addText(ps[0]!).some((t) => t.includes('___ret = mmu_notifier_change_pte('))).toBe(true);
  });

  it('002: header-less apply_pt_wrprotect / apply_pt_clean fragment', () => {
    const ps = seed('002_');
    expect(ps).toHaveLength(1);
    const adds = addText(ps[0]!).join('\n');
    expect(adds).toMatch(/static int apply_pt_wrprotect\(/);
    expect(adds).toMatch(/static int apply_pt_clean\(/);
    expect(paths(ps[0]!)).toEqual([null]);
  });

  it('003: deeply quoted change_pte_range fragment and two quoted memory.c diffs', () => {
    const ps = seed('003_');
    const deep = ps.filter((p) => p.quoteDepth > 1);
    expect(deep).toHaveLength(1);
    expect(deep[0]!.quoteDepth).toBe(7); // the thread nests seven `>` markers before the fragment
    expect(addText(deep[0]!).some((t) => t.includes('if (uffd_wp_resolve) {'))).toBe(true);
    const d1 = ps.filter((p) => p.quoteDepth === 1);
    expect(d1.map(paths)).toEqual([['mm/memory.c'], ['mm/memory.c']]);
    expect(d1.map((p) => p.files[0]!.hunks.length)).toEqual([1, 5]);
  });

  it('004: quoted fs/proc/task_mmu.c diff', () => {
    const ps = seed('004_');
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ quoted: true, quoteDepth: 6 });
    expect(paths(ps[0]!)).toEqual(['fs/proc/task_mmu.c']);
    expect(addText(ps[0]!).map((t) => t.trim())).toEqual(['tlb_gather_mmu(&tlb, mm, 0, TASK_SIZE);']);
  });
});

interface Label {
  id: string;
  file: string;
  expected: { path: string }[];
}

// Recorded floors (2026-12-07, 50 cases). A case is read when at least one diff with hunks comes out of it; its
// paths are found when every labelled file is among the files of its diffs. Raise the floors as reading improves.
const FLOOR = { casesRead: 50, pathsFound: 49 };

describe.runIf(corpusPresent())('corpus', () => {
  const labels = JSON.parse(readFileSync(join(CORPUS, 'labels.json'), 'utf8')) as Label[];
  const read: string[] = [];
  const pathsFound: string[] = [];
  it.each(labels.map((l) => [l.id, l] as const))('%s', async (_id, label) => {
    const r = await readInputs([join(CORPUS, label.file)]);
    const withHunks = r.patches.filter((p) => p.files.some((f) => f.hunks.length > 0));
    if (withHunks.length > 0) read.push(label.id);
    else console.log(`not read: ${label.id}: ${r.problems.map((p) => `${p.code} ${p.message}`).join('; ')}`);
    const touched = new Set(r.patches.flatMap((p) => p.files.map((f) => f.newPath ?? f.oldPath)));
    if (label.expected.every((e) => touched.has(e.path))) pathsFound.push(label.id);
    // Reading is deterministic.
    const again = await readInputs([join(CORPUS, label.file)]);
    expect(JSON.stringify(again.patches)).toBe(JSON.stringify(r.patches));
  });
  it('reads at least the recorded number of cases', () => {
    expectRatchets('test/sources/seeds-corpus.test.ts', [
      { name: 'cases read (a diff with hunks)', measured: read.length, floor: FLOOR.casesRead },
      { name: 'cases with every labelled path found', measured: pathsFound.length, floor: FLOOR.pathsFound },
    ]);
  });
});
