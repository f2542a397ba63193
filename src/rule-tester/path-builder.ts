/**
 * Hand-built event paths for rule unit tests: a small builder that produces FunctionImage / FunctionView data in the
 * exact shape the C front end emits, so rules can be tested independently of the parser.
 */
import type { ControlStep, Event, EventAttrs, FunctionImage, FunctionView, PathStep, SourceLoc } from '../core/events.ts';
import type { KernelOpKind } from '../core/ops.ts';

/** Options of one event step. */
export interface EvOpts {
  attrs?: EventAttrs;
  line?: number;
  diff?: 'add' | 'del' | 'ctx';
  result?: string;
  /** Source text of the call (default: `callee(args...)`). */
  text?: string;
}

/** An event step; `id` identifies the call site (reuse the id for the same call on several paths). */
export function ev(id: number, kind: KernelOpKind, callee: string, args: Record<string, string> = {}, opts: EvOpts = {}): PathStep {
  const loc: SourceLoc = { line: opts.line ?? id + 1, column: 1, ...(opts.diff ? { diff: opts.diff } : {}) };
  const text = opts.text ?? `${callee}(${Object.values(args).join(', ')})`;
  const e: Event = { id, kind, callee, args, attrs: opts.attrs ?? {}, loc, text, ...(opts.result ? { result: opts.result } : {}) };
  return { step: 'event', ...e };
}

/** A control step at `line`. */
export function ctl(step: ControlStep extends infer C ? (C extends { loc: SourceLoc } ? Omit<C, 'loc'> : never) : never, line = 1): PathStep {
  return { step: 'control', ...(step as object), loc: { line, column: 1 } } as PathStep;
}

/** A FunctionImage whose events are the distinct events of `paths` (by id, in id order). */
export function image(paths: PathStep[][], params: string[] = [], complete = true): FunctionImage {
  const byId = new Map<number, Event>();
  for (const p of paths) {
    for (const s of p) {
      if (s.step === 'event' && !byId.has(s.id)) {
        const { step: _s, ...e } = s;
        byId.set(s.id, e);
      }
    }
  }
  const events = [...byId.values()].sort((a, b) => a.id - b.id);
  const maxLine = Math.max(1, ...paths.flat().map((s) => s.loc.line));
  const lineInfo = Array.from({ length: maxLine }, (_, i) => {
    const e = events.find((x) => x.loc.line === i + 1);
    return e?.loc.diff ? { diff: e.loc.diff } : {};
  });
  return {
    text: '',
    complete,
    lineInfo,
    params,
    events,
    paths: paths.map((steps) => ({ steps, complete: !steps.some((s) => s.step === 'control' && s.kind === 'truncated') })),
    problems: [],
  };
}

/** A FunctionView with the given images. */
export function view(name: string, images: { pre?: FunctionImage; post?: FunctionImage }, path = 'mm/test.c'): FunctionView {
  return { path, name, ...images, changed: true };
}
