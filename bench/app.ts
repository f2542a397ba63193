/**
 * GitHub App latency: a signed pull_request.opened webhook for the 5-file kernel PR fixture, delivered to the real
 * Probot server, answered through a local fake GitHub API (production Octokit: throttling on). Reports the time from
 * delivery to the review POST and to the completed check run. Target: review < 2 s.
 */
import { defaultServices } from '../src/app/default-services.ts';
import { startFakeFlow } from '../test/app/helpers/fake-flow.ts';
import { fiveFilePr } from '../test/app/helpers/scenario.ts';

const RUNS = 3;
/** The throttling plugin spaces notification-triggering writes 3 s apart per process; runs are spaced past that. */
const GAP_MS = 3100;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** Run the benchmark and print its figures. */
export default async function bench(): Promise<void> {
  process.env.LOG_LEVEL = 'fatal';
  const flow = await startFakeFlow(defaultServices());
  const review: number[] = [];
  const done: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const s = { ...fiveFilePr('v1'), number: 100 + i, headSha: (i + 4).toString(16).repeat(40) };
      flow.push(s);
      const t0 = performance.now();
      const status = await flow.send('opened', s, `bench-${i}`);
      const t1 = performance.now();
      if (status !== 200) throw new Error(`webhook answered ${status}`);
      const post = flow.fake.requests.find((r) => r.method === 'POST' && r.path.endsWith(`/pulls/${s.number}/reviews`));
      if (!post) throw new Error('no review was posted');
      review.push(post.at - t0);
      done.push(t1 - t0);
      if (i < RUNS - 1) await new Promise((r) => setTimeout(r, GAP_MS));
    }
  } finally {
    await flow.stop();
  }
  const med = median(review);
  console.log(`  webhook → review posted: median ${med.toFixed(0)} ms, max ${Math.max(...review).toFixed(0)} ms (target < 2000 ms: ${med < 2000 ? 'met' : 'MISSED'})`);
  console.log(`  webhook → check run completed (response): median ${median(done).toFixed(0)} ms`);
  console.log(`  ${RUNS} runs, 5-file PR (2 files analysed), fake API on 127.0.0.1, throttling on`);
}
