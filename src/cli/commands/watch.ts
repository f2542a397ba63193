/**
 * `mmreview watch SOURCE...`: follow mirrored archives (public-inbox v2 clones, lei output maildirs) and review each
 * new mm series within a cycle of it arriving. Runs until SIGTERM/SIGINT (the current cycle finishes and commits
 * its state) or, with --once, for one cycle. Exit 0, or 2 for a configuration error; fetch and source failures are
 * reported per cycle and retried, never fatal.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { addArchiveOptions, archiveSettings, type ArchiveFlags } from '../archive-options.ts';
import type { StateStore as Store } from '../../store/state-store.ts';

interface WatchFlags extends ArchiveFlags {
  every: string;
  grace: string;
  once?: boolean;
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
  const cmd = program
    .command('watch')
    .description('Follow mirrored archives (public-inbox v2 clones, lei maildirs): fetch, review new series, draft replies')
    .argument('<source...>', 'a public-inbox v2 mirror (git/N.git epochs with a remote), or a maildir / mbox kept by lei')
    .option('--every <duration>', 'time between cycles (e.g. 60s, 5m)', '60s')
    .option('--grace <duration>', 'how long an incomplete M/N series waits for its missing parts', '10m')
    .option('--once', 'run one cycle and exit (for cron or a systemd timer)')
    .option('--format <fmt>', 'one line per cycle: text | json (for log shippers)', 'text');
  addArchiveOptions(cmd).action(async (sources: string[], flags: WatchFlags) => {
      if (flags.format !== 'text' && flags.format !== 'json') return usage(`unknown --format "${flags.format}" (text, json)`);
      const everyMs = parseDuration(flags.every);
      if (everyMs === undefined || everyMs < 100) return usage(`--every must be a duration of at least 100ms (e.g. 60s, 5m), got "${flags.every}"`);
      const graceMs = parseDuration(flags.grace);
      if (graceMs === undefined) return usage(`--grace must be a duration (e.g. 10m), got "${flags.grace}"`);
      const settings = await archiveSettings(flags);
      if ('error' in settings) return usage(settings.error);
      const { smtpUrl, from, treePath } = settings;
      const { detectSource } = await import('../../scan/scanner.ts');
      for (const s of sources) {
        const d = detectSource(resolve(s));
        if ('error' in d) return usage(d.error);
      }
      const [{ StateStore, StateStoreError }, { defaultScanDeps }, { watch, formatCycle }, { openTreeStore }] = await Promise.all([
        import('../../store/state-store.ts'),
        import('../../scan/default-deps.ts'),
        import('../../watch/watcher.ts'),
        import('../../git/repo-store.ts'),
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
      const tree = treePath !== undefined ? await openTreeStore(treePath) : undefined;
      try {
        await watch(store, defaultScanDeps(), {
          sources,
          everyMs,
          graceMs,
          once: flags.once === true,
          draftsDir: resolve(flags.drafts),
          from,
          ...(tree ? { tree } : {}),
          ...(flags.send && send ? { send } : {}),
          signal: stop.signal,
          report: (r) => process.stdout.write(`${flags.format === 'json' ? JSON.stringify(r) : formatCycle(r)}\n`),
        });
        process.exitCode = 0;
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        tree?.close?.();
        store.close();
      }
    });
}
