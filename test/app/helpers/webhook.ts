/** Signed webhook deliveries to a running app server, and a free loopback port for it. */
import { createServer } from 'node:net';
import { sign } from '@octokit/webhooks-methods';

/** A port that was free a moment ago on 127.0.0.1 (probot's Server treats port 0 as "default 3000"). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** POST a webhook the way GitHub does: JSON body, event name, delivery id, `x-hub-signature-256`. */
export async function deliver(
  url: string,
  opts: { secret: string; name: string; id: string; payload: unknown; badSignature?: boolean },
): Promise<{ status: number; text: string }> {
  const body = JSON.stringify(opts.payload);
  const signature = opts.badSignature ? await sign('not-the-secret', body) : await sign(opts.secret, body);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': opts.name,
      'x-github-delivery': opts.id,
      'x-hub-signature-256': signature,
      'user-agent': 'GitHub-Hookshot/test',
    },
    body,
  });
  return { status: res.status, text: await res.text() };
}
