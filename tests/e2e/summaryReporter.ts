/**
 * Closes the run with `e2e: N passed, N failed`, the line tools/test-summary.mjs
 * reads. Tests that did not run in a failed run count as failed, and when the
 * suite could not start at all (global setup failed before any test was
 * listed) the setup counts as one failure: a browser suite that did not run
 * is not a passing one.
 */
import type { FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';

export default class SummaryReporter implements Reporter {
  private total = 0;
  private passed = 0;
  private failed = 0;
  private started = 0;

  onBegin(_config: unknown, suite: Suite): void {
    this.total = suite.allTests().length;
    this.started = performance.now();
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    // Only the final attempt counts (retries are off, but a flaky pass must not count twice).
    if (result.retry !== test.retries && result.status !== 'passed') {
      return;
    }
    if (test.outcome() === 'expected') {
      this.passed++;
    } else if (test.outcome() !== 'skipped') {
      this.failed++;
    }
  }

  onEnd(result: FullResult): void {
    const notRun = this.total - this.passed - this.failed;
    const setupFailed = this.total === 0 && result.status !== 'passed' ? 1 : 0;
    const failed = result.status === 'passed' ? this.failed : this.failed + notRun + setupFailed;
    const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
    console.log(`e2e: screenshots in tests/e2e/__output__/, ${seconds} s`);
    console.log(`e2e: ${this.passed} passed, ${failed} failed`);
  }

  printsToStdio(): boolean {
    return false;
  }
}
