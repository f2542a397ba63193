/**
 * Benchmark of `mmreview check`: the 5-patch fixture series with full simulation (target: under 1 s on 2 cores),
 * and the rules' recall / false positives over ../shared/corpus when it is present.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readInputs, directoryTree } from '../src/sources/index.ts';
import { checkPatches } from '../src/engine/index.ts';
import { clearSimulationCache } from '../src/sim/index.ts';
import { outcomeTable, scoreCorpus } from '../test/engine/corpus-score.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export default async function bench(): Promise<void> {
  const read = await readInputs([join(root, 'fixtures/patches/series')]);
  const tree = directoryTree(join(root, 'fixtures/tree'));
  await checkPatches(read.patches, { tree }); // warm-up: parser wasm, JIT
  const runs = 5;
  const times: number[] = [];
  let confirmed = 0;
  let sims = 0;
  for (let i = 0; i < runs; i++) {
    clearSimulationCache(); // every run explores (the cache would answer repeats within this process)
    const t0 = performance.now();
    const r = await checkPatches(read.patches, { tree });
    times.push(performance.now() - t0);
    confirmed = r.findings.filter((f) => f.status === 'confirmed').length;
    sims = r.stats.simulations;
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(runs / 2)] ?? 0;
  console.log(`  check, 5-patch series with --tree: median ${median.toFixed(0)} ms over ${runs} runs (target < 1000 ms); ${sims} simulations, ${confirmed} confirmed findings`);
  const corpus = join(root, '../shared/corpus');
  if (existsSync(join(corpus, 'labels.json'))) {
    const labels = JSON.parse(readFileSync(join(corpus, 'labels.json'), 'utf8'));
    const s = await scoreCorpus(corpus, labels);
    console.log(`  corpus: ${s.bugHit}/${s.bugs} bug cases confirmed (recall ${(100 * s.bugHit / Math.max(1, s.bugs)).toFixed(0)}%), ` +
      `${s.fixSeen}/${s.fixes} fixes recognised, ${s.falsePositives} false positives on fix/clean cases`);
    for (const line of outcomeTable(s.cases)) console.log(`  ${line}`);
  } else {
    console.log('  corpus: ../shared/corpus not present, skipped');
  }
}
