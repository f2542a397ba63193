/**
 * The production services of the app: the real engine, the simulator's trace renderers, and parse-diff for
 * GitHub's per-file `patch` fields (clean diffs; src/diff/library-diff.ts).
 */
import { parseCleanDiff } from '../diff/library-diff.ts';
import { checkPatches } from '../engine/index.ts';
import { renderMermaid, renderTable } from '../sim/index.ts';
import type { AppServices } from './engine-port.ts';

/** Services wired to src/engine, src/sim and src/sources. */
export function defaultServices(): AppServices {
  return {
    checkPatches,
    renderers: { table: renderTable, mermaid: renderMermaid },
    parseDiff: parseCleanDiff,
  };
}
