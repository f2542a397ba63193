// `mmreview rules [ID]`: lists the rules with their one-line descriptions, or prints one rule's documentation page.
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Rule } from '../../core/rule.ts';
import { RULES } from '../../../rules/index.ts';

/** Directory of the rule documentation pages (docs/rules/<id>.md) of this installation. */
export const RULE_DOCS_DIR = fileURLToPath(new URL('../../../docs/rules/', import.meta.url));

/** The rule list as aligned text: `id  severity  description`, sorted by id. Pure. */
export function formatRuleList(rules: readonly Rule[]): string {
  const sorted = [...rules].sort((a, b) => a.meta.id.localeCompare(b.meta.id));
  const w = Math.max(0, ...sorted.map((r) => r.meta.id.length));
  const sev = Math.max(0, ...sorted.map((r) => r.meta.severity.length));
  return sorted.map((r) => `${r.meta.id.padEnd(w)}  ${r.meta.severity.padEnd(sev)}  ${r.meta.docs.description}`).join('\n') + '\n';
}

/**
 * The text `mmreview rules ID` prints: the doc page when it can be read, else the rule's metadata (description,
 * hazard, messages). Undefined for an unknown id.
 */
export async function ruleDocText(
  id: string,
  rules: readonly Rule[],
  readDoc: (id: string) => Promise<string | undefined> = readRuleDoc,
): Promise<string | undefined> {
  const rule = rules.find((r) => r.meta.id === id);
  if (!rule) return undefined;
  const doc = await readDoc(id);
  if (doc !== undefined) return docForTerminal(doc, rule);
  const msgs = Object.entries(rule.meta.messages).map(([k, v]) => `  ${k}: ${v}`);
  return [`# ${id}`, '', rule.meta.docs.description, '', `Severity: ${rule.meta.severity}`, '', rule.meta.hazard, '', 'Messages:', ...msgs, ''].join('\n');
}

/**
 * A rule's doc page as a terminal reads it: the YAML front matter becomes one heading line (id, severity,
 * description), Markdown links become `text <url>`, emphasis markers are dropped. Pure.
 */
export function docForTerminal(doc: string, rule: Rule): string {
  let body = doc.replace(/\r\n/g, '\n');
  const fm = /^---\n[\s\S]*?\n---\n/.exec(body);
  if (fm) body = body.slice(fm[0].length);
  body = body
    .replace(/^\s*#\s+\S+\s*\n/, '') // the page's own `# id` title: the heading below replaces it
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, text: string, url: string) => (url.startsWith('http') ? `${text} <${url}>` : text))
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/^#{2,}\s+(.*)$/gm, (_m, h: string) => `${h}\n${'-'.repeat(h.length)}`)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const head = `${rule.meta.id} (${rule.meta.severity}): ${rule.meta.docs.description}`;
  return `${head}\n${'='.repeat(Math.min(100, head.length))}\n\n${body}\n`;
}

/** Reads docs/rules/<id>.md of this installation, undefined when absent. */
export async function readRuleDoc(id: string): Promise<string | undefined> {
  if (!/^[a-z0-9-]+$/.test(id)) return undefined;
  try {
    return await readFile(`${RULE_DOCS_DIR}${id}.md`, 'utf8');
  } catch {
    return undefined;
  }
}

/** Registers `rules` on the program. */
export function register(program: Command): void {
  program
    .command('rules')
    .argument('[id]', 'a rule id: print its documentation')
    .description('List the rules with their descriptions, or print one rule\'s documentation')
    .action(async (id: string | undefined) => {
      if (id === undefined) {
        process.stdout.write(formatRuleList(RULES));
        return;
      }
      const text = await ruleDocText(id, RULES);
      if (text === undefined) {
        const known = [...RULES].map((r) => r.meta.id).sort().join(', ');
        process.stderr.write(`mmreview rules: unknown rule '${id}' (known: ${known})\n`);
        process.exitCode = 2;
        return;
      }
      process.stdout.write(text);
    });
}
