/** What the app needs from the analysis engine and the trace renderers, so handlers can be tested with either. */
import type { Patch, SourceTree } from '../core/patch.ts';
import type { Report } from '../core/finding.ts';
import type { Arch } from '../core/sim-contract.ts';
import type { TraceRenderers } from '../render/github-review.ts';
import type { DiffParser } from './pr-source.ts';

/** Options of `checkPatches` (src/engine/index.ts). */
export interface CheckOptions {
  tree?: SourceTree;
  rules?: string[];
  arch?: Arch[];
}

/** The engine entry point: front end + rules + simulator over patches, every finding with its flags. */
export type CheckPatches = (patches: Patch[], opts?: CheckOptions) => Promise<Report>;

/** Everything the review flow calls outside GitHub. */
export interface AppServices {
  checkPatches: CheckPatches;
  renderers: TraceRenderers;
  parseDiff: DiffParser;
}
