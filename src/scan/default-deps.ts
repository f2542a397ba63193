/** The real collaborators of a scan: sources (inputs engineer), engine (lead), simulator table renderer. */
import { mayContainDiff, parseMessage, readMaildir } from '../sources/index.ts';
import { readMboxFrom } from './mbox-tail.ts';
import { isReportable } from '../engine/policy.ts';
import { renderTable } from '../sim/render-table.ts';
import type { ScanDeps } from './deps.ts';

/** The engine (rules, C parser, simulator) is loaded on the first review: a re-scan with nothing new never loads it. */
let engine: Promise<typeof import('../engine/index.ts')> | undefined;

/** The production wiring of `ScanDeps`. */
export function defaultScanDeps(): ScanDeps {
  return {
    mayContainDiff,
    parseMessage: async (raw, source) => {
      const r = await parseMessage(raw, source);
      return { patches: r.patches, problems: r.problems };
    },
    readMbox: readMboxFrom,
    readMaildir,
    checkPatches: async (patches, opts) => (await (engine ??= import('../engine/index.ts'))).checkPatches(patches, opts),
    isReportable,
    renderTable,
  };
}
