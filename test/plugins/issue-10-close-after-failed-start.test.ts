import { describe, expect, test } from "vitest";
import { Flagon, definePlugin } from "@flagon/core";

// Issue 10, bug 4: close() after a failed start-up runs the onClose hooks of what was opened,
// and only of that.

describe("close() after a failed start", () => {
  test("a plugin whose register() fails: the plugins registered before it still get their onClose", async () => {
    const closed: string[] = [];
    const first = definePlugin({
      name: "first",
      register(app) {
        app.addHook("onClose", () => void closed.push("first"));
      },
    });
    const broken = definePlugin({
      name: "broken",
      register(app) {
        app.addHook("onClose", () => void closed.push("broken"));
        throw new Error("boom");
      },
    });
    const app = new Flagon({ configFile: false, plugins: [first, broken] });
    app.addHook("onClose", () => void closed.push("app"));
    await expect(app.ready()).rejects.toMatchObject({ code: "FLAGON_ERR_PLUGIN_REGISTER" });
    await app.close();
    // the app's own and first's run (reverse order); broken never finished registering
    expect(closed).toEqual(["app", "first"]);
  });

  test("a plugin whose onReady failed does not get its onClose; the others do", async () => {
    const closed: string[] = [];
    const pool = definePlugin({
      name: "pool",
      register(app) {
        app.addHook("onReady", () => void 0);
        app.addHook("onClose", () => void closed.push("pool"));
      },
    });
    const failing = definePlugin({
      name: "failing",
      register(app) {
        app.addHook("onReady", () => {
          throw new Error("cannot connect");
        });
        app.addHook("onClose", () => void closed.push("failing"));
      },
    });
    const app = new Flagon({ configFile: false, plugins: [pool, failing] });
    await expect(app.ready()).rejects.toThrow("cannot connect");
    await app.close();
    expect(closed).toEqual(["pool"]);
  });

  test("a plugin with onReady hooks never gets its onClose when start-up failed before onReady", async () => {
    const closed: string[] = [];
    const pool = definePlugin({
      name: "pool",
      register(app) {
        app.addHook("onReady", () => void 0);
        app.addHook("onClose", () => void closed.push("pool"));
      },
    });
    const broken = definePlugin({
      name: "broken",
      register() {
        throw new Error("boom");
      },
    });
    const app = new Flagon({ configFile: false, plugins: [pool, broken] });
    await expect(app.ready()).rejects.toThrow("boom");
    await app.close();
    expect(closed).toEqual([]);
  });
});
