/** Test helpers: build real mbox, maildir and public-inbox v2 archives from fixture mails in a temp dir. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { toolPresent } from '../helpers/shared.ts';

export const FIXTURES = resolve(import.meta.dirname, '../../fixtures/mail');

/** The raw fixture mails of one fixture folder, sorted by name. */
export function fixtureMails(folder: string): Array<{ name: string; raw: Buffer }> {
  const dir = join(FIXTURES, folder);
  return readdirSync(dir)
    .filter((n) => n.endsWith('.eml'))
    .sort()
    .map((name) => ({ name, raw: readFileSync(join(dir, name)) }));
}

/** mboxrd encoding of messages (`From ` lines escaped with one more `>`). */
export function toMboxrd(raws: Buffer[]): Buffer {
  const parts: string[] = [];
  for (const raw of raws) {
    const text = raw.toString('latin1').replace(/\r\n/g, '\n');
    const body = text.replace(/^(>*From )/gm, '>$1');
    parts.push(`From mboxrd@z Thu Jan  1 00:00:00 1970\n${body}${body.endsWith('\n') ? '' : '\n'}\n`);
  }
  return Buffer.from(parts.join(''), 'latin1');
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `mmreview-${prefix}-`));
}

/** True when the public-inbox tools are installed (CI installs them with apt). */
export function havePublicInbox(): boolean {
  return toolPresent('public-inbox', spawnSync('public-inbox-init', ['--help'], { stdio: 'ignore' }).error === undefined);
}

const IMPORT_PL = `#!/usr/bin/perl -w
use strict; use PublicInbox::Config; use PublicInbox::InboxWritable;
my $ibx = PublicInbox::Config->new->lookup_name(shift) or die "no inbox\\n";
PublicInbox::InboxWritable->new($ibx)->import_mbox(\\*STDIN, 'mboxrd');
`;

/** A real public-inbox v2 archive in a temp dir, with PI_CONFIG/HOME isolated. */
export class TestInbox {
  readonly root = tempDir('pi');
  readonly dir = join(this.root, 'linux-mm');
  private readonly env = { ...process.env, PI_CONFIG: join(this.root, 'config'), HOME: join(this.root, 'home') };

  constructor() {
    mkdirSync(this.env.HOME, { recursive: true });
    execFileSync('public-inbox-init', ['-V2', '-L', 'basic', 'linux-mm', this.dir, 'http://localhost/linux-mm', 'linux-mm@kvack.org'], {
      env: this.env,
      stdio: 'pipe',
    });
    writeFileSync(join(this.root, 'import.pl'), IMPORT_PL);
  }

  /** Imports messages through public-inbox's own Perl API (one git commit per message). */
  import(raws: Buffer[]): void {
    execFileSync('perl', [join(this.root, 'import.pl'), 'linux-mm'], { env: this.env, input: toMboxrd(raws), stdio: ['pipe', 'pipe', 'pipe'] });
  }
}

/** Writes messages into a maildir (new/), names deterministic. */
export function writeMaildir(dir: string, raws: Array<{ name: string; raw: Buffer }>): void {
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  for (const { name, raw } of raws) writeFileSync(join(dir, 'new', `1700000000.${name.replace(/\W/g, '_')}.host`), raw);
}

/** Appends messages to an mbox file (mboxrd). */
export function appendMbox(path: string, raws: Buffer[]): void {
  appendFileSync(path, toMboxrd(raws));
}
