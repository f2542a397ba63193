/**
 * `mmreview watch`: review each new mm series within a cycle of it reaching a mirrored archive. A cycle fetches the
 * mirrors (git fetch of every epoch, new epochs cloned), scans only the new commits through the incremental scanner
 * (per-epoch cursors in the state database), holds back incomplete M/N series for a grace period, reviews the rest,
 * drafts (and optionally sends) replies, and reports one line. A fetch failure is logged and retried with
 * exponential backoff; it never ends the watch. A stop request (SIGTERM/SIGINT) lets the current cycle finish and
 * commit its state.
 */
import { resolve } from 'node:path';
import type { ScanDeps, EngineOptions } from '../scan/deps.ts';
import { detectSource, runScan } from '../scan/scanner.ts';
import type { ScanResult } from '../scan/scanner.ts';
import type { StateStore } from '../store/state-store.ts';
import { fetchMirror, isMirror } from './mirror.ts';
import type { RunGit } from './mirror.ts';
import { seriesHold } from './series-grace.ts';

export interface WatchOptions {
  sources: string[];
  /** Milliseconds between cycle starts. */
  everyMs: number;
  /** How long an incomplete M/N series waits for its missing parts, from its first part's arrival. */
  graceMs: number;
  /** One cycle, then return (cron, systemd timers). */
  once: boolean;
  draftsDir: string;
  from: string;
  engine?: EngineOptions;
  /** Send drafted replies after each cycle. */
  send?: (store: StateStore) => Promise<{ sent: number; failed: number }>;
  /** Receives one record per cycle (and fetch problems). */
  report: (r: CycleReport) => void;
  /** Stops the loop after the current cycle. */
  signal?: AbortSignal;
  now?: () => number;
  git?: RunGit;
  /** Backoff after a failed fetch: first delay and cap (ms). */
  backoff?: { firstMs: number; maxMs: number };
}

export interface CycleReport {
  cycle: number;
  /** ISO time of the cycle's start. */
  at: string;
  fetch: Array<{ source: string; ms?: number; newEpochs?: number[]; error?: string; retryInMs?: number; skipped?: 'backoff' | 'not-a-mirror' }>;
  newMessages: number;
  patches: number;
  patchesReviewed: number;
  waiting: number;
  findings: number;
  drafts: number;
  sent?: number;
  sourceErrors: Array<{ source: string; code: string; message: string }>;
  ms: number;
}

interface Backoff {
  failures: number;
  nextAt: number;
}

const CURSOR = 'watch:cursor:';

/** The per-epoch scan cursors of the watch, kept in the state database. */
function cursorOf(store: StateStore): NonNullable<Parameters<typeof runScan>[3]['cursor']> {
  return {
    get: (path, epoch) => store.getMeta(`${CURSOR}${path}\u0000${epoch}`),
    set: (path, epoch, head) => store.setMeta(`${CURSOR}${path}\u0000${epoch}`, head),
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((res) => {
    if (signal?.aborted) return res();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      res();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** One cycle: fetch, scan new commits, review what is ready, send. */
export async function runCycle(store: StateStore, deps: ScanDeps, opts: WatchOptions, n: number, backoff: Map<string, Backoff>): Promise<CycleReport> {
  const now = opts.now ?? Date.now;
  const t0 = now();
  const rep: CycleReport = { cycle: n, at: new Date(t0).toISOString(), fetch: [], newMessages: 0, patches: 0, patchesReviewed: 0, waiting: 0, findings: 0, drafts: 0, sourceErrors: [], ms: 0 };
  const first = opts.backoff?.firstMs ?? 5_000;
  const cap = opts.backoff?.maxMs ?? 15 * 60_000;
  for (const src of opts.sources) {
    const path = resolve(src);
    const det = detectSource(path);
    if ('error' in det || det.kind !== 'public-inbox') continue; // mbox / maildir (e.g. lei output): rescanned as they are
    if (!(await isMirror(path, opts.git))) {
      rep.fetch.push({ source: src, skipped: 'not-a-mirror' });
      continue;
    }
    const b = backoff.get(path);
    if (b && now() < b.nextAt) {
      rep.fetch.push({ source: src, skipped: 'backoff', retryInMs: b.nextAt - now() });
      continue;
    }
    try {
      const f = await fetchMirror(path, opts.git ? { git: opts.git } : {});
      backoff.delete(path);
      rep.fetch.push({ source: src, ms: f.ms, newEpochs: f.newEpochs });
    } catch (e) {
      const failures = (b?.failures ?? 0) + 1;
      const delay = Math.min(cap, first * 2 ** (failures - 1));
      backoff.set(path, { failures, nextAt: now() + delay });
      rep.fetch.push({ source: src, error: (e as Error).message, retryInMs: delay });
    }
  }
  const result: ScanResult = await runScan(opts.sources, store, deps, {
    draftsDir: opts.draftsDir,
    from: opts.from,
    ...(opts.engine ? { engine: opts.engine } : {}),
    hold: seriesHold(store, opts.graceMs, now),
    cursor: cursorOf(store),
  });
  rep.newMessages = result.sources.reduce((k, s) => k + s.newMessages, 0);
  rep.patches = result.counts.patch;
  rep.patchesReviewed = result.review.reviewed;
  rep.waiting = result.review.held ?? 0;
  rep.findings = result.review.findings;
  rep.drafts = result.review.drafted;
  for (const s of result.sources) if (s.error) rep.sourceErrors.push({ source: s.path, ...s.error });
  if (opts.send) {
    const sent = await opts.send(store);
    rep.sent = sent.sent;
  }
  rep.ms = now() - t0;
  return rep;
}

/** Runs cycles every `everyMs` until stopped (or once). Resolves after the last cycle committed its state. */
export async function watch(store: StateStore, deps: ScanDeps, opts: WatchOptions): Promise<number> {
  const backoff = new Map<string, Backoff>();
  let n = 0;
  for (;;) {
    const started = Date.now();
    n++;
    opts.report(await runCycle(store, deps, opts, n, backoff));
    if (opts.once || opts.signal?.aborted) return n;
    await sleep(Math.max(0, opts.everyMs - (Date.now() - started)), opts.signal);
    if (opts.signal?.aborted) return n;
  }
}

/** One line per cycle for a terminal or a log file. */
export function formatCycle(r: CycleReport): string {
  const fetch = r.fetch
    .map((f) => (f.error ? `fetch ${f.source} failed (${f.error}; retry in ${Math.round((f.retryInMs ?? 0) / 1000)}s)` : f.skipped === 'backoff' ? `fetch ${f.source} waiting (retry in ${Math.round((f.retryInMs ?? 0) / 1000)}s)` : f.skipped ? '' : `fetched ${f.source} in ${f.ms} ms${f.newEpochs?.length ? ` (new epochs ${f.newEpochs.join(', ')})` : ''}`))
    .filter(Boolean);
  const parts = [
    `cycle ${r.cycle} ${r.at}`,
    ...fetch,
    `${r.newMessages} new message${r.newMessages === 1 ? '' : 's'}`,
    `${r.patchesReviewed} patch${r.patchesReviewed === 1 ? '' : 'es'} reviewed`,
    ...(r.waiting ? [`${r.waiting} series waiting for parts`] : []),
    `${r.findings} finding${r.findings === 1 ? '' : 's'}`,
    `${r.drafts} draft${r.drafts === 1 ? '' : 's'}`,
    ...(r.sent !== undefined ? [`${r.sent} sent`] : []),
    ...r.sourceErrors.map((e) => `${e.source}: ${e.code} ${e.message}`),
    `${r.ms} ms`,
  ];
  return parts.join('; ');
}
