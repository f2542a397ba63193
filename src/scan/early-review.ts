/**
 * Review during ingest, so that simulation does not wait for the whole archive to be read: with a worker pool behind
 * `checkPatches`, each pending single patch (not part of an M/N series) committed by the ingest is offered to the
 * pool as the series of one it will most likely be. A bounded number are handed to the pool at once (see EARLY_PER_WORKER in scanner.ts); the others wait
 * in a queue of patch keys, dropped when the ingest ends. The review phase uses an early outcome only for a series
 * that is exactly that one patch with the same stored text, which is the input it would have given the engine
 * itself; anything else (a later version superseding it, follow-ups joining it, a failed early run) is reviewed as
 * usual. The results are committed by the review phase in its own order, as always.
 */
import type { Report } from '../core/finding.ts';
import type { Patch } from '../core/patch.ts';
import type { StateStore } from '../store/state-store.ts';
import type { EngineOptions, ScanDeps } from './deps.ts';

export class EarlyReview {
  private readonly queue: string[] = [];
  private running = 0;
  private readonly outcomes = new Map<string, { json: string; outcome: Promise<Report | undefined> }>();

  constructor(
    private readonly store: StateStore,
    private readonly checkPatches: ScanDeps['checkPatches'],
    private readonly limit: number,
    private readonly engine?: EngineOptions,
  ) {}

  /** Offers a committed pending patch (by key). */
  offer(pkey: string): void {
    this.queue.push(pkey);
    this.pump();
  }

  /** The ingest is over: what has not started is reviewed by the review phase. */
  stop(): void {
    this.queue.length = 0;
  }

  /** The early outcome for a series of exactly this one stored patch, if one was started (taken once). */
  take(pkey: string, patchJson: string): Promise<Report | undefined> | undefined {
    const e = this.outcomes.get(pkey);
    this.outcomes.delete(pkey);
    return e && e.json === patchJson ? e.outcome : undefined;
  }

  private pump(): void {
    while (this.running < this.limit && this.queue.length > 0) {
      const row = this.store.getPatch(this.queue.shift()!);
      if (!row || row.state !== 'pending') continue;
      const patches: Patch[] = [{ ...(JSON.parse(row.patchJson) as Patch), id: row.pkey }];
      this.running++;
      let outcome: Promise<Report | undefined>;
      try {
        outcome = this.checkPatches(patches, this.engine).catch(() => undefined);
      } catch {
        outcome = Promise.resolve(undefined);
      }
      const settled = outcome.then((r) => {
        this.running--;
        this.pump();
        return r;
      });
      this.outcomes.set(row.pkey, { json: row.patchJson, outcome: settled });
    }
  }
}
