/**
 * The scan's review worker pool (src/scan/review-pool.ts): the bundled worker gives the in-process engine's report;
 * a worker that dies fails only the series it was reviewing (a per-message MMR020 problem), the pool goes on with a
 * fresh worker, and the scan commits every other series in message order.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { Patch } from '../../src/core/patch.ts';
import { ReviewPool } from '../../src/scan/review-pool.ts';
import { checkPatches } from '../../src/engine/index.ts';
import { parseMessage } from '../../src/sources/index.ts';
import { StateStore } from '../../src/store/state-store.ts';
import { runScan } from '../../src/scan/scanner.ts';
import { appendMbox, fixtureMails, tempDir } from './archive-helpers.ts';
import { fakeDeps } from './fake-engine.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mmr-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A worker that answers an empty report, and dies (uncaught error or exit) on a series whose subject asks it to. */
const CRASHY = join(dir, 'crashy-worker.mjs');
writeFileSync(
  CRASHY,
  `import { parentPort } from 'node:worker_threads';
parentPort.on('message', (job) => {
  const s = job.patches.map((p) => p.subject ?? '').join(' ');
  if (s.includes('khugepaged')) throw new Error('boom in ' + job.id);
  if (s.includes('mmu_gather')) process.exit(3);
  parentPort.postMessage({ id: job.id, report: { tool: 'mmreview', version: 'x', findings: [], errors: [], stats: { inputs: 0, patches: job.patches.length, files: 0, functions: 0, candidates: 0, simulations: 0, ms: 0 } } });
});
`,
);

const mails = fixtureMails('archive');
const mail = (prefix: string): Buffer => mails.find((m) => m.name.startsWith(prefix))!.raw;

async function patchesOf(raw: Buffer): Promise<Patch[]> {
  return (await parseMessage(raw, { kind: 'mbox', name: 'x' })).patches.filter((p) => !p.quoted && !p.cover);
}

/** A report with the wall-clock fields (simulation ms, run ms) zeroed. */
function timeless(r: unknown): unknown {
  return JSON.parse(JSON.stringify(r, (k, v) => (k === 'ms' ? 0 : v)));
}

describe('review pool', () => {
  it('the bundled worker answers what the engine answers in process', async () => {
    const worker = pathToFileURL(join(ROOT, 'dist', 'src', 'scan', 'review-worker.js'));
    const pool = new ReviewPool(worker, 2);
    try {
      const patches = await patchesOf(mail('010'));
      expect(patches.length).toBeGreaterThan(0);
      const [a, b] = await Promise.all([pool.run(patches), checkPatches(patches)]);
      expect(a.findings.length).toBeGreaterThan(0);
      expect(timeless(a)).toEqual(timeless(b));
    } finally {
      await pool.close();
    }
  });

  it('a worker that throws or exits fails its series only; later series get a fresh worker', async () => {
    const pool = new ReviewPool(pathToFileURL(CRASHY), 1);
    try {
      const ok = await patchesOf(mail('010'));
      const throws = await patchesOf(mail('021'));
      const exits = await patchesOf(mail('030'));
      expect(throws.length * exits.length).toBeGreaterThan(0);
      const out = await Promise.allSettled([pool.run(ok), pool.run(throws), pool.run(ok), pool.run(exits), pool.run(ok)]);
      expect(out.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
      expect(String((out[1] as PromiseRejectedResult).reason)).toMatch(/review worker died: boom/);
      expect(String((out[3] as PromiseRejectedResult).reason)).toMatch(/review worker died: exit code 3/);
    } finally {
      await pool.close();
    }
  });

  it('in a scan, a dead worker is a per-message engine failure and every other series is committed in order', async () => {
    const d = tempDir('pool-scan');
    const mbox = join(d, 'a.mbox');
    appendMbox(mbox, [mail('010'), mail('020'), mail('021'), mail('022'), mail('030'), mail('040')]);
    const pool = new ReviewPool(pathToFileURL(CRASHY), 2);
    const store = StateStore.open(join(d, 'state.db'));
    try {
      const r = await runScan([mbox], store, fakeDeps({ checkPatches: (ps) => pool.run(ps), reviewSlots: pool.size }), {
        draftsDir: join(d, 'drafts'),
        from: 'b <b@x>',
      });
      expect(r.review.failed).toBeGreaterThan(0);
      expect(r.review.problems.every((p) => p.code === 'MMR020' && /review worker died/.test(p.message))).toBe(true);
      expect(r.review.reviewed).toBeGreaterThan(0);
      const states = store.allPatches().map((p) => [p.subject.includes('khugepaged') || p.subject.includes('mmu_gather') ? 'failed' : 'reviewed', p.state]);
      for (const [want, got] of states) expect(got).toBe(want);
      // committed in plan (arrival) order
      const keys = r.review.reviewedKeys ?? [];
      const seqs = keys.map((k) => store.getPatch(k)!.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    } finally {
      store.close();
      await pool.close();
    }
  });
});
