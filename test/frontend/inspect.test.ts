// The inspect document: shape, event references on paths, determinism.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { functionsOfPatch } from '../../src/frontend/index.ts';
import { inspectDoc, inspectText } from '../../src/frontend/inspect.ts';
import { extractPatchesFromText } from '../../src/sources/index.ts';

const PATCH = 'fixtures/c/demo-move-flush.patch';

describe('inspect document', () => {
  it('lists patch → file → function → images with paths referencing events', async () => {
    const { patches, problems } = extractPatchesFromText(readFileSync(PATCH, 'utf8'), { kind: 'patch-file', name: PATCH });
    const views = [];
    for (const p of patches) views.push((await functionsOfPatch(p)).functions);
    const doc = inspectDoc(patches, views, problems);
    expect(doc.version).toBe(1);
    const fn = doc.patches[0]!.files[0]!.functions[0]!;
    expect(fn.name).toBe('demo_clean_range');
    const ids = new Set(fn.post!.events.map((e) => e.id));
    for (const p of fn.post!.paths) for (const s of p.steps) if ('event' in s) expect(ids.has(s.event as number)).toBe(true);
    expect(fn.post!.events.find((e) => e.kind === 'tlb-flush')).toMatchObject({ diff: 'add' });
    const text = inspectText(doc, views);
    expect(text).toContain('function demo_clean_range');
    expect(text).toMatch(/pte-unmap-unlock@\d+ → tlb-flush@\d+\+/);
    expect(JSON.stringify(inspectDoc(patches, views, problems))).toBe(JSON.stringify(doc));
  });
});
