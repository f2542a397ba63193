/** The Octokit class the app runs with: Probot's (throttling + retry plugins) with bounded rate-limit retries. */
import { ProbotOctokit } from 'probot';

/** Throttle settings that can be overridden (tests shrink waits; the rest are the plugin's own options). */
export interface ThrottleOverrides {
  enabled?: boolean;
  /** Milliseconds per "second" of Retry-After (1000 in production). */
  retryAfterBaseValue?: number;
  /** Bottleneck groups (tests pass unthrottled ones). */
  write?: unknown;
  notifications?: unknown;
  global?: unknown;
}

/** Secondary-rate-limit retries (GitHub answers 403 + Retry-After); primary-limit retries when the reset is near. */
export const MAX_SECONDARY_RETRIES = 3;
export const MAX_PRIMARY_RETRIES = 1;
export const MAX_PRIMARY_WAIT_S = 120;

/**
 * Probot's Octokit with mmreview's throttle handlers: a secondary rate limit is retried up to 3 times after
 * GitHub's Retry-After, a primary one once when it resets within two minutes; then the request fails and the
 * review ends in the check run instead of hanging.
 */
export function createAppOctokit(overrides: ThrottleOverrides = {}): typeof ProbotOctokit {
  return ProbotOctokit.defaults((o: Record<string, unknown>) => {
    const prev = (o.throttle ?? {}) as Record<string, unknown>;
    return {
      ...o,
      throttle: {
        ...prev,
        ...overrides,
        onSecondaryRateLimit: (retryAfter: number, opts: { method: string; url: string }, octokit: { log: { warn(m: string): void } }, retryCount: number) => {
          octokit.log.warn(`secondary rate limit on ${opts.method} ${opts.url}; retry ${retryCount + 1} in ${retryAfter}s`);
          return retryCount < MAX_SECONDARY_RETRIES;
        },
        onRateLimit: (retryAfter: number, opts: { method: string; url: string }, octokit: { log: { warn(m: string): void } }, retryCount: number) => {
          octokit.log.warn(`rate limit on ${opts.method} ${opts.url}; resets in ${retryAfter}s`);
          return retryCount < MAX_PRIMARY_RETRIES && retryAfter <= MAX_PRIMARY_WAIT_S;
        },
      },
    };
  }) as typeof ProbotOctokit;
}
