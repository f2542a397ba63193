/**
 * A pool of review workers (node:worker_threads): `checkPatches` of independent series run on other cores while the
 * main thread commits results and writes drafts. The caller commits results in its own (message) order, so the
 * state, the drafts and the report are the same as with an in-process review. A worker that dies (an uncaught error,
 * an out-of-memory abort) fails only the series it was reviewing, with an error the caller records like an engine
 * failure (MMR020); the next series gets a fresh worker. Idle workers do not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import type { Patch } from '../core/patch.ts';
import type { Report } from '../core/finding.ts';
import type { EngineOptions } from './deps.ts';

/** One series to review (engine options without a tree: a tree is not sent to workers). */
export interface ReviewJob {
  id: number;
  patches: Patch[];
  opts: Omit<EngineOptions, 'tree'>;
}

/** A worker's answer: the engine's report, or the message of the error it threw. */
export type ReviewAnswer = { id: number; report: Report } | { id: number; error: string };

/**
 * A worker's young generation (V8's default lets each one grow to tens of MB, which a scan's peak RSS pays per
 * worker); the review's short-lived garbage fits in a few MB without costing measurable CPU.
 */
const YOUNG_GENERATION_MB = 2;

interface Slot {
  worker: Worker;
  job?: { id: number; resolve: (r: Report) => void; reject: (e: Error) => void };
}

export class ReviewPool {
  private readonly slots: Array<Slot | undefined>;
  private readonly queue: Array<{ job: ReviewJob; resolve: (r: Report) => void; reject: (e: Error) => void }> = [];
  private nextId = 0;
  private closed = false;

  /** `size` workers at most (at least 1), each running the module at `workerUrl`. */
  constructor(
    private readonly workerUrl: URL,
    size: number,
  ) {
    this.slots = new Array<Slot | undefined>(Math.max(1, Math.floor(size))).fill(undefined);
  }

  get size(): number {
    return this.slots.length;
  }

  /** Reviews one series on a worker. Rejects when the worker dies during it or the engine throws. */
  run(patches: Patch[], opts: Omit<EngineOptions, 'tree'> = {}): Promise<Report> {
    if (this.closed) return Promise.reject(new Error('review pool closed'));
    return new Promise<Report>((resolve, reject) => {
      this.queue.push({ job: { id: this.nextId++, patches, opts }, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker; pending reviews are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.reject(new Error('review pool closed'));
    await Promise.all(
      this.slots.map(async (s, i) => {
        this.slots[i] = undefined;
        if (!s) return;
        s.job?.reject(new Error('review pool closed'));
        s.job = undefined;
        await s.worker.terminate();
      }),
    );
  }

  private dispatch(): void {
    for (let i = 0; i < this.slots.length && this.queue.length > 0; i++) {
      const slot = this.slots[i] ?? (this.slots[i] = this.spawn(i));
      if (slot.job) continue;
      const q = this.queue.shift()!;
      slot.job = { id: q.job.id, resolve: q.resolve, reject: q.reject };
      slot.worker.ref();
      slot.worker.postMessage(q.job);
    }
  }

  private spawn(i: number): Slot {
    const worker = new Worker(this.workerUrl, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    const slot: Slot = { worker };
    worker.unref();
    worker.on('message', (a: ReviewAnswer) => {
      const job = slot.job;
      if (!job || job.id !== a.id) return;
      slot.job = undefined;
      worker.unref();
      if ('report' in a) job.resolve(a.report);
      else job.reject(new Error(a.error));
      this.dispatch();
    });
    const died = (why: string): void => {
      if (this.slots[i] === slot) this.slots[i] = undefined;
      const job = slot.job;
      slot.job = undefined;
      job?.reject(new Error(`review worker died: ${why}`));
      if (!this.closed) this.dispatch();
    };
    worker.on('error', (e) => died(e instanceof Error ? e.message : String(e)));
    worker.on('messageerror', (e) => {
      // The slot is given up: stop its worker too, or it keeps the process alive after close().
      died(`unreadable message: ${e.message}`);
      void worker.terminate();
    });
    worker.on('exit', (code) => died(`exit code ${code}`));
    return slot;
  }
}
