// Whole-function analysis with a source tree vs hunk-only analysis of the same patch (fixtures/c).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EventPath } from '../../src/core/events.ts';
import type { SourceTree } from '../../src/core/patch.ts';
import { functionsOfPatch } from '../../src/frontend/index.ts';
import { directoryTree, extractPatchesFromText } from '../../src/sources/index.ts';

const PATCH = 'fixtures/c/demo-move-flush.patch';

function patch() {
  const { patches } = extractPatchesFromText(readFileSync(PATCH, 'utf8'), { kind: 'patch-file', name: PATCH });
  expect(patches).toHaveLength(1);
  return patches[0]!;
}

const order = (p: EventPath) => p.steps.flatMap((s) => (s.step === 'event' ? [s.kind] : []));

describe('diff → functions', () => {
  it('with a tree: whole functions, lines mapped to the diff', async () => {
    const r = await functionsOfPatch(patch(), { tree: directoryTree('fixtures/c/tree') });
    expect(r.functions.map((f) => f.name)).toEqual(['demo_clean_range']);
    const f = r.functions[0]!;
    expect(f.pre!.complete && f.post!.complete).toBe(true);
    expect(f.post!.firstFileLine).toBe(10);
    expect(f.post!.params).toContain('pmd_t *pmd');
    const flush = f.post!.events.find((e) => e.kind === 'tlb-flush')!;
    expect(flush.loc).toMatchObject({ diff: 'add', fileLine: 27 });
    expect(flush.loc.inputLine).toBeGreaterThan(0);
    const delFlush = f.pre!.events.find((e) => e.kind === 'tlb-flush')!;
    expect(delFlush.loc).toMatchObject({ diff: 'del', fileLine: 26 });
    const post = order(f.post!.paths.find((p) => order(p).includes('pte-modify-commit'))!);
    expect(post.slice(-3)).toEqual(['pte-advance', 'pte-unmap-unlock', 'tlb-flush']);
    const pre = order(f.pre!.paths.find((p) => order(p).includes('pte-modify-commit'))!);
    expect(pre.slice(-3)).toEqual(['pte-advance', 'tlb-flush', 'pte-unmap-unlock']);
    expect(f.post!.events.find((e) => e.kind === 'pte-modify-commit')!.attrs.effects).toEqual(['clean']);
    expect(f.post!.events.find((e) => e.kind === 'pte-unmap-unlock')!.args).toEqual({ pte: 'pte', lock: 'ptl' });
  });

  it('without a tree: the hunk fragment still gives the reordering', async () => {
    const r = await functionsOfPatch(patch());
    const f = r.functions.find((x) => x.name === 'demo_clean_range')!;
    expect(f.pre!.complete).toBe(false);
    const kinds = (side: 'pre' | 'post') => f[side]!.events.map((e) => e.kind);
    expect(kinds('pre')).toEqual(['pte-modify-commit', 'pte-advance', 'tlb-flush', 'pte-unmap-unlock']);
    expect(kinds('post')).toEqual(['pte-modify-commit', 'pte-advance', 'pte-unmap-unlock', 'tlb-flush']);
  });

  it('a tree that lacks the file falls back to hunks; unreadable trees never throw', async () => {
    const broken: SourceTree = { name: 'broken', read: async () => undefined };
    const r = await functionsOfPatch(patch(), { tree: broken });
    expect(r.functions.map((f) => f.name)).toEqual(['demo_clean_range']);
    const failing: SourceTree = { name: 'failing', read: async () => { throw new Error('EIO'); } };
    const r2 = await functionsOfPatch(patch(), { tree: failing });
    expect(r2.problems.map((p) => p.code)).toEqual(['MMR001']);
    expect(r2.functions.map((f) => f.name)).toEqual(['demo_clean_range']);
  });
});
