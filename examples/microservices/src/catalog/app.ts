import { fileURLToPath } from "node:url";
import { Flagon, type FlagonOptions, abort, json } from "@flagon/core";
import { addHealthRoutes } from "../shared/health.js";
import { PRODUCTS } from "./products.js";

/**
 * The catalog service: `GET /products/`, `GET /products/<int:id>`, `/health` and `/ready`.
 * Stateless, so any number of workers can serve it (`flagon start --workers 2`).
 */
export function createApp(options: Omit<FlagonOptions, "controllers"> = {}): Flagon {
  const app = new Flagon({ root: fileURLToPath(new URL("../..", import.meta.url)), ...options });
  app.get("/products/", () => json(PRODUCTS), { endpoint: "products" });
  app.get(
    "/products/<int:id>",
    (ctx) => {
      const id = ctx.request.params["id"] as number;
      return json(PRODUCTS.find((p) => p.id === id) ?? abort(404, `Product ${id} does not exist`));
    },
    { endpoint: "product" },
  );
  addHealthRoutes(app);
  return app;
}
