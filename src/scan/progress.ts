/** Progress display for a scan on stderr: a bar with messages, MB, rate and ETA on a TTY; periodic lines otherwise. */
import type { ScanProgress } from './scanner.ts';

export interface ProgressSink {
  update(p: ScanProgress): void;
  done(): void;
}

/** Formats one progress line. `elapsedMs` > 0. */
export function formatProgress(p: ScanProgress, elapsedMs: number, width = 24): string {
  const secs = elapsedMs / 1000;
  const rate = p.messages / Math.max(secs, 1e-3);
  const mb = p.bytes / 1048576;
  let frac: number | undefined;
  if (p.totalBytes) frac = p.bytes / p.totalBytes;
  else if (p.totalMessages) frac = p.messages / p.totalMessages;
  let bar = '';
  let eta = '';
  if (frac !== undefined) {
    const f = Math.min(1, Math.max(0, frac));
    const n = Math.round(f * width);
    bar = `[${'#'.repeat(n)}${'.'.repeat(width - n)}] ${(f * 100).toFixed(0).padStart(3)}% `;
    if (f > 0 && f < 1) eta = ` ETA ${Math.ceil((secs / f) * (1 - f))}s`;
  }
  return `${bar}${p.source}: ${p.messages} msgs, ${mb.toFixed(1)} MB, ${Math.round(rate)} msg/s, ${(mb / Math.max(secs, 1e-3)).toFixed(1)} MB/s${eta}`;
}

/** A progress sink writing to `stream` (stderr): redrawn in place on a TTY, a plain line every `intervalMs` otherwise. */
export function progressSink(stream: NodeJS.WriteStream, opts: { intervalMs?: number; now?: () => number } = {}): ProgressSink {
  const now = opts.now ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const interval = opts.intervalMs ?? (tty ? 100 : 5000);
  const start = now();
  let last = -Infinity;
  let lastP: ScanProgress | undefined;
  let drawn = false;
  const draw = (p: ScanProgress): void => {
    const line = formatProgress(p, Math.max(1, now() - start));
    if (tty) stream.write(`\r\x1b[K${line}`);
    else stream.write(`${line}\n`);
    drawn = true;
  };
  return {
    update(p) {
      lastP = p;
      const t = now();
      if (t - last >= interval) {
        last = t;
        draw(p);
      }
    },
    done() {
      if (lastP) draw(lastP);
      if (tty && drawn) stream.write('\n');
    },
  };
}
