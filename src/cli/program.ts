/**
 * The `mmreview` command line: one sub-command per file in ./commands, registered here. Run by the ES-module
 * entry (./main.ts, dist/src/cli/main.js) and by the code-cached CommonJS entry of `check` (./main-cjs.ts).
 */
import { Command } from 'commander';
import { VERSION } from '../core/version.ts';
import { register as registerCheck } from './commands/check.ts';
import { register as registerInspect } from './commands/inspect.ts';
import { register as registerInstallHook } from './commands/install-hook.ts';
import { register as registerRules } from './commands/rules.ts';
import { register as registerScan } from './commands/scan.ts';
import { register as registerServe } from './commands/serve.ts';
import { register as registerSimulate } from './commands/simulate.ts';
import { register as registerWatch } from './commands/watch.ts';

/** Parse `argv` (process.argv form) and run the command it names. */
export async function run(argv: string[]): Promise<void> {
  const program = new Command();
  program
    .name('mmreview')
    .description('Review Linux kernel memory-management patches; every finding is proved by a concurrency simulator.')
    .version(VERSION);

  // Sub-commands register themselves on `program` (one import per command; keep sorted).
  registerCheck(program);
  registerInspect(program);
  registerInstallHook(program);
  registerRules(program);
  registerScan(program);
  registerServe(program);
  registerSimulate(program);
  registerWatch(program);

  await program.parseAsync(argv);
}
