/**
 * The cheap relevance filter on real kernel patches (../shared/corpus, read in place when present): every file a
 * labelled case is about is selected, by path or by API use, from GitHub-style per-file patches.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractPatchesFromText } from '../../src/sources/index.ts';
import type { FileDiff } from '../../src/core/patch.ts';
import { parseConfig } from '../../src/app/config.ts';
import { relevanceFilter } from '../../src/app/relevance.ts';
import { selectFiles } from '../../src/app/pr-source.ts';

const CORPUS = new URL('../../../shared/corpus/', import.meta.url);
const present = existsSync(new URL('labels.json', CORPUS));

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

  it.each(labels.map((l) => [l.id, l] as const))('%s', (_id, label) => {
    const text = readFileSync(new URL(label.file, CORPUS), 'utf8');
    const { patches } = extractPatchesFromText(text, { kind: 'patch-file', name: label.file });
    const files = patches.flatMap((p) => p.files).map((f) => ({
      filename: f.newPath ?? f.oldPath ?? '',
      status: f.status === 'deleted' ? 'removed' : f.status,
      patch: githubPatch(f),
    }));
    expect(files.length).toBeGreaterThan(0);
    const sel = selectFiles(files, relevanceFilter(cfg.config));
    expect(sel.analysed.length).toBeGreaterThan(0);
    for (const e of label.expected) {
      if (!files.some((f) => f.filename === e.path)) continue; // partial texts may lack the file's diff
      expect(sel.analysed.map((f) => f.filename)).toContain(e.path);
      // and the API detector alone (no path globs) also finds it
      const byApi = selectFiles(files, relevanceFilter(apiOnly.config));
      expect(byApi.analysed.map((f) => f.filename)).toContain(e.path);
    }
  });
});
