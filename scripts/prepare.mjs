// `npm ci` / `npm install` run this (the `prepare` script): build dist/ with TypeScript when it is installed. An
// install without dev dependencies (`npm ci --omit=dev`, a CLI-only install) has no compiler: mmreview then runs
// from its TypeScript sources through tsx (a runtime dependency), which bin/mmreview.js does by itself.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
} catch {
  console.log('mmreview: TypeScript is not installed (a CLI-only install): running from the sources through tsx');
  process.exit(0);
}
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
