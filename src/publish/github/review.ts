/** Posts one COMMENT review per head sha; comments GitHub refuses inline (422) fall back to the review body. */
import type { ReviewDraft } from '../../render/github-review.ts';
import type { GitHub, PrRef } from './types.ts';

/** What was posted. */
export interface PostedReview {
  id: number;
  inline: number;
  /** Fingerprints moved to the body after GitHub refused them inline. */
  fellBack: string[];
}

/**
 * Post the review. `render(forceBody)` re-renders the draft with the given fingerprints moved to the body; it is
 * called again with every inline fingerprint when GitHub answers 422 (a line outside the diff, an outdated
 * position), so the findings still reach the author.
 */
export async function postReview(
  gh: GitHub,
  pr: PrRef,
  render: (forceBody: ReadonlySet<string>) => ReviewDraft,
): Promise<PostedReview> {
  const draft = render(new Set());
  try {
    const id = await send(gh, pr, draft);
    return { id, inline: draft.comments.length, fellBack: [] };
  } catch (e) {
    if (httpStatus(e) !== 422 || draft.comments.length === 0) throw e;
    const moved = draft.comments.map((c) => c.fingerprint);
    const id = await send(gh, pr, render(new Set(moved)));
    return { id, inline: 0, fellBack: moved };
  }
}

/** The HTTP status of an Octokit RequestError (or undefined for other errors). */
export function httpStatus(e: unknown): number | undefined {
  const s = typeof e === 'object' && e !== null ? (e as { status?: unknown }).status : undefined;
  return typeof s === 'number' ? s : undefined;
}

async function send(gh: GitHub, pr: PrRef, draft: ReviewDraft): Promise<number> {
  const { data } = await gh.rest.pulls.createReview({
    owner: pr.owner,
    repo: pr.repo,
    pull_number: pr.number,
    commit_id: pr.headSha,
    event: 'COMMENT',
    body: draft.body,
    comments: draft.comments.map((c) => ({ path: c.path, line: c.line, side: c.side, body: c.body })),
  });
  return data.id;
}

/** Reply under an earlier inline comment (used to mark a finding resolved). */
export async function replyToComment(gh: GitHub, pr: PrRef, commentId: number, body: string): Promise<number> {
  const { data } = await gh.rest.pulls.createReplyForReviewComment({
    owner: pr.owner,
    repo: pr.repo,
    pull_number: pr.number,
    comment_id: commentId,
    body,
  });
  return data.id;
}
