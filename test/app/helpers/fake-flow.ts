/** Runs the app under probot.run() against the fake GitHub API (GHE_HOST, http) and drives PR scenarios through it. */
import type { Server } from 'probot';
import { startServer } from '../../../src/app/server.ts';
import type { AppServices } from '../../../src/app/engine-port.ts';
import { FakeGitHub } from './fake-github.ts';
import { privateKey } from './probot.ts';
import { OWNER, REPO, prPayload } from './scenario.ts';
import type { PrScenario } from './scenario.ts';
import { deliver, freePort } from './webhook.ts';

export const FLOW_SECRET = 'fake-flow-secret';

/** A running app + fake API pair. */
export interface FakeFlow {
  fake: FakeGitHub;
  server: Server;
  url: string;
  /** Publish a PR head on the fake API (files + base contents). */
  push(s: PrScenario): void;
  /** Deliver a signed pull_request webhook and wait for the app's answer. */
  send(action: 'opened' | 'synchronize' | 'reopened' | 'ready_for_review', s: PrScenario, id: string): Promise<number>;
  stop(): Promise<void>;
}

/** Start the fake API and the app server (production Octokit: throttling and retries on). */
export async function startFakeFlow(services: AppServices): Promise<FakeFlow> {
  const fake = new FakeGitHub(OWNER, REPO);
  const host = await fake.start();
  const port = await freePort();
  const server = await startServer({
    services,
    env: {
      APP_ID: '123',
      PRIVATE_KEY: privateKey(),
      WEBHOOK_SECRET: FLOW_SECRET,
      GHE_HOST: host,
      GHE_PROTOCOL: 'http',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'fatal',
    },
  });
  const url = `http://127.0.0.1:${port}/api/github/webhooks`;
  return {
    fake,
    server,
    url,
    push(s) {
      fake.setPr({ number: s.number, headSha: s.headSha, baseSha: s.baseSha, files: s.files });
      for (const [path, text] of Object.entries(s.base)) fake.contents.set(`${s.baseSha}:${path}`, text);
    },
    async send(action, s, id) {
      const res = await deliver(url, { secret: FLOW_SECRET, name: 'pull_request', id, payload: prPayload(action, s) });
      return res.status;
    },
    async stop() {
      await server.stop();
      await fake.stop();
    },
  };
}
