/**
 * The options `scan` and `watch` share (state database, drafts, sending, From, tree) and their checks, in one place,
 * so both commands accept and refuse the same things.
 */
import type { Command } from 'commander';
import { isDirectory } from './commands/check.ts';

export interface ArchiveFlags {
  db: string;
  drafts: string;
  send?: boolean;
  smtp?: string;
  from?: string;
  tree?: string;
}

/** What the shared options resolve to once checked. */
export interface ArchiveSettings {
  smtpUrl?: string;
  from: string;
  treePath?: string;
}

/** Adds the shared options to a command. */
export function addArchiveOptions(cmd: Command): Command {
  return cmd
    .option('--db <file>', 'state database', '.mmreview/state.db')
    .option('--drafts <dir>', 'directory for reply drafts (.eml)', '.mmreview/drafts')
    .option('--send', 'send drafted replies over SMTP (needs --smtp or MMREVIEW_SMTP_URL)')
    .option('--smtp <url>', 'SMTP URL (default: $MMREVIEW_SMTP_URL)')
    .option('--from <address>', 'From address of replies (default: $MMREVIEW_FROM or mmreview <mmreview@localhost>)')
    .option('--tree <repo>', 'kernel git repository (or directory) the patches apply to: whole functions (default: $MMREVIEW_TREE)');
}

/** Checks the shared options; a message for the user when one is wrong. */
export async function archiveSettings(flags: ArchiveFlags): Promise<ArchiveSettings | { error: string }> {
  const smtpUrl = flags.smtp ?? process.env.MMREVIEW_SMTP_URL;
  if (flags.send && !smtpUrl) return { error: '--send needs an SMTP server: --smtp URL or MMREVIEW_SMTP_URL' };
  const from = flags.from ?? process.env.MMREVIEW_FROM ?? 'mmreview <mmreview@localhost>';
  const { parseAddressList } = await import('../render/mail-reply.ts');
  if (parseAddressList(from).length !== 1) return { error: `--from must be one mail address ("Name <user@host>" or "user@host"), got ${JSON.stringify(from)}` };
  const treePath = flags.tree ?? (process.env.MMREVIEW_TREE || undefined);
  if (treePath !== undefined && !isDirectory(treePath)) return { error: `--tree ${treePath}: not a directory or git repository` };
  return { from, ...(smtpUrl ? { smtpUrl } : {}), ...(treePath !== undefined ? { treePath } : {}) };
}
