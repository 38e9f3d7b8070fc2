import { expectTypeOf, test } from "vitest";
import { Flagon, definePlugin } from "@flagon/core";

// Issue 10, bug 6: a plugin defined inline in `new Flagon({ plugins: [...] })` got `app: never`.
// tsc -b checks this file (test/tsconfig.json includes it).

test("definePlugin inside the plugins option types register's app as Flagon", async () => {
  let seen: unknown;
  const app = new Flagon({
    configFile: false,
    plugins: [
      definePlugin({
        name: "inline",
        register(app) {
          expectTypeOf(app).toEqualTypeOf<Flagon>();
          app.get("/inline", () => "ok");
          seen = app;
        },
      }),
      [
        definePlugin<{ greeting: string }>({
          name: "with-options",
          register(app, options) {
            expectTypeOf(app).toEqualTypeOf<Flagon>();
            expectTypeOf(options).toEqualTypeOf<{ greeting: string }>();
          },
        }),
        { greeting: "hi" },
      ],
    ],
  });
  await app.ready();
  expectTypeOf(seen).toBeUnknown();
  await app.close();
});
