/**
 * A small fake GitHub REST API on node:http (127.0.0.1, random port) holding one repository's pull requests, file
 * contents, reviews, review comments and check runs. Probot reaches it through GHE_HOST / GHE_PROTOCOL=http (paths
 * under /api/v3). Every request body is validated against the trimmed OpenAPI description; violations are kept in
 * `specErrors` for the test to assert on.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { GitHubSpec } from './openapi.ts';

/** A real `pull_request` object from GitHub's webhook examples: the REST `pulls.get` answer has the same shape. */
const EXAMPLES = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{ name: string; examples: Array<Record<string, unknown>> }>;
const example = (event: string, key: string): Record<string, unknown> =>
  EXAMPLES.find((e) => e.name === event)!.examples.find((x) => x[key] !== undefined)![key] as Record<string, unknown>;
const PR_EXAMPLE = example('pull_request', 'pull_request');
/** Review and review-comment objects and a user, in GitHub's shapes (REST answers carry the same fields). */
const REVIEW_EXAMPLE = example('pull_request_review', 'review');
const COMMENT_EXAMPLE = example('pull_request_review_comment', 'comment');
const USER_EXAMPLE = COMMENT_EXAMPLE.user as Record<string, unknown>;

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
  title?: string;
  body?: string;
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

const BOT = { ...USER_EXAMPLE, login: 'mmreview[bot]', id: 9000, type: 'Bot' };

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
  /** With `validateResponses`, JSON responses that do not match the spec's schema for their status. */
  readonly responseErrors: string[] = [];
  validateResponses = false;
  /** A PR's title, body and sha the `pulls.get` answer carries (pulls set with `setPr`). */
  private current: { method: string; path: string } | undefined;
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

  /** A review as the REST API returns it. */
  private reviewJson(r: FakeReview): unknown {
    const { event: _event, ...fields } = r;
    return { ...REVIEW_EXAMPLE, ...fields, user: BOT, state: 'COMMENTED' };
  }

  /** A review comment as the REST API returns it. */
  private commentJson(c: FakeComment): unknown {
    const { pull_number: _n, side, line, in_reply_to_id, ...fields } = c;
    return {
      ...COMMENT_EXAMPLE,
      ...fields,
      original_commit_id: c.commit_id,
      pull_request_review_id: (COMMENT_EXAMPLE.pull_request_review_id as number | undefined) ?? 1,
      ...(line !== undefined ? { line, original_line: line } : {}),
      ...(side !== undefined ? { side } : {}),
      ...(in_reply_to_id !== undefined ? { in_reply_to_id } : {}),
      user: BOT,
    };
  }

  /** A `pulls.get` answer for a PR: GitHub's shape (taken from a real webhook example), this PR's numbers and shas. */
  private pullRequest(pr: FakePr): unknown {
    const base = structuredClone(PR_EXAMPLE) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    base.number = pr.number;
    base.title = pr.title ?? `PR ${pr.number}`;
    base.body = pr.body ?? null;
    base.draft = false;
    base.head = { ...base.head, sha: pr.headSha, repo: { ...base.head.repo, name: this.repo, full_name: `${this.owner}/${this.repo}` } };
    base.base = { ...base.base, sha: pr.baseSha, repo: { ...base.base.repo, name: this.repo, full_name: `${this.owner}/${this.repo}` } };
    base.changed_files = pr.files.length;
    base.auto_merge = null;
    return base;
  }

  /** Writes the app made (reviews, replies, check runs), in order. */
  writes(): Array<{ method: string; path: string; body?: unknown; at: number }> {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (this.validateResponses && this.current && typeof body !== 'string' && status < 300) {
      const { method, path } = this.current;
      if (this.spec.operation(method, path) !== undefined) {
        for (const e of this.spec.responseErrors(method, path, status, body)) this.responseErrors.push(`${method} ${path} ${status}: ${e}`);
      }
    }
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
    this.current = { method, path };
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
      const web = `https://github.com/${owner}/${repo}`;
      const api = `https://api.github.com/repos/${owner}/${repo}`;
      const sha = createHash('sha1').update(`blob ${Buffer.byteLength(text)}\0${text}`).digest('hex');
      const links = { self: `${api}/contents/${file}`, git: `${api}/git/blobs/${sha}`, html: `${web}/blob/${q.get('ref') ?? 'HEAD'}/${file}` };
      return this.send(res, 200, {
        type: 'file', encoding: 'base64', size: Buffer.byteLength(text), name: file.split('/').pop(), path: file, content, sha,
        url: links.self, git_url: links.git, html_url: links.html, download_url: `https://raw.githubusercontent.com/${owner}/${repo}/${q.get('ref') ?? 'HEAD'}/${file}`, _links: links,
      });
    }
    if (!path.startsWith(repoPrefix)) return this.send(res, 404, { message: 'Not Found' });
    const rest = path.slice(repoPrefix.length);
    if ((m = /^\/pulls\/(\d+)$/.exec(rest)) && method === 'GET') {
      const pr = this.prs.get(Number(m[1]));
      if (!pr) return this.send(res, 404, { message: 'Not Found' });
      return this.send(res, 200, this.pullRequest(pr));
    }
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
        blob_url: `https://github.com/${this.owner}/${this.repo}/blob/${pr.headSha}/${f.filename}`,
        raw_url: `https://github.com/${this.owner}/${this.repo}/raw/${pr.headSha}/${f.filename}`,
        contents_url: `https://api.github.com/repos/${this.owner}/${this.repo}/contents/${f.filename}?ref=${pr.headSha}`,
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
      if (method === 'GET') return this.send(res, 200, list.map((r) => this.reviewJson(r)));
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
      return this.send(res, 200, this.reviewJson(review));
    }
    if ((m = /^\/pulls\/(\d+)\/comments$/.exec(rest)) && method === 'GET') {
      const n = Number(m[1]);
      return this.send(res, 200, this.comments.filter((c) => c.pull_number === n).map((c) => this.commentJson(c)));
    }
    if ((m = /^\/pulls\/(\d+)\/comments\/(\d+)\/replies$/.exec(rest)) && method === 'POST') {
      const n = Number(m[1]);
      const parent = this.comments.find((c) => c.id === Number(m?.[2]) && c.pull_number === n);
      if (!parent) return this.send(res, 404, { message: 'Not Found' });
      const c: FakeComment = { id: this.nextId++, pull_number: n, path: parent.path, commit_id: parent.commit_id, body: String(b.body ?? ''), in_reply_to_id: parent.id };
      this.comments.push(c);
      return this.send(res, 201, this.commentJson(c));
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
