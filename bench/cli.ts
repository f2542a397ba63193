/**
 * The command line as a user runs it (process start included), each figure beside its reference measured in the
 * same run: `mmreview --help` vs `node -e 0`; `check` on single corpus patches that need no simulation (wall), vs
 * the kernel's checkpatch.pl on the same patch when it is installed ($CHECKPATCH or on PATH; never vendored); the
 * fixture 5-patch series with all simulations; peak RSS of `check` on a generated 10 MB patch. `check` runs through
 * its V8 code cache (bin/code-cache.js; the one the build wrote into dist/cjs/); each check figure is printed beside
 * the same runs without it (MMREVIEW_CODE_CACHE=off: the ES modules).
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BIN, ROOT, median, medianRun, ratio, runCmd, runNode, verdict } from './_proc.ts';
import { walkerHunkLines } from './_walker.ts';
import { rng } from './_rng.ts';

const OUT = join(ROOT, 'bench', 'out');

/** checkpatch.pl from $CHECKPATCH or PATH, if any. */
function findCheckpatch(): string | undefined {
  const env = process.env.CHECKPATCH;
  if (env && existsSync(env)) return env;
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(d, 'checkpatch.pl');
    if (d && existsSync(p)) return p;
  }
  return undefined;
}


function hunk(lines: string[], start: number, header: string): string {
  let o = 0;
  let n = 0;
  for (const l of lines) {
    if (l[0] !== '+') o++;
    if (l[0] !== '-') n++;
  }
  return `@@ -${start},${o} +${start},${n} @@ ${header}\n${lines.join('\n')}\n`;
}

/** A PTE walker in mm/: one in five moves the TLB flush after the unlock (a flush-under-ptl candidate). */
function mmFunction(i: number, buggy: boolean): string[] {
  const fn = `bench_walk_${i}`;
  return walkerHunkLines(fn, buggy);
}

/** A driver function with a one-line change. */
function otherFunction(r: () => number, i: number): string[] {
  const body: string[] = [];
  const n = 8 + Math.floor(r() * 40);
  for (let j = 0; j < n; j++) body.push(` \tret = dev_op_${j % 17}(dev, ${j});`, ' \tif (ret)', ' \t\tgoto err;');
  body.splice(4, 0, `-\told_call_${i}(dev);`, `+\tnew_call_${i}(dev);`);
  return [` static int probe_${i}(struct device *dev)`, ' {', ' \tint ret;', ...body, ' \treturn 0;', ' err:', ' \treturn ret;', ' }'];
}

/**
 * Writes one git-format-patch mail of about `bytes` bytes: many files, mostly driver code, with a file in mm/ every
 * 25 files (some of whose walkers move a TLB flush after the unlock). Deterministic.
 */
export function generateBigPatch(path: string, bytes: number): { files: number; mmFunctions: number; bytes: number } {
  const r = rng(7);
  const parts: string[] = [
    'From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\nFrom: Dev <dev@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n' +
      'Subject: [PATCH] treewide: a very large change\n\nA generated 10 MB patch for the memory benchmark.\n\nSigned-off-by: Dev <dev@example.org>\n---\n',
  ];
  let size = parts[0]!.length;
  let files = 0;
  let mm = 0;
  while (size < bytes) {
    const isMm = files % 25 === 0;
    const file = isMm ? `mm/bench_${files}.c` : `drivers/bench/dev_${files}.c`;
    let text = `diff --git a/${file} b/${file}\nindex 1111111..2222222 100644\n--- a/${file}\n+++ b/${file}\n`;
    let line = 100;
    const fns = isMm ? 4 : 6;
    for (let k = 0; k < fns; k++) {
      const lines = isMm ? mmFunction(mm, mm % 5 === 0) : otherFunction(r, files * 10 + k);
      if (isMm) mm++;
      text += hunk(lines, line, isMm ? 'struct bench_walk {' : 'static const struct of_device_id ids[] = {');
      line += lines.length + 20;
    }
    parts.push(text);
    size += text.length;
    files++;
  }
  parts.push('--\n2.43.0\n');
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path, parts.join(''));
  return { files, mmFunctions: mm, bytes: statSync(path).size };
}

function ms(x: number): string {
  return `${x.toFixed(0)} ms`;
}

/** Without the code cache: `check` from the ES modules. */
const NO_CACHE = { env: { MMREVIEW_CODE_CACHE: 'off' } };

/** Run the benchmark and print its figures. */
export default async function bench(): Promise<void> {
  const built = readdirSync(join(ROOT, 'dist', 'cjs')).filter((f) => f.endsWith('.v8cache'));
  console.log(`  check's code cache: ${built.length > 0 ? `dist/cjs/${built[0]} (written by the build)` : 'none in dist/cjs (a first run writes one into the user cache directory)'}`);
  // 1. start-up: --help beside a bare node
  const node0 = medianRun(5, () => runNode(['-e', '0']));
  const help = medianRun(5, () => runNode([BIN, '--help']));
  console.log(
    `  mmreview --help: ${ms(help.wallMs)} wall, ${ms(help.cpuMs)} CPU, ${help.maxRssMb.toFixed(0)} MB | node -e 0: ${ms(node0.wallMs)} wall, ${ms(node0.cpuMs)} CPU` +
      ` → ${ratio(help.wallMs, node0.wallMs)} wall, ${ratio(help.cpuMs, node0.cpuMs)} CPU (target ≤ 1.5×: ${verdict(help.wallMs <= 1.5 * node0.wallMs)})`,
  );

  // 2. check on single corpus patches that need no simulation
  const corpus = join(ROOT, '..', 'shared', 'corpus', 'cases');
  const checkpatch = findCheckpatch();
  if (existsSync(corpus)) {
    const cases = readdirSync(corpus).filter((f) => /\.(patch|eml)$/.test(f)).sort();
    const walls: number[] = [];
    const cpus: number[] = [];
    const offWalls: number[] = [];
    const offCpus: number[] = [];
    const pairs: Array<{ ours: number; theirs: number }> = [];
    for (const c of cases) {
      const r = runNode([BIN, 'check', '--format', 'json', join(corpus, c)]);
      let sims = -1;
      try {
        sims = (JSON.parse(r.stdout) as { stats: { simulations: number } }).stats.simulations;
      } catch {
        continue;
      }
      if (sims !== 0) continue;
      walls.push(r.wallMs);
      cpus.push(r.cpuMs);
      const off = runNode([BIN, 'check', '--format', 'json', join(corpus, c)], NO_CACHE);
      offWalls.push(off.wallMs);
      offCpus.push(off.cpuMs);
      if (checkpatch) {
        const cp = runCmd('perl', [checkpatch, '--no-tree', '-q', join(corpus, c)]);
        if (cp.status !== null) pairs.push({ ours: r.wallMs, theirs: cp.wallMs });
      }
    }
    const med = median(walls);
    console.log(
      `  check, one corpus patch without simulation: median ${ms(med)} wall (max ${ms(Math.max(...walls))}), ${ms(median(cpus))} CPU over ${walls.length} patches` +
        ` (target ≤ 300 ms: ${verdict(med <= 300)}) | without the code cache: ${ms(median(offWalls))} wall, ${ms(median(offCpus))} CPU`,
    );
    if (checkpatch && pairs.length > 0) {
      const rs = pairs.map((p) => p.ours / p.theirs);
      console.log(
        `    checkpatch.pl --no-tree on the same patches: median ${ms(median(pairs.map((p) => p.theirs)))} → mmreview/checkpatch median ${median(rs).toFixed(2)}× (target ≤ 1×: ${verdict(median(rs) <= 1)})`,
      );
    } else {
      console.log('    checkpatch.pl: not installed (set CHECKPATCH=/path/to/linux/scripts/checkpatch.pl), comparison skipped');
    }
  } else {
    console.log('  check on corpus patches: ../shared/corpus not present, skipped');
  }

  // 3. the fixture series with every simulation, process start included
  const seriesArgs = [BIN, 'check', '--format', 'json', '--tree', 'fixtures/tree', 'fixtures/patches/series'];
  const series = medianRun(5, () => runNode(seriesArgs));
  const seriesOff = medianRun(5, () => runNode(seriesArgs, NO_CACHE));
  let sims = 0;
  let confirmed = 0;
  try {
    const j = JSON.parse(series.stdout) as { stats: { simulations: number }; findings: Array<{ status: string }> };
    sims = j.stats.simulations;
    confirmed = j.findings.filter((f) => f.status === 'confirmed').length;
  } catch {
    /* reported below as 0 */
  }
  console.log(
    `  check, fixture 5-patch series with all simulations (process start included): median ${ms(series.wallMs)} wall, ${ms(series.cpuMs)} CPU, ` +
      `${series.maxRssMb.toFixed(0)} MB; ${sims} simulations, ${confirmed} confirmed (target < 500 ms: ${verdict(series.wallMs < 500)}) | ` +
      `without the code cache: ${ms(seriesOff.wallMs)} wall, ${ms(seriesOff.cpuMs)} CPU | node -e 0: ${ms(node0.wallMs)}`,
  );

  // 4. peak memory on a 10 MB patch
  const big = join(OUT, 'big-10m.patch');
  if (!existsSync(big)) {
    const g = generateBigPatch(big, 10 * 1048576);
    console.log(`  generated ${big}: ${(g.bytes / 1048576).toFixed(1)} MB, ${g.files} files, ${g.mmFunctions} mm functions`);
  }
  const r = runNode([BIN, 'check', '--format', 'json', big]);
  let stats = '';
  try {
    const j = JSON.parse(r.stdout) as { stats: { files: number; functions: number; candidates: number; simulations: number }; findings: unknown[] };
    stats = `${j.stats.files} files, ${j.stats.functions} functions, ${j.stats.candidates} candidates, ${j.stats.simulations} simulations, ${j.findings.length} findings shown`;
  } catch {
    stats = `exit ${r.status}: ${r.stderr.slice(0, 200)}`;
  }
  console.log(
    `  check, generated ${(statSync(big).size / 1048576).toFixed(0)} MB patch: peak RSS ${r.maxRssMb.toFixed(0)} MB (target ≤ 300 MB: ${verdict(r.maxRssMb <= 300)}), ` +
      `${(r.wallMs / 1000).toFixed(1)} s wall, ${(r.cpuMs / 1000).toFixed(1)} s CPU; ${stats} | node -e 0: ${node0.maxRssMb.toFixed(0)} MB`,
  );
}
