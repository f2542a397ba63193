/** The repository configuration `.github/mmreview.yml`: schema, defaults and validation into a value or a readable error. */
import * as z from 'zod';
import { ARCH_PRESETS } from '../core/sim-contract.ts';
import type { Arch } from '../core/sim-contract.ts';

/** Where a file is in scope by path alone (other files are in scope when their patch uses mm APIs). */
export const DEFAULT_PATHS: readonly string[] = ['mm/**', 'arch/*/mm/**', 'include/linux/mm*.h', 'include/linux/pgtable.h'];

/** The schema of `.github/mmreview.yml`; unknown keys are errors so a typo is reported, not ignored. */
export const configSchema = z
  .object({
    /** Rule ids to run; empty or absent = every rule. */
    rules: z.array(z.string().regex(/^[a-z0-9-]+$/, 'must be a rule id (lower-case, digits, dashes)')).optional(),
    /** Globs of files analysed whatever their content. */
    paths: z.array(z.string().min(1)).default([...DEFAULT_PATHS]),
    /** Globs of files never analysed. */
    ignore: z.array(z.string().min(1)).default([]),
    /** Also analyse files outside `paths` whose patch uses page-table / TLB / notifier / uffd APIs. */
    detectApis: z.boolean().default(true),
    /** Arch presets to simulate; absent = each rule's own choice. */
    arch: z.array(z.enum(ARCH_PRESETS)).optional(),
    /** `confirmed`: post confirmed findings the PR introduces; `all`: also inconclusive / unsimulated ones. */
    report: z.enum(['confirmed', 'all']).default('confirmed'),
    /** Inline comments per review; the rest go to the review body. */
    maxInlineComments: z.number().int().min(0).max(100).default(30),
  })
  .strict();

/** A validated configuration. */
export interface AppConfig {
  rules?: string[];
  paths: string[];
  ignore: string[];
  detectApis: boolean;
  arch?: Arch[];
  report: 'confirmed' | 'all';
  maxInlineComments: number;
}

/** One configuration problem: the key path (`arch.1`, `maxInlineComments`) and what is wrong with it. */
export interface ConfigIssue {
  key: string;
  message: string;
}

export type ConfigResult = { ok: true; config: AppConfig } | { ok: false; issues: ConfigIssue[] };


/** Validate a parsed YAML value (null / undefined = no file = defaults). */
export function parseConfig(raw: unknown): ConfigResult {
  const parsed = configSchema.safeParse(raw ?? {});
  if (parsed.success) {
    const c = parsed.data;
    const config: AppConfig = {
      paths: c.paths,
      ignore: c.ignore,
      detectApis: c.detectApis,
      report: c.report,
      maxInlineComments: c.maxInlineComments,
    };
    if (c.rules && c.rules.length > 0) config.rules = c.rules;
    if (c.arch && c.arch.length > 0) config.arch = c.arch;
    return { ok: true, config };
  }
  const issues: ConfigIssue[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) issues.push({ key: [...issue.path, k].join('.'), message: 'unknown key' });
    } else {
      issues.push({ key: issue.path.length ? issue.path.join('.') : '(root)', message: issue.message });
    }
  }
  issues.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { ok: false, issues };
}

/** The defaults handed to `context.config()` (the file's keys override them; arrays replace, not concatenate). */
export function configDefaults(): Record<string, unknown> {
  return { paths: [...DEFAULT_PATHS], ignore: [], detectApis: true, report: 'confirmed', maxInlineComments: 30 };
}

/** Merge option for `context.config()`: a list in the file replaces the default list instead of appending to it. */
export const CONFIG_MERGE_OPTIONS = { arrayMerge: (_target: unknown[], source: unknown[]): unknown[] => source };
