/**
 * Starts the app under Probot's own server with its standard environment (APP_ID, PRIVATE_KEY, GHE_HOST, PORT...),
 * with the webhook middleware behind mmreview's guard (src/app/webhook-guard.ts: body limit, signature checked over
 * the raw bytes before anything parses or logs the body, bounded buffering).
 */
import { createProbot, run, Server } from 'probot';
import type { Probot } from 'probot';
import type { Server as HttpServer } from 'node:http';
import { createApp } from './index.ts';
import type { AppServices } from './engine-port.ts';
import { createAppOctokit } from './octokit.ts';
import { guardWebhooks } from './webhook-guard.ts';
import type { GuardOptions, NodeMiddleware } from './webhook-guard.ts';

/** Options of `startServer`. */
export interface StartOptions {
  services: AppServices;
  /** Environment to read (defaults to process.env): APP_ID, PRIVATE_KEY / PRIVATE_KEY_PATH, WEBHOOK_SECRET,
   *  GHE_HOST, GHE_PROTOCOL, WEBHOOK_PROXY_URL, WEBHOOK_PATH, PORT, HOST, LOG_LEVEL, LOG_FORMAT. */
  env?: NodeJS.ProcessEnv;
  /** Octokit class (defaults to Probot's with mmreview's bounded rate-limit retries). */
  Octokit?: ReturnType<typeof createAppOctokit>;
  /** Guard limits (tests); defaults are GitHub's 25 MB body maximum and a 64 MB in-flight budget. */
  guard?: Partial<Pick<GuardOptions, 'maxBodyBytes' | 'maxInFlightBytes' | 'bodyTimeoutMs'>>;
}

const DEFAULT_PATH = '/api/github/webhooks';

/**
 * Run the app: webhooks on `WEBHOOK_PATH` (default /api/github/webhooks) behind the guard, signature checked with
 * `WEBHOOK_SECRET` (required when NODE_ENV is production), smee proxy when `WEBHOOK_PROXY_URL` is set, /ping. Without
 * APP_ID / PRIVATE_KEY (and NODE_ENV not production) Probot's `run()` serves its setup page, which registers the
 * app from app.yml; that development mode processes no reviews.
 */
export async function startServer(opts: StartOptions): Promise<Server> {
  const env = opts.env ?? process.env;
  const Octokit = opts.Octokit ?? createAppOctokit();
  const production = env.NODE_ENV === 'production';
  let probot: Probot;
  try {
    probot = createProbot({
      env,
      overrides: { Octokit, logFormat: env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty' ? env.LOG_FORMAT : production ? 'json' : 'pretty' },
    });
  } catch (e) {
    // No APP_ID or private key: Probot's setup mode (refused by run() itself in production).
    if (!/appId|privateKey/.test((e as Error).message)) throw e;
    const extra: Parameters<typeof run>[1] = { Octokit };
    if (opts.env) extra.env = opts.env;
    return run(createApp(opts.services), extra);
  }
  if (production && !env.WEBHOOK_SECRET) throw new Error('WEBHOOK_SECRET is required in production: without it any client can post deliveries');
  await probot.ready();
  const path = env.WEBHOOK_PATH || DEFAULT_PATH;
  // The guard wraps this instance's middleware; Server asks its Probot class for an instance, this one.
  const inner = probot.getNodeMiddleware.bind(probot);
  probot.getNodeMiddleware = (async (o?: Parameters<typeof inner>[0]) =>
    guardWebhooks((await inner(o)) as NodeMiddleware, { secret: env.WEBHOOK_SECRET || 'development', path, log: probot.log, ...opts.guard })) as typeof inner;
  const ThisProbot = function ThisProbot() {
    return probot;
  } as unknown as typeof Probot;
  const server = new Server({
    host: env.HOST || 'localhost',
    port: Number(env.PORT) || 3000,
    webhookPath: path,
    ...(env.WEBHOOK_PROXY_URL ? { webhookProxy: env.WEBHOOK_PROXY_URL } : {}),
    log: probot.log,
    Probot: ThisProbot,
  });
  await server.load(createApp(opts.services));
  const http: HttpServer = await server.start();
  // Whole requests (headers and body) must arrive in time; idle keep-alive sockets are not held forever.
  http.requestTimeout = 60_000;
  http.headersTimeout = 20_000;
  http.keepAliveTimeout = 5_000;
  return server;
}
