/**
 * The oldest mainline release the patch's own code can belong to: the latest release among the APIs it uses
 * (catalogue API_SINCE). Read from the lines the patch shows (context, removed and added lines) of the function's
 * images and the patch's other changed functions. Lines a tree adds around the hunks are not read: a tree given for
 * review may be another release than the one the patch was written for (a patch of 5.12-rc2 applies cleanly to a
 * 6.1 file), and a claim posted on the patch must hold for the patch's kernel.
 */
import type { FunctionImage, FunctionView } from '../../src/core/events.ts';
import { API_SINCE } from '../../src/kernel-api/api-since.ts';
import { API_UNTIL } from '../../src/kernel-api/api-until.ts';
import { blankComments } from '../../src/c/blank-comments.ts';

/** The image's text with the lines the diff does not show blanked (a hunk fragment shows all of its lines). */
function patchLines(image: FunctionImage): string {
  const lines = blankComments(image.text).split('\n');
  if (!image.complete) return lines.join('\n');
  return lines.map((l, i) => (image.lineInfo[i]?.diff !== undefined ? l : '')).join('\n');
}

/** The patch's own lines of every image of `views`. */
function patchCode(views: readonly FunctionView[]): string {
  return views
    .flatMap((v) => [v.pre, v.post])
    .filter((i): i is FunctionImage => i !== undefined)
    .map(patchLines)
    .join('\n');
}

/** The API (described) that shows the tree is at least `release`, or undefined when the patch's lines show none. */
export function treeAtLeast(views: readonly FunctionView[], release: readonly [number, number]): string | undefined {
  const code = patchCode(views);
  const newer = (s: readonly [number, number]): boolean => s[0] > release[0] || (s[0] === release[0] && s[1] >= release[1]);
  return API_SINCE.find((a) => newer(a.since) && a.pattern.test(code))?.what;
}

/**
 * The removed API (described) that shows the tree is older than `release`, or undefined (catalogue API_UNTIL). Read,
 * like treeAtLeast(), from the patch's own lines only: an older tree's lines must not date a newer patch.
 */
export function treeBefore(views: readonly FunctionView[], release: readonly [number, number]): string | undefined {
  const code = patchCode(views);
  const older = (u: readonly [number, number]): boolean => u[0] < release[0] || (u[0] === release[0] && u[1] <= release[1]);
  return API_UNTIL.find((a) => older(a.until) && a.pattern.test(code))?.what;
}
