/**
 * `mmreview scan SOURCE...`: incremental, resumable review of mail archives (mbox, maildir, public-inbox v2).
 * Exit 0 when the scan completed (whatever it found); 2 on bad usage or an unreadable source.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { StateStore } from '../../store/state-store.ts';

interface ScanFlags {
  db: string;
  drafts: string;
  report?: string;
  format: string;
  send?: boolean;
  smtp?: string;
  from?: string;
  batch: string;
  progress: boolean;
}

function usage(msg: string): void {
  process.stderr.write(`mmreview scan: ${msg}\n`);
  process.exitCode = 2;
}

/** Registers `scan` on the program. */
export function register(program: Command): void {
  program
    .command('scan')
    .description('Scan mail archives (mbox, maildir, public-inbox v2) for mm patches; review new ones, draft replies')
    .argument('<source...>', 'mbox file, maildir directory or public-inbox v2 directory')
    .option('--db <file>', 'state database', '.mmreview/state.db')
    .option('--drafts <dir>', 'directory for reply drafts (.eml)', '.mmreview/drafts')
    .option('--report <file>', 'also write a static HTML report')
    .option('--format <fmt>', 'terminal report format: text | json', 'text')
    .option('--send', 'send drafted replies over SMTP (needs --smtp or MMREVIEW_SMTP_URL)')
    .option('--smtp <url>', 'SMTP URL (default: $MMREVIEW_SMTP_URL)')
    .option('--from <address>', 'From address of replies (default: $MMREVIEW_FROM or mmreview <mmreview@localhost>)')
    .option('--batch <n>', 'messages per transaction', '5000')
    .option('--no-progress', 'no progress output on stderr')
    .action(async (sources: string[], flags: ScanFlags) => {
      if (flags.format !== 'text' && flags.format !== 'json') return usage(`unknown --format "${flags.format}" (text, json)`);
      const batchSize = Number(flags.batch);
      if (!Number.isInteger(batchSize) || batchSize < 1) return usage(`--batch must be a positive integer, got "${flags.batch}"`);
      const smtpUrl = flags.smtp ?? process.env.MMREVIEW_SMTP_URL;
      if (flags.send && !smtpUrl) return usage('--send needs an SMTP server: --smtp URL or MMREVIEW_SMTP_URL');
      const from = flags.from ?? process.env.MMREVIEW_FROM ?? 'mmreview <mmreview@localhost>';
      // Loaded here, not at start-up: `mmreview --help` and the other commands never pay for SQLite or mail parsing.
      const [{ StateStore: Store, StateStoreError }, { runScan }, { defaultScanDeps }, { progressSink }, { buildScanReport }] = await Promise.all([
        import('../../store/state-store.ts'),
        import('../../scan/scanner.ts'),
        import('../../scan/default-deps.ts'),
        import('../../scan/progress.ts'),
        import('../../scan/report-data.ts'),
      ]);
      let store: StateStore;
      try {
        store = Store.open(resolve(flags.db));
      } catch (e) {
        return usage(e instanceof StateStoreError ? e.message : `cannot open ${flags.db}: ${(e as Error).message}`);
      }
      const deps = defaultScanDeps();
      try {
        const sink = flags.progress ? progressSink(process.stderr) : undefined;
        const result = await runScan(sources, store, deps, {
          draftsDir: resolve(flags.drafts),
          from,
          batchSize,
          ...(sink ? { onProgress: (p) => sink.update(p) } : {}),
        });
        sink?.done();
        if (flags.send && smtpUrl) {
          const { sendDrafts } = await import('../../publish/mail/smtp.ts');
          const sent = await sendDrafts(store, smtpUrl);
          process.stderr.write(`sent ${sent.sent.length} replies, ${sent.failed.length} failed, ${sent.uncertain.length} left unsent after an interrupted send\n`);
          for (const f of sent.failed) process.stderr.write(`  send failed <${f.replyId}>: ${f.error}\n`);
        }
        const report = buildScanReport(store, result);
        const { renderScanReportJson, renderScanReportText } = await import('../../render/scan-report.ts');
        process.stdout.write(flags.format === 'json' ? renderScanReportJson(report) : renderScanReportText(report, { renderTable: deps.renderTable }));
        if (flags.report) {
          const { renderHtmlReport } = await import('../../render/html-report.ts');
          mkdirSync(dirname(resolve(flags.report)), { recursive: true });
          writeFileSync(flags.report, renderHtmlReport(report, { renderTable: deps.renderTable }));
        }
        for (const s of result.sources) if (s.error) process.stderr.write(`mmreview scan: ${s.error.code}: ${s.error.message}\n`);
        process.exitCode = result.sources.some((s) => s.error) ? 2 : 0;
      } finally {
        store.close();
      }
    });
}
