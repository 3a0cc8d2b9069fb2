// Setup file for every browser test file: on a failed test, print what the pages showed
// (see diagnostics.ts).
import { beforeEach, onTestFailed } from "vitest";
import { describePages, resetLog } from "./diagnostics";

beforeEach(() => {
  resetLog();
  onTestFailed(async () => {
    console.error(`--- what the browser showed when the test failed ---\n${await describePages()}`);
  });
});
