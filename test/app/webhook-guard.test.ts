/** The webhook guard alone, on a plain HTTP server on 127.0.0.1: every refusal branch, and what reaches the inner middleware. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { sign } from '@octokit/webhooks-methods';
import { guardWebhooks } from '../../src/app/webhook-guard.ts';

const SECRET = 's3cret';
const logged: Array<{ obj: object; msg: string }> = [];
const inner: Array<{ url: string; body: unknown }> = [];
let server: Server;
let base = '';

beforeAll(async () => {
  const guard = guardWebhooks(
    async (req: IncomingMessage & { body?: unknown }, res) => {
      inner.push({ url: req.url ?? '', body: req.body });
      res.writeHead(200).end('inner');
      return true;
    },
    { secret: SECRET, path: '/hook', log: { warn: (obj, msg) => logged.push({ obj, msg }), debug: () => {} }, maxBodyBytes: 1000, maxInFlightBytes: 5000, bodyTimeoutMs: 300 },
  );
  server = createServer((req, res) => void guard(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const H = (sig?: string): Record<string, string> => ({ 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': 'd-1', ...(sig ? { 'x-hub-signature-256': sig } : {}) });

describe('guardWebhooks', () => {
  it('passes a signed body to the inner middleware as req.body; other paths pass untouched', async () => {
    const body = '{"zen":"ok"}';
    const r = await fetch(`${base}/hook`, { method: 'POST', headers: H(await sign(SECRET, body)), body });
    expect(r.status).toBe(200);
    expect(inner.at(-1)).toEqual({ url: '/hook', body });
    expect((await fetch(`${base}/elsewhere`)).status).toBe(200);
    expect(inner.at(-1)!.body).toBeUndefined();
  });
  it('refuses wrong content type (415), missing headers (400), missing / malformed / wrong signature (401), too large (413)', async () => {
    const body = '{"secret-payload":1}';
    const post = async (headers: Record<string, string>, b: string = body): Promise<number> => (await fetch(`${base}/hook`, { method: 'POST', headers, body: b })).status;
    expect(await post({ ...H(await sign(SECRET, body)), 'content-type': 'text/plain' })).toBe(415);
    expect(await post({ 'content-type': 'application/json', 'x-hub-signature-256': await sign(SECRET, body) })).toBe(400);
    expect(await post(H())).toBe(401);
    expect(await post(H('sha1=abc'))).toBe(401);
    expect(await post(H(await sign('other', body)))).toBe(401);
    const big = 'x'.repeat(2000);
    expect(await post(H(await sign(SECRET, big)), big)).toBe(413);
    expect(JSON.stringify(logged)).not.toContain('secret-payload');
    expect(logged.every((l) => (l.obj as { delivery?: string }).delivery !== undefined)).toBe(true);
  });
  it('guards every spelling of the path the inner middleware would accept (trailing slash, query, fragment)', async () => {
    const raw = (target: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const sock = connect(Number(new URL(base).port), '127.0.0.1', () => {
          sock.write(`POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-GitHub-Event: ping\r\nX-GitHub-Delivery: d-2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
        });
        let data = '';
        sock.on('data', (c) => (data += c.toString()));
        sock.on('close', () => resolve(data.split('\r\n')[0]!));
        sock.on('error', reject);
      });
    for (const target of ['/hook/', '/hook?x=1', '/hook#frag', '/hook//']) expect(await raw(target), target).toMatch(/ 401 /);
    expect(inner.filter((i) => i.url.startsWith('/hook') && i.url !== '/hook')).toEqual([]);
  });
  it('refuses a chunked body over the limit (413) and a body that does not arrive in time (408)', async () => {
    const status = (chunks: string[], delayEnd: boolean): Promise<string> =>
      new Promise((resolve) => {
        const req = request(`${base}/hook`, { method: 'POST', headers: H(`sha256=${'1'.repeat(64)}`) }, (res) => resolve(String(res.statusCode)));
        req.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
        for (const c of chunks) req.write(c);
        if (!delayEnd) req.end();
        else setTimeout(() => req.destroy(), 2_000);
      });
    expect(['413', 'ECONNRESET', 'EPIPE']).toContain(await status(Array.from({ length: 5 }, () => 'y'.repeat(400)), false));
    expect(await status(['{"a":'], true)).toBe('408');
  });
});
