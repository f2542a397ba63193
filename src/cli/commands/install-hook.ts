// `mmreview install-hook`: writes the sendemail-validate (and optionally pre-push) hook that runs this installation.
import type { Command } from 'commander';
import { join } from 'node:path';
import { VERSION } from '../../core/version.ts';
import { installRoot } from '../../core/install-root.ts';
import type { ExistingHookPolicy } from '../../git/install-hook.ts';

/** Absolute path of this installation's `bin/mmreview.js`. */
export function installedBin(): string {
  return join(installRoot(), 'bin', 'mmreview.js');
}

/** Registers `install-hook` on the program. */
export function register(program: Command): void {
  program
    .command('install-hook')
    .description(
      'Install a git sendemail-validate hook (and with --pre-push a pre-push hook) that blocks sending a patch with a confirmed race',
    )
    .option('--pre-push', 'also install a pre-push hook reviewing the pushed commits')
    .option('--chain', 'keep an existing foreign hook: rename it to <hook>.pre-mmreview and run it first')
    .option('--force', 'replace an existing foreign hook')
    .option('-C, --repo <dir>', 'repository to install into', '.')
    .action(async (o: { prePush?: boolean; chain?: boolean; force?: boolean; repo: string }) => {
      const { installHooks } = await import('../../git/install-hook.ts');
      const existing: ExistingHookPolicy = o.force ? 'overwrite' : o.chain ? 'chain' : 'refuse';
      const r = await installHooks({
        cwd: o.repo,
        prePush: o.prePush === true,
        existing,
        node: process.execPath,
        bin: installedBin(),
        version: VERSION,
      });
      if (!r.ok) {
        process.stderr.write(`mmreview install-hook: ${r.error}\n`);
        process.exitCode = 2;
        return;
      }
      for (const h of r.outcomes) {
        if (h.action === 'refused') {
          process.stderr.write(`mmreview install-hook: not installing ${h.hook}: ${h.note ?? ''}\n`);
          process.exitCode = 1;
        } else {
          const extra = h.action === 'chained' ? ` (previous hook kept as ${h.note ?? ''}, runs first)` : '';
          process.stdout.write(`${h.action} ${h.path}${extra}\n`);
        }
      }
      if (process.exitCode !== 1) {
        process.stdout.write('Override for one command: MMREVIEW_SKIP=1 git send-email ...; disable: git config mmreview.skip true\n');
      }
    });
}
