/**
 * The `inspect` view (pure): what was read — patches → files → functions → pre/post event paths — as a stable JSON
 * document (docs/inspect-json.md) and as text.
 */
import { fileInScope } from '../kernel-api/scope.ts';
import type { Event, EventPath, FunctionImage, FunctionView, PathStep } from '../core/events.ts';
import type { InputProblem, Patch } from '../core/patch.ts';
import { severityOf } from '../core/errors.ts';

/** Version of the inspect JSON schema. */
export const INSPECT_SCHEMA_VERSION = 1;

/** One image in the inspect document. */
export interface InspectImage {
  complete: boolean;
  firstFileLine?: number;
  params: string[];
  problems: string[];
  events: Array<Omit<Event, 'loc'> & { line: number; column: number; fileLine?: number; diff?: string; inputLine?: number }>;
  paths: Array<{ complete: boolean; steps: Array<Record<string, unknown>> }>;
  /** Context annotations of the header (`__acquires(ptl)` ...), when any. */
  annotations?: FunctionImage['annotations'];
}

/** The inspect document. */
export interface InspectDoc {
  schema: 'mmreview-inspect';
  version: number;
  problems: InputProblem[];
  patches: Array<{
    id: string;
    subject?: string;
    messageId?: string;
    source: Patch['source'];
    quoted: boolean;
    quoteDepth: number;
    damaged: boolean;
    damage: string[];
    cover: boolean;
    files: Array<{
      oldPath?: string;
      newPath?: string;
      status: string;
      hunks: number;
      /** False for files outside mmreview's scope (no mm path, no page-table/TLB/notifier/uffd/gup call): not analysed. */
      inScope: boolean;
      functions: Array<{ name: string; changed: boolean; pre?: InspectImage; post?: InspectImage }>;
    }>;
  }>;
}

function stepJson(s: PathStep): Record<string, unknown> {
  if (s.step === 'event') return { event: s.id };
  const { step: _s, loc, ...rest } = s;
  return { ...rest, line: loc.line };
}

function imageJson(img: FunctionImage): InspectImage {
  const out: InspectImage = {
    complete: img.complete,
    params: img.params,
    problems: img.problems,
    events: img.events.map(({ loc, ...e }) => {
      const o: InspectImage['events'][number] = { ...e, line: loc.line, column: loc.column };
      if (loc.fileLine !== undefined) o.fileLine = loc.fileLine;
      if (loc.diff !== undefined) o.diff = loc.diff;
      if (loc.inputLine !== undefined) o.inputLine = loc.inputLine;
      return o;
    }),
    paths: img.paths.map((p: EventPath) => ({ complete: p.complete, steps: p.steps.map(stepJson) })),
  };
  if (img.firstFileLine !== undefined) out.firstFileLine = img.firstFileLine;
  if (img.annotations?.length) out.annotations = img.annotations;
  return out;
}

/** Build the inspect document from patches and their functions (same order as `patches`). */
export function inspectDoc(patches: readonly Patch[], functions: ReadonlyArray<readonly FunctionView[]>, problems: readonly InputProblem[]): InspectDoc {
  return {
    schema: 'mmreview-inspect',
    version: INSPECT_SCHEMA_VERSION,
    problems: [...problems],
    patches: patches.map((p, i) => {
      const fns = functions[i] ?? [];
      const o: InspectDoc['patches'][number] = {
        id: p.id,
        source: p.source,
        quoted: p.quoted,
        quoteDepth: p.quoteDepth,
        damaged: p.damaged,
        damage: p.damage,
        cover: p.cover,
        files: p.files.map((fd) => {
          const path = fd.newPath ?? fd.oldPath ?? '?';
          const f: InspectDoc['patches'][number]['files'][number] = {
            status: fd.status,
            hunks: fd.hunks.length,
            inScope: fileInScope(fd),
            functions: fns
              .filter((v) => v.path === path)
              .map((v) => {
                const fo: { name: string; changed: boolean; pre?: InspectImage; post?: InspectImage } = { name: v.name, changed: v.changed };
                if (v.pre) fo.pre = imageJson(v.pre);
                if (v.post) fo.post = imageJson(v.post);
                return fo;
              }),
          };
          if (fd.oldPath !== undefined) f.oldPath = fd.oldPath;
          if (fd.newPath !== undefined) f.newPath = fd.newPath;
          return f;
        }),
      };
      if (p.subject !== undefined) o.subject = p.subject;
      if (p.messageId !== undefined) o.messageId = p.messageId;
      return o;
    }),
  };
}

function stepText(s: PathStep): string {
  if (s.step === 'event') {
    const extra: string[] = [];
    if (s.attrs.effects?.length) extra.push(s.attrs.effects.join('+'));
    if (s.attrs.fullmm !== undefined) extra.push(s.attrs.fullmm ? 'fullmm' : 'ranged');
    if (s.attrs.lockClass && (s.kind === 'lock' || s.kind === 'unlock')) extra.push(s.attrs.lockClass);
    const at = s.loc.fileLine ?? s.loc.line;
    return `${s.kind === 'call' ? s.callee : s.kind}${extra.length ? `[${extra.join(',')}]` : ''}@${at}${s.loc.diff === 'add' ? '+' : s.loc.diff === 'del' ? '-' : ''}`;
  }
  switch (s.kind) {
    case 'branch':
      return `${s.taken ? '' : '!'}(${s.cond})`;
    case 'loop-enter':
      return `loop${s.loop}{`;
    case 'loop-next':
      return `}next${s.loop}:${s.via}`;
    case 'loop-exit':
      return `}exit${s.loop}:${s.via}`;
    case 'goto':
      return `goto ${s.label}`;
    case 'label':
      return `${s.label}:`;
    case 'return':
      return s.value !== undefined ? `return ${s.value}` : 'return';
    case 'truncated':
      return `… (${s.reason})`;
  }
}

/** Render the document as text (one block per patch; paths capped per image by `maxPaths`). */
export function inspectText(doc: InspectDoc, views: ReadonlyArray<readonly FunctionView[]>, maxPaths = 8): string {
  const out: string[] = [];
  doc.patches.forEach((p, i) => {
    const flags = [p.quoted ? `quoted(depth ${p.quoteDepth})` : '', p.damaged ? 'damaged' : '', p.cover ? 'cover' : ''].filter(Boolean);
    out.push(`patch ${p.subject ?? '(no subject)'}${p.messageId ? ` <${p.messageId.replace(/^<|>$/g, '')}>` : ''}`);
    out.push(`  source ${p.source.kind}:${p.source.name}${p.source.index !== undefined ? `#${p.source.index}` : ''}${flags.length ? `  [${flags.join(', ')}]` : ''}`);
    for (const d of p.damage) out.push(`  damage: ${d}`);
    for (const f of p.files) {
      out.push(`  file ${f.newPath ?? f.oldPath ?? '?'} (${f.status}, ${f.hunks} hunk${f.hunks === 1 ? '' : 's'}${f.inScope ? '' : '; out of scope, not analysed'})`);
      for (const fn of f.functions) {
        out.push(`    function ${fn.name}${fn.changed ? '' : ' (unchanged)'}`);
        const view = views[i]?.find((v) => v.name === fn.name && (v.path === (f.newPath ?? f.oldPath ?? '?')));
        for (const side of ['pre', 'post'] as const) {
          const img = view?.[side];
          if (!img) {
            out.push(`      ${side}: (absent)`);
            continue;
          }
          out.push(`      ${side}: ${img.complete ? 'whole function' : 'fragment'}, ${img.events.length} events, ${img.paths.length} paths${img.problems.length ? `; ${img.problems.join('; ')}` : ''}`);
          img.paths.slice(0, maxPaths).forEach((path, k) => out.push(`        ${k + 1}. ${path.steps.map(stepText).join(' → ')}`));
          if (img.paths.length > maxPaths) out.push(`        … ${img.paths.length - maxPaths} more path(s) (use --format json)`);
        }
      }
    }
  });
  for (const pr of doc.problems) out.push(`${severityOf(pr.code) === 'note' ? 'note' : 'problem'} ${pr.code} ${pr.input}${pr.line ? `:${pr.line}` : ''}: ${pr.message}`);
  return `${out.join('\n')}\n`;
}
