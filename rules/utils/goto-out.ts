/**
 * A fragment path that leaves the hunk by a `goto` to a label the hunk does not show (the front end cuts it there:
 * `label X outside the fragment`). What the label's code does (release what the path still holds, end a window, or
 * just return) is unseen: a claim about the state the path leaves with is a question about that label, never a fact.
 */
import type { EventPath, FunctionImage, PathStep } from '../../src/core/events.ts';

export interface GotoOut {
  /** Index of the `goto` step in the path. */
  index: number;
  label: string;
  /** The goto's line in the file (its image line when the file line is not known). */
  fileLine: number;
  /** The goto is on a line the patch adds (post-image) or removes (pre-image). */
  changed: boolean;
}

const OUTSIDE = /^label (\S+) outside the fragment$/;

/** The goto by which the path leaves the fragment for an unseen label, if that is how it ends. */
export function gotoOutOfFragment(image: FunctionImage, path: EventPath, side: 'pre' | 'post'): GotoOut | undefined {
  const last = path.steps[path.steps.length - 1];
  if (last?.step !== 'control' || last.kind !== 'truncated') return undefined;
  const label = OUTSIDE.exec(last.reason)?.[1];
  if (!label) return undefined;
  let index = -1;
  for (let k = path.steps.length - 2; k >= 0; k--) {
    const s = path.steps[k] as PathStep;
    if (s.step === 'control' && s.kind === 'goto' && s.label === label) {
      index = k;
      break;
    }
  }
  if (index < 0) return undefined;
  const g = path.steps[index] as PathStep;
  const info = image.lineInfo[g.loc.line - 1];
  return { index, label, fileLine: g.loc.fileLine ?? info?.fileLine ?? g.loc.line, changed: info?.diff === (side === 'post' ? 'add' : 'del') };
}

/**
 * The path up to the goto, ended there by a return: "the label leaves the function without doing anything more",
 * the completion in which the state the path holds at the goto is what it returns with. A claim simulated on it must
 * carry the question about the label (`Candidate.unseen`): it is one completion, not every one.
 */
export function leaveAtGoto(path: EventPath, out: GotoOut): EventPath {
  const g = path.steps[out.index] as PathStep;
  const ret: PathStep = { step: 'control', kind: 'return', loc: g.loc };
  return { steps: [...path.steps.slice(0, out.index), ret], complete: true };
}
