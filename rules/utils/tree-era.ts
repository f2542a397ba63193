/**
 * The oldest mainline release the visible code can belong to: the latest release among the APIs it uses
 * (catalogue API_SINCE). Read from the function's images and the patch's other changed functions (one tree).
 */
import type { FunctionImage, FunctionView } from '../../src/core/events.ts';
import { API_SINCE } from '../../src/kernel-api/api-since.ts';
import { API_UNTIL } from '../../src/kernel-api/api-until.ts';
import { blankComments } from '../../src/c/blank-comments.ts';

/** The API (described) that shows the tree is at least `release`, or undefined when the visible code shows none. */
export function treeAtLeast(views: readonly FunctionView[], release: readonly [number, number]): string | undefined {
  const images = views.flatMap((v) => [v.pre, v.post]).filter((i): i is FunctionImage => i !== undefined);
  const code = images.map((i) => blankComments(i.text)).join('\n');
  const newer = (s: readonly [number, number]): boolean => s[0] > release[0] || (s[0] === release[0] && s[1] >= release[1]);
  return API_SINCE.find((a) => newer(a.since) && a.pattern.test(code))?.what;
}

/** The removed API (described) that shows the tree is older than `release`, or undefined (catalogue API_UNTIL). */
export function treeBefore(views: readonly FunctionView[], release: readonly [number, number]): string | undefined {
  const images = views.flatMap((v) => [v.pre, v.post]).filter((i): i is FunctionImage => i !== undefined);
  const code = images.map((i) => blankComments(i.text)).join('\n');
  const older = (u: readonly [number, number]): boolean => u[0] < release[0] || (u[0] === release[0] && u[1] <= release[1]);
  return API_UNTIL.find((a) => older(a.until) && a.pattern.test(code))?.what;
}
