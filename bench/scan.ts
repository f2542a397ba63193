/**
 * Archive scan benchmark: generates a realistic 200 MB mbox of kernel mail (mostly non-mm discussion and patches,
 * some mm patches, replies quoting them) into bench/out/ when absent, then reports the skip-path ingest rate and
 * `mmreview scan` as a user runs it (full review, then a re-scan; wall, CPU, peak RSS) beside a bare Node readline
 * pass over the same file and `grep -c '^From '`. Targets are reported, not asserted.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, ratio, runNode, verdict } from './_proc.ts';
import { StateStore } from '../src/store/state-store.ts';
import { runScan } from '../src/scan/scanner.ts';
import type { ScanDeps } from '../src/scan/deps.ts';
import { classifyMessage } from '../src/scan/classify.ts';
import { walkerHunkLines } from './_walker.ts';
import { rng } from './_rng.ts';

const here = dirname(fileURLToPath(import.meta.url));


const WORDS =
  'the a page table lock flush range memory folio writeback driver queue device reset buffer interrupt register patch series review thanks commit change value return error path case code kernel upstream fix test build warning config option probe remove suspend resume irq dma mapping'.split(
    ' ',
  );
const SUBSYS = ['net: fec', 'drm/amdgpu', 'ext4', 'btrfs', 'usb: dwc3', 'arm64: dts', 'sched/fair', 'iio: adc', 'ASoC: codecs', 'x86/cpu'];
const PATHS = ['drivers/net/ethernet/freescale/fec_main.c', 'drivers/gpu/drm/amd/amdgpu/amdgpu_vm.c', 'fs/ext4/inode.c', 'fs/btrfs/extent_io.c', 'drivers/usb/dwc3/core.c', 'kernel/sched/fair.c'];
const MM_FILES = ['mm/memory.c', 'mm/mprotect.c', 'mm/madvise.c', 'mm/khugepaged.c', 'mm/mapping_dirty_helpers.c', 'mm/mremap.c'];

function sentence(r: () => number, n: number): string {
  const w: string[] = [];
  for (let i = 0; i < n; i++) w.push(WORDS[Math.floor(r() * WORDS.length)]!);
  return `${w.join(' ')}.`;
}

function prose(r: () => number, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(sentence(r, 8 + Math.floor(r() * 6)));
  return out.join('\n');
}

function headers(i: number, subject: string, to: string, parent?: string): string {
  const d = new Date(Date.UTC(2024, 0, 1) + i * 37_000).toUTCString().replace('GMT', '+0000');
  return `From: Dev ${i % 997} <dev${i % 997}@example.org>\nTo: ${to}\nCc: linux-kernel@vger.kernel.org\nSubject: ${subject}\nDate: ${d}\nMessage-ID: <bench-${i}@example.org>\n${parent ? `In-Reply-To: <${parent}>\nReferences: <${parent}>\n` : ''}MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\n`;
}

function hunkOf(lines: string[], start: number, header: string): string {
  let o = 0;
  let n = 0;
  for (const l of lines) {
    if (l[0] !== '+') o++;
    if (l[0] !== '-') n++;
  }
  return `@@ -${start},${o} +${start},${n} @@ ${header}\n${lines.join('\n')}\n`;
}

function mmPatch(r: () => number, i: number): { subject: string; body: string } {
  const file = MM_FILES[i % MM_FILES.length]!;
  const fn = `bench_${['clean', 'wrprotect', 'mkold', 'zap'][i % 4]}_range_${i}`;
  const buggy = r() < 0.3;
  const lines = walkerHunkLines(fn, buggy);
  const subject = `[PATCH] mm: tune ${fn}()`;
  const body = `${prose(r, 6)}\n\nSigned-off-by: Dev ${i % 997} <dev${i % 997}@example.org>\n---\n ${file} | 2 +-\n\ndiff --git a/${file} b/${file}\nindex 1234567..89abcde 100644\n--- a/${file}\n+++ b/${file}\n${hunkOf(lines, 100 + (i % 900), 'struct bench_walk {')}--\n2.43.0\n`;
  return { subject, body };
}

function otherPatch(r: () => number, i: number): { subject: string; body: string } {
  const k = i % PATHS.length;
  const lines: string[] = [];
  for (let j = 0; j < 6 + Math.floor(r() * 30); j++) lines.push(` \t${WORDS[j % WORDS.length]}_${j}(dev, ${j});`);
  lines.splice(3, 0, `-\told_call_${i}(dev);`, `+\tnew_call_${i}(dev);`);
  const body = `${prose(r, 10)}\n\nSigned-off-by: Dev ${i % 997} <dev${i % 997}@example.org>\n---\n\ndiff --git a/${PATHS[k]} b/${PATHS[k]}\nindex 1111111..2222222 100644\n--- a/${PATHS[k]}\n+++ b/${PATHS[k]}\n${hunkOf(lines, 200 + (i % 3000), 'static int probe(struct device *dev)')}--\n2.43.0\n`;
  return { subject: `[PATCH] ${SUBSYS[k]}: ${sentence(r, 5).slice(0, -1)}`, body };
}

/**
 * Writes a deterministic mbox of about `bytes` bytes: ~70% discussion (no diff), ~27% non-mm patches, ~2% mm patches
 * (a third with the TLB flush moved after pte_unmap_unlock()), ~1% replies quoting an mm patch.
 */
export function generateMbox(path: string, opts: { bytes: number; seed?: number }): { messages: number; bytes: number; mmPatches: number } {
  mkdirSync(dirname(path), { recursive: true });
  const r = rng(opts.seed ?? 1);
  const fd = openSync(path, 'w');
  let bytes = 0;
  let i = 0;
  let mmPatches = 0;
  let lastMm: string | undefined;
  let buf: string[] = [];
  let bufLen = 0;
  try {
    while (bytes < opts.bytes) {
      const x = r();
      let msg: string;
      if (x < 0.02) {
        const p = mmPatch(r, i);
        msg = headers(i, p.subject, 'linux-mm@kvack.org') + p.body;
        lastMm = `bench-${i}@example.org`;
        mmPatches++;
      } else if (x < 0.03 && lastMm) {
        msg = `${headers(i, 'Re: [PATCH] mm: tune', 'linux-mm@kvack.org', lastMm)}On Mon, Dev wrote:\n> diff --git a/mm/memory.c b/mm/memory.c\n> @@ -1,3 +1,3 @@\n>  \tpte_unmap_unlock(start_pte, ptl);\n\n${prose(r, 4)}\n`;
      } else if (x < 0.3) {
        const p = otherPatch(r, i);
        msg = headers(i, p.subject, 'netdev@vger.kernel.org') + p.body;
      } else {
        const quote = prose(r, 4 + Math.floor(r() * 12)).replace(/^/gm, '> ');
        msg = `${headers(i, `Re: ${SUBSYS[i % SUBSYS.length]}: ${sentence(r, 4).slice(0, -1)}`, 'linux-kernel@vger.kernel.org', `bench-${Math.max(0, i - 1 - Math.floor(r() * 40))}@example.org`)}${quote}\n\n${prose(r, 8 + Math.floor(r() * 40))}\nFrom the logs it looks fine.\n`;
      }
      const escaped = msg.replace(/^(>*From )/gm, '>$1');
      const entry = `From mboxrd@z Thu Jan  1 00:00:00 1970\n${escaped}\n`;
      buf.push(entry);
      bufLen += entry.length;
      bytes += entry.length;
      i++;
      if (bufLen > 1 << 20) {
        writeSync(fd, buf.join(''));
        buf = [];
        bufLen = 0;
      }
    }
    if (buf.length) writeSync(fd, buf.join(''));
  } finally {
    closeSync(fd);
  }
  return { messages: i, bytes, mmPatches };
}

/** Runs the scan benchmark and prints its figures. */
export default async function bench(): Promise<void> {
  const mbox = join(here, 'out', 'linux-mm-200m.mbox');
  if (!existsSync(mbox)) {
    const t0 = performance.now();
    const g = generateMbox(mbox, { bytes: 200 * 1048576 });
    console.log(`  generated ${mbox}: ${g.messages} messages (${g.mmPatches} mm patches) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const size = statSync(mbox).size;
  let t = performance.now();
  const grep = execFileSync('grep', ['-c', '^From ', mbox], { env: { ...process.env, LC_ALL: 'C' } }).toString().trim();
  const grepS = (performance.now() - t) / 1000;
  console.log(`  grep -c '^From ': ${grep} messages in ${grepS.toFixed(2)} s (${(size / 1048576 / grepS).toFixed(0)} MB/s)`);

  const { defaultScanDeps } = (await import('../src/scan/default-deps.ts')) as { defaultScanDeps: () => ScanDeps };
  const deps = defaultScanDeps();
  // 0. the skip path alone: classification time of messages that are skipped without a MIME parse
  const per = new Map<string, { n: number; ms: number }>();
  let readMs = performance.now();
  let classifyMs = 0;
  for await (const m of deps.readMbox(mbox)) {
    const t1 = performance.now();
    const c = await classifyMessage(m.raw, { idx: m.index, source: { kind: 'mbox', name: mbox, index: m.index } }, deps);
    const dt = performance.now() - t1;
    classifyMs += dt;
    const e = per.get(c.status) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += dt;
    per.set(c.status, e);
  }
  readMs = performance.now() - readMs - classifyMs;
  const skip = ['skipped', 'irrelevant'].map((k) => per.get(k) ?? { n: 0, ms: 0 }).reduce((a, b) => ({ n: a.n + b.n, ms: a.ms + b.ms }));
  console.log(`  skip path: ${skip.n} messages classified in ${(skip.ms / 1000).toFixed(2)} s = ${Math.round(skip.n / (skip.ms / 1000))} msg/s (target >= 20000); mbox reading ${(readMs / 1000).toFixed(2)} s`);
  for (const [k, v] of [...per].sort()) console.log(`    ${k}: ${v.n} in ${(v.ms / 1000).toFixed(2)} s`);

  const work = mkdtempSync(join(tmpdir(), 'mmreview-bench-scan-'));
  try {
    // 1. ingest only: the skip path plus parsing of the in-scope messages
    let store = StateStore.open(join(work, 'ingest.db'));
    t = performance.now();
    const r1 = await runScan([mbox], store, deps, { draftsDir: join(work, 'drafts1'), from: 'bench <bench@example.org>', noReview: true });
    const ingestS = (performance.now() - t) / 1000;
    store.close();
    const n = r1.sources[0]!.newMessages;
    console.log(
      `  ingest: ${n} messages, ${(size / 1048576).toFixed(0)} MB in ${ingestS.toFixed(2)} s = ${Math.round(n / ingestS)} msg/s, ${(size / 1048576 / ingestS).toFixed(0)} MB/s (target >= 20000 msg/s on the skip path)`,
    );
    console.log(`    skipped ${r1.counts.skipped}, out of scope ${r1.counts.irrelevant}, context ${r1.counts.context}, patches ${r1.counts.patch}, errors ${r1.counts.error}`);
    // 2. `mmreview scan` as a user runs it (fresh database), then a re-scan, beside a bare readline pass
    const rl = runNode([
      '-e',
      "const rl = require('node:readline').createInterface({ input: require('node:fs').createReadStream(process.argv[1]), crlfDelay: Infinity }); " +
        "let n = 0; rl.on('line', (l) => { if (l.startsWith('From ')) n++; }).on('close', () => console.log(n));",
      mbox,
    ]);
    console.log(`  reference: node readline pass ${(rl.wallMs / 1000).toFixed(2)} s wall, ${(rl.cpuMs / 1000).toFixed(2)} s CPU, ${rl.maxRssMb.toFixed(0)} MB (${rl.stdout.trim()} From lines)`);
    const db = join(work, 'cli.db');
    const args = [BIN, 'scan', mbox, '--db', db, '--drafts', join(work, 'drafts-cli'), '--format', 'json', '--no-progress'];
    const full = runNode(args);
    let summary = `exit ${full.status}`;
    try {
      const j = JSON.parse(full.stdout) as { run: { review: { reviewed: number; findings: number; drafted: number; failed: number } } };
      const v = j.run.review;
      summary = `${v.reviewed} patches reviewed, ${v.findings} findings, ${v.drafted} drafts, ${v.failed} failed`;
    } catch {
      summary += `: ${full.stderr.slice(0, 200)}`;
    }
    console.log(
      `  mmreview scan (full review, process start included): ${(full.wallMs / 1000).toFixed(2)} s wall, ${(full.cpuMs / 1000).toFixed(2)} s CPU, peak RSS ${full.maxRssMb.toFixed(0)} MB; ${summary}`,
    );
    console.log(
      `    vs readline: ${ratio(full.wallMs, rl.wallMs)} wall, ${ratio(full.cpuMs, rl.cpuMs)} CPU (target ≤ 2×: ${verdict(full.wallMs <= 2 * rl.wallMs)}); peak RSS target ≤ 250 MB: ${verdict(full.maxRssMb <= 250)}`,
    );
    const again = runNode(args);
    console.log(
      `  mmreview scan again (all seen): ${(again.wallMs / 1000).toFixed(2)} s wall, ${(again.cpuMs / 1000).toFixed(2)} s CPU, ${again.maxRssMb.toFixed(0)} MB` +
        ` → ${ratio(again.wallMs, rl.wallMs)} of readline (target ≤ 1×: ${verdict(again.wallMs <= rl.wallMs)})`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
