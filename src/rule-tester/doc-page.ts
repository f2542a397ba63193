/**
 * Parses a rule documentation page (docs/rules/<id>.md): frontmatter, H2 order and the ❌/✅ C examples that the
 * docs test and the parity gate execute.
 */
import { parse as parseYaml } from 'yaml';

/** The fixed order of H2 sections on a rule page. */
export const DOC_H2_ORDER = ['Rule Details', 'Hazard', 'Suggested Fix', 'When Not To Use It', 'Further Reading'] as const;

/** One code example of a rule page. */
export interface DocExample {
  kind: 'incorrect' | 'correct';
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
}

/** A parsed rule page. */
export interface DocPage {
  frontmatter: Record<string, unknown>;
  h2: string[];
  examples: DocExample[];
}

/** Parse a rule page; throws Error with the reason when the frontmatter is missing or not YAML. */
export function parseDocPage(text: string): DocPage {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (!m) throw new Error('missing YAML frontmatter (--- ... ---) at the top of the page');
  const fm: unknown = parseYaml(m[1] as string);
  if (!fm || typeof fm !== 'object') throw new Error('frontmatter is not a YAML mapping');
  const lines = text.split('\n');
  const h2: string[] = [];
  const examples: DocExample[] = [];
  let current: DocExample['kind'] | undefined;
  let fence: { kind: DocExample['kind']; line: number; body: string[] } | undefined;
  lines.forEach((line, i) => {
    if (fence) {
      if (/^```\s*$/.test(line)) {
        examples.push({ kind: fence.kind, code: fence.body.join('\n') + '\n', line: fence.line });
        fence = undefined;
      } else fence.body.push(line);
      return;
    }
    if (/^## /.test(line)) {
      h2.push(line.slice(3).trim());
      current = undefined;
    } else if (/^### /.test(line)) {
      current = line.includes('❌') ? 'incorrect' : line.includes('✅') ? 'correct' : undefined;
    } else if (/^```c\s*$/.test(line) && current) {
      fence = { kind: current, line: i + 1, body: [] };
    }
  });
  return { frontmatter: fm as Record<string, unknown>, h2, examples };
}

/** Problems of a page against its rule's meta (description and H2 order), as messages naming the fix. */
export function docPageProblems(page: DocPage, description: string): string[] {
  const out: string[] = [];
  if (page.frontmatter.description !== description) {
    out.push(`frontmatter description must equal meta.docs.description: "${description}"`);
  }
  const want = DOC_H2_ORDER.join(' | ');
  if (page.h2.join(' | ') !== want) out.push(`H2 sections must be, in order: ${want} (found: ${page.h2.join(' | ')})`);
  if (!page.examples.some((e) => e.kind === 'incorrect')) out.push('needs at least one ❌ Incorrect ```c example');
  if (!page.examples.some((e) => e.kind === 'correct')) out.push('needs at least one ✅ Correct ```c example');
  return out;
}
