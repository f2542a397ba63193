/**
 * Extracts the GitHub REST operations the app and `check --pr` call (plus every transitively referenced component) from
 * @octokit/openapi into test/app/fixtures/github-openapi-trimmed.json, so tests validate request bodies without the
 * 385 MB package as a dependency. Usage: npm install --prefix /tmp/oa @octokit/openapi &&
 *   npx tsx scripts/trim-openapi.ts [/tmp/oa/node_modules/@octokit/openapi/generated/api.github.com.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** method + path of every REST call the app makes. */
export const USED_OPERATIONS: ReadonlyArray<readonly [string, string]> = [
  ['post', '/app/installations/{installation_id}/access_tokens'],
  ['get', '/repos/{owner}/{repo}/pulls/{pull_number}'],
  ['get', '/repos/{owner}/{repo}/pulls/{pull_number}/files'],
  ['get', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews'],
  ['post', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews'],
  ['get', '/repos/{owner}/{repo}/pulls/{pull_number}/comments'],
  ['post', '/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies'],
  ['get', '/repos/{owner}/{repo}/contents/{path}'],
  ['post', '/repos/{owner}/{repo}/check-runs'],
  ['patch', '/repos/{owner}/{repo}/check-runs/{check_run_id}'],
  ['get', '/repos/{owner}/{repo}/commits/{ref}/check-runs'],
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function collectRefs(node: Json, out: Set<string>): void {
  if (Array.isArray(node)) for (const n of node) collectRefs(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.add(v);
      else collectRefs(v, out);
    }
  }
}

/** Trim a full OpenAPI document to the used operations and their transitive `#/components/...` references. */
export function trimSpec(spec: { [k: string]: Json }): { [k: string]: Json } {
  const paths = spec.paths as { [p: string]: { [m: string]: Json } };
  const outPaths: { [p: string]: { [m: string]: Json } } = {};
  for (const [method, path] of USED_OPERATIONS) {
    const op = paths[path]?.[method];
    if (!op) throw new Error(`operation ${method.toUpperCase()} ${path} not in the spec`);
    (outPaths[path] ??= {})[method] = op;
  }
  const components = spec.components as { [kind: string]: { [name: string]: Json } };
  const outComponents: { [kind: string]: { [name: string]: Json } } = {};
  const pending = new Set<string>();
  collectRefs(outPaths as Json, pending);
  const done = new Set<string>();
  while (pending.size > 0) {
    const ref = [...pending][0] as string;
    pending.delete(ref);
    if (done.has(ref)) continue;
    done.add(ref);
    const m = /^#\/components\/([^/]+)\/(.+)$/.exec(ref);
    if (!m) throw new Error(`unsupported $ref ${ref}`);
    const [, kind, name] = m as unknown as [string, string, string];
    const target = components[kind]?.[name];
    if (target === undefined) throw new Error(`dangling $ref ${ref}`);
    const bucket = (outComponents[kind] ??= {});
    bucket[name] = target;
    const more = new Set<string>();
    collectRefs(target, more);
    for (const r of more) if (!done.has(r)) pending.add(r);
  }
  const sorted: { [kind: string]: { [name: string]: Json } } = {};
  for (const kind of Object.keys(outComponents).sort()) {
    const b = outComponents[kind] as { [name: string]: Json };
    sorted[kind] = Object.fromEntries(Object.keys(b).sort().map((k) => [k, b[k] as Json]));
  }
  return { openapi: spec.openapi as Json, info: spec.info as Json, paths: outPaths, components: sorted };
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''));
if (isMain) {
  const src = process.argv[2] ?? '/tmp/oa/node_modules/@octokit/openapi/generated/api.github.com.json';
  const out = 'test/app/fixtures/github-openapi-trimmed.json';
  const trimmed = trimSpec(JSON.parse(readFileSync(src, 'utf8')));
  writeFileSync(out, `${JSON.stringify(trimmed)}\n`);
  console.log(`${out}: ${USED_OPERATIONS.length} operations, ${JSON.stringify(trimmed).length} bytes`);
}
