/** Streams the messages of a public-inbox v2 archive (git/N.git epochs) through one `git cat-file --batch` per epoch. */
import { spawn, execFile } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** One message of a public-inbox archive. */
export interface PublicInboxMessage {
  /** 0-based ordinal of the commit across all epochs (deletion commits count too, so ordinals are stable). */
  index: number;
  /** The commit that added the message (stable key for resuming). */
  oid: string;
  /** The `m` blob's object id (a content hash of the raw message). */
  blob: string;
  /** Epoch number (`git/N.git`). */
  epoch: number;
  raw: Buffer;
}

export interface ReadPublicInboxOptions {
  /** Return true for commits already processed: their blob is not read at all. */
  skip?: (oid: string) => boolean;
  /** Maximum requests written ahead of the reader (default 128). */
  window?: number;
  /**
   * The last commit of an epoch already processed (a cursor kept by the caller): only commits after it are listed.
   * Ignored when it is not an ancestor of the epoch's head (a rewritten or re-cloned epoch): then every commit is
   * listed and `skip` decides.
   */
  since?: (epoch: number) => string | undefined;
  /** Called once per epoch with its head commit, before that epoch's messages are yielded. */
  onHead?: (epoch: number, head: string) => void;
}

/** A public-inbox archive that cannot be read; `path` names the file or epoch at fault. */
export class PublicInboxError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'PublicInboxError';
    this.path = path;
  }
}

/** The epoch repositories of an archive, sorted by epoch number; throws PublicInboxError when there are none. */
export function listEpochs(dir: string): Array<{ epoch: number; gitDir: string }> {
  const gitRoot = join(dir, 'git');
  if (!existsSync(gitRoot) || !statSync(gitRoot).isDirectory()) {
    throw new PublicInboxError(dir, 'not a public-inbox v2 archive (no git/ directory)');
  }
  const epochs = readdirSync(gitRoot)
    .map((name) => /^(\d+)\.git$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ epoch: Number(m[1]), gitDir: join(gitRoot, m[0]) }))
    .sort((a, b) => a.epoch - b.epoch);
  if (epochs.length === 0) throw new PublicInboxError(gitRoot, 'no epoch repositories (N.git)');
  return epochs;
}

/** True when `dir` looks like a public-inbox v2 archive. */
export function isPublicInbox(dir: string): boolean {
  try {
    return listEpochs(dir).length > 0;
  } catch {
    return false;
  }
}

async function epochHead(gitDir: string): Promise<string> {
  let head: string;
  try {
    const r = await execFileP('git', ['--git-dir', gitDir, 'for-each-ref', '--format=%(objectname)', 'refs/heads/'], {
      maxBuffer: 1 << 20,
    });
    head = r.stdout.split('\n').filter(Boolean)[0] ?? '';
  } catch (e) {
    throw new PublicInboxError(gitDir, `cannot read refs: ${firstLine(e)}`);
  }
  return head;
}

/** First-parent commits of `head`, oldest first; after `since` only when it is an ancestor of `head`. */
async function listCommits(gitDir: string, head: string, since?: string): Promise<{ commits: string[]; total: number }> {
  if (!head) return { commits: [], total: 0 }; // a fresh epoch without messages
  try {
    if (since && /^[0-9a-f]{40,64}$/.test(since) && since !== head) {
      const ok = await execFileP('git', ['--git-dir', gitDir, 'merge-base', '--is-ancestor', since, head]).then(
        () => true,
        () => false,
      );
      if (ok) {
        const [r, c] = await Promise.all([
          execFileP('git', ['--git-dir', gitDir, 'rev-list', '--reverse', '--first-parent', `${since}..${head}`], { maxBuffer: 1 << 30 }),
          execFileP('git', ['--git-dir', gitDir, 'rev-list', '--count', '--first-parent', head]),
        ]);
        return { commits: r.stdout.split('\n').filter(Boolean), total: Number(c.stdout.trim()) };
      }
    }
    if (since === head) {
      const c = await execFileP('git', ['--git-dir', gitDir, 'rev-list', '--count', '--first-parent', head]);
      return { commits: [], total: Number(c.stdout.trim()) };
    }
    const r = await execFileP('git', ['--git-dir', gitDir, 'rev-list', '--reverse', '--first-parent', head], {
      maxBuffer: 1 << 30,
    });
    const commits = r.stdout.split('\n').filter(Boolean);
    return { commits, total: commits.length };
  } catch (e) {
    throw new PublicInboxError(gitDir, `corrupt epoch (rev-list failed): ${firstLine(e)}`);
  }
}

function firstLine(e: unknown): string {
  const err = e as { stderr?: string; message?: string };
  const text = (err.stderr && err.stderr.trim()) || err.message || String(e);
  return text.split('\n')[0] ?? text;
}

type BatchItem = { kind: 'blob'; oid: string; data: Buffer } | { kind: 'missing' };

/**
 * Reads `<rev>\n` requests' answers from one `git cat-file --batch` process, in order. The caller writes requests
 * through `request` and pulls answers through `next`.
 */
class CatFileBatch {
  private readonly proc;
  private buf: Buffer = Buffer.alloc(0);
  /** Output not yet joined to `buf`, and the length `buf` needs before parse() can make progress. */
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private need = 1;
  private readonly ready: BatchItem[] = [];
  private waiter: (() => void) | undefined;
  private failed: Error | undefined;
  private ended = false;
  private stderr = '';

  constructor(private readonly gitDir: string) {
    this.proc = spawn('git', ['--git-dir', gitDir, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (chunk: Buffer) => {
      // A large blob arrives in many pieces: they are joined once it is complete, not piece by piece (which copied
      // the growing buffer again for every 64 KiB).
      this.pending.push(chunk);
      this.pendingLen += chunk.length;
      if (this.buf.length + this.pendingLen < this.need) return;
      this.buf = this.buf.length === 0 && this.pending.length === 1 ? chunk : Buffer.concat([this.buf, ...this.pending]);
      this.pending = [];
      this.pendingLen = 0;
      this.parse();
      this.wake();
    });
    this.proc.stderr.on('data', (c: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += c.toString('utf8');
    });
    this.proc.on('error', (e) => this.fail(new PublicInboxError(gitDir, `cannot run git: ${e.message}`)));
    this.proc.on('close', (code) => {
      this.ended = true;
      if (code !== 0 && code !== null) this.fail(new PublicInboxError(gitDir, `git cat-file failed: ${this.stderr.trim() || `exit ${code}`}`));
      this.wake();
    });
    this.proc.stdin.on('error', () => {
      /* reported through close */
    });
  }

  private fail(e: Error): void {
    if (!this.failed) this.failed = e;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private parse(): void {
    for (;;) {
      const nl = this.buf.indexOf(10);
      this.need = this.buf.length + 1;
      if (nl < 0) return;
      const header = this.buf.toString('latin1', 0, nl);
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        this.ready.push({ kind: 'missing' });
        this.buf = this.buf.subarray(nl + 1);
        continue;
      }
      const m = /^([0-9a-f]{40,64}) (\w+) (\d+)$/.exec(header);
      if (!m) {
        this.fail(new PublicInboxError(this.gitDir, `unexpected cat-file output: ${header.slice(0, 80)}`));
        return;
      }
      const size = Number(m[3]);
      if (this.buf.length < nl + 1 + size + 1) {
        this.need = nl + 1 + size + 1;
        return;
      }
      const data = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 1 + size + 1);
      if (m[2] === 'blob') this.ready.push({ kind: 'blob', oid: m[1]!, data });
      else this.ready.push({ kind: 'missing' });
    }
  }

  /** Queue requests; returns false when the pipe is full (wait for `drain`). */
  request(revs: string[]): Promise<void> {
    const ok = this.proc.stdin.write(revs.map((r) => `${r}\n`).join(''));
    if (ok) return Promise.resolve();
    return new Promise((res) => this.proc.stdin.once('drain', () => res()));
  }

  async next(): Promise<BatchItem> {
    for (;;) {
      const item = this.ready.shift();
      if (item) return item;
      if (this.failed) throw this.failed;
      if (this.ended) throw new PublicInboxError(this.gitDir, 'git cat-file ended early');
      await new Promise<void>((res) => (this.waiter = res));
    }
  }

  close(): void {
    this.proc.stdin.end();
    if (!this.ended) this.proc.kill('SIGTERM');
  }
}

/**
 * Streams every message of a public-inbox v2 archive in commit order (epoch by epoch), reading all blobs of an
 * epoch through one long-lived `git cat-file --batch`. Throws PublicInboxError naming the epoch when an archive
 * file is corrupt.
 */
export async function* readPublicInbox(dir: string, opts: ReadPublicInboxOptions = {}): AsyncGenerator<PublicInboxMessage> {
  const window = Math.max(1, opts.window ?? 128);
  let ordinal = 0;
  for (const { epoch, gitDir } of listEpochs(dir)) {
    const head = await epochHead(gitDir);
    const { commits, total } = await listCommits(gitDir, head, opts.since?.(epoch));
    if (head) opts.onHead?.(epoch, head);
    const wanted: Array<{ index: number; oid: string }> = [];
    let index = ordinal + (total - commits.length);
    ordinal += total;
    for (const oid of commits) {
      const i = index++;
      if (!opts.skip?.(oid)) wanted.push({ index: i, oid });
    }
    if (wanted.length === 0) continue;
    const batch = new CatFileBatch(gitDir);
    try {
      let sent = 0;
      const fill = async (): Promise<void> => {
        const upto = Math.min(wanted.length, sent + window);
        if (upto > sent) {
          const revs = wanted.slice(sent, upto).map((w) => `${w.oid}:m`);
          sent = upto;
          await batch.request(revs);
        }
      };
      await fill();
      for (let i = 0; i < wanted.length; i++) {
        if (sent - i < window / 2) await fill();
        const item = await batch.next();
        if (item.kind === 'missing') continue; // deletion commit (`d` instead of `m`)
        const w = wanted[i]!;
        yield { index: w.index, oid: w.oid, blob: item.oid, epoch, raw: item.data };
      }
    } finally {
      batch.close();
    }
  }
}
