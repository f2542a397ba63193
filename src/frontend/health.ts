/**
 * Front-end health over a set of inputs: how much of what was read the C front end could analyse. Counts, per
 * function image, syntax recovery (MMR010: "syntax errors recovered", "no function could be recovered"), path bounds
 * (MMR011) and images without paths; per input, the reading problems (MMR003 / MMR006 / MMR007 ...). Used by
 * `npm run bench -- inspect` and by the recovery ratchet test.
 */
import { functionsOfPatch } from './index.ts';
import { readInputs } from '../sources/index.ts';

/** What the front end made of a set of inputs. */
export interface FrontEndHealth {
  inputs: number;
  patches: number;
  /** Changed functions found. */
  functions: number;
  /** Pre/post images analysed. */
  images: number;
  /** Images with at least one event path. */
  imagesWithPaths: number;
  /** MMR010 problems on images (syntax recovered, or no function recovered). */
  mmr010: number;
  /** Of those, "syntax errors recovered". */
  syntaxRecovered: number;
  /** MMR011 problems on images (a path bound cut the enumeration). */
  mmr011: number;
  /** Reading problems by code (MMR003, MMR006, MMR007, ...). */
  inputProblems: Record<string, number>;
  /** `input: path: function (side): problem` lines, for reports. */
  details: string[];
}

/** Read each input on its own and analyse every patch hunk-only (no tree). Deterministic. */
export async function frontEndHealth(inputs: readonly string[]): Promise<FrontEndHealth> {
  const h: FrontEndHealth = { inputs: inputs.length, patches: 0, functions: 0, images: 0, imagesWithPaths: 0, mmr010: 0, syntaxRecovered: 0, mmr011: 0, inputProblems: {}, details: [] };
  for (const input of inputs) {
    const r = await readInputs([input]);
    for (const p of r.problems) h.inputProblems[p.code] = (h.inputProblems[p.code] ?? 0) + 1;
    for (const p of r.patches) {
      if (p.cover) continue;
      h.patches++;
      const res = await functionsOfPatch(p);
      for (const fn of res.functions) {
        h.functions++;
        for (const [side, img] of [['pre', fn.pre], ['post', fn.post]] as const) {
          if (!img) continue;
          h.images++;
          if (img.paths.length > 0) h.imagesWithPaths++;
          for (const pr of img.problems) {
            if (pr.startsWith('MMR010')) {
              h.mmr010++;
              if (/syntax errors recovered/.test(pr)) h.syntaxRecovered++;
            } else if (pr.startsWith('MMR011')) h.mmr011++;
            else continue;
            h.details.push(`${input.split('/').pop()}: ${fn.path}: ${fn.name} (${side}): ${pr}`);
          }
        }
      }
    }
  }
  return h;
}
