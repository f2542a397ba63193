/** Reads what mmreview already posted on a pull request (reviews, inline comments, resolutions) from its markers. */
import { parseMarkers } from '../../render/github-review.ts';
import type { GitHub, PrRef } from './types.ts';

/** An inline comment mmreview posted earlier. */
export interface PostedComment {
  id: number;
  fingerprint: string;
  rule: string;
  path: string;
  /** True once a "Resolved in" reply was posted under it. */
  resolved: boolean;
}

/** Everything earlier runs left on the PR. */
export interface PostedState {
  /** Inline comments by fingerprint (oldest first when a fingerprint was posted twice). */
  comments: PostedComment[];
  /** Fingerprints reported in review bodies (findings that could not be placed inline). */
  bodyFingerprints: string[];
  /** Head shas that already have an mmreview review. */
  reviewedShas: string[];
}

/** Collect the state from `pulls.listReviews` and `pulls.listReviewComments` (both paginated). */
export async function readPostedState(gh: GitHub, pr: PrRef): Promise<PostedState> {
  const base = { owner: pr.owner, repo: pr.repo, pull_number: pr.number, per_page: 100 };
  const [reviews, comments] = await Promise.all([
    gh.paginate(gh.rest.pulls.listReviews, base),
    gh.paginate(gh.rest.pulls.listReviewComments, base),
  ]);
  const reviewedShas = new Set<string>();
  const bodyFps = new Set<string>();
  for (const r of reviews) {
    for (const m of parseMarkers(r.body)) {
      if (m.kind === 'review') reviewedShas.add(m.sha);
      else if (m.kind === 'finding') bodyFps.add(m.fingerprint);
    }
  }
  const posted: PostedComment[] = [];
  const resolvedReplies = new Set<number>();
  for (const c of [...comments].sort((a, b) => a.id - b.id)) {
    for (const m of parseMarkers(c.body)) {
      if (m.kind === 'resolved' && c.in_reply_to_id !== undefined) resolvedReplies.add(c.in_reply_to_id);
      else if (m.kind === 'finding' && c.in_reply_to_id === undefined) {
        posted.push({ id: c.id, fingerprint: m.fingerprint, rule: m.rule, path: c.path, resolved: false });
      }
    }
  }
  for (const p of posted) p.resolved = resolvedReplies.has(p.id);
  return { comments: posted, bodyFingerprints: [...bodyFps].sort(), reviewedShas: [...reviewedShas].sort() };
}
