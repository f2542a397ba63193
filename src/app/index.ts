/** The mmreview Probot app: subscribes the pull_request handlers; everything else lives in ./handlers and below. */
import type { ApplicationFunction } from 'probot';
import type { AppServices } from './engine-port.ts';
import { onOpened, onReadyForReview, onReopened, onSynchronize } from './handlers/pull-request.ts';

/** Build the app function for `run()` / `createNodeMiddleware()` / `probot.load()` with the given services. */
export function createApp(services: AppServices): ApplicationFunction {
  return (app) => {
    app.on('pull_request.opened', onOpened(services));
    app.on('pull_request.synchronize', onSynchronize(services));
    app.on('pull_request.reopened', onReopened(services));
    app.on('pull_request.ready_for_review', onReadyForReview(services));
  };
}
