/**
 * `mmreview watch` latency: from a message's arrival in an upstream public-inbox v2 inbox to its reply draft, with a
 * 5 s cycle, printed beside the bound it should stay under (the cycle time plus the time the review itself takes,
 * measured in the same run). Needs public-inbox (the bench skips otherwise).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TestInbox, fixtureMails, havePublicInbox, tempDir } from '../test/scan/archive-helpers.ts';
import { checkPatches } from '../src/engine/index.ts';
import { parseMessage } from '../src/sources/index.ts';
import { BIN } from './_proc.ts';

const CYCLE_MS = 5000;

const mail = (folder: string, prefix: string): Buffer => fixtureMails(folder).find((m) => m.name.startsWith(prefix))!.raw;

function drafts(dir: string): number {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')).length : 0;
}

export default async function bench(): Promise<void> {
  if (!havePublicInbox()) {
    console.log('  watch: public-inbox not installed, skipped');
    return;
  }
  const up = new TestInbox();
  const work = tempDir('bench-watch');
  const local = join(work, 'linux-mm');
  up.import([mail('archive', '050')]);
  mkdirSync(join(local, 'git'), { recursive: true });
  execFileSync('git', ['clone', '--quiet', '--mirror', join(up.dir, 'git', '0.git'), join(local, 'git', '0.git')]);
  const out = join(work, 'drafts');
  const child = spawn(process.execPath, [BIN, 'watch', local, '--every', `${CYCLE_MS}ms`, '--grace', '0s', '--db', join(work, 'state.db'), '--drafts', out, '--format', 'json'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let log = '';
  child.stdout.on('data', (b: Buffer) => (log += b.toString()));
  try {
    const until = async (cond: () => boolean, ms: number): Promise<boolean> => {
      const end = Date.now() + ms;
      while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      return cond();
    };
    await until(() => /"cycle":1/.test(log), 30_000);
    const latencies: number[] = [];
    const reviews: number[] = [];
    // Arrivals at different points of the cycle (deterministic offsets).
    for (const [offset, raw] of [[1300, mail('archive', '010')], [3100, mail('later', '031')]] as const) {
      await new Promise((r) => setTimeout(r, offset));
      const before = drafts(out);
      up.import([raw]);
      const t0 = performance.now();
      if (!(await until(() => drafts(out) > before, 4 * CYCLE_MS))) {
        console.log('  watch: no draft within four cycles');
        return;
      }
      latencies.push(performance.now() - t0);
      // The review alone, on the same message, in this process.
      const r0 = performance.now();
      const { patches } = await parseMessage(raw, { kind: 'text', name: 'bench' });
      await checkPatches(patches);
      reviews.push(performance.now() - r0);
    }
    const bound = CYCLE_MS + Math.max(...reviews);
    console.log(
      `  watch: arrival → draft ${latencies.map((l) => `${(l / 1000).toFixed(2)} s`).join(', ')} ` +
        `(bound: cycle ${(CYCLE_MS / 1000).toFixed(1)} s + review ${(Math.max(...reviews) / 1000).toFixed(2)} s = ${(bound / 1000).toFixed(2)} s; ` +
        `${latencies.every((l) => l <= bound) ? 'within' : 'OVER'})`,
    );
  } finally {
    child.kill('SIGTERM');
  }
}
