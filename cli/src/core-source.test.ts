import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkoutCore, coreCheckout, pointAtCheckout } from "./core-source.js";

const cli = fileURLToPath(new URL("../", import.meta.url));
const core = path.join(path.dirname(path.resolve(cli)), "core");

describe("issue 11: where a scaffold gets @flagon/core", () => {
  it("a CLI in this repository's cli/ finds the checkout's core; another folder does not", () => {
    expect(checkoutCore(cli)).toBe(core);
    expect(checkoutCore(core)).toBeUndefined();
    expect(checkoutCore(path.join(cli, "src"))).toBeUndefined();
  });

  it("--from-registry forces the range; both flags are refused", () => {
    expect(coreCheckout({ "from-registry": true })).toBeUndefined();
    expect(() => coreCheckout({ "from-registry": true, "from-checkout": true })).toThrow(/exclude/);
  });

  it("rewrites only the named sections to file:", () => {
    const files = [
      {
        path: "package.json",
        contents: JSON.stringify({
          peerDependencies: { "@flagon/core": "^1" },
          devDependencies: { "@flagon/core": "^1" },
        }),
      },
    ];
    const pkg = JSON.parse(pointAtCheckout(files, "/c/core", ["devDependencies"])[0]?.contents ?? "{}");
    expect(pkg).toEqual({
      peerDependencies: { "@flagon/core": "^1" },
      devDependencies: { "@flagon/core": "file:/c/core" },
    });
  });

  it("points the CLI and the official plugins the checkout holds at their folders, leaving the rest", () => {
    const files = [
      {
        path: "package.json",
        contents: JSON.stringify({
          dependencies: {
            "@flagon/core": "^1",
            "@flagon/cli": "^1",
            "@flagon/database": "^1",
            "@flagon/not-a-plugin": "^1",
            kysely: "^0.28.0",
          },
        }),
      },
    ];
    const pkg = JSON.parse(pointAtCheckout(files, core, ["dependencies"])[0]?.contents ?? "{}");
    expect(pkg).toEqual({
      dependencies: {
        "@flagon/core": `file:${core}`,
        "@flagon/cli": `file:${cli.replace(/[\\/]$/, "")}`,
        "@flagon/database": `file:${path.join(path.dirname(core), "plugins", "database")}`,
        "@flagon/not-a-plugin": "^1",
        kysely: "^0.28.0",
      },
    });
  });
});
