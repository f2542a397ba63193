/**
 * The `mmreview` command line as an ES module (dist/src/cli/main.js): every command but the code-cached `check`
 * (see bin/code-cache.js) starts here.
 */
import { run } from './program.ts';

await run(process.argv);
