import { describe, expect, test } from "vitest";
import { Flagon, definePlugin } from "@flagon/core";

// Issue 10, bug 5: a plugin's setErrorHandler silently replaced the app's own handler for the
// same status or class. The app's wins, and the dropped one is logged with both names.

class PaymentError extends Error {}

function appWithLog(lines: string[]): Flagon {
  return new Flagon({
    configFile: false,
    logger: { level: "warn", stream: { write: (line: string) => void lines.push(line) } },
  });
}

const greedy = definePlugin({
  name: "greedy-errors",
  register(app) {
    app.setErrorHandler(404, () => "plugin 404");
    app.setErrorHandler(PaymentError, () => "plugin payment");
    app.setErrorHandler(418, () => "plugin teapot");
  },
});

describe("error handlers set by the app and by a plugin", () => {
  test("the app's own handler wins for the same status and class; the plugin's is logged as ignored", async () => {
    const lines: string[] = [];
    const app = appWithLog(lines);
    app.setErrorHandler(404, () => "app 404");
    app.setErrorHandler(PaymentError, () => "app payment");
    app.register(greedy);
    app.get("/pay", () => {
      throw new PaymentError("declined");
    });
    expect((await app.inject("/missing")).body).toBe("app 404");
    expect((await app.inject("/pay")).body).toBe("app payment");
    const warnings = lines.map((l) => JSON.parse(l) as { msg: string; plugin?: string });
    expect(warnings.filter((w) => w.plugin !== undefined).map((w) => w.msg)).toEqual([
      "plugin greedy-errors's error handler for status 404 is ignored: the app sets its own, which wins",
      "plugin greedy-errors's error handler for class PaymentError is ignored: the app sets its own, which wins",
    ]);
    await app.close();
  });

  test("the app's handler set after the plugin's also wins; a key only the plugin handles keeps its handler", async () => {
    const lines: string[] = [];
    const app = appWithLog(lines);
    app.register(greedy);
    await app.build();
    app.setErrorHandler(404, () => "app 404");
    await app.ready();
    expect((await app.inject("/missing")).body).toBe("app 404");
    expect(lines.join("")).toContain("replaces the one plugin greedy-errors set");
    await app.close();
  });
});
