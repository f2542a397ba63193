/**
 * Adapter from fixture files to FunctionViews through the C front end: a `.c` file is one function (post-image
 * only); a patch or mail goes through the input readers and `functionsOfPatch`. Thin I/O; no analysis here.
 */
import type { FunctionView } from '../core/events.ts';
import type { Patch } from '../core/patch.ts';
import { analyzeFunctionSource, functionsOfPatch } from '../frontend/index.ts';
import { readInputs } from '../sources/index.ts';

/** A whole C function (the post-image of an added function). */
export async function functionsOfSource(text: string, path = 'fixture.c'): Promise<FunctionView[]> {
  const img = await analyzeFunctionSource(text, { path });
  const { name, ...image } = img;
  return [{ path, name, post: image, changed: true }];
}

/** Changed functions of every patch found in a patch / mail file, and the patches they came from. */
export async function functionsOfPatchFile(file: string): Promise<Array<{ patch: Patch; functions: FunctionView[] }>> {
  const { patches } = await readInputs([file]);
  const out: Array<{ patch: Patch; functions: FunctionView[] }> = [];
  for (const patch of patches) {
    if (patch.cover) continue;
    const { functions } = await functionsOfPatch(patch);
    out.push({ patch, functions: functions.filter((fn) => fn.changed) });
  }
  return out;
}

/** FunctionLoader for fixtures: `.c` → one function, anything else → the changed functions of its patches. */
export async function loadFixtureFunctions(file: string, text: string): Promise<FunctionView[]> {
  if (/\.[ch]$/.test(file)) return functionsOfSource(text, file);
  return (await functionsOfPatchFile(file)).flatMap((p) => p.functions);
}
