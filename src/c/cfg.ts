/**
 * Control-flow graph of one C function body built from the tree-sitter AST: sequence, if/else, switch with
 * fallthrough, for/while/do loops with continue/break, goto/labels (forward and backward), return, #if arms.
 * Nodes carry events (calls in evaluation order) and control markers; path enumeration lives in ./paths.ts.
 */
import type { Node } from 'web-tree-sitter';
import type { ControlStep, Event, SourceLoc } from '../core/events.ts';
import { GUARD_CLASSES } from '../kernel-api/catalogue.ts';
import { normExpr } from '../kernel-api/classify.ts';
import type { LocalEnv } from './env.ts';
import { ExprWalker } from './expr-events.ts';

/** A CFG node. `next` holds successor ids; branches have [taken, not-taken]. */
export interface CfgNode {
  id: number;
  type: 'entry' | 'exit' | 'nop' | 'event' | 'control' | 'branch' | 'iter';
  next: number[];
  event?: Event;
  control?: ControlStep;
  /** Branch condition text (normalised) and location. */
  cond?: string;
  loc?: SourceLoc;
  /** Loop id for 'iter' nodes and loop-head branches (whose taken edge starts an iteration). */
  loop?: number;
  /** The goto jumps backwards (a retry loop). */
  backward?: boolean;
  /**
   * An opaque call the path enumeration must keep (its callee's body is one the review reads: a function of the
   * same file the patch changes, or a tree context function), so a branch around it is not sliced away.
   */
  keep?: boolean;
}

/** A CFG with its events (ids in source order). */
export interface Cfg {
  nodes: CfgNode[];
  entry: number;
  exit: number;
  events: Event[];
  loops: number;
}

interface Dangling {
  node: number;
  slot: number;
}

interface Frame {
  kind: 'loop' | 'switch';
  loop: number;
  breaks: Dangling[];
  continues: Dangling[];
  /** Block scopes open when the loop / switch began (guards of deeper scopes end on break / continue). */
  scopeDepth: number;
}

/** A lock guard live in a block scope: its destructor call runs when the scope is left. */
interface Guard {
  unlock: string;
  args: string[];
  node: Node;
}

const CONST_TRUE = /^(?:1|true|!0)$/;

/** Builds a CFG for one function body. */
export class CfgBuilder {
  private readonly nodes: CfgNode[] = [];
  private dangling: Dangling[] = [];
  private readonly frames: Frame[] = [];
  /** Block scopes (innermost last), each with its live lock guards (`guard(...)(...)`, `scoped_guard(...)`). */
  private readonly scopes: Guard[][] = [];
  private readonly labels = new Map<string, { node: number; loops: number[] }>();
  private readonly gotos: Array<{ from: Dangling[]; label: string; loops: number[]; loc: SourceLoc }> = [];
  private readonly events: Event[] = [];
  private loopCount = 0;
  private readonly walker: ExprWalker;
  readonly exit: number;
  readonly entry: number;

  constructor(
    readonly env: LocalEnv,
    private readonly locOf: (n: Node) => SourceLoc,
  ) {
    this.entry = this.add({ type: 'entry' });
    this.exit = this.add({ type: 'exit' });
    this.dangling = [{ node: this.entry, slot: 0 }];
    this.walker = new ExprWalker(env, {
      loc: locOf,
      emit: (ev) => {
        const full = { id: -1, ...ev } as Event;
        this.events.push(full);
        this.emit({ type: 'event', event: full });
      },
    });
  }

  /** The expression walker (used for parameters and declarations outside the body). */
  get exprs(): ExprWalker {
    return this.walker;
  }

  private add(n: Omit<CfgNode, 'id' | 'next'>): number {
    const id = this.nodes.length;
    this.nodes.push({ id, next: [], ...n });
    return id;
  }

  private link(from: Dangling[], to: number): void {
    for (const d of from) this.nodes[d.node]!.next[d.slot] = to;
  }

  /** Append a node after the current frontier. */
  private emit(n: Omit<CfgNode, 'id' | 'next'>): number {
    const id = this.add(n);
    this.link(this.dangling, id);
    this.dangling = [{ node: id, slot: 0 }];
    return id;
  }

  private control(step: ControlStep): number {
    return this.emit({ type: 'control', control: step });
  }

  private loopIds(): number[] {
    return this.frames.filter((f) => f.kind === 'loop').map((f) => f.loop);
  }

  /** Build a statement (or any node containing statements). */
  stmt(n: Node | null): void {
    if (!n) return;
    switch (n.type) {
      case 'compound_statement': {
        this.scopes.push([]);
        for (const c of n.namedChildren) if (c) this.stmt(c);
        // Falling off the end of the block runs the destructors of its guards.
        if (this.dangling.length) this.releaseScopes(this.scopes.length - 1, n, true);
        this.scopes.pop();
        return;
      }
      case 'translation_unit':
        for (const c of n.namedChildren) if (c) this.stmt(c);
        return;
      case 'expression_statement':
        for (const c of n.namedChildren) if (c && !this.guardStmt(c)) this.walker.walk(c);
        return;
      case 'declaration':
        this.declaration(n);
        return;
      case 'if_statement':
        this.ifStmt(n);
        return;
      case 'while_statement':
        this.whileStmt(n);
        return;
      case 'for_statement':
        this.forStmt(n);
        return;
      case 'do_statement':
        this.doStmt(n);
        return;
      case 'switch_statement':
        this.switchStmt(n);
        return;
      case 'case_statement':
        // Outside a switch (recovered fragment): just its statements.
        for (const c of n.namedChildren) if (c && c !== n.childForFieldName('value')) this.stmt(c);
        return;
      case 'break_statement':
        this.breakStmt(n);
        return;
      case 'continue_statement':
        this.continueStmt(n);
        return;
      case 'return_statement':
        this.returnStmt(n);
        return;
      case 'goto_statement':
        this.gotoStmt(n);
        return;
      case 'labeled_statement':
        this.labeled(n);
        return;
      case 'preproc_if':
      case 'preproc_ifdef':
      case 'preproc_elif':
      case 'preproc_elifdef':
      case 'preproc_else':
        this.preproc(n);
        return;
      case 'comment':
      case 'preproc_def':
      case 'preproc_function_def':
      case 'preproc_call':
      case 'preproc_include':
      case 'type_definition':
      case 'struct_specifier':
      case 'enum_specifier':
      case 'union_specifier':
        return;
      case 'function_definition':
        // A nested definition is a recovery artefact: analyse its body in place.
        this.stmt(n.childForFieldName('body'));
        return;
      default:
        // ERROR nodes, attributed statements, bare expressions: walk children in order.
        for (const c of n.namedChildren) {
          if (!c) continue;
          if (/_statement$|^declaration$|^compound_statement$|^ERROR$/.test(c.type)) this.stmt(c);
          else this.walker.walk(c);
        }
    }
  }

  /**
   * `guard(class)(args);`: the class's lock call now, its unlock when the enclosing block is left (cleanup.h).
   * Returns false for anything else (and for guard classes the catalogue does not know).
   */
  private guardStmt(e: Node): boolean {
    if (e.type !== 'call_expression') return false;
    const inner = e.childForFieldName('function');
    if (!inner || inner.type !== 'call_expression' || inner.childForFieldName('function')?.text !== 'guard') return false;
    const cls = GUARD_CLASSES[inner.childForFieldName('arguments')?.namedChildren[0]?.text ?? ''];
    if (!cls) return false;
    const args = (e.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a && a.type !== 'comment').map((a) => a.text);
    this.walker.synthetic(cls.lock, args, e);
    const scope = this.scopes[this.scopes.length - 1];
    if (scope) scope.push({ unlock: cls.unlock, args, node: e });
    return true;
  }

  /** Run the destructors of the guards of scopes `from`.. (innermost first, last-declared first). */
  private releaseScopes(from: number, at: Node, atEnd = false): void {
    const loc = atEnd ? this.endLoc(at) : undefined;
    for (let i = this.scopes.length - 1; i >= Math.max(0, from); i--) {
      const scope = this.scopes[i]!;
      for (let k = scope.length - 1; k >= 0; k--) this.walker.synthetic(scope[k]!.unlock, scope[k]!.args, at, loc);
    }
  }

  /**
   * `scoped_guard(class, args) body` (the pre-pass reads it as `if (scoped_guard(...)) body`): the lock call, the
   * body in a scope of its own, the unlock when it is left. `scoped_cond_guard(class, fail, args)` may fail to
   * acquire: a branch whose taken arm holds the lock. False when the condition is no scoped guard.
   */
  private scopedGuard(n: Node): boolean {
    const c = n.childForFieldName('condition');
    const call = c?.namedChildren.find((x) => x && x.type !== 'comment');
    if (!call || call.type !== 'call_expression') return false;
    const name = call.childForFieldName('function')?.text;
    if (name !== 'scoped_guard' && name !== 'scoped_cond_guard') return false;
    const argv = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a && a.type !== 'comment').map((a) => a.text);
    const cls = GUARD_CLASSES[argv[0] ?? ''];
    const lockArgs = argv.slice(name === 'scoped_cond_guard' ? 2 : 1);
    const body = (): void => {
      this.scopes.push([]);
      if (cls) {
        this.walker.synthetic(cls.lock, lockArgs, call);
        this.scopes[this.scopes.length - 1]!.push({ unlock: cls.unlock, args: lockArgs, node: call });
      }
      this.stmt(n.childForFieldName('consequence'));
      if (this.dangling.length) this.releaseScopes(this.scopes.length - 1, n, true);
      this.scopes.pop();
    };
    if (name === 'scoped_guard') {
      body();
      return true;
    }
    const b = this.branch(normExpr(call.text), this.locOf(n));
    this.dangling = [{ node: b, slot: 0 }];
    body();
    this.dangling = [...this.dangling, { node: b, slot: 1 }];
    return true;
  }

  private declaration(n: Node): void {
    const typeNode = n.childForFieldName('type');
    const typeText = typeNode?.text ?? '';
    for (const d of n.childrenForFieldName('declarator')) {
      if (!d) continue;
      if (d.type === 'init_declarator') {
        const decl = d.childForFieldName('declarator');
        if (decl) this.walker.declare(typeText, decl, d.childForFieldName('value'));
      } else this.walker.declare(typeText, d, null);
    }
  }

  /** Condition text without the outer parentheses, whitespace-normalised. */
  private condText(c: Node | null): string {
    if (!c) return '';
    const t = c.type === 'parenthesized_expression' || c.type === 'condition_clause' ? c.text.replace(/^\(|\)$/g, '') : c.text;
    return normExpr(t);
  }

  private condition(c: Node | null): void {
    if (!c) return;
    if (c.type === 'parenthesized_expression' || c.type === 'condition_clause') {
      for (const x of c.namedChildren) if (x) {
        if (x.type === 'declaration') this.declaration(x);
        else this.walker.walk(x);
      }
    } else this.walker.walk(c);
  }

  private branch(cond: string, loc: SourceLoc, loop?: number): number {
    const id = this.emit({ type: 'branch', cond, loc, ...(loop !== undefined ? { loop } : {}) });
    this.dangling = [];
    return id;
  }

  private ifStmt(n: Node): void {
    if (this.scopedGuard(n)) return;
    const c = n.childForFieldName('condition');
    this.condition(c);
    const b = this.branch(this.condText(c), this.locOf(n));
    this.dangling = [{ node: b, slot: 0 }];
    this.stmt(n.childForFieldName('consequence'));
    const thenEnd = this.dangling;
    this.dangling = [{ node: b, slot: 1 }];
    const alt = n.childForFieldName('alternative');
    if (alt) this.stmt(alt.type === 'else_clause' ? (alt.namedChildren.find((x) => x && x.type !== 'comment') ?? null) : alt);
    this.dangling = [...thenEnd, ...this.dangling];
  }

  private newLoop(n: Node, head: string): Frame {
    const loop = ++this.loopCount;
    this.control({ kind: 'loop-enter', loop, head, loc: this.locOf(n) });
    const f: Frame = { kind: 'loop', loop, breaks: [], continues: [], scopeDepth: this.scopes.length };
    return f;
  }

  /** Shared tail: body, back edges to `back`, exits. `cond` null = no exit by condition. */
  private loopBody(n: Node, f: Frame, body: Node | null): void {
    this.emit({ type: 'iter', loop: f.loop });
    this.frames.push(f);
    this.stmt(body);
    this.frames.pop();
  }

  private whileStmt(n: Node): void {
    const c = n.childForFieldName('condition');
    const condText = this.condText(c);
    const f = this.newLoop(n, `while (${condText})`);
    const head = this.emit({ type: 'nop' });
    this.condition(c);
    let exitSlot: Dangling | undefined;
    if (!CONST_TRUE.test(condText)) {
      const b = this.branch(condText, this.locOf(n), f.loop);
      this.dangling = [{ node: b, slot: 0 }];
      exitSlot = { node: b, slot: 1 };
    }
    this.loopBody(n, f, n.childForFieldName('body'));
    this.control({ kind: 'loop-next', loop: f.loop, via: 'end', loc: this.endLoc(n) });
    this.link([...this.dangling, ...f.continues], head);
    this.dangling = [];
    this.exitLoop(n, f, exitSlot);
  }

  private forStmt(n: Node): void {
    const init = n.childForFieldName('initializer');
    if (init?.type === 'declaration') this.declaration(init);
    else this.walker.walk(init);
    const c = n.childForFieldName('condition');
    const update = n.childForFieldName('update');
    const condText = c ? normExpr(c.text) : '';
    const f = this.newLoop(n, `for (${normExpr(init?.text ?? '')}; ${condText}; ${normExpr(update?.text ?? '')})`.replace(/;;$/, ';'));
    const head = this.emit({ type: 'nop' });
    this.condition(c);
    let exitSlot: Dangling | undefined;
    if (c && !CONST_TRUE.test(condText)) {
      const b = this.branch(condText, this.locOf(c), f.loop);
      this.dangling = [{ node: b, slot: 0 }];
      exitSlot = { node: b, slot: 1 };
    }
    this.loopBody(n, f, n.childForFieldName('body'));
    this.control({ kind: 'loop-next', loop: f.loop, via: 'end', loc: this.endLoc(n) });
    this.dangling = [...this.dangling, ...f.continues];
    if (update) this.walker.walk(update);
    this.link(this.dangling, head);
    this.dangling = [];
    this.exitLoop(n, f, exitSlot);
  }

  private doStmt(n: Node): void {
    const c = n.childForFieldName('condition');
    const condText = this.condText(c);
    const f = this.newLoop(n, `do … while (${condText})`);
    const head = this.emit({ type: 'nop' });
    this.loopBody(n, f, n.childForFieldName('body'));
    this.control({ kind: 'loop-next', loop: f.loop, via: 'end', loc: this.endLoc(n) });
    this.dangling = [...this.dangling, ...f.continues];
    this.condition(c);
    let exitSlot: Dangling | undefined;
    if (!CONST_TRUE.test(condText)) {
      const b = this.branch(condText, c ? this.locOf(c) : this.locOf(n), f.loop);
      this.link([{ node: b, slot: 0 }], head);
      exitSlot = { node: b, slot: 1 };
    } else {
      this.link(this.dangling, head);
    }
    this.dangling = [];
    this.exitLoop(n, f, exitSlot);
  }

  private exitLoop(n: Node, f: Frame, exitSlot: Dangling | undefined): void {
    this.dangling = exitSlot ? [exitSlot] : [];
    if (exitSlot) this.control({ kind: 'loop-exit', loop: f.loop, via: 'cond', loc: this.endLoc(n) });
    this.dangling = [...this.dangling, ...f.breaks];
  }

  private endLoc(n: Node): SourceLoc {
    const l = this.locOf(n);
    const end = n.endPosition;
    const start = n.startPosition;
    return { ...l, line: l.line + (end.row - start.row), column: Math.max(0, end.column - 1) };
  }

  private switchStmt(n: Node): void {
    const c = n.childForFieldName('condition');
    this.condition(c);
    const subject = this.condText(c);
    const body = n.childForFieldName('body');
    const cases = (body?.namedChildren ?? []).filter((x): x is Node => !!x && x.type === 'case_statement');
    const entries: Dangling[][] = [];
    let defaultIdx = -1;
    for (let i = 0; i < cases.length; i++) {
      const cs = cases[i]!;
      const value = cs.childForFieldName('value');
      if (!value) {
        defaultIdx = i;
        entries.push([]);
        continue;
      }
      const b = this.branch(`${subject} == ${normExpr(value.text)}`, this.locOf(cs));
      entries.push([{ node: b, slot: 0 }]);
      this.dangling = [{ node: b, slot: 1 }];
    }
    let noMatch = this.dangling;
    if (defaultIdx >= 0) {
      entries[defaultIdx] = noMatch;
      noMatch = [];
    }
    const f: Frame = { kind: 'switch', loop: 0, breaks: [], continues: [], scopeDepth: this.scopes.length };
    this.frames.push(f);
    let fall: Dangling[] = [];
    for (let i = 0; i < cases.length; i++) {
      const cs = cases[i]!;
      this.dangling = [...fall, ...(entries[i] ?? [])];
      const value = cs.childForFieldName('value');
      for (const s of cs.namedChildren) if (s && s.id !== value?.id) this.stmt(s);
      fall = this.dangling;
    }
    this.frames.pop();
    this.dangling = [...fall, ...f.breaks, ...noMatch];
  }

  private innermost(kind?: 'loop'): Frame | undefined {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i]!;
      if (!kind || f.kind === kind) return f;
    }
    return undefined;
  }

  private breakStmt(n: Node): void {
    const f = this.innermost();
    if (f) this.releaseScopes(f.scopeDepth, n);
    if (f?.kind === 'switch') {
      f.breaks.push(...this.dangling);
    } else if (f) {
      this.control({ kind: 'loop-exit', loop: f.loop, via: 'break', loc: this.locOf(n) });
      f.breaks.push(...this.dangling);
    } else {
      // The enclosing loop is outside the fragment (loop 0): the path leaves what we can see.
      this.control({ kind: 'loop-exit', loop: 0, via: 'break', loc: this.locOf(n) });
      this.leave('enclosing loop outside the fragment', this.locOf(n));
    }
    this.dangling = [];
  }

  private continueStmt(n: Node): void {
    const f = this.innermost('loop');
    if (f) this.releaseScopes(f.scopeDepth, n);
    this.control({ kind: 'loop-next', loop: f ? f.loop : 0, via: 'continue', loc: this.locOf(n) });
    if (f) f.continues.push(...this.dangling);
    else this.leave('enclosing loop outside the fragment', this.locOf(n));
    this.dangling = [];
  }

  private returnStmt(n: Node): void {
    const v = n.namedChildren.find((x) => x && x.type !== 'comment') ?? null;
    if (v) this.walker.walk(v);
    // Guards of every open scope are released after the value is computed.
    this.releaseScopes(0, n);
    const loc = this.locOf(n);
    const loops = this.loopIds();
    for (let i = loops.length - 1; i >= 0; i--) this.control({ kind: 'loop-exit', loop: loops[i]!, via: 'return', loc });
    const step: ControlStep = v ? { kind: 'return', value: normExpr(v.text), loc } : { kind: 'return', loc };
    this.control(step);
    this.link(this.dangling, this.exit);
    this.dangling = [];
  }

  private gotoStmt(n: Node): void {
    const label = n.childForFieldName('label')?.text ?? normExpr(n.text.replace(/^goto\s+|;$/g, ''));
    const loc = this.locOf(n);
    const backward = this.labels.has(label);
    // Kernel gotos jump to labels of the function's body: the guards of nested scopes end.
    this.releaseScopes(1, n);
    this.emit({ type: 'control', control: { kind: 'goto', label, loc }, ...(backward ? { backward: true } : {}) });
    this.gotos.push({ from: this.dangling, label, loops: this.loopIds(), loc });
    this.dangling = [];
  }

  private labeled(n: Node): void {
    const label = n.childForFieldName('label')?.text ?? '';
    const id = this.control({ kind: 'label', label, loc: this.locOf(n) });
    this.labels.set(label, { node: id, loops: this.loopIds() });
    for (const c of n.namedChildren) if (c && c.type !== 'statement_identifier') this.stmt(c);
  }

  private preproc(n: Node): void {
    const name = n.childForFieldName('name');
    const cond = n.childForFieldName('condition');
    const head = n.child(0)?.text ?? '#if';
    if (n.type === 'preproc_else') {
      for (const c of n.namedChildren) if (c) this.stmt(c);
      return;
    }
    const text = normExpr(`${head} ${name?.text ?? cond?.text ?? ''}`);
    const b = this.branch(text, this.locOf(n));
    this.dangling = [{ node: b, slot: 0 }];
    const alt = n.childForFieldName('alternative');
    for (const c of n.namedChildren) {
      if (!c || c.id === name?.id || c.id === cond?.id || c.id === alt?.id) continue;
      this.stmt(c);
    }
    const thenEnd = this.dangling;
    this.dangling = [{ node: b, slot: 1 }];
    if (alt) this.stmt(alt);
    this.dangling = [...thenEnd, ...this.dangling];
  }

  /** The path leaves the visible code (fragment boundary): a truncated marker, then exit. */
  private leave(reason: string, loc: SourceLoc): void {
    this.control({ kind: 'truncated', reason, loc });
    this.link(this.dangling, this.exit);
    this.dangling = [];
  }

  /**
   * Close the graph: fall-off-the-end (a return for whole functions, a fragment-boundary marker for fragments),
   * pending gotos, event ids in source order.
   */
  finish(endLoc: SourceLoc, fragment = false): Cfg {
    if (fragment) this.control({ kind: 'truncated', reason: 'end of fragment', loc: endLoc });
    else this.control({ kind: 'return', loc: endLoc });
    this.link(this.dangling, this.exit);
    this.dangling = [];
    for (const g of this.gotos) {
      const target = this.labels.get(g.label);
      this.dangling = g.from;
      if (!target) {
        this.leave(`label ${g.label} outside the fragment`, g.loc);
        continue;
      }
      const left = g.loops.filter((l) => !target.loops.includes(l));
      for (let i = left.length - 1; i >= 0; i--) this.control({ kind: 'loop-exit', loop: left[i]!, via: 'goto', loc: g.loc });
      this.link(this.dangling, target.node);
    }
    this.dangling = [];
    const sorted = [...this.events].sort((a, b) => a.loc.line - b.loc.line || a.loc.column - b.loc.column);
    sorted.forEach((e, i) => (e.id = i));
    // Unlinked successors (e.g. a branch arm ending nowhere) go to exit.
    for (const nd of this.nodes) {
      const want = nd.type === 'branch' ? 2 : nd.type === 'exit' ? 0 : 1;
      for (let s = 0; s < want; s++) if (nd.next[s] === undefined) nd.next[s] = this.exit;
    }
    return { nodes: this.nodes, entry: this.entry, exit: this.exit, events: sorted, loops: this.loopCount };
  }
}
