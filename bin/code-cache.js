// Runs dist/cjs/cli.cjs (the command line as one CommonJS file, built by scripts/build.mjs) through a V8 code cache:
// Node 20 caches no ES module code, but a vm.Script compiled with `cachedData` skips the parse and compile of the
// bundle and of every function an earlier run compiled. One cache file per bundle content, Node version and
// architecture: the build writes one beside the bundle (dist/cjs/); when there is none for this Node, the first run
// writes one at exit into the user's cache directory ($XDG_CACHE_HOME/mmreview, else ~/.cache/mmreview), after a
// completed review only (exit status 0 or 1). $MMREVIEW_CACHE_DIR replaces both places (tests, the build itself).
// A rejected cache is rewritten where it was found.
// Every failure falls back silently: no cache directory or an unwritable one (the run simply compiles), a cache
// from another V8 or for another source (V8 rejects it: cachedDataRejected, and the run compiles), a corrupt file
// (V8 verifies the cache's checksum, --verify-snapshot-checksum, which it otherwise skips in release builds and
// would crash on a damaged payload). Writes go to a temporary file renamed into place, so a reader never sees a
// partial file. V8 flags are part of a cache's identity: the caller sets its flags before runCached() and keeps
// them (a cache made under other flags is rejected, not misused).
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

/** The directory holding the code caches. */
export function cacheDir(env = process.env) {
  if (env.MMREVIEW_CACHE_DIR) return env.MMREVIEW_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || (process.platform === 'win32' ? env.LOCALAPPDATA : undefined) || join(env.HOME || process.getBuiltinModule('node:os').homedir(), '.cache');
  return join(base, 'mmreview');
}

/** `{ file, hash }` of the bundle in `distDir` (dist/cjs/cli.json), or undefined when it is not built. */
export function bundleOf(distDir) {
  try {
    const m = JSON.parse(readFileSync(join(distDir, 'cli.json'), 'utf8'));
    if (typeof m.file !== 'string' || typeof m.hash !== 'string' || !/^[0-9a-f]+$/.test(m.hash)) return undefined;
    return { file: join(distDir, m.file), hash: m.hash };
  } catch {
    return undefined;
  }
}

/** Name of the cache file of a bundle with content hash `hash` for this Node. */
function cacheName(hash) {
  return `cli-${hash}-${process.version}-${process.arch}.v8cache`;
}

function readCache(path) {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function writeCache(dir, path, data) {
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, path);
    // Caches of earlier builds or other Node versions are never read again.
    for (const f of readdirSync(dir)) if (/^cli-.*\.v8cache$/.test(f) && join(dir, f) !== path) rmSync(join(dir, f), { force: true });
  } catch {
    // read-only or missing cache directory: the next run compiles again
  }
}

/**
 * Run the bundle `bundle` ({ file, hash }) as a CommonJS module through the code cache; returns the promise of its
 * `done` export (settled when the command has run). `save`: whether this run may write a missing or rejected cache
 * (false for a run that only prints help: it compiles too little to be worth caching).
 */
export function runCached(bundle, save = true) {
  process.getBuiltinModule('node:v8').setFlagsFromString('--verify-snapshot-checksum');
  const name = cacheName(bundle.hash);
  // The build's own cache (scripts/build.mjs writes it beside the bundle from a review of the fixture series, so it
  // holds the whole check path), else the one a first run wrote into the user's cache directory (another Node).
  // $MMREVIEW_CACHE_DIR, when set, is the only place looked at.
  let dir = process.env.MMREVIEW_CACHE_DIR ? cacheDir() : dirname(bundle.file);
  let cachedData = readCache(join(dir, name));
  if (cachedData === undefined && dir !== cacheDir()) {
    dir = cacheDir();
    cachedData = readCache(join(dir, name));
  }
  const path = join(dir, name);
  // The build writes the bundle in ASCII: read as latin1 it is a one-byte string, no UTF-8 decoding.
  const source = readFileSync(bundle.file, 'latin1');
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  // No dynamic-import callback: the build turns the bundle's import() calls into require() (a function restored
  // from the cache would not keep the callback).
  const script = new vm.Script(wrapper, { filename: bundle.file, ...(cachedData ? { cachedData } : {}) });
  if (save && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', (code) => {
      if (code === 0 || code === 1) writeCache(dir, path, script.createCachedData());
    });
  }
  const module = { exports: {}, filename: bundle.file, id: bundle.file, loaded: false };
  script.runInThisContext()(module.exports, createRequire(bundle.file), module, bundle.file, dirname(bundle.file));
  module.loaded = true;
  return module.exports.done;
}
