/**
 * Process measurements for the benchmarks: run a command under Node with a preloaded hook that reports its own
 * resource usage at exit (CPU user+system, peak RSS), so every figure — mmreview and its reference — is measured the
 * same way, without /usr/bin/time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(ROOT, 'bin', 'mmreview.js');

/** Preload (an ES module as a data: URL): writes {cpuMs, maxRssMb} of this process to $MMR_RUSAGE_OUT at exit. */
const HOOK =
  'data:text/javascript,' +
  encodeURIComponent(
    "import { writeFileSync } from 'node:fs';" +
      "process.on('exit', () => { const r = process.resourceUsage(); const f = process.env.MMR_RUSAGE_OUT;" +
      ' if (f) writeFileSync(f, JSON.stringify({ cpuMs: (r.userCPUTime + r.systemCPUTime) / 1000, maxRssMb: r.maxRSS / 1024 })); });',
  );

export interface Run {
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node [args]` (the preload added) and measures it. */
export function runNode(args: string[], opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): Run {
  const dir = mkdtempSync(join(tmpdir(), 'mmreview-bench-ru-'));
  const out = join(dir, 'ru.json');
  try {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', HOOK, ...args], {
      cwd: opts.cwd ?? ROOT,
      encoding: 'utf8',
      maxBuffer: 256 << 20,
      env: { ...process.env, ...opts.env, MMR_RUSAGE_OUT: out },
      ...(opts.input !== undefined ? { input: opts.input } : {}),
    });
    const wallMs = performance.now() - t0;
    let ru = { cpuMs: Number.NaN, maxRssMb: Number.NaN };
    try {
      ru = JSON.parse(readFileSync(out, 'utf8')) as typeof ru;
    } catch {
      /* the process died before its exit hook */
    }
    return { wallMs, ...ru, status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs an arbitrary command, wall time only (for references that are not Node programs). */
export function runCmd(cmd: string, args: string[], opts: { cwd?: string } = {}): { wallMs: number; status: number | null; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? ROOT, encoding: 'utf8', maxBuffer: 256 << 20 });
  return { wallMs: performance.now() - t0, status: r.error ? null : r.status, stdout: r.stdout ?? '' };
}

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** The median run (by wall time) of `n` runs of `f`. */
export function medianRun<T extends { wallMs: number }>(n: number, f: () => T): T & { runs: number } {
  const rs: T[] = [];
  for (let i = 0; i < n; i++) rs.push(f());
  rs.sort((a, b) => a.wallMs - b.wallMs);
  return { ...rs[Math.floor((rs.length - 1) / 2)]!, runs: n };
}

/** `x` formatted as "1.23×" of `ref`. */
export function ratio(x: number, ref: number): string {
  return `${(x / ref).toFixed(2)}×`;
}

/** "met" / "MISSED" for a target. */
export function verdict(ok: boolean): string {
  return ok ? 'met' : 'MISSED';
}
