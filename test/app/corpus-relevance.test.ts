/**
 * The cheap relevance filter on real kernel patches (../shared/corpus, read in place when present): every file a
 * labelled case is about is selected, by path or by API use, from GitHub-style per-file patches.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractPatchesFromText } from '../../src/sources/index.ts';
import type { FileDiff } from '../../src/core/patch.ts';
import { parseConfig } from '../../src/app/config.ts';
import { relevanceFilter } from '../../src/app/relevance.ts';
import { selectFiles } from '../../src/app/pr-source.ts';

import { CORPUS as CORPUS_DIR, corpusPresent } from '../helpers/shared.ts';
import { expectRatchets } from '../helpers/ratchet.ts';

const CORPUS = pathToFileURL(`${CORPUS_DIR}/`);
const present = corpusPresent();
// Recorded floor (2026-12-07): labelled files selected both by path and by API use alone (of those whose diff the
// text carries). A file the filter misses is reported, not failed one by one.
const FLOOR = { selected: 40 };

interface Label {
  id: string;
  file: string;
  kind: 'bug' | 'fix' | 'clean';
  expected: Array<{ path: string }>;
}

/** GitHub's `patch` field for one file diff: hunks only, no headers. */
function githubPatch(f: FileDiff): string {
  const out: string[] = [];
  for (const h of f.hunks) {
    out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@${h.header ? ` ${h.header}` : ''}`);
    for (const l of h.lines) out.push(`${l.type === 'add' ? '+' : l.type === 'del' ? '-' : ' '}${l.text}`);
  }
  return out.join('\n');
}

describe.skipIf(!present)('relevance on the real-world corpus', () => {
  const labels: Label[] = present ? JSON.parse(readFileSync(new URL('labels.json', CORPUS), 'utf8')) : [];
  const cfg = parseConfig(null);
  if (!cfg.ok) throw new Error('defaults must validate');
  const apiOnly = parseConfig({ paths: [] });
  if (!apiOnly.ok) throw new Error('valid');

  let selected = 0;
  let labelled = 0;
  const missed: string[] = [];
  it.each(labels.map((l) => [l.id, l] as const))('%s', (_id, label) => {
    const text = readFileSync(new URL(label.file, CORPUS), 'utf8');
    const { patches } = extractPatchesFromText(text, { kind: 'patch-file', name: label.file });
    const files = patches.flatMap((p) => p.files).map((f) => ({
      filename: f.newPath ?? f.oldPath ?? '',
      status: f.status === 'deleted' ? 'removed' : f.status,
      patch: githubPatch(f),
    }));
    const sel = selectFiles(files, relevanceFilter(cfg.config));
    const byApi = selectFiles(files, relevanceFilter(apiOnly.config));
    for (const e of label.expected) {
      if (!files.some((f) => f.filename === e.path)) continue; // partial texts may lack the file's diff
      labelled++;
      const ok = sel.analysed.some((f) => f.filename === e.path) && byApi.analysed.some((f) => f.filename === e.path);
      if (ok) selected++;
      else missed.push(`${label.id}: ${e.path}`);
    }
    // a clean or fix case's files are never selected by one filter and dropped by the other in a way that loses them
    expect(byApi.analysed.every((f) => files.some((x) => x.filename === f.filename))).toBe(true);
  });
  it('selects at least the recorded number of labelled files', () => {
    if (missed.length) console.log(['labelled files not selected:', ...missed.map((m) => `  ${m}`)].join('\n'));
    expectRatchets('test/app/corpus-relevance.test.ts', [{ name: `labelled files selected (of ${labelled})`, measured: selected, floor: FLOOR.selected }]);
  });
});
