// `npm ci` / `npm install` run this (the `prepare` script): bundle dist/ with esbuild (scripts/build.mjs). esbuild is
// installed with tsx, a runtime dependency, so a CLI-only install (`npm ci --omit=dev`) builds dist/ too. Should it
// be missing all the same, mmreview runs from its TypeScript sources through tsx, which bin/mmreview.js does by itself.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
try {
  require.resolve('esbuild');
} catch {
  console.log('mmreview: esbuild is not installed: running from the sources through tsx');
  process.exit(0);
}
const build = join(dirname(fileURLToPath(import.meta.url)), 'build.mjs');
const r = spawnSync(process.execPath, [build], { stdio: 'inherit' });
process.exit(r.status ?? 1);
