/** Starts the app under Probot's own server with its standard environment (APP_ID, PRIVATE_KEY, GHE_HOST, PORT...). */
import { run } from 'probot';
import type { Server } from 'probot';
import { createApp } from './index.ts';
import type { AppServices } from './engine-port.ts';
import { createAppOctokit } from './octokit.ts';

/** Options of `startServer`. */
export interface StartOptions {
  services: AppServices;
  /** Environment to read (defaults to process.env): APP_ID, PRIVATE_KEY / PRIVATE_KEY_PATH, WEBHOOK_SECRET,
   *  GHE_HOST, GHE_PROTOCOL, WEBHOOK_PROXY_URL, WEBHOOK_PATH, PORT, HOST, LOG_LEVEL, LOG_FORMAT. */
  env?: NodeJS.ProcessEnv;
  /** Octokit class (defaults to Probot's with mmreview's bounded rate-limit retries). */
  Octokit?: ReturnType<typeof createAppOctokit>;
}

/**
 * Run the app with `probot.run()`: webhooks on `WEBHOOK_PATH` (default /api/github/webhooks), signature checked with
 * `WEBHOOK_SECRET`, smee proxy when `WEBHOOK_PROXY_URL` is set. Without APP_ID / PRIVATE_KEY (and NODE_ENV not
 * production) Probot serves its setup page, which registers the app from app.yml.
 */
export async function startServer(opts: StartOptions): Promise<Server> {
  const extra: Parameters<typeof run>[1] = { Octokit: opts.Octokit ?? createAppOctokit() };
  if (opts.env) extra.env = opts.env;
  return run(createApp(opts.services), extra);
}
