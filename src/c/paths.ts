/**
 * Path enumeration over a CFG: entry → exit, loops unrolled a bounded number of times (body taken 0..maxUnroll
 * times), backward gotos bounded the same way, a cap on distinct paths, deterministic DFS order (taken arm first),
 * and paths with identical event/control sequences (ignoring branch outcomes) deduplicated.
 */
import type { EventPath, PathStep, SourceLoc } from '../core/events.ts';
import type { Cfg } from './cfg.ts';

/** Bounds for path enumeration. */
export interface PathOptions {
  /** Times each loop body may be taken (default 2). Backward gotos are taken at most this many times too. */
  maxUnroll?: number;
  /** Distinct paths kept per function (default 512). */
  maxPaths?: number;
  /** Steps per path before it is cut (default 4000). */
  maxSteps?: number;
}

/** Enumeration result; `truncated` is true when the path cap or the exploration budget was hit. */
export interface PathResult {
  paths: EventPath[];
  truncated: boolean;
}

function stepKey(s: PathStep): string {
  if (s.step === 'event') return `e${s.id}`;
  switch (s.kind) {
    case 'branch':
      return '';
    case 'loop-enter':
      return `E${s.loop}`;
    case 'loop-next':
      return `N${s.loop}${s.via[0]}`;
    case 'loop-exit':
      return `X${s.loop}${s.via[0]}`;
    case 'goto':
      return `G${s.label}`;
    case 'label':
      return `L${s.label}`;
    case 'return':
      return `R${s.value ?? ''}@${s.loc.line}`;
    case 'truncated':
      return `T${s.reason}`;
  }
}

/** Enumerate bounded paths of a CFG. */
export function enumeratePaths(cfg: Cfg, opts: PathOptions = {}): PathResult {
  const maxUnroll = opts.maxUnroll ?? 2;
  const maxPaths = opts.maxPaths ?? 512;
  const maxSteps = opts.maxSteps ?? 4000;
  const budget = maxPaths * 32;
  const nodes = cfg.nodes;
  const loopCount = new Int32Array(cfg.loops + 1);
  const gotoCount = new Map<number, number>();
  const steps: PathStep[] = [];
  const seen = new Set<string>();
  const paths: EventPath[] = [];
  let explored = 0;
  let stop = false;
  let truncated = false;

  const record = (complete: boolean, reason?: string, loc?: SourceLoc): void => {
    explored++;
    if (explored >= budget) {
      stop = true;
      truncated = true;
    }
    const out = reason && loc ? [...steps, { step: 'control', kind: 'truncated', reason, loc } as PathStep] : [...steps];
    const key = out.map(stepKey).filter(Boolean).join(' ');
    if (seen.has(key)) return;
    seen.add(key);
    paths.push({ steps: out, complete });
    if (paths.length >= maxPaths) {
      stop = true;
      truncated = true;
    }
  };

  const lastLoc = (): SourceLoc => {
    for (let i = steps.length - 1; i >= 0; i--) {
      const s = steps[i]!;
      if ('loc' in s && s.loc) return s.loc;
    }
    return { line: 1, column: 0 };
  };

  const visit = (id: number): void => {
    if (stop) return;
    if (steps.length >= maxSteps) {
      record(false, 'step bound', lastLoc());
      return;
    }
    const n = nodes[id]!;
    switch (n.type) {
      case 'exit': {
        const last = steps[steps.length - 1];
        record(!(last && last.step === 'control' && last.kind === 'truncated'));
        return;
      }
      case 'entry':
      case 'nop':
        visit(n.next[0]!);
        return;
      case 'event':
        steps.push({ step: 'event', ...n.event! });
        visit(n.next[0]!);
        steps.pop();
        return;
      case 'iter': {
        const l = n.loop!;
        if (loopCount[l]! >= maxUnroll) {
          record(false, `loop ${l} unrolled ${maxUnroll} times`, lastLoc());
          return;
        }
        loopCount[l]!++;
        visit(n.next[0]!);
        loopCount[l]!--;
        return;
      }
      case 'control': {
        const c = n.control!;
        if (c.kind === 'goto' && n.backward) {
          const k = gotoCount.get(id) ?? 0;
          if (k >= maxUnroll) {
            steps.push({ step: 'control', ...c });
            record(false, `backward goto ${c.label} taken ${maxUnroll} times`, c.loc);
            steps.pop();
            return;
          }
          gotoCount.set(id, k + 1);
          steps.push({ step: 'control', ...c });
          visit(n.next[0]!);
          steps.pop();
          gotoCount.set(id, k);
          return;
        }
        let saved = -1;
        if (c.kind === 'loop-enter') {
          saved = loopCount[c.loop]!;
          loopCount[c.loop] = 0;
        }
        steps.push({ step: 'control', ...c });
        visit(n.next[0]!);
        steps.pop();
        if (c.kind === 'loop-enter') loopCount[c.loop] = saved;
        return;
      }
      case 'branch': {
        const [t, f] = n.next as [number, number];
        if (t === f) {
          visit(t);
          return;
        }
        const blockTaken = n.loop !== undefined && loopCount[n.loop]! >= maxUnroll;
        if (!blockTaken) {
          steps.push({ step: 'control', kind: 'branch', cond: n.cond ?? '', taken: true, loc: n.loc! });
          visit(t);
          steps.pop();
        }
        steps.push({ step: 'control', kind: 'branch', cond: n.cond ?? '', taken: false, loc: n.loc! });
        visit(f);
        steps.pop();
        return;
      }
    }
  };

  visit(cfg.entry);
  return { paths, truncated };
}
