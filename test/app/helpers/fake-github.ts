/**
 * A small fake GitHub REST API on node:http (127.0.0.1, random port) holding one repository's pull requests, file
 * contents, reviews, review comments and check runs. Probot reaches it through GHE_HOST / GHE_PROTOCOL=http (paths
 * under /api/v3). Every request body is validated against the trimmed OpenAPI description; violations are kept in
 * `specErrors` for the test to assert on.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitHubSpec } from './openapi.ts';

/** A PR file as listFiles returns it. */
export interface FakePrFile {
  filename: string;
  status: 'added' | 'modified' | 'removed' | 'renamed';
  patch?: string;
  previous_filename?: string;
}

export interface FakePr {
  number: number;
  headSha: string;
  baseSha: string;
  files: FakePrFile[];
}

export interface FakeReview {
  id: number;
  commit_id: string;
  body: string;
  event: string;
}

export interface FakeComment {
  id: number;
  pull_number: number;
  path: string;
  line?: number;
  side?: string;
  commit_id: string;
  body: string;
  in_reply_to_id?: number;
}

export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: { title?: string; summary?: string };
  annotations: unknown[];
  updates: number;
}

/** Right-side / left-side line numbers a patch covers (GitHub only accepts review comments there). */
function diffLines(patch: string | undefined): { RIGHT: Set<number>; LEFT: Set<number> } {
  const out = { RIGHT: new Set<number>(), LEFT: new Set<number>() };
  if (!patch) return out;
  let o = 0;
  let n = 0;
  for (const line of patch.split('\n')) {
    const h = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (h) {
      o = Number(h[1]);
      n = Number(h[2]);
      continue;
    }
    if (line.startsWith('+')) out.RIGHT.add(n++);
    else if (line.startsWith('-')) out.LEFT.add(o++);
    else if (line.startsWith(' ') || line === '') {
      out.RIGHT.add(n++);
      out.LEFT.add(o++);
    }
  }
  return out;
}

const BOT = { login: 'mmreview[bot]', id: 9000, type: 'Bot' };

/** The fake API and its recorded state. */
export class FakeGitHub {
  readonly owner: string;
  readonly repo: string;
  readonly prs = new Map<number, FakePr>();
  /** `${sha}:${path}` → text. */
  readonly contents = new Map<string, string>();
  /** YAML text of `.github/mmreview.yml` on the default branch, if any. */
  config: string | undefined;
  readonly reviews = new Map<number, FakeReview[]>();
  readonly comments: FakeComment[] = [];
  readonly checkRuns: FakeCheckRun[] = [];
  readonly requests: Array<{ method: string; path: string; body?: unknown; at: number }> = [];
  readonly specErrors: string[] = [];
  private nextId = 1000;
  private server: Server | undefined;
  private readonly spec = new GitHubSpec();
  /** Set by `started()`: `127.0.0.1:<port>`. */
  host = '';

  constructor(owner: string, repo: string) {
    this.owner = owner;
    this.repo = repo;
  }

  /** Start listening on 127.0.0.1 with a random port. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    this.host = `127.0.0.1:${port}`;
    return this.host;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Set (or replace) a PR head: its files and the base contents it reads. */
  setPr(pr: FakePr): void {
    this.prs.set(pr.number, pr);
  }

  /** Writes the app made (reviews, replies, check runs), in order. */
  writes(): Array<{ method: string; path: string; body?: unknown; at: number }> {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
      ...headers,
    });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/^\/api\/v3/, '');
    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const at = performance.now();
    this.requests.push(body === undefined ? { method, path, at } : { method, path, body, at });
    if (this.spec.operation(method, path) === undefined) {
      this.specErrors.push(`${method} ${path}: endpoint not in the trimmed spec`);
    } else if (method !== 'GET') {
      for (const e of this.spec.requestErrors(method, path, body)) this.specErrors.push(`${method} ${path}: ${e}`);
    }
    try {
      this.route(method, path, url.searchParams, body, req, res);
    } catch (e) {
      this.send(res, 500, { message: String(e) });
    }
  }

  private route(method: string, path: string, q: URLSearchParams, body: unknown, req: IncomingMessage, res: ServerResponse): void {
    const b = (body ?? {}) as Record<string, unknown>;
    let m: RegExpExecArray | null;
    if (method === 'POST' && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return this.send(res, 201, { token: 'ghs_fake', expires_at: '2099-01-01T00:00:00Z', permissions: {}, repository_selection: 'all' });
    }
    const repoPrefix = `/repos/${this.owner}/${this.repo}`;
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/.exec(path))) {
      const [, owner, repo, encPath] = m as unknown as [string, string, string, string];
      const file = decodeURIComponent(encPath);
      if (owner !== this.owner) return this.send(res, 404, { message: 'Not Found' });
      if (file === '.github/mmreview.yml') {
        if (repo !== this.repo || this.config === undefined) return this.send(res, 404, { message: 'Not Found' });
        return this.send(res, 200, this.config);
      }
      const text = this.contents.get(`${q.get('ref') ?? ''}:${file}`);
      if (repo !== this.repo || text === undefined) return this.send(res, 404, { message: 'Not Found' });
      if ((req.headers.accept ?? '').includes('raw')) return this.send(res, 200, text);
      const content = Buffer.from(text).toString('base64').replace(/(.{60})/g, '$1\n');
      return this.send(res, 200, { type: 'file', encoding: 'base64', size: text.length, name: file.split('/').pop(), path: file, content, sha: 'blob' });
    }
    if (!path.startsWith(repoPrefix)) return this.send(res, 404, { message: 'Not Found' });
    const rest = path.slice(repoPrefix.length);
    if ((m = /^\/pulls\/(\d+)\/files$/.exec(rest))) {
      const pr = this.prs.get(Number(m[1]));
      if (!pr) return this.send(res, 404, { message: 'Not Found' });
      const perPage = Number(q.get('per_page') ?? 30);
      const page = Number(q.get('page') ?? 1);
      const items = pr.files.slice((page - 1) * perPage, page * perPage).map((f, i) => ({
        sha: `f${i}`,
        additions: 1,
        deletions: 0,
        changes: 1,
        blob_url: '',
        raw_url: '',
        contents_url: '',
        ...f,
      }));
      const last = Math.max(1, Math.ceil(pr.files.length / perPage));
      const headers: Record<string, string> = {};
      if (page < last) {
        headers.link = `<http://${this.host}/api/v3${path}?per_page=${perPage}&page=${page + 1}>; rel="next", <http://${this.host}/api/v3${path}?per_page=${perPage}&page=${last}>; rel="last"`;
      }
      return this.send(res, 200, items, headers);
    }
    if ((m = /^\/pulls\/(\d+)\/reviews$/.exec(rest))) {
      const n = Number(m[1]);
      const list = this.reviews.get(n) ?? [];
      if (method === 'GET') return this.send(res, 200, list.map((r) => ({ ...r, user: BOT, state: 'COMMENTED' })));
      const pr = this.prs.get(n);
      if (!pr) return this.send(res, 404, { message: 'Not Found' });
      const comments = (b.comments ?? []) as Array<{ path: string; line: number; side?: 'RIGHT' | 'LEFT'; body: string }>;
      for (const c of comments) {
        const f = pr.files.find((x) => x.filename === c.path);
        if (!f || !diffLines(f.patch)[c.side ?? 'RIGHT'].has(c.line)) {
          return this.send(res, 422, {
            message: 'Unprocessable Entity',
            errors: ['Line could not be resolved'],
            documentation_url: 'https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request',
          });
        }
      }
      const review: FakeReview = { id: this.nextId++, commit_id: String(b.commit_id ?? pr.headSha), body: String(b.body ?? ''), event: String(b.event ?? '') };
      list.push(review);
      this.reviews.set(n, list);
      for (const c of comments) {
        this.comments.push({ id: this.nextId++, pull_number: n, path: c.path, line: c.line, side: c.side ?? 'RIGHT', commit_id: review.commit_id, body: c.body });
      }
      return this.send(res, 200, { ...review, user: BOT, state: 'COMMENTED' });
    }
    if ((m = /^\/pulls\/(\d+)\/comments$/.exec(rest)) && method === 'GET') {
      const n = Number(m[1]);
      return this.send(res, 200, this.comments.filter((c) => c.pull_number === n).map((c) => ({ ...c, user: BOT })));
    }
    if ((m = /^\/pulls\/(\d+)\/comments\/(\d+)\/replies$/.exec(rest)) && method === 'POST') {
      const n = Number(m[1]);
      const parent = this.comments.find((c) => c.id === Number(m?.[2]) && c.pull_number === n);
      if (!parent) return this.send(res, 404, { message: 'Not Found' });
      const c: FakeComment = { id: this.nextId++, pull_number: n, path: parent.path, commit_id: parent.commit_id, body: String(b.body ?? ''), in_reply_to_id: parent.id };
      this.comments.push(c);
      return this.send(res, 201, { ...c, user: BOT });
    }
    if (rest === '/check-runs' && method === 'POST') {
      const run: FakeCheckRun = {
        id: this.nextId++,
        name: String(b.name),
        head_sha: String(b.head_sha),
        status: String(b.status ?? 'queued'),
        conclusion: (b.conclusion as string | undefined) ?? null,
        output: (b.output ?? {}) as FakeCheckRun['output'],
        annotations: [],
        updates: 0,
      };
      this.checkRuns.push(run);
      return this.send(res, 201, run);
    }
    if ((m = /^\/check-runs\/(\d+)$/.exec(rest)) && method === 'PATCH') {
      const run = this.checkRuns.find((r) => r.id === Number(m?.[1]));
      if (!run) return this.send(res, 404, { message: 'Not Found' });
      const out = (b.output ?? {}) as { title?: string; summary?: string; annotations?: unknown[] };
      run.updates++;
      if (out.title !== undefined) run.output.title = out.title;
      if (out.summary !== undefined) run.output.summary = out.summary;
      run.annotations.push(...(out.annotations ?? []));
      if (b.conclusion) {
        run.conclusion = String(b.conclusion);
        run.status = 'completed';
      } else if (b.status) run.status = String(b.status);
      return this.send(res, 200, run);
    }
    if ((m = /^\/commits\/([^/]+)\/check-runs$/.exec(rest)) && method === 'GET') {
      const sha = m[1];
      const name = q.get('check_name');
      const runs = this.checkRuns.filter((r) => r.head_sha === sha && (!name || r.name === name));
      return this.send(res, 200, { total_count: runs.length, check_runs: runs });
    }
    return this.send(res, 404, { message: `Not Found: ${method} ${path}` });
  }
}
