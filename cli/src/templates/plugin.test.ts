import ts from "typescript";
import { describe, expect, it } from "vitest";
import { normalizePluginName } from "../plugin-name.js";
import { coreRangeFor, pluginFiles } from "./plugin.js";

function files(name: string): Map<string, string> {
  const vars = { ...normalizePluginName(name), coreRange: ">=0.1.0 <1" };
  return new Map(pluginFiles(vars).map((f) => [f.path, f.contents]));
}

describe("coreRangeFor", () => {
  it.each([
    ["0.1.0", ">=0.1.0 <1"],
    ["0.4.2", ">=0.4.2 <1"],
    ["1.2.3", "^1.2.3"],
    ["2.0.0-rc.1", "^2.0.0-rc.1"],
  ])("%s → %s", (version, range) => {
    expect(coreRangeFor(version)).toBe(range);
  });
});

describe("plugin templates", () => {
  // Names whose config key is not a plain identifier must still give valid TypeScript.
  it.each(["probe", "rate-limit", "2fa", "@acme/open_api.v3"])(
    "%s gives syntactically valid TypeScript",
    (name) => {
      for (const [path, contents] of files(name)) {
        if (!path.endsWith(".ts")) continue;
        const out = ts.transpileModule(contents, { fileName: path, reportDiagnostics: true });
        expect(
          out.diagnostics?.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")) ?? [],
          path,
        ).toEqual([]);
      }
    },
  );

  it("gives valid JSON files", () => {
    for (const [path, contents] of files("probe")) {
      if (path.endsWith(".json")) expect(() => JSON.parse(contents) as unknown, path).not.toThrow();
    }
  });

  it("uses the config key and header of the plugin's own name", () => {
    const out = files("@acme/rate-limit");
    expect(out.get("src/index.ts")).toContain('configKey: "rateLimit"');
    expect(out.get("src/index.ts")).toContain('header: "x-rate-limit"');
    expect(out.get("src/index.ts")).toContain('vendor: "@acme/flagon-plugin-rate-limit"');
    expect(out.get("README.md")).toContain("npm install @acme/flagon-plugin-rate-limit");
    expect(out.get("README.md")).toContain("FLAGON_RATE_LIMIT__VALUE");
  });

  // Issue 11 item 6: the README told authors to add unplugin-swc, which vitest 4 does not need.
  it("tells authors that vitest keeps decorator metadata, with no SWC transform to add", () => {
    const readme = files("probe").get("README.md") ?? "";
    expect(readme).not.toMatch(/swc/i);
    expect(readme).toContain("emitDecoratorMetadata");
  });
});
