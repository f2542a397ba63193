// One long-lived `git cat-file --batch` process per repository: objects are asked for in batches, answered in order.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** The answer to one object name (`<oid>`, an abbreviation, `<rev>:<path>`). */
export type CatFileAnswer =
  | { kind: 'found'; oid: string; type: string; data: Buffer }
  | { kind: 'missing' | 'ambiguous'; name: string };

/** Restarts after git exited mid-answer, in a row (without an object found in between), before giving up. */
const MAX_RESTARTS = 4;

interface Pending {
  name: string;
  resolve: (a: CatFileAnswer) => void;
}

/**
 * A `git cat-file --batch` process over the repository at `dir` (working tree or bare), started on the first
 * request and kept until {@link CatFile.close}. Requests of one {@link CatFile.get} call are written at once; the
 * answers come back in order. Nothing is ever written to the repository by this reader (a partial clone may still
 * fetch a missing blob named by a full revision:path, which is git's own behaviour). A name git does not have reads
 * as `missing`, an abbreviation matching several objects as `ambiguous`. When git exits while answering (a
 * failed lazy fetch in a partial clone does that), the name being answered reads as `missing` and a new process
 * takes the rest, up to a few times; when git cannot run at all, every request reads as `missing` and
 * {@link CatFile.error} says why. While idle the process does not keep Node alive.
 */
export class CatFile {
  private proc: ChildProcessWithoutNullStreams | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private readonly queue: Pending[] = [];
  private stderr = '';
  private dead: string | undefined;
  /** Exits mid-answer since the last object found. */
  private failures = 0;
  /** Processes started: 1 once used, more only after git exited mid-answer. */
  spawned = 0;
  /** Object names asked for. */
  requests = 0;
  /** Batches written. */
  batches = 0;

  constructor(readonly dir: string) {}

  /** Why the process is unusable, when it is. */
  get error(): string | undefined {
    return this.dead;
  }

  /** Answers for `names`, in order. Names holding a newline cannot be asked and read as missing. */
  get(names: readonly string[]): Promise<CatFileAnswer[]> {
    if (names.length === 0) return Promise.resolve([]);
    const out = names.map(
      (name) =>
        new Promise<CatFileAnswer>((resolve) => {
          if (name === '' || /[\n\r\0]/.test(name) || this.dead) return resolve({ kind: 'missing', name });
          this.queue.push({ name, resolve });
        }),
    );
    const asked = names.filter((n) => n !== '' && !/[\n\r\0]/.test(n));
    if (asked.length > 0 && !this.dead) {
      const p = this.start();
      if (p) {
        this.requests += asked.length;
        this.batches++;
        this.hold(true);
        p.stdin.write(asked.map((n) => `${n}\n`).join(''));
      }
    }
    return Promise.all(out);
  }

  /** Ends the process; pending requests read as missing. */
  close(): void {
    const p = this.proc;
    if (!p) return;
    this.proc = undefined;
    p.stdin.end();
    this.failAll('closed');
    this.dead = undefined;
  }

  private start(): ChildProcessWithoutNullStreams | undefined {
    if (this.proc) return this.proc;
    let p: ChildProcessWithoutNullStreams;
    try {
      // An abbreviated id shared by a blob and a commit or tree names the blob: index lines only name blobs.
      p = spawn('git', ['-c', 'core.quotepath=off', '-c', 'core.disambiguate=blob', 'cat-file', '--batch'], {
        cwd: this.dir,
        stdio: ['pipe', 'pipe', 'pipe'],
        // After an exit mid-answer (a failed lazy fetch), a git that knows GIT_NO_LAZY_FETCH (2.44+) answers
        // "missing" instead of fetching again.
        env: { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', ...(this.failures > 0 ? { GIT_NO_LAZY_FETCH: '1' } : {}) },
      });
    } catch (e) {
      this.dead = `cannot run git: ${(e as Error).message}`;
      this.failAll(this.dead);
      return undefined;
    }
    this.spawned++;
    this.proc = p;
    this.buf = Buffer.alloc(0);
    this.stderr = '';
    p.stdout.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.parse();
    });
    p.stderr.on('data', (c: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += c.toString('utf8');
    });
    p.on('error', (e) => this.die(p, `cannot run git: ${e.message}`));
    p.on('close', (code) => this.die(p, `git cat-file ended (${code ?? 'signal'}): ${this.stderr.trim().split('\n').pop() ?? ''}`));
    p.stdin.on('error', () => undefined);
    this.hold(false);
    return p;
  }

  /** Keeps Node alive only while answers are awaited. */
  private hold(on: boolean): void {
    const p = this.proc;
    if (!p) return;
    const streams = [p.stdout, p.stderr, p.stdin] as unknown as Array<{ ref?: () => void; unref?: () => void }>;
    if (on) {
      p.ref();
      for (const s of streams) s.ref?.();
    } else {
      p.unref();
      for (const s of streams) s.unref?.();
    }
  }

  /**
   * The process ended while answering. The name it was answering reads as missing (a partial clone whose lazy fetch
   * fails makes git exit there); the names behind it are asked again of a new process, a few times at most.
   */
  private die(p: ChildProcessWithoutNullStreams, why: string): void {
    if (this.proc !== p) return;
    this.proc = undefined;
    this.buf = Buffer.alloc(0);
    const culprit = this.queue.shift();
    culprit?.resolve({ kind: 'missing', name: culprit.name });
    if (++this.failures > MAX_RESTARTS) {
      this.dead = why;
      this.failAll(why);
      return;
    }
    if (this.queue.length === 0) return;
    const again = this.start();
    if (!again) return;
    this.batches++;
    this.hold(true);
    again.stdin.write(this.queue.map((q) => `${q.name}\n`).join(''));
  }

  private failAll(_why: string): void {
    for (const q of this.queue.splice(0)) q.resolve({ kind: 'missing', name: q.name });
  }

  private parse(): void {
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl < 0) break;
      const header = this.buf.toString('latin1', 0, nl);
      const head = this.queue[0];
      if (!head) {
        this.buf = Buffer.alloc(0);
        break;
      }
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        this.queue.shift();
        this.buf = this.buf.subarray(nl + 1);
        head.resolve({ kind: header.endsWith(' ambiguous') ? 'ambiguous' : 'missing', name: head.name });
        continue;
      }
      const m = /^([0-9a-f]{40,64}) (\w+) (\d+)$/.exec(header);
      if (!m) {
        // Unknown answer shape (e.g. "dangling symlink"): this name is not a readable object.
        this.queue.shift();
        this.buf = this.buf.subarray(nl + 1);
        head.resolve({ kind: 'missing', name: head.name });
        continue;
      }
      const size = Number(m[3]);
      if (this.buf.length < nl + 1 + size + 1) break;
      const data = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 1 + size + 1);
      this.queue.shift();
      this.failures = 0;
      head.resolve({ kind: 'found', oid: m[1]!, type: m[2]!, data });
    }
    if (this.queue.length === 0) this.hold(false);
  }
}
