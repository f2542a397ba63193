// `npm run build` (and the `prepare` script, the test set-up, the benchmarks): bundles the command line into dist/
// with esbuild — ESM with code splitting: dist/src/cli/main.js is the CLI shell (commander and the command
// registrations), each command's lazily imported modules (`import()` in src/cli/commands/*) become their own chunks
// under dist/chunks/, loaded only when that command runs. Packages in node_modules stay external (Node loads them
// from node_modules as before: native addons, wasm located beside their module). One file per chunk instead of one
// per source module is what makes start-up fast: Node's ESM loader reads each module separately.
// dist/meta.json (esbuild's metafile) records which source modules each chunk holds (the lazy-loading test reads it).
// Source maps: `npm run build -- --sourcemap` (or MMREVIEW_SOURCEMAP=1), off by default.
// No type checking here: `npm run typecheck` (tsc) does that.
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourcemap = process.argv.includes('--sourcemap') || process.env.MMREVIEW_SOURCEMAP === '1';
const outdir = join(root, 'dist');

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  // The scan's review workers (src/scan/review-pool.ts) run their own entry; it shares the chunks of the CLI.
  entryPoints: ['src/cli/main.ts', 'src/scan/review-worker.ts'],
  outdir: 'dist',
  outbase: '.',
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: sourcemap ? 'linked' : false,
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
