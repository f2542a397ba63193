/** Child process for the one-writer test: a slowed scan with the engine double that waits up to WAIT_MS for the database. */
import { DbLockedError, StateStore, describeHolder } from '../../src/store/state-store.ts';
import { runScan } from '../../src/scan/scanner.ts';
import { fakeDeps } from './fake-engine.ts';

const [mbox, db, drafts, waitMs, holdMs] = process.argv.slice(2) as [string, string, string, string, string | undefined];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const deps = fakeDeps();
const parse = deps.parseMessage;
const check = deps.checkPatches;
deps.parseMessage = async (raw, src) => (await sleep(2), parse(raw, src));
deps.checkPatches = async (ps, o) => (await sleep(10), check(ps, o));
let waited = false;
let store: StateStore;
try {
  store = await StateStore.openWaiting(db, Number(waitMs), () => {
    waited = true;
  });
} catch (e) {
  if (!(e instanceof DbLockedError)) throw e;
  process.stderr.write(`locked: ${describeHolder(e.holder)}\n`);
  process.exit(2);
}
// Holds the database a while before scanning, so that a contender surely meets it.
if (holdMs) await sleep(Number(holdMs));
const r = await runScan([mbox], store, deps, { draftsDir: drafts, from: 'bot <bot@example.org>', batchSize: 40 });
store.close();
process.stdout.write(JSON.stringify({ newMessages: r.sources[0]!.newMessages, drafted: r.review.drafted, waited }));
