/**
 * Thin adapter: run SPIN on a scenario's Promela export (spin -a, gcc, ./pan) in a temp dir and read its verdict.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { INVARIANTS } from '../core/sim-contract.ts';
import type { Arch, InvariantName } from '../core/sim-contract.ts';
import { compile } from './compile.ts';
import { toPromela } from './promela.ts';
import type { Scenario } from './scenario.ts';

const run = promisify(execFile);

export interface SpinResult {
  verdict: 'violation' | 'ok' | 'inconclusive';
  invariant?: InvariantName;
  /** Stored states of the safety run (plus the non-progress run when one ran). */
  states: number;
  /** Wall time of the pan runs only (ms). */
  panMs: number;
  /** Wall time including spin -a and gcc (ms). */
  totalMs: number;
  note?: string;
}

/** Is `spin` on PATH? */
export async function spinAvailable(): Promise<boolean> {
  try {
    await run('spin', ['-V']);
    return true;
  } catch {
    return false;
  }
}

function parsePan(out: string): { verdict: SpinResult['verdict']; invariant?: InvariantName; states: number } {
  const states = Number(/(\d+) states, stored/.exec(out)?.[1] ?? 0);
  const a = /assertion violated \(*viol\s*!=\s*(\d+)/.exec(out);
  if (a) return { verdict: 'violation', invariant: INVARIANTS[Number(a[1]) - 1] as InvariantName, states };
  if (/pan:\d+: non-progress cycle/.test(out)) return { verdict: 'violation', invariant: 'no-livelock', states };
  if (/pan:\d+: invalid end state/.test(out)) return { verdict: 'violation', invariant: 'lock-balance', states };
  if (/errors: 0/.test(out) && !/(out of memory|memory limit|max search depth too small)/i.test(out)) return { verdict: 'ok', states };
  return { verdict: 'inconclusive', states };
}

/** Does the scenario contain a loop (backward jump or a retrying op) for the non-progress check? */
function hasLoops(s: Scenario): boolean {
  const c = compile(s);
  return c.threads.some((t) =>
    t.code.some((ins, k) => (ins.kind === 'goto' && ins.target <= k) || (ins.kind === 'if' && (ins.then <= k || ins.else <= k)) || (ins.kind === 'choose' && ins.targets.some((x) => x <= k)) || (ins.kind === 'op' && ins.op === 'kvm-fault')),
  );
}

/** Export, compile and verify `s` on `arch` with SPIN. Needs spin and gcc on PATH. */
export async function runSpin(s: Scenario, arch: Arch, opts: { memMb?: number; depth?: number } = {}): Promise<SpinResult> {
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'mmreview-spin-'));
  const mem = opts.memMb ?? 1024;
  const depth = opts.depth ?? 100000;
  try {
    writeFileSync(join(dir, 'model.pml'), toPromela(s, arch));
    await run('spin', ['-a', 'model.pml'], { cwd: dir });
    const c = compile(s);
    const checkDeadlock = c.checked[INVARIANTS.indexOf('lock-balance')] === 1;
    await run('gcc', ['-O2', '-w', `-DMEMLIM=${mem}`, '-DSAFETY', '-o', 'pan', 'pan.c'], { cwd: dir });
    let panMs = 0;
    const p0 = performance.now();
    const safety = await run('./pan', [`-m${depth}`, ...(checkDeadlock ? [] : ['-E'])], { cwd: dir, maxBuffer: 16 << 20 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
    panMs += performance.now() - p0;
    const r = parsePan(safety.stdout);
    let states = r.states;
    if (r.verdict === 'ok' && c.checked[INVARIANTS.indexOf('no-livelock')] === 1 && hasLoops(s)) {
      await run('gcc', ['-O2', '-w', `-DMEMLIM=${mem}`, '-DNP', '-o', 'pan_np', 'pan.c'], { cwd: dir });
      const p1 = performance.now();
      const np = await run('./pan_np', [`-m${depth}`, '-l', '-f'], { cwd: dir, maxBuffer: 16 << 20 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
      panMs += performance.now() - p1;
      const r2 = parsePan(np.stdout);
      states += r2.states;
      if (r2.verdict !== 'ok') return { ...r2, states, panMs, totalMs: performance.now() - t0 };
    }
    const out: SpinResult = { verdict: r.verdict, states, panMs, totalMs: performance.now() - t0 };
    if (r.invariant) out.invariant = r.invariant;
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
