import { Flagon, type FlagonOptions, json } from "@flagon/core";

export function createApp(options: FlagonOptions = {}): Flagon {
  const app = new Flagon({
    ...options,
    // The proxy in front of the app is on the private network: trust its X-Forwarded-* headers.
    config: { trustProxy: ["10.0.0.0/8"], ...options.config },
  });

  // Polled by the load balancer: 503 from the moment close() is called, so traffic drains away.
  app.get("/healthz", function healthz() {
    return json({ state: app.state }, { status: app.state === "ready" ? 200 : 503 });
  });

  app.get("/whoami", function whoami(ctx) {
    return { ip: ctx.request.ip, protocol: ctx.request.protocol, host: ctx.request.host };
  });

  return app;
}
