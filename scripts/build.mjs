// `npm run build` (and the `prepare` script, the test set-up, the benchmarks): bundles the command line into dist/
// with esbuild — ESM with code splitting: dist/src/cli/main.js is the CLI shell (commander and the command
// registrations), each command's lazily imported modules (`import()` in src/cli/commands/*) become their own chunks
// under dist/chunks/, loaded only when that command runs. Packages in node_modules stay external (Node loads them
// from node_modules as before: native addons, wasm located beside their module). One file per chunk instead of one
// per source module is what makes start-up fast: Node's ESM loader reads each module separately.
// dist/meta.json (esbuild's metafile) records which source modules each chunk holds (the lazy-loading test reads it).
// dist/cjs/cli.cjs: the same command line as one CommonJS file (entry src/cli/main-cjs.ts), which bin/mmreview.js
// runs for `check` through a V8 code cache (bin/code-cache.js; Node 20 caches no ES module code): no module
// resolution, no parse or compile of the bundle, no lazy compile of the functions an earlier run compiled.
// dist/cjs/cli.json names its content hash (the cache file's name).
// Source maps: `npm run build -- --sourcemap` (or MMREVIEW_SOURCEMAP=1), off by default.
// No type checking here: `npm run typecheck` (tsc) does that.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

// The code-cached CommonJS bundle of the command line (bin/code-cache.js). Modules that the ESM build loads with
// import() stay lazy (esbuild's init wrappers); import.meta.url reads the bundle file's own URL.
// web-tree-sitter's JavaScript is bundled too (a large emscripten module, compiled on every run when required from
// node_modules); src/c/parser.ts names its wasm by package.
const cjsPackages = {
  name: 'mmreview-cjs-packages',
  setup(b) {
    b.onResolve({ filter: /^web-tree-sitter$/ }, () => ({ path: createRequire(join(root, 'package.json')).resolve('web-tree-sitter') }));
    packages.setup(b);
  },
};
await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main-cjs.ts'],
  outfile: 'dist/cjs/cli.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  plugins: [cjsPackages],
  define: { 'import.meta.url': '__mmreviewModuleUrl' },
  minifyWhitespace: true,
  banner: { js: "const __mmreviewModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  sourcemap: sourcemap ? 'linked' : false,
  legalComments: 'none',
  logLevel: 'warning',
});
// ASCII only, so bin/code-cache.js reads it as a one-byte (latin1) string: esbuild escapes non-ASCII characters in
// strings but keeps them in regular expression literals, where a \uXXXX escape of each UTF-16 unit means the same.
// Whitespace and comments are left out (minifyWhitespace): a smaller file to read; names are kept.
const cjsFile = join(outdir, 'cjs', 'cli.cjs');
// A dynamic import() of a package esbuild leaves external becomes a require(): a function V8 restores from the code
// cache has lost the script's dynamic-import callback ("A dynamic import callback was not specified"), and Node 20
// warns that the callback is experimental. Each such package is CommonJS (or a builtin), read by its named exports.
const cjsText = readFileSync(cjsFile, 'utf8')
  .replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  .replace(/\bimport\(("[^"]+")\)/g, 'Promise.resolve().then(()=>require($1))');
if (/\bimport\(/.test(cjsText)) throw new Error('dist/cjs/cli.cjs: a dynamic import() is left that the code cache cannot serve');
writeFileSync(cjsFile, cjsText, 'latin1');
const cjsHash = createHash('sha256').update(cjsText).digest('hex').slice(0, 16);
writeFileSync(join(outdir, 'cjs', 'cli.json'), JSON.stringify({ file: 'cli.cjs', hash: cjsHash }));

// The code cache of the bundle, written beside it by one review of the fixture series (the whole check path:
// parser, rules, simulator, text report) run through bin/mmreview.js with this Node; a Node of another version
// finds none here and writes its own into the user's cache directory (bin/code-cache.js). Without the fixtures (an
// install that ships none) or on any failure there is simply no build cache.
if (existsSync(join(root, 'fixtures', 'patches', 'series'))) {
  spawnSync(process.execPath, [join(root, 'bin', 'mmreview.js'), 'check', '--tree', 'fixtures/tree', 'fixtures/patches/series'], {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, MMREVIEW_CACHE_DIR: join(outdir, 'cjs'), MMREVIEW_CODE_CACHE: 'on' },
  });
}
