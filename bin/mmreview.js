#!/usr/bin/env node
// Entry point of the `mmreview` command: runs the bundled JavaScript in dist/ (built by `npm run build`, which
// `npm ci` / `npm install` run through the `prepare` script). `check` runs the CommonJS bundle dist/cjs/cli.cjs
// through a V8 code cache (./code-cache.js; MMREVIEW_CODE_CACHE=off runs it from the ES modules like the other
// commands); `check --pr/--post` loads octokit, an ES module a CommonJS bundle cannot require on every Node 20, so
// it takes the ES modules too, as does a check of large input files (below). In a checkout without dist/ (sources
// edited, never built) it falls back to loading the TypeScript sources through tsx, which is slower to start.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/src/cli/main.js', import.meta.url);
const argv = process.argv.slice(2);

/** Bytes of the input files named on the command line (directories, ranges and stdin not counted). */
function inputBytes(args) {
  let n = 0;
  for (const a of args) {
    try {
      const st = statSync(a);
      if (st.isFile()) n += st.size;
    } catch {
      // not a file
    }
  }
  return n;
}

// Inputs of several MB take seconds to review, where the cache's tens of milliseconds do not count, but the code
// it restores (all of the check path, at start) raises the peak RSS by ~20 MB: such runs take the ES modules.
const LARGE_INPUT = 4 << 20;
/** bin/code-cache.js, loaded only when `check` may run from the cached bundle. */
let codeCache;
const cached =
  argv[0] === 'check' &&
  process.env.MMREVIEW_CODE_CACHE !== 'off' &&
  !argv.some((a) => /^--(pr|post|api-url)(=|$)/.test(a)) &&
  inputBytes(argv.slice(1)) < LARGE_INPUT
    ? (codeCache = await import('./code-cache.js')).bundleOf(fileURLToPath(new URL('../dist/cjs/', import.meta.url)))
    : undefined;
if (cached) {
  // WebAssembly's baseline tier, as the check command sets it (src/cli/wasm-baseline.ts), before the bundle is
  // compiled: V8's flags are part of the code cache's identity.
  process.getBuiltinModule('node:v8').setFlagsFromString('--liftoff-only');
  await codeCache.runCached(cached, !argv.some((a) => a === '-h' || a === '--help'));
} else if (existsSync(dist)) {
  await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
