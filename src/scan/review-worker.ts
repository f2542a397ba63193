/**
 * A review worker (node:worker_threads, see review-pool.ts): runs the engine's `checkPatches` on the patches of one
 * series per message and answers with the report, or with the error message when the engine threw. Bundled as its
 * own entry (dist/src/scan/review-worker.js) by scripts/build.mjs.
 */
import { parentPort } from 'node:worker_threads';
import type { ReviewJob, ReviewAnswer } from './review-pool.ts';

const port = parentPort;
if (!port) throw new Error('review-worker.ts runs as a worker thread only');
// V8 flags are per process: the WebAssembly tiering the scan chose (src/cli/wasm-baseline.ts) holds here too.
let engine: Promise<typeof import('../engine/index.ts')> | undefined;

port.on('message', (job: ReviewJob) => {
  void (async (): Promise<void> => {
    let answer: ReviewAnswer;
    try {
      const { checkPatches } = await (engine ??= import('../engine/index.ts'));
      answer = { id: job.id, report: await checkPatches(job.patches, job.opts) };
    } catch (e) {
      answer = { id: job.id, error: e instanceof Error ? e.message : String(e) };
    }
    try {
      port.postMessage(answer);
    } catch (e) {
      // A report that cannot be copied to the main thread: say why, instead of dying with an exit code.
      port.postMessage({ id: job.id, error: `the review could not be sent back: ${e instanceof Error ? e.message : String(e)}` } satisfies ReviewAnswer);
    }
  })();
});
