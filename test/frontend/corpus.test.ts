// Real kernel patches (shared corpus, when present): every labelled function is found with both images analysed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FunctionView } from '../../src/core/events.ts';
import { functionsOfPatch } from '../../src/frontend/index.ts';
import { readInputs } from '../../src/sources/index.ts';

const CORPUS = '/work/shared/corpus';
interface Label {
  id: string;
  file: string;
  expected: Array<{ path: string; function: string }>;
}
const labels: Label[] = existsSync(join(CORPUS, 'labels.json')) ? JSON.parse(readFileSync(join(CORPUS, 'labels.json'), 'utf8')) : [];

describe.skipIf(labels.length === 0)('corpus', () => {
  it.each(labels.map((l) => [l.id, l] as const))('%s: labelled functions found', async (_id, label) => {
    const res = await readInputs([join(CORPUS, label.file)]);
    const fns: FunctionView[] = [];
    for (const p of res.patches) {
      const r = await functionsOfPatch(p);
      fns.push(...r.functions);
    }
    for (const e of label.expected) {
      const f = fns.find((x) => x.path === e.path && x.name === e.function);
      expect(f, `${e.path}:${e.function} in ${fns.map((x) => `${x.path}:${x.name}`).join(', ')}`).toBeDefined();
      expect((f!.pre ?? f!.post)!.paths.length).toBeGreaterThan(0);
    }
    // Determinism: the same input gives the same output.
    const again: FunctionView[] = [];
    for (const p of res.patches) again.push(...(await functionsOfPatch(p)).functions);
    expect(JSON.stringify(again)).toBe(JSON.stringify(fns));
  });
});
