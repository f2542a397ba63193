/** Decides cheaply, from a PR file's path and patch text, whether mmreview should analyse it (and says why not). */
import { globMatcher } from './glob.ts';
import { textUsesScopeApi } from '../kernel-api/scope.ts';
import type { AppConfig } from './config.ts';

/** Why a file is (not) analysed. */
export type Relevance =
  | { relevant: true; reason: 'path' | 'api' }
  | { relevant: false; reason: 'ignored' | 'not-c' | 'removed' | 'no-patch' | 'no-mm-api' };

/** A PR file as `pulls.listFiles` returns it (the fields we read). */
export interface PrFileLike {
  filename: string;
  status: string;
  patch?: string | undefined;
}

/** Build the relevance test for one configuration. */
export function relevanceFilter(config: AppConfig): (file: PrFileLike) => Relevance {
  const inPaths = globMatcher(config.paths);
  const ignored = globMatcher(config.ignore);
  return (file) => {
    if (ignored(file.filename)) return { relevant: false, reason: 'ignored' };
    if (!/\.(?:c|h)$/.test(file.filename)) return { relevant: false, reason: 'not-c' };
    if (file.status === 'removed') return { relevant: false, reason: 'removed' };
    if (!file.patch) return { relevant: false, reason: 'no-patch' };
    if (inPaths(file.filename)) return { relevant: true, reason: 'path' };
    if (config.detectApis && patchUsesMmApi(file.patch)) return { relevant: true, reason: 'api' };
    return { relevant: false, reason: 'no-mm-api' };
  };
}

/** True when any line of the patch (added, removed or context) calls one of the mm APIs (src/kernel-api/scope.ts). */
export function patchUsesMmApi(patch: string): boolean {
  return textUsesScopeApi(patch);
}
