// step-1-pages/app.ts
import { fileURLToPath } from "node:url";
import { type CoreConfig, Flagon } from "@flagon/core";
import { PagesController } from "./pages.controller.js";

/** The app's folder: `templates/` is found from it. */
const root = fileURLToPath(new URL(".", import.meta.url));

export function createApp(config: CoreConfig = {}): Flagon {
  return new Flagon({ root, config, controllers: [PagesController] });
}
