/** What the scanner needs from the rest of mmreview (sources, engine, simulator), as one injectable interface. */
import type { Patch, PatchSource, InputProblem } from '../core/patch.ts';
import type { Finding, Report, Trace } from '../core/finding.ts';
import type { Arch } from '../core/sim-contract.ts';
import type { SourceTree } from '../core/patch.ts';

/** Options of the engine's `checkPatches`. */
export interface EngineOptions {
  tree?: SourceTree;
  rules?: string[];
  arch?: Arch[];
}

/** The collaborators of a scan; `defaultScanDeps()` wires the real ones. Tests may pass their own. */
export interface ScanDeps {
  /** Cheap byte scan: may the raw message contain a diff (incl. encoded attachments)? */
  mayContainDiff(raw: Buffer): boolean;
  /** Full MIME parse of one message into patches (quoted / cover flags set) and per-message problems. */
  parseMessage(raw: Buffer, source: PatchSource): Promise<{ patches: Patch[]; problems: InputProblem[] }>;
  /**
   * Streaming mboxrd reader; with `start` (a message boundary an earlier scan recorded), only the messages from that
   * offset on, indexed and offset as in the whole file.
   */
  readMbox(path: string, start?: { offset: number; index: number }): AsyncIterable<{ index: number; offset: number; raw: Buffer; oversize?: number }>;
  /** Maildir reader (sorted, deterministic). */
  readMaildir(dir: string): AsyncIterable<{ index: number; name: string; raw: Buffer }>;
  /** The engine: front end + rules + simulator over patches. */
  checkPatches(patches: Patch[], opts?: EngineOptions): Promise<Report>;
  /** Posting policy. */
  isReportable(f: Finding): boolean;
  /** A trace as a CPU-column table (plain text). */
  renderTable(trace: Trace, opts?: { width?: number }): string;
  /**
   * How many series `checkPatches` reviews at once without a tree (a worker pool behind it): the review starts up to
   * twice as many ahead and commits them in order. 1 (one at a time) when absent.
   */
  reviewSlots?: number;
  /** Releases what the collaborators hold (the review workers). */
  close?(): Promise<void>;
}
