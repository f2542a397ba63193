/** Runs `mmreview simulate ARGS` in-process through a command's `register` and captures stdout, stderr and exit code. */
import { Command } from 'commander';
import { vi } from 'vitest';

export async function runSimulateCli(register: (p: Command) => void, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const program = new Command().exitOverride();
  register(program);
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'mmreview', 'simulate', ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, out, err };
}
