/**
 * `mmreview watch` end to end with public-inbox's own tools: an "upstream" v2 inbox (public-inbox-init -V2, messages
 * added through its Perl import API), a local mirror of its epochs made with `git clone --mirror`, and watch cycles
 * in between which upstream gains messages: a 3-message series sent one message per cycle, a v2 patch and a reply,
 * a v3 reroll, and a new epoch. Each message is reviewed once, the series once it is complete, the reroll as a new
 * version, drafts threaded under the right messages. A watcher killed mid-run and restarted repeats and loses
 * nothing. Runs when public-inbox is installed (.ci/run installs it).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { defaultScanDeps } from '../../src/scan/default-deps.ts';
import { StateStore } from '../../src/store/state-store.ts';
import { formatCycle, runCycle } from '../../src/watch/watcher.ts';
import type { CycleReport, WatchOptions } from '../../src/watch/watcher.ts';
import { parseDuration } from '../../src/cli/commands/watch.ts';
import { TestInbox, fixtureMails, havePublicInbox, tempDir } from '../scan/archive-helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
if (!havePublicInbox() && process.env.CI) throw new Error('public-inbox is not installed: .ci/run must install it');

const mail = (folder: string, prefix: string): Buffer => {
  const m = fixtureMails(folder).find((x) => x.name.startsWith(prefix));
  if (!m) throw new Error(`fixture ${folder}/${prefix} missing`);
  return m.raw;
};

/** A local mirror of every epoch of `upstream`, the way lore mirrors are made (`git clone --mirror` per epoch). */
function mirror(upstream: string, dir: string): void {
  mkdirSync(join(dir, 'git'), { recursive: true });
  for (const e of readdirSync(join(upstream, 'git')).filter((n) => /^\d+\.git$/.test(n))) {
    execFileSync('git', ['clone', '--quiet', '--mirror', join(upstream, 'git', e), join(dir, 'git', e)]);
  }
}

/**
 * Adds epoch N+1 upstream in the v2 layout (one commit per message, the message as blob `m`). public-inbox's writer
 * only rotates epochs at about 1 GB, so the test writes the epoch with git plumbing.
 */
function addEpoch(upstream: string, epoch: number, raw: Buffer): void {
  const gitDir = join(upstream, 'git', `${epoch}.git`);
  execFileSync('git', ['init', '--quiet', '--bare', gitDir]);
  const blob = execFileSync('git', ['--git-dir', gitDir, 'hash-object', '-w', '--stdin'], { input: raw }).toString().trim();
  const tree = execFileSync('git', ['--git-dir', gitDir, 'mktree'], { input: `100644 blob ${blob}\tm\n` }).toString().trim();
  const env = { ...process.env, GIT_AUTHOR_NAME: 'x', GIT_AUTHOR_EMAIL: 'x@x', GIT_COMMITTER_NAME: 'x', GIT_COMMITTER_EMAIL: 'x@x' };
  const commit = execFileSync('git', ['--git-dir', gitDir, 'commit-tree', tree, '-m', 'm'], { env }).toString().trim();
  execFileSync('git', ['--git-dir', gitDir, 'update-ref', 'refs/heads/master', commit]);
}

function dbRows(db: string, sql: string): Array<Record<string, unknown>> {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(sql).all() as Array<Record<string, unknown>>;
  } finally {
    d.close();
  }
}

describe.runIf(havePublicInbox())('mmreview watch', () => {
  it('reviews each message once, a series when complete, a reroll as a new version, across epochs', async () => {
    const up = new TestInbox();
    const work = tempDir('watch');
    const local = join(work, 'linux-mm');
    const drafts = join(work, 'drafts');
    up.import([mail('archive', '050')]); // an unrelated net patch, so epoch 0 exists before the mirror is made
    mirror(up.dir, local);
    const store = StateStore.open(join(work, 'state.db'));
    let clock = Date.parse('2025-03-05T11:00:00Z');
    const opts: WatchOptions = {
      sources: [local],
      everyMs: 5000,
      graceMs: 30 * 60_000,
      once: true,
      draftsDir: drafts,
      from: 'mmreview <bot@example.org>',
      report: () => {},
      now: () => clock,
    };
    const deps = defaultScanDeps();
    const backoff = new Map();
    const reports: CycleReport[] = [];
    const cycle = async (): Promise<CycleReport> => {
      const r = await runCycle(store, deps, opts, reports.length + 1, backoff);
      reports.push(r);
      clock += 60_000;
      return r;
    };
    try {
      const c1 = await cycle();
      expect(c1.fetch[0]).toMatchObject({ source: local });
      expect(c1.newMessages).toBe(1);

      // The series arrives one message per cycle: the cover, then 1/2 (held: 2/2 missing), then 2/2.
      up.import([mail('archive', '020')]);
      expect((await cycle()).newMessages).toBe(1);
      up.import([mail('archive', '021')]);
      const held = await cycle();
      expect(held).toMatchObject({ newMessages: 1, patchesReviewed: 0, waiting: 1, drafts: 0 });
      up.import([mail('archive', '022')]);
      const complete = await cycle();
      expect(complete).toMatchObject({ newMessages: 1, patchesReviewed: 2, waiting: 0 });
      expect(complete.drafts).toBeGreaterThanOrEqual(1); // 1/2 drops the notifier bracket: confirmed

      // A quiet cycle reads nothing and reviews nothing.
      expect(await cycle()).toMatchObject({ newMessages: 0, patchesReviewed: 0, drafts: 0 });

      // A v2 patch and a reply quoting it, then a v3 reroll.
      up.import([mail('archive', '010'), mail('archive', '011')]);
      const v2 = await cycle();
      expect(v2).toMatchObject({ newMessages: 2, patchesReviewed: 1 });
      up.import([mail('later', '030')]);
      const v3 = await cycle();
      expect(v3).toMatchObject({ newMessages: 1, patchesReviewed: 1 });

      // A new epoch upstream is cloned and read.
      addEpoch(up.dir, 1, mail('later', '031'));
      const e1 = await cycle();
      expect(e1.fetch[0]!.newEpochs).toEqual([1]);
      expect(e1).toMatchObject({ newMessages: 1, patchesReviewed: 1 });
      expect(existsSync(join(local, 'git', '1.git'))).toBe(true);

      // Every message once; every patch reviewed once; v3 is a new version of the v2 lineage.
      const db = join(work, 'state.db');
      const messages = dbRows(db, 'SELECT key FROM messages');
      expect(new Set(messages.map((m) => m.key)).size).toBe(messages.length);
      expect(messages.length).toBe(reports.reduce((n, r) => n + r.newMessages, 0));
      const patches = dbRows(db, 'SELECT message_id, version, state, lineage FROM patches ORDER BY seq');
      expect(patches.map((p) => p.state)).not.toContain('pending');
      const v2row = patches.find((p) => String(p.message_id).includes('1201-1-ada'))!;
      const v3row = patches.find((p) => String(p.message_id).includes('3301-1-ada'))!;
      expect([v2row.version, v3row.version]).toEqual([2, 3]);
      expect(v3row.lineage).toBe(v2row.lineage);

      // Drafts are threaded under the patch they answer.
      const replies = dbRows(db, 'SELECT in_reply_to, file FROM replies ORDER BY reply_id');
      expect(replies.length).toBe(reports.reduce((n, r) => n + r.drafts, 0));
      for (const r of replies) {
        const eml = readFileSync(String(r.file), 'utf8');
        expect(eml).toMatch(new RegExp(`^In-Reply-To: <${String(r.in_reply_to).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}>`, 'm'));
      }
      expect(formatCycle(complete)).toMatch(/^cycle 4 .*1 new message; 2 patches reviewed; \d+ findings?; \d+ drafts?; \d+ ms$/);
    } finally {
      store.close();
    }
  }, 120_000);

  it('reviews an incomplete series once its grace period is over, and its late part when it comes', async () => {
    const up = new TestInbox();
    const work = tempDir('watch-grace');
    const local = join(work, 'linux-mm');
    up.import([mail('archive', '020')]);
    mirror(up.dir, local);
    const store = StateStore.open(join(work, 'state.db'));
    let clock = 0;
    const opts: WatchOptions = { sources: [local], everyMs: 1000, graceMs: 10 * 60_000, once: true, draftsDir: join(work, 'drafts'), from: 'b <b@x>', report: () => {}, now: () => clock };
    const backoff = new Map();
    try {
      up.import([mail('archive', '021')]);
      expect(await runCycle(store, defaultScanDeps(), opts, 1, backoff)).toMatchObject({ waiting: 1, patchesReviewed: 0 });
      clock += 5 * 60_000;
      expect(await runCycle(store, defaultScanDeps(), opts, 2, backoff)).toMatchObject({ waiting: 1, patchesReviewed: 0 });
      clock += 6 * 60_000; // past the grace period: what arrived is reviewed
      expect(await runCycle(store, defaultScanDeps(), opts, 3, backoff)).toMatchObject({ waiting: 0, patchesReviewed: 1 });
      up.import([mail('archive', '022')]);
      expect(await runCycle(store, defaultScanDeps(), opts, 4, backoff)).toMatchObject({ waiting: 0, patchesReviewed: 1 });
    } finally {
      store.close();
    }
  }, 60_000);

  it('logs a fetch failure, backs off, and recovers without losing messages', async () => {
    const up = new TestInbox();
    const work = tempDir('watch-fail');
    const local = join(work, 'linux-mm');
    up.import([mail('archive', '050')]);
    mirror(up.dir, local);
    const store = StateStore.open(join(work, 'state.db'));
    let clock = 0;
    const opts: WatchOptions = { sources: [local], everyMs: 1000, graceMs: 0, once: true, draftsDir: join(work, 'drafts'), from: 'b <b@x>', report: () => {}, now: () => clock, backoff: { firstMs: 10_000, maxMs: 60_000 } };
    const backoff = new Map();
    const url = execFileSync('git', ['--git-dir', join(local, 'git', '0.git'), 'config', '--get', 'remote.origin.url']).toString().trim();
    try {
      execFileSync('git', ['--git-dir', join(local, 'git', '0.git'), 'config', 'remote.origin.url', join(work, 'gone.git')]);
      up.import([mail('archive', '010')]);
      const failed = await runCycle(store, defaultScanDeps(), opts, 1, backoff);
      expect(failed.fetch[0]!.error).toMatch(/fetch failed/);
      expect(failed.fetch[0]!.retryInMs).toBe(10_000);
      expect(formatCycle(failed)).toMatch(/fetch .* failed .*retry in 10s/);
      clock += 5_000;
      expect((await runCycle(store, defaultScanDeps(), opts, 2, backoff)).fetch[0]!.skipped).toBe('backoff');
      execFileSync('git', ['--git-dir', join(local, 'git', '0.git'), 'config', 'remote.origin.url', url]);
      clock += 10_000;
      const ok = await runCycle(store, defaultScanDeps(), opts, 3, backoff);
      expect(ok.fetch[0]!.error).toBeUndefined();
      expect(ok).toMatchObject({ newMessages: 1, patchesReviewed: 1 });
    } finally {
      store.close();
    }
  }, 60_000);

  it('a watcher killed mid-run and restarted repeats and loses nothing (CLI)', async () => {
    const up = new TestInbox();
    const work = tempDir('watch-kill');
    const local = join(work, 'linux-mm');
    const db = join(work, 'state.db');
    const drafts = join(work, 'drafts');
    up.import([mail('archive', '050')]);
    mirror(up.dir, local);
    const cli = (extra: string[]) =>
      spawn(process.execPath, [join(ROOT, 'bin/mmreview.js'), 'watch', local, '--db', db, '--drafts', drafts, '--grace', '0s', '--format', 'json', ...extra], {
        cwd: work,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    // Upstream gains messages while the watcher runs; it is SIGKILLed after its first cycles.
    const child = cli(['--every', '200ms']);
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<void>((res) => child.on('exit', () => res()));
    up.import([mail('archive', '020'), mail('archive', '021'), mail('archive', '022')]);
    const deadline = Date.now() + 30_000;
    while (!/"cycle":2/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    up.import([mail('archive', '010'), mail('archive', '011'), mail('later', '030')]);
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGKILL');
    await exited;
    // Restart once: it catches up.
    const again = cli(['--once']);
    let out2 = '';
    again.stdout.on('data', (b: Buffer) => (out2 += b.toString()));
    const code = await new Promise<number | null>((res) => again.on('exit', (c) => res(c)));
    expect(code).toBe(0);
    expect(JSON.parse(out2.trim().split('\n').pop()!)).toMatchObject({ cycle: 1 });
    // The same archive scanned fresh in one go gives the same state.
    const fresh = join(work, 'fresh.db');
    const ref = spawn(process.execPath, [join(ROOT, 'bin/mmreview.js'), 'watch', local, '--db', fresh, '--drafts', join(work, 'fresh-drafts'), '--grace', '0s', '--once'], { cwd: work, stdio: 'ignore' });
    await new Promise((res) => ref.on('exit', res));
    const q = (file: string, sql: string): unknown[] => dbRows(file, sql);
    for (const sql of [
      'SELECT key, status FROM messages ORDER BY key',
      'SELECT message_id, state, version FROM patches ORDER BY message_id',
      'SELECT fingerprint, disposition FROM findings ORDER BY fingerprint, message_id',
      'SELECT in_reply_to, state FROM replies ORDER BY in_reply_to',
    ]) {
      expect(q(db, sql), sql).toEqual(q(fresh, sql));
    }
    expect(readdirSync(drafts).filter((f) => f.endsWith('.eml')).length).toBe(readdirSync(join(work, 'fresh-drafts')).filter((f) => f.endsWith('.eml')).length);
    writeFileSync(join(work, 'done'), '');
  }, 120_000);
});

describe('parseDuration', () => {
  it.each([
    ['60s', 60_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['500ms', 500],
    ['90', 90_000],
    ['1.5s', 1500],
  ])('%s = %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['', 'soon', '-1s', '5 minutes', '1d'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
});
