/**
 * `mmreview scan SOURCE...`: incremental, resumable review of mail archives (mbox, maildir, public-inbox v2).
 * Exit 0 when the scan completed (whatever it found); 2 on bad usage, an unreadable source, or a --db another scan
 * is using (the holder is named; --wait SECONDS waits for it instead).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { StateStore } from '../../store/state-store.ts';
import type { BaseStore } from '../../diff/source-tree.ts';
import { addArchiveOptions, archiveSettings, type ArchiveFlags } from '../archive-options.ts';
import { useBaselineWasm } from '../wasm-baseline.ts';

interface ScanFlags extends ArchiveFlags {
  report?: string;
  archiveUrl: string;
  format: string;
  batch: string;
  progress: boolean;
  history?: boolean;
  wait: string;
  workers?: string;
}

function usage(msg: string): void {
  process.stderr.write(`mmreview scan: ${msg}\n`);
  process.exitCode = 2;
}

/** Registers `scan` on the program. */
export function register(program: Command): void {
  const cmd = program
    .command('scan')
    .description('Scan mail archives (mbox, maildir, public-inbox v2) for mm patches; review new ones, draft replies')
    .argument('<source...>', 'mbox file, maildir directory or public-inbox v2 directory')
    .option('--report <file>', 'also write a static HTML report')
    .option('--archive-url <url>', 'base URL for message links in the HTML report (a public-inbox URL)', 'https://lore.kernel.org/r/')
    .option('--format <fmt>', 'terminal report format: text | json', 'text')
    .option('--batch <n>', 'messages per transaction', '5000')
    .option('--no-progress', 'no progress output on stderr')
    .option('--history', 'report every series in the state, not only what this run reviewed')
    .option('--wait <seconds>', 'when another scan is using --db, wait up to this long for it (default: exit 2 at once)', '0')
    .option('--workers <n>', 'review worker threads (0: review in this thread; default: one per core besides the main thread\'s on more than 2 cores, else 0)')
;
  addArchiveOptions(cmd).action(async (sources: string[], flags: ScanFlags) => {
      useBaselineWasm();
      if (flags.format !== 'text' && flags.format !== 'json') return usage(`unknown --format "${flags.format}" (text, json)`);
      const batchSize = Number(flags.batch);
      if (!Number.isInteger(batchSize) || batchSize < 1) return usage(`--batch must be a positive integer, got "${flags.batch}"`);
      if (!/^https?:\/\/[^\s"'<>]+$/i.test(flags.archiveUrl)) return usage(`--archive-url must be an http(s) URL, got "${flags.archiveUrl}"`);
      const settings = await archiveSettings(flags);
      if ('error' in settings) return usage(settings.error);
      const { smtpUrl, from, treePath } = settings;
      // Loaded here, not at start-up: `mmreview --help` and the other commands never pay for SQLite or mail parsing.
      const [{ StateStore: Store, DbLockedError, StateStoreError, describeHolder }, { runScan }, { defaultScanDeps }, { progressSink }, { buildScanReport }, { openTreeStore }] =
        await Promise.all([
          import('../../store/state-store.ts'),
          import('../../scan/scanner.ts'),
          import('../../scan/default-deps.ts'),
          import('../../scan/progress.ts'),
          import('../../scan/report-data.ts'),
          import('../../git/repo-store.ts'),
        ]);
      const { availableParallelism } = process.getBuiltinModule('node:os');
      // The main thread keeps a core busy too (reading, committing, drafting): one worker per other core. On 2 cores
      // a pool measured slower than the in-thread review (docs/scan.md): each worker warms up an engine of its own
      // and the simulation cache is split, for no core to gain; it also raises the scan's peak RSS.
      const cores = availableParallelism();
      const workers = flags.workers === undefined ? (cores > 2 ? cores - 1 : 0) : Number(flags.workers);
      if (!Number.isInteger(workers) || workers < 0) return usage(`--workers must be an integer >= 0, got "${flags.workers}"`);
      const waitS = Number(flags.wait);
      if (!Number.isFinite(waitS) || waitS < 0) return usage(`--wait must be a number of seconds >= 0, got "${flags.wait}"`);
      let store: StateStore;
      try {
        store = await Store.openWaiting(resolve(flags.db), waitS * 1000, (h) =>
          process.stderr.write(`mmreview scan: ${flags.db} is in use by another scan (${describeHolder(h)}); waiting up to ${waitS} s\n`),
        );
      } catch (e) {
        if (e instanceof DbLockedError) {
          return usage(`${flags.db} is in use by another scan (${describeHolder(e.holder)})${waitS > 0 ? `; gave up after waiting ${waitS} s` : '; run again when it has finished, or pass --wait SECONDS'}`);
        }
        return usage(e instanceof StateStoreError ? e.message : `cannot open ${flags.db}: ${(e as Error).message}`);
      }
      if (store.tookOverFrom) {
        process.stderr.write(`mmreview scan: took over the lock of ${flags.db} from a scan that ended without releasing it (${describeHolder(store.tookOverFrom)})\n`);
      }
      const deps = defaultScanDeps({ workers });
      let tree: BaseStore | undefined;
      try {
        if (treePath !== undefined) tree = await openTreeStore(treePath);
        const sink = flags.progress ? progressSink(process.stderr) : undefined;
        const result = await runScan(sources, store, deps, {
          draftsDir: resolve(flags.drafts),
          from,
          batchSize,
          ...(tree ? { tree } : {}),
          ...(sink ? { onProgress: (p) => sink.update(p) } : {}),
        });
        sink?.done();
        if (flags.send && smtpUrl) {
          const { sendDrafts } = await import('../../publish/mail/smtp.ts');
          const sent = await sendDrafts(store, smtpUrl);
          process.stderr.write(`sent ${sent.sent.length} replies, ${sent.failed.length} failed, ${sent.uncertain.length} left unsent after an interrupted send\n`);
          for (const f of sent.failed) process.stderr.write(`  send failed <${f.replyId}>: ${f.error}\n`);
        }
        const report = buildScanReport(store, result, { history: flags.history === true });
        const { renderScanReportJson, renderScanReportText } = await import('../../render/scan-report.ts');
        process.stdout.write(flags.format === 'json' ? renderScanReportJson(report) : renderScanReportText(report, { renderTable: deps.renderTable }));
        if (flags.report) {
          const { renderHtmlReport } = await import('../../render/html-report.ts');
          mkdirSync(dirname(resolve(flags.report)), { recursive: true });
          writeFileSync(flags.report, renderHtmlReport(report, { renderTable: deps.renderTable, archiveUrl: flags.archiveUrl }));
        }
        for (const s of result.sources) if (s.error) process.stderr.write(`mmreview scan: ${s.error.code}: ${s.error.message}\n`);
        process.exitCode = result.sources.some((s) => s.error) ? 2 : 0;
      } finally {
        tree?.close?.();
        await deps.close?.();
        store.close();
      }
    });
}
