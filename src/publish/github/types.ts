/** Shared types of the GitHub publisher: the authenticated client and the pull request being reviewed. */
import type { ProbotOctokit } from 'probot';

/** An authenticated Probot Octokit (REST methods, paginate, request). */
export type GitHub = InstanceType<typeof ProbotOctokit>;

/** The pull request and head under review. */
export interface PrRef {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  baseSha: string;
  title?: string;
  body?: string | null;
  draft?: boolean;
}

/** The name of mmreview's check run. */
export const CHECK_NAME = 'mmreview';
