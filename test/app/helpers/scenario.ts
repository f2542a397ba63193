/** Kernel-style PR scenarios built from test/app/fixtures/kernel (our own fixtures) and webhook payloads for them. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { generateKeyPairSync } from 'node:crypto';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import type { FakePrFile } from './fake-github.ts';

/** Read a fixture under test/app/fixtures/kernel. */
export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/kernel/${name}`, import.meta.url), 'utf8');
}

/** Shas used by the scenarios (40 hex digits, like GitHub's). */
export const SHA = {
  base: 'b'.repeat(40),
  buggyBase: 'c'.repeat(40),
  v1: '1'.repeat(40),
  v2: '2'.repeat(40),
  fix: 'f'.repeat(40),
} as const;

export const OWNER = 'kernel-mm';
export const REPO = 'linux';
export const INSTALLATION_ID = 4242;

/** A PR head: its files and the base contents the app may read. */
export interface PrScenario {
  number: number;
  headSha: string;
  baseSha: string;
  files: FakePrFile[];
  base: Record<string, string>;
}

/** The 5-file PR: mm/mapping_clean.c with the flush moved after pte_unmap_unlock() (v1) or fixed (v2). */
export function fiveFilePr(version: 'v1' | 'v2'): PrScenario {
  return {
    number: 7,
    headSha: version === 'v1' ? SHA.v1 : SHA.v2,
    baseSha: SHA.base,
    files: [
      { filename: 'Documentation/mm/mapping_clean.rst', status: 'added', patch: fixture('mapping_clean.rst.patch') },
      { filename: 'drivers/gpu/drm/ttm/ttm_dirty.c', status: 'added', patch: fixture('ttm_dirty.c.patch') },
      { filename: 'include/linux/mapping_clean.h', status: 'added', patch: fixture('mapping_clean.h.patch') },
      { filename: 'mm/Makefile', status: 'modified', patch: fixture('Makefile.patch') },
      {
        filename: 'mm/mapping_clean.c',
        status: 'modified',
        patch: fixture(version === 'v1' ? 'mapping_clean.bug.patch' : 'mapping_clean.resync.patch'),
      },
    ],
    base: { 'mm/mapping_clean.c': fixture('mapping_clean.base.c'), 'mm/Makefile': fixture('Makefile.base') },
  };
}

/** A fix PR against a tree that has the bug: moves the flush back under the PTL. */
export function fixPr(): PrScenario {
  return {
    number: 8,
    headSha: SHA.fix,
    baseSha: SHA.buggyBase,
    files: [{ filename: 'mm/mapping_clean.c', status: 'modified', patch: fixture('mapping_clean.fix.patch') }],
    base: { 'mm/mapping_clean.c': fixture('mapping_clean.v1.c') },
  };
}

/** A PR touching nothing mm-related. */
export function docsOnlyPr(): PrScenario {
  return {
    number: 9,
    headSha: '9'.repeat(40),
    baseSha: SHA.base,
    files: [{ filename: 'Documentation/mm/mapping_clean.rst', status: 'added', patch: fixture('mapping_clean.rst.patch') }],
    base: {},
  };
}

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];

/**
 * A real `pull_request` webhook payload from @octokit/webhooks-examples, adapted to a scenario: repository,
 * number, head/base shas, draft flag, installation.
 */
export function prPayload(
  action: 'opened' | 'synchronize' | 'reopened' | 'ready_for_review',
  s: PrScenario,
  opts: { draft?: boolean } = {},
): Record<string, any> {
  const def = examples.find((e) => e.name === 'pull_request');
  const ex = def?.examples.find((p: any) => p.action === action && p.installation) ?? def?.examples.find((p: any) => p.action === action);
  if (!ex) throw new Error(`no pull_request.${action} example`);
  const p = structuredClone(ex) as Record<string, any>;
  p.installation = { id: INSTALLATION_ID, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==' };
  p.repository.name = REPO;
  p.repository.full_name = `${OWNER}/${REPO}`;
  p.repository.owner.login = OWNER;
  p.number = s.number;
  p.pull_request.number = s.number;
  p.pull_request.state = 'open';
  p.pull_request.draft = opts.draft ?? false;
  p.pull_request.title = 'mm: clean shared-mapping PTEs for dirty tracking';
  p.pull_request.body = 'Add mapping_clean_range() for drivers that track dirty pages.';
  p.pull_request.head.sha = s.headSha;
  p.pull_request.base.sha = s.baseSha;
  if (action === 'synchronize') p.after = s.headSha;
  return p;
}

/** An RSA key pair for the app's JWT (generated per test run; GitHub never sees it). */
export function testPrivateKey(): string {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
}
