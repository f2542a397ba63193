// Real kernel patches (../shared/corpus, when present): the labelled functions the front end finds with event paths
// on at least one image. A ratchet: the count may not fall below the recorded floor; output is deterministic.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FunctionView } from '../../src/core/events.ts';
import { functionsOfPatch } from '../../src/frontend/index.ts';
import { readInputs } from '../../src/sources/index.ts';
import { CORPUS, corpusPresent } from '../helpers/shared.ts';
import { expectRatchets } from '../helpers/ratchet.ts';

interface Label {
  id: string;
  file: string;
  expected: Array<{ path: string; function: string }>;
}

// Recorded floors (2026-12-07): labelled (path, function) pairs over the 50 cases, found with paths.
const FLOOR = { functionsFound: 42 };

describe.runIf(corpusPresent())('corpus', () => {
  const labels: Label[] = JSON.parse(readFileSync(join(CORPUS, 'labels.json'), 'utf8'));
  let labelled = 0;
  const found: string[] = [];
  const missed: string[] = [];
  it.each(labels.map((l) => [l.id, l] as const))('%s: labelled functions', async (_id, label) => {
    const res = await readInputs([join(CORPUS, label.file)]);
    const fns: FunctionView[] = [];
    for (const p of res.patches) fns.push(...(await functionsOfPatch(p)).functions);
    for (const e of label.expected) {
      labelled++;
      const f = fns.find((x) => x.path === e.path && x.name === e.function);
      const image = f?.pre ?? f?.post;
      if (image && image.paths.length > 0) found.push(`${label.id}:${e.function}`);
      else missed.push(`${label.id}: ${e.path}:${e.function} (${f ? 'no paths' : `seen: ${fns.map((x) => `${x.path}:${x.name}`).join(', ') || 'none'}`})`);
    }
    // Determinism: the same input gives the same output.
    const again: FunctionView[] = [];
    for (const p of res.patches) again.push(...(await functionsOfPatch(p)).functions);
    expect(JSON.stringify(again)).toBe(JSON.stringify(fns));
  });
  it('finds at least the recorded number of labelled functions', () => {
    if (missed.length) console.log(['labelled functions not found:', ...missed.map((m) => `  ${m}`)].join('\n'));
    expectRatchets('test/frontend/corpus.test.ts', [{ name: `labelled functions found (of ${labelled})`, measured: found.length, floor: FLOOR.functionsFound }]);
  });
});
