/**
 * `mmreview watch SOURCE...`: follow mirrored archives (public-inbox v2 clones, lei output maildirs) and review each
 * new mm series within a cycle of it arriving. Runs until SIGTERM/SIGINT (the current cycle finishes and commits
 * its state) or, with --once, for one cycle. Exit 0, or 2 for a configuration error; fetch and source failures are
 * reported per cycle and retried, never fatal.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { StateStore as Store } from '../../store/state-store.ts';

interface WatchFlags {
  db: string;
  drafts: string;
  every: string;
  grace: string;
  once?: boolean;
  send?: boolean;
  smtp?: string;
  from?: string;
  tree?: string;
  format: string;
}

function usage(msg: string): void {
  process.stderr.write(`mmreview watch: ${msg}\n`);
  process.exitCode = 2;
}

/** Parses `90`, `90s`, `5m`, `1h`, `500ms` into milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

/** Registers `watch` on the program. */
export function register(program: Command): void {
  program
    .command('watch')
    .description('Follow mirrored archives (public-inbox v2 clones, lei maildirs): fetch, review new series, draft replies')
    .argument('<source...>', 'a public-inbox v2 mirror (git/N.git epochs with a remote), or a maildir / mbox kept by lei')
    .option('--every <duration>', 'time between cycles (e.g. 60s, 5m)', '60s')
    .option('--grace <duration>', 'how long an incomplete M/N series waits for its missing parts', '10m')
    .option('--once', 'run one cycle and exit (for cron or a systemd timer)')
    .option('--db <file>', 'state database', '.mmreview/state.db')
    .option('--drafts <dir>', 'directory for reply drafts (.eml)', '.mmreview/drafts')
    .option('--send', 'send drafted replies over SMTP (needs --smtp or MMREVIEW_SMTP_URL)')
    .option('--smtp <url>', 'SMTP URL (default: $MMREVIEW_SMTP_URL)')
    .option('--from <address>', 'From address of replies (default: $MMREVIEW_FROM or mmreview <mmreview@localhost>)')
    .option('--tree <dir>', 'the kernel tree the patches apply to (whole functions instead of hunks)')
    .option('--format <fmt>', 'one line per cycle: text | json (for log shippers)', 'text')
    .action(async (sources: string[], flags: WatchFlags) => {
      if (flags.format !== 'text' && flags.format !== 'json') return usage(`unknown --format "${flags.format}" (text, json)`);
      const everyMs = parseDuration(flags.every);
      if (everyMs === undefined || everyMs < 100) return usage(`--every must be a duration of at least 100ms (e.g. 60s, 5m), got "${flags.every}"`);
      const graceMs = parseDuration(flags.grace);
      if (graceMs === undefined) return usage(`--grace must be a duration (e.g. 10m), got "${flags.grace}"`);
      const smtpUrl = flags.smtp ?? process.env.MMREVIEW_SMTP_URL;
      if (flags.send && !smtpUrl) return usage('--send needs an SMTP server: --smtp URL or MMREVIEW_SMTP_URL');
      const { detectSource } = await import('../../scan/scanner.ts');
      for (const s of sources) {
        const d = detectSource(resolve(s));
        if ('error' in d) return usage(d.error);
      }
      const [{ StateStore, StateStoreError }, { defaultScanDeps }, { watch, formatCycle }, { directoryTree }] = await Promise.all([
        import('../../store/state-store.ts'),
        import('../../scan/default-deps.ts'),
        import('../../watch/watcher.ts'),
        import('../../sources/index.ts'),
      ]);
      let store: Store;
      try {
        store = StateStore.open(flags.db);
      } catch (e) {
        return usage(e instanceof StateStoreError ? e.message : `cannot open ${flags.db}: ${(e as Error).message}`);
      }
      const stop = new AbortController();
      const onSignal = (): void => {
        if (!stop.signal.aborted) process.stderr.write('mmreview watch: stopping after this cycle\n');
        stop.abort();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      const send = smtpUrl
        ? async (st: Store) => {
            const { sendDrafts } = await import('../../publish/mail/smtp.ts');
            const r = await sendDrafts(st, smtpUrl);
            return { sent: r.sent.length, failed: r.failed.length };
          }
        : undefined;
      try {
        await watch(store, defaultScanDeps(), {
          sources,
          everyMs,
          graceMs,
          once: flags.once === true,
          draftsDir: resolve(flags.drafts),
          from: flags.from ?? process.env.MMREVIEW_FROM ?? 'mmreview <mmreview@localhost>',
          ...(flags.tree ? { engine: { tree: directoryTree(flags.tree) } } : {}),
          ...(flags.send && send ? { send } : {}),
          signal: stop.signal,
          report: (r) => process.stdout.write(`${flags.format === 'json' ? JSON.stringify(r) : formatCycle(r)}\n`),
        });
        process.exitCode = 0;
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        store.close();
      }
    });
}
