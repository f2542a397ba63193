/**
 * Scenario assumptions changed by the patch: a rule models the kernel around the code it reviews (fullmm-misuse
 * assumes tlb_finish_mmu() forces fullmm on a live mm). When the patch, or another part of its series, changes a
 * function the scenario assumes (catalogue SCENARIO_ASSUMES), the finding is not confirmed: the candidate gets an
 * `unseen` reason naming the change, so the engine reports it `inconclusive`.
 */
import type { Patch } from '../core/patch.ts';
import type { Candidate } from '../core/rule.ts';
import { SCENARIO_ASSUMES } from '../kernel-api/catalogue.ts';

const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'do', 'else', 'case', 'defined']);

/** The function a C line defines or declares (`void name(args)`, `static inline int name(`), if it looks like one. */
function definedName(text: string): string | undefined {
  // A type (one or more words, maybe pointers) then the name and its parenthesis; a call or assignment is not one.
  const m = /^((?:[A-Za-z_]\w*\s*\**\s+)+)\**([A-Za-z_]\w*)\s*\(/.exec(text.trim());
  if (!m || KEYWORDS.has(m[2] ?? '') || /\b(?:return|else|goto|case)\b/.test(m[1] ?? '')) return undefined;
  return m[2];
}

/**
 * Functions a patch changes, as far as its diff names them: changed definition lines and (with `headers`) the
 * functions hunk headers name for hunks with changed lines (the enclosing function, or one just above the change).
 */
export function touchedFunctions(patch: Patch, headers = true): ReadonlySet<string> {
  const memo = headers ? TOUCHED_WITH_HEADERS : TOUCHED;
  let out = memo.get(patch);
  if (!out) memo.set(patch, (out = touchedOf(patch, headers)));
  return out;
}

/** touchedFunctions() by patch (every candidate of every function of a series asks for its mates' sets). */
const TOUCHED = new WeakMap<Patch, ReadonlySet<string>>();
const TOUCHED_WITH_HEADERS = new WeakMap<Patch, ReadonlySet<string>>();

function touchedOf(patch: Patch, headers: boolean): Set<string> {
  const out = new Set<string>();
  for (const f of patch.files) {
    for (const h of f.hunks) {
      if (!h.lines.some((l) => l.type !== 'ctx')) continue;
      const head = headers ? definedName(h.header) : undefined;
      if (head) out.add(head);
      for (const l of h.lines) {
        if (l.type === 'ctx') continue;
        const d = definedName(l.text);
        if (d) out.add(d);
      }
    }
  }
  return out;
}

function threadRoot(p: Patch): string | undefined {
  return p.references?.[0] ?? p.inReplyTo ?? undefined;
}

/** The other parts of the series `patch` belongs to among `all`: same thread root, same version, posted (not quoted). */
export function seriesMates(patch: Patch, all: readonly Patch[]): Patch[] {
  const root = threadRoot(patch);
  if (!root || patch.quoted || (patch.series?.total ?? 1) <= 1) return [];
  return all.filter(
    (p) => p !== patch && !p.quoted && !p.cover && (p.messageId === undefined || p.messageId !== patch.messageId) &&
      threadRoot(p) === root && (p.series?.total ?? 1) === patch.series?.total && (p.series?.version ?? 1) === (patch.series?.version ?? 1),
  );
}

/** Why a hazard's scenario is in doubt: the patch or a series part changes a function it assumes; else undefined. */
function assumptionChanged(kind: string, own: ReadonlySet<string>, mates: readonly Patch[]): string | undefined {
  const assumed = SCENARIO_ASSUMES[kind];
  if (!assumed) return undefined;
  for (const name of assumed) {
    if (own.has(name)) return `the finding assumes how ${name}() behaves, and this patch changes ${name}()`;
  }
  for (const m of mates) {
    const touched = touchedFunctions(m);
    const name = assumed.find((n) => touched.has(n));
    if (name) {
      const part = m.series ? `patch ${m.series.index}/${m.series.total}` : (m.subject ?? 'another patch');
      return `the finding assumes how ${name}() behaves, and ${part} of this series changes ${name}()`;
    }
  }
  return undefined;
}

/**
 * A catalogued call on the candidate's path (an event the catalogue models, not a plain `call`) to a function the
 * patch or its series redefines: the model describes the old body, the path runs the new one.
 */
function redefinedCallee(c: Candidate, fnName: string, own: ReadonlySet<string>, mates: readonly Patch[]): string | undefined {
  for (const s of [c.anchor, ...c.path.steps]) {
    if (!('callee' in s) || s.kind === 'call' || s.callee === fnName || (s.id ?? -1) < 0) continue;
    if (own.has(s.callee)) return `${s.callee}() is redefined by this patch, so what the catalogue models for it may not be what the new ${s.callee}() does here`;
    const hit = mates.find((m) => touchedFunctions(m).has(s.callee));
    if (hit) {
      const part = hit.series ? `patch ${hit.series.index}/${hit.series.total}` : 'another patch';
      return `${s.callee}() is redefined by ${part} of this series, so what the catalogue models for it may not be what the new ${s.callee}() does here`;
    }
  }
  return undefined;
}

/** The candidates with an `unseen` reason added where their scenario's assumptions are changed. */
export function withAssumptions(cands: Candidate[], fnName: string, own: ReadonlySet<string>, mates: readonly Patch[]): Candidate[] {
  return cands.map((c) => {
    if (c.unseen) return c;
    const why = assumptionChanged(c.hazard.kind, own, mates) ?? redefinedCallee(c, fnName, own, mates);
    return why ? { ...c, unseen: why } : c;
  });
}
