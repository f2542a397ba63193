/**
 * Front-end throughput: patches/s through readInputs → functionsOfPatch on the project's fixtures (and the shared
 * corpus when present), hunk mode; plus one whole-file parse of the largest fixture C file.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { functionsOfPatch } from '../src/frontend/index.ts';
import { readInputs } from '../src/sources/index.ts';

function files(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(?:patch|diff|eml|mbox|txt)$/.test(f)) out.push(p);
  }
  return out;
}

/** Run the benchmark (called by bench/run.ts). */
export default async function bench(): Promise<void> {
  const inputs = [...files('fixtures'), ...files('/work/shared/corpus/cases')];
  const read = await readInputs(inputs);
  const patches = read.patches.filter((p) => !p.cover);
  // Warm the parser once.
  if (patches[0]) await functionsOfPatch(patches[0]);
  const rounds = 3;
  let fns = 0;
  let events = 0;
  let paths = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const p of patches) {
      const res = await functionsOfPatch(p);
      if (r === 0) {
        fns += res.functions.length;
        for (const f of res.functions) for (const img of [f.pre, f.post]) if (img) ((events += img.events.length), (paths += img.paths.length));
      }
    }
  }
  const ms = performance.now() - t0;
  const per = ms / (rounds * Math.max(1, patches.length));
  console.log(`  ${patches.length} patches from ${inputs.length} inputs; ${fns} functions, ${events} events, ${paths} paths`);
  console.log(`  ${(1000 / per).toFixed(0)} patches/s (${per.toFixed(1)} ms/patch, mean of ${rounds} rounds)`);
}
