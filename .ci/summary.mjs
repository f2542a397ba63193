// Reads vitest's JSON report (vitest 4) and prints the closing line "N passed, N failed, N skipped".
// failed = failed tests + test files that failed with no failing test (an import error, a crash in a hook);
// skipped = skipped (pending) + todo tests. Exit 1 when anything failed or vitest reported no success.
import { readFileSync } from 'node:fs';

const r = JSON.parse(readFileSync(process.argv[2] ?? '.vitest.json', 'utf8'));
const files = Array.isArray(r.testResults) ? r.testResults : [];
const brokenFiles = files.filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'));
for (const f of brokenFiles) console.log(`test file failed: ${f.name}${f.message ? `: ${String(f.message).split('\n')[0]}` : ''}`);
const passed = r.numPassedTests ?? 0;
const failed = (r.numFailedTests ?? 0) + brokenFiles.length;
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || r.success === false ? 1 : 0);
