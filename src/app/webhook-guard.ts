/**
 * A guard in front of Probot's webhook middleware. Octokit's middleware reads the whole body into memory before it
 * checks the signature and logs a rejected delivery with its payload; a hostile client could make the server buffer
 * and log any amount. The guard, for POSTs to the webhook path:
 *   1. refuses at once, without reading the body, a request that lacks GitHub's headers or a well-formed
 *      `x-hub-signature-256`, or whose Content-Length exceeds the body limit (GitHub's own maximum, 25 MB);
 *   2. streams the body through an HMAC, counting bytes: beyond the limit (chunked bodies) it answers 413 and drops
 *      the connection; beyond a shared budget of bytes buffered by all requests in flight it answers 503;
 *   3. compares the signature over the raw bytes (constant time) before anything parses or logs the body;
 *   4. hands only a verified body to the inner middleware (as `req.body`, which Octokit's middleware then uses
 *      instead of reading the stream).
 * A rejected delivery is logged with its delivery id, event name, size and reason, never its payload.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** GitHub caps webhook payloads at 25 MB ("Payloads are capped at 25 MB", GitHub docs, webhook events). */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;
/** Bytes all unverified bodies in flight may hold together (two maximal deliveries and some). */
export const MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024;
/** A body must arrive within this time (slow senders hold a buffer and a socket). */
export const BODY_TIMEOUT_MS = 30_000;

/** A Node middleware as Probot's Server calls it (true: handled). */
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next?: () => void) => Promise<unknown>;

interface GuardLog {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface GuardOptions {
  /** The webhook secret (WEBHOOK_SECRET). */
  secret: string;
  /** The webhook path (WEBHOOK_PATH, default /api/github/webhooks). */
  path: string;
  log: GuardLog;
  maxBodyBytes?: number;
  maxInFlightBytes?: number;
  bodyTimeoutMs?: number;
}

const SIGNATURE = /^sha256=[0-9a-f]{64}$/;
const JSON_TYPE = /^\s*application\/json\s*(?:;|$)/i;

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** `/a/b//` → `/a/b`, `` and `//` → `/` (Octokit's normalizeTrailingSlashes). */
function trimSlashes(p: string): string {
  const t = p.replace(/\/+$/, '');
  return t === '' ? '/' : t;
}

/** Wraps Probot's webhook middleware `inner` with the checks above; other paths and methods pass straight through. */
export function guardWebhooks(inner: NodeMiddleware, opts: GuardOptions): NodeMiddleware {
  const maxBody = opts.maxBodyBytes ?? MAX_WEBHOOK_BYTES;
  const maxInFlight = opts.maxInFlightBytes ?? MAX_IN_FLIGHT_BYTES;
  const timeoutMs = opts.bodyTimeoutMs ?? BODY_TIMEOUT_MS;
  let inFlight = 0;

  return async (req, res, next) => {
    // The same path test as Octokit's middleware (trailing slashes dropped, then parsed as a URL: query and
    // fragment ignored), so that no spelling of the path reaches it unguarded.
    let pathname: string;
    try {
      pathname = new URL(trimSlashes(req.url ?? ''), 'http://localhost').pathname;
    } catch {
      return inner(req, res, next); // answered 422 by Octokit without reading the body
    }
    if (req.method !== 'POST' || pathname !== trimSlashes(opts.path)) return inner(req, res, next);

    const id = header(req, 'x-github-delivery') ?? '(none)';
    const event = header(req, 'x-github-event') ?? '(none)';
    const declared = header(req, 'content-length');
    const meta = { delivery: id.slice(0, 100), event: event.slice(0, 100), size: declared !== undefined ? Number(declared) : undefined };

    /** Answers and drops the connection: an unread body is never drained. */
    const refuse = (status: number, reason: string, size?: number): true => {
      opts.log.warn({ ...meta, ...(size !== undefined ? { size } : {}), status, reason }, 'webhook delivery refused');
      if (!res.headersSent) {
        res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
        res.end(`${JSON.stringify({ error: reason })}\n`, () => req.socket.destroy());
      } else req.socket.destroy();
      return true;
    };

    const signature = header(req, 'x-hub-signature-256');
    if (!JSON_TYPE.test(header(req, 'content-type') ?? '')) return refuse(415, 'content-type must be application/json');
    if (meta.delivery === '(none)' || meta.event === '(none)') return refuse(400, 'x-github-delivery and x-github-event are required');
    if (!signature || !SIGNATURE.test(signature)) return refuse(401, 'missing or malformed x-hub-signature-256');
    if (declared !== undefined && !(Number(declared) <= maxBody)) return refuse(413, `body larger than ${maxBody} bytes`);

    const hmac = createHmac('sha256', opts.secret);
    const chunks: Buffer[] = [];
    let size = 0;
    let held = 0;
    const outcome = await new Promise<{ ok: true } | { ok: false; status: number; reason: string }>((resolve) => {
      const timer = setTimeout(() => done({ ok: false, status: 408, reason: `body not received within ${timeoutMs} ms` }), timeoutMs);
      function done(r: { ok: true } | { ok: false; status: number; reason: string }): void {
        clearTimeout(timer);
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        resolve(r);
      }
      function onData(c: Buffer): void {
        size += c.length;
        if (size > maxBody) return done({ ok: false, status: 413, reason: `body larger than ${maxBody} bytes` });
        if (inFlight + c.length > maxInFlight) return done({ ok: false, status: 503, reason: 'too many webhook bytes in flight' });
        inFlight += c.length;
        held += c.length;
        hmac.update(c);
        chunks.push(c);
      }
      function onEnd(): void {
        done({ ok: true });
      }
      function onError(): void {
        done({ ok: false, status: 400, reason: 'request stream error' });
      }
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
    });
    try {
      if (!outcome.ok) {
        chunks.length = 0;
        return refuse(outcome.status, outcome.reason, size);
      }
      const expected = Buffer.from(`sha256=${hmac.digest('hex')}`);
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
        chunks.length = 0;
        return refuse(401, 'signature does not match', size);
      }
      const body = Buffer.concat(chunks).toString('utf8');
      chunks.length = 0;
      opts.log.debug({ ...meta, size }, 'webhook delivery verified');
      (req as IncomingMessage & { body?: string }).body = body;
      return inner(req, res, next);
    } finally {
      inFlight -= held;
    }
  };
}
