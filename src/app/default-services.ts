/** The production services of the app: the real engine, the simulator's trace renderers, the patch parser. */
import { checkPatches } from '../engine/index.ts';
import { renderMermaid, renderTable } from '../sim/index.ts';
import { parseUnifiedDiff } from '../sources/index.ts';
import type { AppServices } from './engine-port.ts';

/** Services wired to src/engine, src/sim and src/sources. */
export function defaultServices(): AppServices {
  return {
    checkPatches,
    renderers: { table: renderTable, mermaid: renderMermaid },
    parseDiff: parseUnifiedDiff,
  };
}
