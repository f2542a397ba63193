#!/usr/bin/env node
// Entry point of the `mmreview` command: runs the bundled JavaScript in dist/ (built by `npm run build`, which
// `npm ci` / `npm install` run through the `prepare` script). In a checkout without dist/ (sources edited, never
// built) it falls back to loading the TypeScript sources through tsx, which is slower to start.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/src/cli/main.js', import.meta.url);
if (existsSync(dist)) {
  await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
