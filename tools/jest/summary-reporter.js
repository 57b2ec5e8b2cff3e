// Writes Jest's aggregated results (the same shape as `jest --json`) to .jest-results.json,
// so that .ci/run can print the plain `tests: N passed, N failed` line whatever the run did.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const file = path.join(this.rootDir, '.jest-results.json');
    const slim = {
      success: results.success,
      numTotalTests: results.numTotalTests,
      numPassedTests: results.numPassedTests,
      numFailedTests: results.numFailedTests,
      numPendingTests: results.numPendingTests,
      numRuntimeErrorTestSuites: results.numRuntimeErrorTestSuites,
      numFailedTestSuites: results.numFailedTestSuites,
      skipped: results.testResults.flatMap((suite) =>
        suite.testResults
          .filter((t) => t.status === 'pending' || t.status === 'skipped')
          .map((t) => ({ file: path.relative(this.rootDir, suite.testFilePath), test: t.fullName })),
      ),
    };
    fs.writeFileSync(file, JSON.stringify(slim, null, 2));
  }
}

module.exports = SummaryReporter;
