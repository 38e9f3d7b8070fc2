import { type Flagon, json } from "@flagon/core";

/**
 * Adds `GET /health` (liveness: the process serves, 200 with its pid) and `GET /ready`
 * (readiness: 200 only while `app.state` is `ready` and `dependencies()` reports nothing down).
 * A load balancer takes the instance out of rotation on a 503 from `/ready`, during a shutdown
 * (`closing`) or while a service it needs is unavailable.
 */
export function addHealthRoutes(
  app: Flagon,
  dependencies: () => Promise<Record<string, string>> = () => Promise.resolve({}),
): void {
  app.get("/health", () => json({ status: "ok", pid: process.pid }), { endpoint: "health" });
  app.get(
    "/ready",
    async () => {
      const deps = app.state === "ready" ? await dependencies() : {};
      const down = Object.values(deps).some((state) => state !== "up");
      const ready = app.state === "ready" && !down;
      return json({ state: app.state, dependencies: deps }, { status: ready ? 200 : 503 });
    },
    { endpoint: "ready" },
  );
}
