// Adds up vitest's JSON report, pg_prove's log and the Python unittest log into the closing line
// "N passed, N failed".
import { existsSync, readFileSync } from "node:fs";

const [vitestJson, proveLog, status, pythonLog] = process.argv.slice(2);
let passed = 0;
let failed = 0;

if (existsSync(vitestJson)) {
  const report = JSON.parse(readFileSync(vitestJson, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A file that failed to load has no failed test of its own: count it once.
  if (report.numFailedTests === 0) failed += report.numFailedTestSuites ?? 0;
} else failed += 1;

if (existsSync(proveLog)) {
  const log = readFileSync(proveLog, "utf8");
  const total = Number(/Files=\d+, Tests=(\d+)/.exec(log)?.[1] ?? 0);
  const bad = [...log.matchAll(/Failed:\s+(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  const parseErrors = /Result: FAIL/.test(log) && bad === 0 ? 1 : 0;
  passed += total - bad;
  failed += bad + parseErrors;
} else failed += 1;

// unittest ends with "Ran N tests in ..." and "OK (skipped=1)" or "FAILED (failures=1, errors=2)".
if (pythonLog !== undefined) {
  const log = existsSync(pythonLog) ? readFileSync(pythonLog, "utf8") : "";
  const ran = /^Ran (\d+) tests? in /m.exec(log);
  if (ran) {
    const tail = log.slice(ran.index);
    const count = (name) => Number(new RegExp(`[(,] ?${name}=(\\d+)`).exec(tail)?.[1] ?? 0);
    const bad = count("failures") + count("errors") + count("unexpected successes");
    passed += Number(ran[1]) - bad - count("skipped") - count("expected failures");
    failed += bad;
  } else failed += 1; // did not run, or died before its report
}

// A failure outside the counted tests (typecheck, lint) still fails the run.
if (status !== "0" && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
