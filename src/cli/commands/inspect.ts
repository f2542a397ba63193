/**
 * `mmreview inspect INPUT... [--tree DIR] [--format text|json]`: print what was read — patches, files, changed
 * functions and their pre/post event paths. Exit 0 when something was read, 2 when nothing could be read.
 */
import type { Command } from 'commander';
import type { FunctionView } from '../../core/events.ts';
import type { InputProblem } from '../../core/patch.ts';
import { isDirectory } from './check.ts';
import { useBaselineWasm } from '../wasm-baseline.ts';

/** Register the command. */
export function register(program: Command): void {
  program
    .command('inspect')
    .description('show patches, files, changed functions and their pre/post event paths')
    .argument('<inputs...>', 'patch files, mails, mboxes, maildirs, or - for stdin')
    .option('--tree <dir>', 'kernel tree the patches apply to (git repository or directory): whole functions instead of hunk fragments')
    .option('--format <format>', 'text or json', 'text')
    .option('--max-paths <n>', 'paths shown per image in text output', '8')
    .action(async (inputs: string[], flags: { tree?: string; format: string; maxPaths: string }) => {
      useBaselineWasm();
      if (flags.format !== 'text' && flags.format !== 'json') {
        process.stderr.write(`mmreview inspect: unknown format '${flags.format}' (text, json)\n`);
        process.exitCode = 2;
        return;
      }
      if (flags.tree !== undefined && !isDirectory(flags.tree)) {
        process.stderr.write(`mmreview inspect: --tree ${flags.tree}: not a directory or git repository\n`);
        process.exitCode = 2;
        return;
      }
      const [{ functionsOfPatch }, { inspectDoc, inspectText }, { readInputs }, { resolveBases }, { openTreeStore }] = await Promise.all([
        import('../../frontend/index.ts'),
        import('../../frontend/inspect.ts'),
        import('../../sources/index.ts'),
        import('../../diff/source-tree.ts'),
        import('../../git/repo-store.ts'),
      ]);
      const read = await readInputs(inputs);
      const problems: InputProblem[] = [...read.problems];
      const views: FunctionView[][] = [];
      // A git repository or a directory: each patch is read against its own base (series applied in order).
      const store = flags.tree !== undefined ? await openTreeStore(flags.tree) : undefined;
      try {
        const bases = store ? await resolveBases(read.patches, store) : undefined;
        for (const p of read.patches) {
          const base = bases?.get(p);
          if (base) problems.push(...base.notes);
          const r = await functionsOfPatch(p, base ? { tree: base.tree } : undefined);
          views.push(r.functions);
          problems.push(...r.problems);
        }
      } finally {
        store?.close?.();
      }
      const doc = inspectDoc(read.patches, views, problems);
      process.stdout.write(flags.format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : inspectText(doc, views, Number(flags.maxPaths) || 8));
      if (read.patches.length === 0) process.exitCode = 2;
    });
}
