// Prints one closing line for the whole suite, `tests: N passed, N failed`,
// from jest's JSON reports, the e2e runner's closing line and `go test -v`
// output, and exits non-zero when a test or a step (typecheck, lint, build)
// failed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [reports, ...failedSteps] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

for (const name of ['unit.json', 'integration.json', 'faults.json']) {
  const file = join(reports, name);
  if (!existsSync(file)) {
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}

// The e2e runner closes with `e2e: N passed, N failed`.
const e2eOutput = join(reports, 'e2e.txt');
if (existsSync(e2eOutput)) {
  const match = /^e2e: (\d+) passed, (\d+) failed/m.exec(readFileSync(e2eOutput, 'utf8'));
  if (match) {
    passed += Number(match[1]);
    failed += Number(match[2]);
  }
}

const goOutput = join(reports, 'conformance.txt');
if (existsSync(goOutput)) {
  const lines = readFileSync(goOutput, 'utf8').split('\n');
  // Top-level and sub-tests alike: each reports one `--- PASS/FAIL/SKIP` line.
  passed += lines.filter((l) => /^\s*--- PASS/.test(l)).length;
  failed += lines.filter((l) => /^\s*--- FAIL/.test(l)).length;
  skipped += lines.filter((l) => /^\s*--- SKIP/.test(l)).length;
}

if (failedSteps.length > 0) {
  console.log(`failed steps: ${failedSteps.join(', ')}`);
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failedSteps.length > 0 || failed > 0 ? 1 : 0);
