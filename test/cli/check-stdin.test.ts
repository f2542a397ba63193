/** `check -` reads the patch from stdin (the CLI hands process.stdin to the reader only when an input is `-`). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'mmreview.js');
const PATCH =
  'diff --git a/mm/x.c b/mm/x.c\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,4 +1,4 @@\n int f(void)\n {\n-\treturn 0;\n+\treturn 1;\n }\n';

describe('check and stdin', () => {
  it('reads a patch from stdin for "-"', () => {
    const r = spawnSync(process.execPath, [BIN, 'check', '--format', 'json', '-'], { cwd: ROOT, encoding: 'utf8', input: PATCH });
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as { stats: { inputs: number; patches: number; files: number } };
    expect(j.stats).toMatchObject({ patches: 1, files: 1 });
  });
});
