/** The real collaborators of a scan: sources (inputs engineer), engine (lead), simulator table renderer. */
import { mayContainDiff, parseMessage, readMbox, readMaildir } from '../sources/index.ts';
import { checkPatches, isReportable } from '../engine/index.ts';
import { renderTable } from '../sim/index.ts';
import type { ScanDeps } from './deps.ts';

/** The production wiring of `ScanDeps`. */
export function defaultScanDeps(): ScanDeps {
  return {
    mayContainDiff,
    parseMessage: async (raw, source) => {
      const r = await parseMessage(raw, source);
      return { patches: r.patches, problems: r.problems };
    },
    readMbox,
    readMaildir,
    checkPatches,
    isReportable,
    renderTable,
  };
}
