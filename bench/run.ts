/**
 * `npm run bench`: runs every benchmark module in bench/ (each exports a default async function, or `bench`/`run`)
 * in name order and prints its figures. `npm run bench -- check sim` runs only the named ones. Targets are
 * reported next to the measurements; benchmarks never fail the build. dist/ is rebuilt (bundled) first, so benchmarks that
 * spawn bin/mmreview.js measure the current sources.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.d.ts') && !f.startsWith('_'))
  .sort()
  .filter((f) => only.length === 0 || only.includes(basename(f, '.ts')));

for (const f of files) {
  const mod = (await import(pathToFileURL(`${here}/${f}`).href)) as Record<string, unknown>;
  const fn = (mod.default ?? mod.bench ?? mod.run) as (() => Promise<void> | void) | undefined;
  if (typeof fn !== 'function') continue;
  console.log(`\n== ${basename(f, '.ts')} ==`);
  const t0 = performance.now();
  try {
    await fn();
  } catch (err) {
    console.log(`  failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
