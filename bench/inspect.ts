/**
 * Front-end recovery figures (MMR010 / MMR011 / analysed images over the shared corpus and seeds) and throughput: patches/s through readInputs → functionsOfPatch on the project's fixtures (and the shared
 * corpus when present), hunk mode; plus one whole-file parse of the largest fixture C file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateMbox } from './scan.ts';
import { functionsOfPatch } from '../src/frontend/index.ts';
import { frontEndHealth } from '../src/frontend/health.ts';
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

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `inspect` over a large generated mbox of kernel mail: MB/s next to `grep -c '^From '` (target: 200 MB < 10 s). */
async function mboxThroughput(): Promise<void> {
  const mbox = join(root, 'bench/out/linux-mm-200m.mbox');
  if (!existsSync(mbox)) {
    mkdirSync(dirname(mbox), { recursive: true });
    generateMbox(mbox, { bytes: 200 * 1024 * 1024 });
  }
  const mb = statSync(mbox).size / (1024 * 1024);
  const g0 = performance.now();
  const count = execFileSync('grep', ['-c', '^From ', mbox], { encoding: 'utf8' }).trim();
  const grepMs = performance.now() - g0;
  const t0 = performance.now();
  const read = await readInputs([mbox]);
  let fns = 0;
  for (const p of read.patches) if (!p.cover) fns += (await functionsOfPatch(p)).functions.length;
  const ms = performance.now() - t0;
  console.log(`  inspect ${mb.toFixed(0)} MB mbox (${count} messages by grep): ${(ms / 1000).toFixed(1)} s, ${(mb / (ms / 1000)).toFixed(1)} MB/s, ` +
    `${read.patches.length} patches, ${fns} functions (target < 10 s); grep -c '^From ': ${(grepMs / 1000).toFixed(2)} s`);
}

/**
 * Syntax recovery and analysed-function ratio over the shared corpus and seeds (hunk-only): MMR010 / MMR011 / images
 * without paths now, next to the figures measured before the kernel pre-pass work (3cfe038).
 */
async function recovery(): Promise<void> {
  const corpus = join(root, '../shared/corpus');
  const seeds = join(root, '../shared/seeds');
  if (!existsSync(join(corpus, 'labels.json')) || !existsSync(seeds)) {
    console.log('  recovery: ../shared/corpus or ../shared/seeds absent; skipped');
    return;
  }
  const labels = JSON.parse(readFileSync(join(corpus, 'labels.json'), 'utf8')) as Array<{ file: string }>;
  const inputs = [...labels.map((l) => join(corpus, l.file)), ...readdirSync(seeds).sort().map((f) => join(seeds, f))];
  const h = await frontEndHealth(inputs);
  const before = { mmr010: 57, syntax: 45, mmr011: 1, noPaths: 12, mmr006: 1 };
  const pct = (a: number, b: number): string => (b === 0 ? '-' : `${((100 * a) / b).toFixed(0)}%`);
  console.log(`  recovery over ${h.inputs} corpus+seed inputs: ${h.functions} functions, ${h.images} images, ${h.imagesWithPaths} analysed with paths (${pct(h.imagesWithPaths, h.images)})`);
  console.log(`    MMR010 syntax recovery: before ${before.mmr010} (${before.syntax} "syntax errors recovered"), now ${h.mmr010} (${h.syntaxRecovered}); cut ${pct(before.mmr010 - h.mmr010, before.mmr010)} (target >= 80%)`);
  console.log(`    MMR011 path bound: before ${before.mmr011}, now ${h.mmr011}; images without paths: before ${before.noPaths}, now ${h.images - h.imagesWithPaths}; MMR006 binary: before ${before.mmr006}, now ${h.inputProblems.MMR006 ?? 0}`);
  for (const d of h.details) console.log(`      ${d}`);
}

/** Run the benchmark (called by bench/run.ts). */
export default async function bench(): Promise<void> {
  await recovery();
  const inputs = [...files(join(root, 'fixtures')), ...files(join(root, '../shared/corpus/cases'))];
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
  await mboxThroughput();
}
