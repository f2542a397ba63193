/**
 * WebAssembly (the tree-sitter C grammar) runs on V8's baseline compiler only (Liftoff) in the one-shot commands.
 * V8's optimising tier would recompile the grammar's large lexer and parse-table functions on background threads:
 * for a review that parses a few functions this costs more CPU than it saves (~250 ms on the single-patch `check`),
 * competes for the cores with the review itself, and holds process exit until it finishes. Long-running commands
 * (`serve`) keep the default tiering. Must run before the grammar is compiled (before the first parse).
 */
let done = false;

/** Restrict WebAssembly to the baseline compiler for the rest of this process. Idempotent. */
export function useBaselineWasm(): void {
  if (done) return;
  done = true;
  // node:v8 is loaded here, not at start-up (`--help` never needs it).
  process.getBuiltinModule('node:v8').setFlagsFromString('--liftoff-only');
}
