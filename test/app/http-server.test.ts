/** The real Probot server (probot.run via startServer) on 127.0.0.1: signed webhooks accepted, bad signatures refused. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import type { Server } from 'probot';
import { startServer } from '../../src/app/server.ts';
import { UnthrottledOctokit, privateKey } from './helpers/probot.ts';
import { channelServices, flushFinding } from './helpers/services.ts';
import { fiveFilePr, INSTALLATION_ID, OWNER, prPayload, REPO } from './helpers/scenario.ts';
import { deliver, freePort } from './helpers/webhook.ts';
import { GitHubSpec } from './helpers/openapi.ts';

const SECRET = 'webhook-secret-for-tests';
const R = `/repos/${OWNER}/${REPO}`;
let server: Server;
let url: string;
const s = fiveFilePr('v1');
const services = channelServices({ [s.headSha]: [flushFinding()] });

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  const port = await freePort();
  server = await startServer({
    services,
    Octokit: UnthrottledOctokit,
    env: { APP_ID: '123', PRIVATE_KEY: privateKey(), WEBHOOK_SECRET: SECRET, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'fatal' },
  });
  url = `http://127.0.0.1:${port}/api/github/webhooks`;
});

afterAll(async () => {
  await server.stop();
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('HTTP webhook endpoint', () => {
  it('rejects a bad signature without touching GitHub', async () => {
    const res = await deliver(url, { secret: SECRET, name: 'pull_request', id: 'bad-1', payload: prPayload('opened', s), badSignature: true });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(services.calls).toHaveLength(0);
  });

  it('a correctly signed pull_request.opened produces the review and the check run', async () => {
    const spec = new GitHubSpec();
    const errors: string[] = [];
    const bodies: Record<string, any> = {};
    const check = (method: string, path: string) => (body: any) => {
      errors.push(...spec.requestErrors(method, path, body));
      bodies[`${method} ${path}`] = body;
      return true;
    };
    const scope = nock('https://api.github.com')
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .reply(201, { token: 'ghs_x', expires_at: '2099-01-01T00:00:00Z' })
      .get(`${R}/commits/${s.headSha}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] })
      .get(`${R}/pulls/7/reviews`)
      .query(true)
      .reply(200, [])
      .get(`${R}/pulls/7/comments`)
      .query(true)
      .reply(200, [])
      .post(`${R}/check-runs`, check('POST', `${R}/check-runs`))
      .reply(201, { id: 5 })
      .get(/\/contents\/\.github(%2F|\/)mmreview\.yml/)
      .reply(200, 'maxInlineComments: 10\n', { 'content-type': 'text/plain; charset=utf-8' })
      .get(`${R}/pulls/7/files`)
      .query(true)
      .reply(200, s.files)
      .get(`${R}/contents/${encodeURIComponent('mm/mapping_clean.c')}`)
      .query({ ref: s.baseSha })
      .reply(200, { type: 'file', encoding: 'base64', content: Buffer.from(s.base['mm/mapping_clean.c'] ?? '').toString('base64') })
      .post(`${R}/pulls/7/reviews`, check('POST', `${R}/pulls/7/reviews`))
      .reply(200, { id: 9 })
      .patch(`${R}/check-runs/5`, check('PATCH', `${R}/check-runs/5`))
      .reply(200, { id: 5 });

    const res = await deliver(url, { secret: SECRET, name: 'pull_request', id: 'good-1', payload: prPayload('opened', s) });
    expect(res.status).toBe(200);
    expect(scope.pendingMocks()).toStrictEqual([]);
    expect(errors).toStrictEqual([]);
    expect(bodies[`POST ${R}/pulls/7/reviews`].comments[0]).toMatchObject({ path: 'mm/mapping_clean.c', line: 54, side: 'RIGHT' });
    expect(bodies[`PATCH ${R}/check-runs/5`]).toMatchObject({ conclusion: 'failure' });
  });
});
