/**
 * parse-diff (through src/diff/library-diff.ts) and mmreview's own diff reader agree on clean git diffs: every
 * undamaged, unquoted file diff of ../shared/corpus (when present) and of the project's fixture patches, written out
 * both as a GitHub per-file `patch` field and as a git diff, parses to the same hunks and lines with both.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileDiff } from '../../src/core/patch.ts';
import { parseCleanDiff } from '../../src/diff/library-diff.ts';
import { parseUnifiedDiff, readInputs } from '../../src/sources/index.ts';
import { CORPUS, sharedPresent } from '../helpers/shared.ts';

function hunkText(f: FileDiff): string {
  const out: string[] = [];
  for (const h of f.hunks) {
    out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@${h.header ? ` ${h.header}` : ''}`);
    for (const l of h.lines) out.push(`${l.type === 'add' ? '+' : l.type === 'del' ? '-' : ' '}${l.text}`);
  }
  return `${out.join('\n')}\n`;
}

function gitText(f: FileDiff): string {
  const a = f.oldPath ?? f.newPath!;
  const b = f.newPath ?? f.oldPath!;
  const head = [`diff --git a/${a} b/${b}`];
  if (f.status === 'added') head.push('new file mode 100644');
  if (f.status === 'deleted') head.push('deleted file mode 100644');
  head.push(`--- ${f.status === 'added' ? '/dev/null' : `a/${a}`}`, `+++ ${f.status === 'deleted' ? '/dev/null' : `b/${b}`}`);
  return `${head.join('\n')}\n${hunkText(f)}`;
}

const shape = (fs: FileDiff[]) =>
  fs.map((f) => ({
    oldPath: f.oldPath,
    newPath: f.newPath,
    hunks: f.hunks.map((h) => ({ ...h, inputLine: undefined, lines: h.lines.map((l) => ({ type: l.type, text: l.text, oldLine: l.oldLine, newLine: l.newLine })) })),
  }));

async function cleanFiles(paths: string[]): Promise<FileDiff[]> {
  const out: FileDiff[] = [];
  for (const p of paths) {
    const r = await readInputs([p]);
    for (const patch of r.patches) if (!patch.quoted && !patch.damaged) out.push(...patch.files.filter((f) => !f.binary && f.hunks.length > 0 && (f.newPath ?? f.oldPath)));
  }
  return out;
}

const FIXTURE_DIRS = ['fixtures/patches/series', 'fixtures/patches/fixes'].map((d) => resolve(import.meta.dirname, '../..', d));
const fixtureFiles = FIXTURE_DIRS.flatMap((d) => readdirSync(d).filter((n) => n.endsWith('.patch')).map((n) => join(d, n)));

describe('parse-diff agrees with the own reader on clean diffs', () => {
  const check = async (paths: string[]): Promise<number> => {
    const files = await cleanFiles(paths);
    for (const f of files) {
      const path = f.newPath ?? f.oldPath!;
      const bare = hunkText(f);
      const ours = parseUnifiedDiff(bare, { path });
      const lib = parseCleanDiff(bare, { path });
      expect(lib.problems, path).toEqual([]);
      expect(shape(lib.files).map((x) => x.hunks), path).toEqual(shape(ours.files).map((x) => x.hunks));
      const git = gitText(f);
      const ours2 = parseUnifiedDiff(git);
      const lib2 = parseCleanDiff(git);
      expect(shape(lib2.files), path).toEqual(shape(ours2.files));
    }
    return files.length;
  };
  it('on the fixture patches', async () => {
    expect(await check(fixtureFiles)).toBeGreaterThan(5);
  });
  it.runIf(sharedPresent(join(CORPUS, 'labels.json')))('on every clean diff of the corpus', async () => {
    const labels = JSON.parse(readFileSync(join(CORPUS, 'labels.json'), 'utf8')) as Array<{ file: string }>;
    const n = await check(labels.map((l) => join(CORPUS, l.file)));
    console.log(`parse-diff and the own reader agree on ${n} clean file diffs of the corpus`);
    expect(n).toBeGreaterThan(40);
  });
  it('reports a hunk whose line counts do not match its header', () => {
    const r = parseCleanDiff('@@ -1,3 +1,3 @@\n a\n-b\n+c\n', { path: 'mm/x.c' });
    expect(r.problems.map((p) => p.code)).toEqual(['MMR003']);
  });
});
