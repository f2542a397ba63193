/**
 * Per-function local data-flow facts: which names are PTE pointers (and their root), which are PTE values (and the
 * effects accumulated on them), which name a lock of a known class. Filled in source order while events are extracted.
 */
import type { LockClass, PteEffect } from '../core/ops.ts';
import type { AliasEnv } from '../kernel-api/classify.ts';

/** Names that are PTE pointers by kernel convention when no declaration is visible (hunk fragments). */
const PTE_PTR_NAME = /^(?:pte|ptep|src_pte|dst_pte|start_pte|orig_src_pte|orig_dst_pte|page_table|mapped_pte|new_pte|old_pte_ptr)$|(?:->|\.)pte$/;

/** Mutable local facts of one function. */
export class LocalEnv implements AliasEnv {
  private readonly ptePtr = new Map<string, string>();
  private readonly pteValueNames = new Set<string>();
  private readonly values = new Map<string, PteEffect[]>();
  private readonly locks = new Map<string, LockClass>();

  /** Declare `name` as a PTE pointer whose root is `root` (itself by default). */
  setPtePtr(name: string, root?: string): void {
    this.ptePtr.set(name, root ? this.resolvePte(root) : name);
    this.pteValueNames.delete(name);
  }

  /** Declare `name` as a PTE value (`pte_t entry`): never a pointer even when its spelling says so. */
  setPteValueName(name: string): void {
    this.pteValueNames.add(name);
    this.ptePtr.delete(name);
  }

  /** True when the expression names a PTE pointer (declared, learnt, or by convention). */
  isPtePtr(expr: string): boolean {
    if (this.ptePtr.has(expr)) return true;
    if (this.pteValueNames.has(expr)) return false;
    return PTE_PTR_NAME.test(expr);
  }

  resolvePte(expr: string): string {
    let cur = expr;
    for (let i = 0; i < 8; i++) {
      const next = this.ptePtr.get(cur);
      if (next === undefined || next === cur) return cur;
      cur = next;
    }
    return cur;
  }

  /** Record the effects carried by a PTE value variable. */
  setValue(name: string, effects: PteEffect[]): void {
    this.values.set(name, effects);
  }

  /** Effects of a tracked PTE value variable, undefined when the variable is not a tracked value. */
  valueOf(name: string): PteEffect[] | undefined {
    return this.values.get(name);
  }

  setLockClass(expr: string, cls: LockClass): void {
    this.locks.set(expr, cls);
  }

  lockClassOf(expr: string): LockClass | undefined {
    return this.locks.get(expr);
  }
}
