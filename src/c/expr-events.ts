/**
 * Expression → events, in evaluation order: calls (through the kernel-API catalogue), PTE dereferences, PTE cursor
 * advances, and the local data flow (aliases, value effects, lock classes) that those events need.
 */
import type { Node } from 'web-tree-sitter';
import type { Event, SourceLoc } from '../core/events.ts';
import type { PteEffect } from '../core/ops.ts';
import { VALUE_IDENTITIES, VALUE_TRANSFORMS, LOCK_GETTERS } from '../kernel-api/catalogue.ts';
import { classifyCall, normExpr, lookup } from '../kernel-api/classify.ts';
import type { LocalEnv } from './env.ts';

/** Callbacks the statement builder gives the expression walker. */
export interface EventSink {
  /** Map a tree position to a source location in the function image. */
  loc(node: Node): SourceLoc;
  /** Receive one event (id assigned later). */
  emit(ev: Omit<Event, 'id'>): void;
}

/** Kinds whose result is a PTE value read from the page table (value tracking starts at []). */
const READ_VALUE_KINDS = new Set(['pte-read', 'pte-clear', 'pte-clear-flush', 'pte-modify-start']);
/** Kinds whose result variable is a PTE pointer. */
const PTE_RESULT_KINDS = new Set(['pte-map-lock', 'pte-map']);

const TEXT_MAX = 240;

/** A non-zero constant as C writes a flag's "on" (`1`, `1UL`, `true`, `!0`), in normalised expression text. */
export function isNonZeroConstant(v: string): boolean {
  return /^(?:true|[1-9]\d*[uUlL]*|!0)$/.test(v);
}

function unwrap(n: Node): Node {
  let cur = n;
  for (;;) {
    if (cur.type === 'parenthesized_expression' || cur.type === 'cast_expression') {
      const inner = cur.type === 'cast_expression' ? cur.childForFieldName('value') : cur.namedChildren[0];
      if (!inner) return cur;
      cur = inner;
    } else return cur;
  }
}

/** The callee name of a call expression (`f`, or the text of `ops->f`). */
export function calleeName(call: Node): string {
  const fn = call.childForFieldName('function');
  return fn ? normExpr(fn.text) : '';
}

function callArgs(call: Node): Node[] {
  const list = call.childForFieldName('arguments');
  return list ? list.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment') : [];
}

/** Walks expressions, emitting events and updating the local environment. */
export class ExprWalker {
  /** Outer targets of the chained assignment being walked (`a = b = f()`: ['a'] while `b = f()` is walked). */
  private aliasing: string[] | undefined;

  constructor(
    private readonly env: LocalEnv,
    private readonly sink: EventSink,
  ) {}

  /** Walk an expression; `result` is the variable receiving its value (for `x = f()`). */
  walk(node: Node | null, result?: string): void {
    if (!node) return;
    switch (node.type) {
      case 'call_expression':
        this.call(node, result);
        return;
      case 'assignment_expression':
        this.assign(node);
        return;
      case 'update_expression': {
        const arg = node.childForFieldName('argument');
        if (arg) {
          const name = normExpr(arg.text);
          if (this.env.isPtePtr(name)) this.advance(node, name);
          else this.walk(arg);
        }
        return;
      }
      case 'pointer_expression': {
        const op = node.child(0)?.text;
        const arg = node.childForFieldName('argument');
        if (op === '*' && arg) {
          const target = normExpr(unwrap(arg).text);
          this.walk(arg);
          if (this.env.isPtePtr(target)) this.read(node, target, result);
        } else if (arg) this.walk(arg);
        return;
      }
      case 'parenthesized_expression':
        for (const c of node.namedChildren) if (c) this.walk(c, result);
        return;
      case 'cast_expression':
        this.walk(node.childForFieldName('value'), result);
        return;
      case 'sizeof_expression':
      case 'string_literal':
      case 'number_literal':
      case 'char_literal':
      case 'identifier':
      case 'field_identifier':
      case 'comment':
        return;
      default:
        for (const c of node.namedChildren) if (c) this.walk(c);
    }
  }

  /** Handle a declaration's `T name = value` (types decide pointer / value / lock facts). */
  declare(typeText: string, declarator: Node, value: Node | null): void {
    const isPtr = declarator.type === 'pointer_declarator' || /\*/.test(declarator.text);
    const name = normExpr(declaratorName(declarator));
    if (!name) return;
    if (/\bpte_t\b/.test(typeText)) {
      if (isPtr) this.env.setPtePtr(name);
      else this.env.setPteValueName(name);
    }
    if (/\bspinlock_t\b/.test(typeText) && isPtr && /ptl$/.test(name)) this.env.setLockClass(name, 'ptl');
    if (value) this.assignValue(name, value);
  }

  private assign(node: Node): void {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const op = node.childForFieldName('operator')?.text ?? node.child(1)?.text ?? '=';
    if (!left || !right) return;
    const lname = normExpr(left.text);
    if (op !== '=') {
      if ((op === '+=' || op === '-=') && this.env.isPtePtr(lname)) {
        this.walk(right);
        this.advance(node, lname);
        return;
      }
      this.walk(right);
      return;
    }
    // Evaluate sub-expressions of the target (`*orig_pte = ...`, `a[i] = ...`) without treating it as a read.
    if (left.type !== 'identifier' && left.type !== 'field_expression') {
      for (const c of left.namedChildren) if (c && c.type !== 'identifier') this.walk(c);
      this.walk(right);
      return;
    }
    this.assignValue(lname, right);
    this.fullmmAssignment(node, left, right);
  }

  /**
   * `tlb->fullmm = 1` / `tlb.fullmm = true`: the gather becomes a fullmm one (include/asm-generic/tlb.h: the flush
   * hook reads `tlb->fullmm` as "the whole mm is torn down"; tlb_finish_mmu() sets it itself on a nested flush).
   * Only a non-zero constant is an event: a computed value (`!(start | (end + 1))`) is the gather's own setup.
   */
  private fullmmAssignment(node: Node, left: Node, right: Node): void {
    if (left.type !== 'field_expression' || left.childForFieldName('field')?.text !== 'fullmm') return;
    const v = normExpr(unwrap(right).text);
    if (!isNonZeroConstant(v)) return;
    const base = left.childForFieldName('argument');
    if (!base) return;
    const dot = left.child(1)?.text === '.';
    this.sink.emit({
      kind: 'gather-set-fullmm',
      callee: normExpr(left.text),
      args: { tlb: dot ? `&${normExpr(base.text)}` : normExpr(base.text) },
      attrs: { fullmm: true },
      loc: this.sink.loc(node),
      text: clip(normExpr(node.text)),
    });
  }

  /** `name = value`: walk the value with `name` as result, then learn aliases and value effects. */
  private assignValue(name: string, value: Node): void {
    const v = unwrap(value);
    if (v.type === 'assignment_expression') {
      // `a = b = f()`: b receives the call; a aliases b (and is named on the call's event).
      const outer = this.aliasing;
      this.aliasing = [...(outer ?? []), name];
      this.walk(v);
      this.aliasing = outer;
      const inner = normExpr(v.childForFieldName('left')?.text ?? '');
      this.copyFacts(name, inner);
      return;
    }
    if (v.type === 'initializer_list') {
      this.walk(v);
      return;
    }
    this.walk(value, name);
    if (v.type === 'identifier' || v.type === 'field_expression') {
      this.copyFacts(name, normExpr(v.text));
      return;
    }
    if (v.type === 'call_expression') {
      const callee = calleeName(v);
      const getter = LOCK_GETTERS[callee];
      if (getter) this.env.setLockClass(name, getter);
      const entry = lookup(callee);
      if (entry?.resultRole === 'lock' && entry.lockClass) this.env.setLockClass(name, entry.lockClass);
      if (entry && PTE_RESULT_KINDS.has(entry.kind)) this.env.setPtePtr(name);
    }
    if (v.type === 'binary_expression' && this.env.isPtePtr(normExpr(unwrap(v.childForFieldName('left') ?? v).text))) {
      const base = normExpr(unwrap(v.childForFieldName('left') ?? v).text);
      if (base !== name) this.env.setPtePtr(name, base);
      return;
    }
    const eff = this.valueEffects(value);
    if (eff) this.env.setValue(name, eff);
  }

  private copyFacts(to: string, from: string): void {
    if (!from || to === from) return;
    if (this.env.isPtePtr(from) && !this.env.valueOf(from)) this.env.setPtePtr(to, from);
    const val = this.env.valueOf(from);
    if (val) this.env.setValue(to, [...val]);
    const lc = this.env.lockClassOf(from);
    if (lc) this.env.setLockClass(to, lc);
  }

  /**
   * Effects carried by a PTE value expression relative to the entry it was read from, or undefined when the
   * expression is not a tracked PTE value.
   */
  valueEffects(node: Node): PteEffect[] | undefined {
    const n = unwrap(node);
    if (n.type === 'identifier' || n.type === 'field_expression') return this.env.valueOf(normExpr(n.text));
    if (n.type === 'pointer_expression' && n.child(0)?.text === '*') {
      const arg = n.childForFieldName('argument');
      return arg && this.env.isPtePtr(normExpr(unwrap(arg).text)) ? [] : undefined;
    }
    if (n.type === 'call_expression') {
      const callee = calleeName(n);
      const args = callArgs(n);
      const effect = VALUE_TRANSFORMS[callee];
      if (effect === 'new-page') return ['new-page'];
      if (effect) {
        const base = args[0] ? this.valueEffects(args[0]) : undefined;
        return dedupe([...(base ?? []), effect]);
      }
      if (VALUE_IDENTITIES.has(callee)) return args[0] ? this.valueEffects(args[0]) : undefined;
      const entry = lookup(callee);
      if (entry && READ_VALUE_KINDS.has(entry.kind)) return [];
    }
    if (n.type === 'conditional_expression') {
      const a = n.childForFieldName('consequence');
      const b = n.childForFieldName('alternative');
      const ea = a ? this.valueEffects(a) : undefined;
      const eb = b ? this.valueEffects(b) : undefined;
      if (ea || eb) return dedupe([...(ea ?? []), ...(eb ?? [])]);
    }
    return undefined;
  }

  private call(node: Node, result?: string): void {
    const callee = calleeName(node);
    const args = callArgs(node);
    const fn = node.childForFieldName('function');
    // The outer targets of a chained assignment belong to this call's result, not to calls in its arguments.
    const aliases = result ? this.aliasing : undefined;
    this.aliasing = undefined;
    if (fn && fn.type !== 'identifier') this.walk(fn);
    for (const a of args) this.walk(a);
    if (!callee) return;
    const cls = classifyCall({ callee, args: args.map((a) => a.text), result }, this.env);
    if (!cls) return;
    if (cls.valueArg !== undefined) {
      const vnode = args[cls.valueArg];
      const eff = vnode ? this.valueEffects(vnode) : undefined;
      const base = cls.attrs.effects ?? [];
      cls.attrs.effects = eff === undefined ? dedupe([...base, 'unknown']) : dedupe([...base, ...eff]);
    }
    // Lock classes learnt from out-params: pte_offset_map_lock(..., &ptl) makes `ptl` a PTL.
    if (cls.args.lock && cls.attrs.lockClass && (cls.kind === 'pte-map-lock' || cls.kind === 'pte-map')) {
      this.env.setLockClass(cls.args.lock, cls.attrs.lockClass);
    }
    if (result && PTE_RESULT_KINDS.has(cls.kind)) this.env.setPtePtr(result);
    const ev: Omit<Event, 'id'> = {
      kind: cls.kind,
      callee,
      args: cls.args,
      attrs: cls.attrs,
      loc: this.sink.loc(node),
      text: clip(normExpr(node.text)),
    };
    if (result) ev.result = result;
    if (aliases?.length) ev.resultAliases = [...aliases];
    this.sink.emit(ev);
  }

  /**
   * An event for a call the source does not spell out (a lock guard's constructor or destructor): `callee(args)`
   * classified through the catalogue, located at `node`.
   */
  synthetic(callee: string, args: readonly string[], node: Node, loc?: SourceLoc): void {
    const cls = classifyCall({ callee, args: [...args] }, this.env);
    if (!cls) return;
    this.sink.emit({ kind: cls.kind, callee, args: cls.args, attrs: cls.attrs, loc: loc ?? this.sink.loc(node), text: clip(`${callee}(${args.map(normExpr).join(', ')})`) });
  }

  private read(node: Node, target: string, result?: string): void {
    const ev: Omit<Event, 'id'> = {
      kind: 'pte-read',
      callee: '*',
      args: { pte: this.env.resolvePte(target) },
      attrs: {},
      loc: this.sink.loc(node),
      text: clip(normExpr(node.text)),
    };
    if (result) ev.result = result;
    this.sink.emit(ev);
  }

  private advance(node: Node, name: string): void {
    this.sink.emit({
      kind: 'pte-advance',
      callee: normExpr(node.text).includes('+=') || normExpr(node.text).includes('-=') ? '+=' : '++',
      // `pte` is the mapping the cursor points into (aliases resolved: `for (pte = start_pte; ...; pte++)` → start_pte);
      // `cursor` the variable actually moved (`pte`): an alias points into the same mapping, it is not the same cursor.
      args: { pte: this.env.resolvePte(name), cursor: name },
      attrs: {},
      loc: this.sink.loc(node),
      text: clip(normExpr(node.text)),
    });
  }
}

/** The declared name inside a (pointer/array/init) declarator. */
export function declaratorName(d: Node): string {
  let cur: Node | null = d;
  for (let i = 0; cur && i < 8; i++) {
    if (cur.type === 'identifier' || cur.type === 'field_identifier') return cur.text;
    cur = cur.childForFieldName('declarator') ?? cur.namedChildren.find((c) => c?.type === 'identifier') ?? null;
  }
  return '';
}

function dedupe(xs: PteEffect[]): PteEffect[] {
  const known = xs.filter((x) => x !== 'unknown');
  const out = [...new Set(known.length ? known : xs)];
  return out;
}

function clip(s: string): string {
  return s.length > TEXT_MAX ? `${s.slice(0, TEXT_MAX - 1)}…` : s;
}

