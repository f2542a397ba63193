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

/**
 * Packages bundled into dist/ instead of loaded from node_modules (pure JavaScript, many small modules). zod (the
 * scenario validation, loaded with the simulator): from node_modules it is about a hundred ES modules, every locale
 * included, ~150 ms to resolve, read and compile on each run that simulates; bundled, only what the schemas use
 * (the sources import it as a namespace, `import * as z from 'zod'`, which esbuild tree-shakes; `import { z }` would
 * keep every export).
 */
const INLINE = new Set(['commander', 'zod']);
const inlined = (importer) => [...INLINE].some((p) => importer.includes(`/node_modules/${p}/`));

/**
 * Every package stays external (Node loads it from node_modules: native addons, wasm beside its module) except the
 * INLINE ones: commander is the CLI shell, loaded by every command; bundled, it is part of main.js instead of seven
 * CommonJS files resolved, read and lexed one by one. Its `require('node:…')` calls read the builtin through
 * process.getBuiltinModule (no `require` exists in an ES module), and node:child_process, which it needs only to
 * run executable sub-commands (mmreview has none), is loaded on first use instead of at start-up (it brings net,
 * dgram and their dependencies along).
 */
const packages = {
  name: 'mmreview-packages',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => (inlined(a.importer) ? { path: a.path, namespace: 'builtin' } : { path: a.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (a) => ({
      loader: 'js',
      contents:
        a.path === 'node:child_process'
          ? "module.exports = { spawn: (...args) => process.getBuiltinModule('node:child_process').spawn(...args) };"
          : `module.exports = process.getBuiltinModule(${JSON.stringify(a.path)});`,
    }));
    b.onResolve({ filter: /^[^./]/ }, (a) => {
      const name = a.path.startsWith('@') ? a.path.split('/').slice(0, 2).join('/') : a.path.split('/')[0];
      return INLINE.has(name) || inlined(a.importer) ? undefined : { path: a.path, external: true };
    });
  },
};
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
  plugins: [packages],
  sourcemap: sourcemap ? 'linked' : false,
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
