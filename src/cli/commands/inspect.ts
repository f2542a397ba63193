/**
 * `mmreview inspect INPUT... [--tree DIR] [--format text|json]`: print what was read — patches, files, changed
 * functions and their pre/post event paths. Exit 0 when something was read, 2 when nothing could be read.
 */
import type { Command } from 'commander';
import type { FunctionView } from '../../core/events.ts';
import type { InputProblem } from '../../core/patch.ts';

/** Register the command. */
export function register(program: Command): void {
  program
    .command('inspect')
    .description('show patches, files, changed functions and their pre/post event paths')
    .argument('<inputs...>', 'patch files, mails, mboxes, maildirs, or - for stdin')
    .option('--tree <dir>', 'kernel tree the patches apply to (whole functions instead of hunk fragments)')
    .option('--format <format>', 'text or json', 'text')
    .option('--max-paths <n>', 'paths shown per image in text output', '8')
    .action(async (inputs: string[], flags: { tree?: string; format: string; maxPaths: string }) => {
      if (flags.format !== 'text' && flags.format !== 'json') {
        process.stderr.write(`mmreview inspect: unknown format '${flags.format}' (text, json)\n`);
        process.exitCode = 2;
        return;
      }
      const [{ functionsOfPatch }, { inspectDoc, inspectText }, { directoryTree, readInputs }] = await Promise.all([
        import('../../frontend/index.ts'),
        import('../../frontend/inspect.ts'),
        import('../../sources/index.ts'),
      ]);
      const read = await readInputs(inputs);
      const tree = flags.tree ? directoryTree(flags.tree) : undefined;
      const problems: InputProblem[] = [...read.problems];
      const views: FunctionView[][] = [];
      for (const p of read.patches) {
        const r = await functionsOfPatch(p, tree ? { tree } : undefined);
        views.push(r.functions);
        problems.push(...r.problems);
      }
      const doc = inspectDoc(read.patches, views, problems);
      process.stdout.write(flags.format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : inspectText(doc, views, Number(flags.maxPaths) || 8));
      if (read.patches.length === 0) process.exitCode = 2;
    });
}
