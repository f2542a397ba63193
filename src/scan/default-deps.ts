/** The real collaborators of a scan: sources (inputs engineer), engine (lead), simulator table renderer. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mayContainDiff, parseMessage, readMaildir } from '../sources/index.ts';
import { isReportable } from '../engine/policy.ts';
import { renderTable } from '../sim/render-table.ts';
import { installRoot } from '../core/install-root.ts';
import type { ScanDeps } from './deps.ts';
import { readMbox } from '../sources/mbox.ts';
import type { ReviewPool } from './review-pool.ts';

/** The engine (rules, C parser, simulator) is loaded on the first review: a re-scan with nothing new never loads it. */
let engine: Promise<typeof import('../engine/index.ts')> | undefined;

const inProcess: ScanDeps['checkPatches'] = async (patches, opts) => (await (engine ??= import('../engine/index.ts'))).checkPatches(patches, opts);

/**
 * The bundled review worker (dist/src/scan/review-worker.js), when this code runs from the bundle; undefined when it
 * runs from the TypeScript sources (tests, a checkout never built), which then review in process.
 */
function bundledReviewWorker(): URL | undefined {
  if (!import.meta.url.includes('/dist/')) return undefined;
  const file = join(installRoot(), 'dist', 'src', 'scan', 'review-worker.js');
  return existsSync(file) ? pathToFileURL(file) : undefined;
}

export interface DefaultDepsOptions {
  /** Review workers (node:worker_threads); 0 or absent: review in process. */
  workers?: number;
}

/** The production wiring of `ScanDeps`. */
export function defaultScanDeps(o: DefaultDepsOptions = {}): ScanDeps {
  const url = (o.workers ?? 0) > 0 ? bundledReviewWorker() : undefined;
  const slots = Math.max(1, Math.floor(o.workers ?? 0));
  // The pool (and node:worker_threads) is loaded on the first review it serves: a re-scan with nothing new, or
  // `watch`, never loads it.
  let pool: Promise<ReviewPool> | undefined;
  const poolOf = (u: URL): Promise<ReviewPool> => (pool ??= import('./review-pool.ts').then((m) => new m.ReviewPool(u, slots)));
  return {
    mayContainDiff,
    parseMessage: async (raw, source) => {
      const r = await parseMessage(raw, source);
      return { patches: r.patches, problems: r.problems };
    },
    readMbox,
    readMaildir,
    // A tree (an open repository) stays in this process; so does everything when there is no pool.
    checkPatches: (patches, opts) => {
      if (!url || opts?.tree) return inProcess(patches, opts);
      const { tree: _tree, ...rest } = opts ?? {};
      return poolOf(url).then((p) => p.run(patches, rest));
    },
    isReportable,
    renderTable,
    ...(url ? { reviewSlots: slots, close: async () => (pool ? (await pool).close() : undefined) } : {}),
  };
}
