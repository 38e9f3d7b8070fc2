import { defineConfig } from "vitest/config";

// One run over every workspace. In CI a JSON report is written as well, for .ci/run's totals.
const reportFile = process.env["TEST_REPORT_FILE"];

export default defineConfig({
  test: {
    projects: ["core", "test", "examples/*", "plugins/*"],
    reporters: reportFile ? ["default", ["json", { outputFile: reportFile }]] : ["default"],
  },
});
