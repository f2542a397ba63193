/**
 * End-to-end engine tests on the project's own fixtures: every patch of the bug series yields a confirmed,
 * introduced finding of its class in the right function; the fixes are recognised as fixes and never complained
 * about; results are deterministic and fingerprints survive line shifts.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../src/core/finding.ts';
import type { Patch, SourceTree } from '../../src/core/patch.ts';
import { readInputs, directoryTree, extractPatchesFromText } from '../../src/sources/index.ts';
import { checkPatches, isReportable } from '../../src/engine/index.ts';

const root = join(import.meta.dirname, '../..');
const seriesDir = join(root, 'fixtures/patches/series');
const fixesDir = join(root, 'fixtures/patches/fixes');

let series: Report;
let seriesPatches: Patch[];

beforeAll(async () => {
  const read = await readInputs([seriesDir]);
  seriesPatches = read.patches;
  series = await checkPatches(read.patches, { tree: directoryTree(join(root, 'fixtures/tree')) });
});

describe('the bug series (with --tree)', () => {
  const expectations: Array<[string, string, string]> = [
    ['flush-under-ptl', 'mm/dirty_track.c', 'dirty_track_pte_range'],
    ['notifier-symmetry', 'mm/remap_anon.c', 'remap_anon_page'],
    ['uffd-lock-retake', 'mm/wp_resolve.c', 'wp_resolve_pte_range'],
    ['fullmm-misuse', 'mm/soft_dirty_reset.c', 'soft_dirty_reset_mm'],
    ['fault-fixup', 'mm/user_fixup.c', 'fault_in_user_word'],
  ];
  it.each(expectations)('%s is confirmed and introduced in %s:%s', (rule, path, fn) => {
    const hits = series.findings.filter((f) => f.rule === rule && f.path === path && f.function === fn && isReportable(f));
    expect(hits.length, JSON.stringify(series.findings.map((f) => [f.rule, f.function, f.status, f.introduced]))).toBeGreaterThan(0);
    const f = hits[0]!;
    expect(f.side).toBe('RIGHT');
    expect(f.line).toBeGreaterThan(0);
    expect(f.simulation?.verdict).toBe('violation');
    expect(f.simulation?.trace?.steps.length).toBeGreaterThan(0);
    expect(f.simulation?.trace?.steps.at(-1)?.violation).toBe(f.simulation?.invariant);
  });

  it('confirms fault-fixup only where dirty/young are software-managed', () => {
    const f = series.findings.find((x) => x.rule === 'fault-fixup' && isReportable(x));
    expect(f?.simulation?.arch).toMatch(/ppc-e500|arm64-nodbm/);
  });

  it('finds nothing to report in the series on x86 for fault-fixup', async () => {
    const read = await readInputs([join(seriesDir, '0005-mm-user_fixup-use-get_user_pages_remote-to-fault-in-.patch')]);
    const r = await checkPatches(read.patches, { tree: directoryTree(join(root, 'fixtures/tree')), arch: ['x86'] });
    expect(r.findings.filter((f) => f.rule === 'fault-fixup' && isReportable(f))).toEqual([]);
  });

  it('does not analyse the cover letter', () => {
    expect(series.stats.patches).toBe(5);
  });

  it('anchors the flush-under-ptl finding on an added line of the diff', () => {
    const f = series.findings.find((x) => x.rule === 'flush-under-ptl' && isReportable(x))!;
    expect(f.side).toBe('RIGHT');
    // The diff line the finding points at: in its patch, its file, on the new side, at its line number.
    const patch = seriesPatches.find((p) => p.id === f.patch.id);
    expect(patch, `patch ${f.patch.id}`).toBeDefined();
    const file = patch!.files.find((fd) => fd.newPath === f.path);
    expect(file, `file ${f.path} in ${f.patch.id}`).toBeDefined();
    const at = file!.hunks.flatMap((h) => h.lines).filter((l) => l.newLine === f.line);
    expect(at, `${f.path}:${f.line} is not a line of the diff`).toHaveLength(1);
    expect(at[0]!.type).toBe('add');
    expect(f.suggestion?.verdict).toBe('removes-violation');
  });
});

describe('the fixes (function-context hunks, no tree)', () => {
  it('recognises each fix and reports nothing against it', async () => {
    const read = await readInputs([fixesDir]);
    const r = await checkPatches(read.patches);
    expect(r.findings.filter(isReportable)).toEqual([]);
    const fixedRules = r.findings.filter((f) => f.fixed && f.status === 'confirmed').map((f) => f.rule).sort();
    expect(fixedRules).toEqual(['flush-under-ptl', 'fullmm-misuse']);
    for (const f of r.findings.filter((x) => x.fixed)) expect(f.message).toMatch(/fixes/);
  });
});

describe('determinism and fingerprints', () => {
  it('gives the same findings, traces and fingerprints on a second run', async () => {
    const read = await readInputs([seriesDir]);
    const again = await checkPatches(read.patches, { tree: directoryTree(join(root, 'fixtures/tree')) });
    const strip = (r: Report) => r.findings.map((f) => ({ ...f, simulation: f.simulation ? { ...f.simulation, ms: 0 } : undefined }));
    expect(strip(again)).toEqual(strip(series));
  });

  it('keeps fingerprints when the code moves down the file', async () => {
    const file = join(seriesDir, '0001-mm-dirty_track-batch-the-TLB-flushes-of-a-PMD-outsid.patch');
    const text = readFileSync(file, 'utf8');
    const shifted = text.replace(/^@@ -(\d+),(\d+) \+(\d+),(\d+) @@/m, (_m, a, b, c, d) => `@@ -${+a + 7},${b} +${+c + 7},${d} @@`);
    const base = readFileSync(join(root, 'fixtures/tree/mm/dirty_track.c'), 'utf8');
    const tree = (content: string): SourceTree => ({ name: 'mem', read: async (p) => (p === 'mm/dirty_track.c' ? content : undefined) });
    const one = await checkPatches(extractPatchesFromText(text, { kind: 'patch-file', name: 'a' }).patches, { tree: tree(base) });
    const two = await checkPatches(extractPatchesFromText(shifted, { kind: 'patch-file', name: 'b' }).patches, { tree: tree('\n'.repeat(7) + base) });
    const fp = (r: Report) => r.findings.filter(isReportable).map((f) => f.fingerprint).sort();
    expect(fp(one).length).toBeGreaterThan(0);
    expect(fp(two)).toEqual(fp(one));
    const l1 = one.findings.find(isReportable)!.line;
    const l2 = two.findings.find(isReportable)!.line;
    expect(l2 - l1).toBe(7);
  });
});
