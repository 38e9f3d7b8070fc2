import { defineConfig } from "vitest/config";

// One run over every workspace. In CI a JSON report is written as well, for .ci/run's totals.
const reportFile = process.env["TEST_REPORT_FILE"];

export default defineConfig({
  test: {
    // plugins/ holds a README beside the workspaces: match their configs, not every entry.
    projects: ["core", "cli", "test", "examples/*", "plugins/*/vitest.config.ts"],
    reporters: reportFile ? ["default", ["json", { outputFile: reportFile }]] : ["default"],
  },
});
