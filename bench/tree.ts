/**
 * Benchmark of `--tree` as a git repository: the 5-patch fixture series checked against a generated git repository
 * of fixtures/tree (bases from the index blob ids through one `git cat-file --batch`), next to the same series with
 * the directory as tree and with no tree; and the cost of the base lookups alone (process start included).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInputs, directoryTree } from '../src/sources/index.ts';
import { checkPatches } from '../src/engine/index.ts';
import { resolveBases } from '../src/diff/source-tree.ts';
import { openGitStore, checkAgainstTree } from '../src/git/index.ts';
import { ROOT, median } from './_proc.ts';

async function times(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return t;
}

async function time(runs: number, fn: () => Promise<unknown>): Promise<number> {
  return median(await times(runs, fn));
}

export default async function bench(): Promise<void> {
  const repo = mkdtempSync(join(tmpdir(), 'mmr-bench-tree-'));
  try {
    cpSync(join(ROOT, 'fixtures/tree'), repo, { recursive: true });
    const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b', GIT_CONFIG_GLOBAL: '/dev/null' };
    for (const args of [['init', '-q'], ['add', '-A'], ['commit', '-q', '-m', 'tree']]) execFileSync('git', args, { cwd: repo, env });
    const read = await readInputs([join(ROOT, 'fixtures/patches/series')]);
    const runs = 5;
    const none = await time(runs, () => checkPatches(read.patches, {}));
    const dir = await time(runs, () => checkPatches(read.patches, { tree: directoryTree(join(ROOT, 'fixtures/tree')) }));
    const store = await openGitStore(repo);
    if (!store) throw new Error('generated repository not recognised');
    let notes = '';
    const withGit = await time(runs, async () => {
      const r = await checkAgainstTree(checkPatches, read.patches, store);
      notes = r.errors.filter((e) => e.code === 'MMR041').length + '/' + read.patches.filter((p) => !p.cover).length;
    });
    const stats = { spawned: store.catFile.spawned, batches: store.catFile.batches, requests: store.catFile.requests };
    store.close();
    // Base lookups alone, cold: a fresh store (its cat-file process started) per run.
    const lookups = await times(15, async () => {
      const s = await openGitStore(repo);
      await resolveBases(read.patches, s!);
      s!.close();
    });
    console.log(`  5-patch series: no tree ${none.toFixed(0)} ms, directory tree ${dir.toFixed(0)} ms, git tree ${withGit.toFixed(0)} ms (median of ${runs}); ${notes} patches based on index blob ids`);
    console.log(`  base lookups alone (open repository, start cat-file, read 5 blobs, apply): median ${median(lookups).toFixed(1)} ms, min ${Math.min(...lookups).toFixed(1)} ms over 15; one store over ${runs + 1} checks: ${stats.spawned} cat-file process, ${stats.batches} batches, ${stats.requests} object names`);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}
