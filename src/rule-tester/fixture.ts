/**
 * Checks a rule against one annotated fixture (C file or patch): runs it over every function the front end finds
 * and compares candidates with the fixture's markers. Returns mismatches as strings (empty = pass).
 */
import type { Candidate, Rule } from '../core/rule.ts';
import type { FunctionView } from '../core/events.ts';
import { runRule } from './run-rule.ts';
import { parseMarkers } from './markers.ts';
import type { Marker } from './markers.ts';

/** Turns a fixture's text into changed functions (the C front end, through an adapter). */
export type FunctionLoader = (file: string, text: string) => Promise<FunctionView[]>;

/** Outcome of checking one fixture. */
export interface FixtureOutcome {
  file: string;
  candidates: Candidate[];
  markers: Marker[];
  /** Human-readable mismatches; empty when the fixture passes. */
  problems: string[];
}

/**
 * Map (file path, side, file line) → 1-based line of the patch text, from the patch's own hunk headers.
 * Keys are `path\0side\0line`.
 */
export function patchLineMap(text: string): Map<string, number> {
  const map = new Map<string, number>();
  let path = '';
  let oldLine = 0;
  let newLine = 0;
  let inHunk = false;
  text.split('\n').forEach((line, i) => {
    const plus = /^\+\+\+ (?:b\/)?(\S+)/.exec(line);
    if (plus && !inHunk) {
      path = plus[1] as string;
      return;
    }
    const hh = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hh) {
      oldLine = Number(hh[1]);
      newLine = Number(hh[2]);
      inHunk = true;
      return;
    }
    if (!inHunk) return;
    const c = line[0];
    if (c === ' ') {
      map.set(`${path}\0pre\0${oldLine++}`, i + 1);
      map.set(`${path}\0post\0${newLine++}`, i + 1);
    } else if (c === '-' && !line.startsWith('--- ')) map.set(`${path}\0pre\0${oldLine++}`, i + 1);
    else if (c === '+') map.set(`${path}\0post\0${newLine++}`, i + 1);
    else if (c !== '\\') inHunk = false;
  });
  return map;
}

/** The fixture line a candidate points at: the patch line for patches, the file line for C sources. */
export function candidateLine(c: Candidate, fn: FunctionView, isPatch: boolean, lines?: Map<string, number>): number {
  const loc = c.anchor.loc;
  if (isPatch && lines && loc.fileLine !== undefined) return lines.get(`${fn.path}\0${c.side}\0${loc.fileLine}`) ?? -loc.fileLine;
  if (loc.fileLine !== undefined) return loc.fileLine;
  const img = c.side === 'pre' ? fn.pre : fn.post;
  return loc.line + (img?.firstFileLine ?? 1) - 1;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}

/**
 * Check `rule` on a fixture. Valid fixtures (`valid-*`) must give no post-image candidate; invalid ones (`invalid-*`)
 * at least one. In both, every candidate must sit on a `ruleid` marker of its side and every `ruleid` marker must
 * be hit; `ok` markers must not be hit.
 */
export async function checkFixture(rule: Rule, file: string, text: string, load: FunctionLoader): Promise<FixtureOutcome> {
  const isPatch = !/\.[ch]$/.test(file);
  const stem = file.split('/').pop() ?? file;
  const valid = stem.startsWith('valid-');
  const markers = parseMarkers(text, isPatch).filter((m) => m.ruleId === rule.meta.id);
  const problems: string[] = [];
  if (!valid && !stem.startsWith('invalid-')) problems.push(`fixture name must start with valid- or invalid-: ${stem}`);
  if (valid && markers.some((m) => m.kind === 'ruleid' && m.side !== 'pre')) problems.push('valid fixtures must not have post-image ruleid markers');
  if (!valid && !markers.some((m) => m.kind === 'ruleid' && m.side === 'post')) problems.push('invalid fixtures must have at least one ruleid marker');
  const fns = await load(file, text);
  if (fns.length === 0) problems.push('the front end found no function in the fixture');
  const found: Array<{ c: Candidate; line: number }> = [];
  const lines = isPatch ? patchLineMap(text) : undefined;
  for (const fn of fns) {
    deepFreeze(fn);
    for (const c of runRule(rule, fn, fns)) found.push({ c, line: candidateLine(c, fn, isPatch, lines) });
  }
  const hit = new Set<Marker>();
  for (const { c, line } of found) {
    const m = markers.find((k) => k.kind === 'ruleid' && k.line === line && (k.side === c.side || k.side === 'any'));
    if (m) hit.add(m);
    else problems.push(`unexpected ${c.side}-image candidate at line ${line} (${c.messageId}): ${c.message}`);
    const ok = markers.find((k) => k.kind === 'ok' && k.line === line);
    if (ok) problems.push(`candidate at line ${line} hits an ok marker (line ${ok.markerLine})`);
  }
  for (const m of markers) {
    if (m.kind === 'ruleid' && !hit.has(m)) problems.push(`expected a ${m.side}-image candidate at line ${m.line} (marker at line ${m.markerLine}), none reported`);
  }
  if (!valid && !found.some((f) => f.c.side === 'post')) problems.push('invalid fixture: no post-image candidate');
  return { file, candidates: found.map((f) => f.c), markers, problems };
}
