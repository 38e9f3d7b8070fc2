import { Flagon, type FlagonOptions, type Provider, abort, definePlugin } from "@flagon/core";

/** What the app asks for the time: a token, so a test can give a fixed clock. */
export const CLOCK = "clock";
export interface Clock {
  now(): Date;
}

/** A plugin: it adds a header to every response and a `greet` command. */
export const poweredBy = definePlugin<{ header: string }>({
  name: "flagon-plugin-powered-by",
  register(app, options) {
    app.addHook("onSend", (_ctx, response) => {
      response.headers.set(options.header, "Flagon");
    });
    app.addCommand({
      name: "greet",
      description: "Say hello",
      arguments: [{ name: "who", optional: true }],
      run({ positionals, stdout }) {
        stdout.write(`hello, ${positionals[0] ?? "world"}\n`);
      },
    });
  },
});

export function createApp(options: FlagonOptions = {}): Flagon {
  const providers: Provider[] = [
    { provide: CLOCK, useValue: { now: () => new Date() } },
    ...(options.providers ?? []), // a test's providers come last, and replace these
  ];
  const app = new Flagon({
    ...options,
    providers,
    plugins: [[poweredBy, { header: "x-powered-by" }], ...(options.plugins ?? [])],
  });

  app.post("/login", async function login(ctx) {
    const form = await ctx.request.form();
    (await ctx.session()).set("user", form.get("user"));
    return { ok: true };
  });

  app.get("/me", async function me(ctx) {
    const user = (await ctx.session()).get("user");
    return user === undefined ? abort(401) : { user };
  });

  app.get("/time", function time(ctx) {
    return { now: ctx.container.resolve<Clock>(CLOCK).now().toISOString() };
  });

  return app;
}
