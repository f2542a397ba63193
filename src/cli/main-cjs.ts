/**
 * Entry of the CommonJS bundle dist/cjs/cli.cjs (scripts/build.mjs), which bin/mmreview.js runs for `check` through
 * a V8 code cache (bin/code-cache.js): the same command line as ./main.ts. `done` settles when the command has run.
 */
import { run } from './program.ts';

export const done: Promise<void> = run(process.argv);
