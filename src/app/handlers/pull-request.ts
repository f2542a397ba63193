/** Handlers of the `pull_request` webhook actions mmreview reacts to; drafts wait for `ready_for_review`. */
import type { Context } from 'probot';
import { configDefaults, CONFIG_MERGE_OPTIONS } from '../config.ts';
import type { AppServices } from '../engine-port.ts';
import { reviewPullRequest } from '../review-pull-request.ts';
import type { ReviewOutcome } from '../review-pull-request.ts';
import type { PrRef } from '../../publish/github/types.ts';

type PrContext = Context<'pull_request'>;

/** The PR head a webhook names. */
export function prRefOf(context: PrContext): PrRef {
  const p = context.payload.pull_request;
  return {
    owner: context.payload.repository.owner.login,
    repo: context.payload.repository.name,
    number: p.number,
    headSha: p.head.sha,
    baseSha: p.base.sha,
    title: p.title,
    body: p.body,
    draft: p.draft === true,
  };
}

async function review(context: PrContext, services: AppServices): Promise<ReviewOutcome | undefined> {
  const pr = prRefOf(context);
  if (context.payload.pull_request.state === 'closed') {
    context.log.info({ pr: pr.number }, 'mmreview: PR is closed; skipping');
    return undefined;
  }
  if (pr.draft && context.payload.action !== 'ready_for_review') {
    context.log.info({ pr: pr.number }, 'mmreview: draft PR; waiting for ready_for_review');
    return undefined;
  }
  return reviewPullRequest(
    {
      gh: context.octokit,
      log: context.log,
      pr,
      loadConfig: () => context.config('mmreview.yml', configDefaults(), CONFIG_MERGE_OPTIONS),
    },
    services,
  );
}

/** `pull_request.opened`: review the first head (unless draft). */
export const onOpened = (services: AppServices) => async (context: PrContext): Promise<void> => {
  await review(context, services);
};

/** `pull_request.synchronize`: a push; new findings posted, vanished ones resolved, repeated ones skipped. */
export const onSynchronize = (services: AppServices) => async (context: PrContext): Promise<void> => {
  await review(context, services);
};

/** `pull_request.reopened`: review the head if it was not reviewed before. */
export const onReopened = (services: AppServices) => async (context: PrContext): Promise<void> => {
  await review(context, services);
};

/** `pull_request.ready_for_review`: a draft became reviewable. */
export const onReadyForReview = (services: AppServices) => async (context: PrContext): Promise<void> => {
  await review(context, services);
};
