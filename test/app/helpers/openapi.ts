/** Validates request bodies (and optionally responses) against the trimmed GitHub REST OpenAPI description. */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (a: Ajv) => void;

interface Op {
  method: string;
  template: string;
  re: RegExp;
  body?: ValidateFunction;
  bodyRequired: boolean;
  responses: Map<number, ValidateFunction>;
}

type Spec = {
  paths: Record<string, Record<string, { requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> }; responses?: Record<string, unknown> }>>;
  components: Record<string, Record<string, unknown>>;
};

/** The trimmed spec committed under test/app/fixtures (see scripts/trim-openapi.ts). */
export const SPEC_PATH = new URL('../fixtures/github-openapi-trimmed.json', import.meta.url);

/** A compiled validator over the trimmed spec. */
export class GitHubSpec {
  private readonly ops: Op[] = [];
  private readonly ajv: Ajv;
  private readonly spec: Spec;

  constructor() {
    this.spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Spec;
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'gh', components: this.spec.components } as never);
    for (const [template, methods] of Object.entries(this.spec.paths)) {
      const re = new RegExp(`^${template.replace(/\{path\}/, '(.+)').replace(/\{[^}]+\}/g, '[^/]+')}$`);
      for (const [method, op] of Object.entries(methods)) {
        const schema = op.requestBody?.content['application/json']?.schema;
        const entry: Op = { method: method.toUpperCase(), template, re, bodyRequired: op.requestBody?.required === true, responses: new Map() };
        if (schema) entry.body = this.ajv.compile(this.fixRefs(schema) as object);
        this.ops.push(entry);
      }
    }
  }

  /** Rewrite local refs `#/components/...` to the added schema's `gh#/components/...`. */
  private fixRefs(node: unknown): unknown {
    if (Array.isArray(node)) return node.map((n) => this.fixRefs(n));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) {
        out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `gh${v}` : this.fixRefs(v);
      }
      return out;
    }
    return node;
  }

  private find(method: string, path: string): Op | undefined {
    const p = path.replace(/\?.*$/, '').replace(/^\/api\/v3/, '');
    return this.ops.find((o) => o.method === method.toUpperCase() && o.re.test(p));
  }

  /** The spec's path template for a concrete request, or undefined when the app calls an endpoint not in the spec. */
  operation(method: string, path: string): string | undefined {
    return this.find(method, path)?.template;
  }

  /** Validation errors of a request body (empty when valid); throws for an endpoint not in the trimmed spec. */
  requestErrors(method: string, path: string, body: unknown): string[] {
    const op = this.find(method, path);
    if (!op) throw new Error(`${method} ${path} is not in the trimmed OpenAPI spec`);
    if (body === undefined && !op.bodyRequired) return [];
    if (!op.body) return body === undefined || body === '' ? [] : [`${op.template} takes no body`];
    return op.body(body) ? [] : (op.body.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  }

  /** Validation errors of a JSON response body for a status. */
  responseErrors(method: string, path: string, status: number, body: unknown): string[] {
    const op = this.find(method, path);
    if (!op) throw new Error(`${method} ${path} is not in the trimmed OpenAPI spec`);
    let v = op.responses.get(status);
    if (!v) {
      const resp = this.spec.paths[op.template]?.[op.method.toLowerCase()]?.responses?.[String(status)] as
        | { $ref?: string; content?: Record<string, { schema: unknown }> }
        | undefined;
      let r = resp;
      if (r?.$ref) r = this.spec.components.responses?.[r.$ref.replace('#/components/responses/', '')] as typeof resp;
      const schema = r?.content?.['application/json']?.schema;
      if (!schema) return [];
      v = this.ajv.compile(this.fixRefs(schema) as object);
      op.responses.set(status, v);
    }
    return v(body) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  }
}
