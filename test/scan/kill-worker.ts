/** Child process for the kill/resume test: scans an mbox with the engine double, slowed down so it can be killed. */
import { StateStore } from '../../src/store/state-store.ts';
import { runScan } from '../../src/scan/scanner.ts';
import { fakeDeps } from './fake-engine.ts';

const [mbox, db, drafts, slow] = process.argv.slice(2) as [string, string, string, string | undefined];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const deps = fakeDeps();
if (slow) {
  const parse = deps.parseMessage;
  const check = deps.checkPatches;
  deps.parseMessage = async (raw, src) => (await sleep(3), parse(raw, src));
  deps.checkPatches = async (ps, o) => (await sleep(15), check(ps, o));
}
const store = StateStore.open(db);
const r = await runScan([mbox], store, deps, { draftsDir: drafts, from: 'bot <bot@example.org>', batchSize: 40 });
store.close();
process.stdout.write(JSON.stringify({ newMessages: r.sources[0]!.newMessages, drafted: r.review.drafted }));
