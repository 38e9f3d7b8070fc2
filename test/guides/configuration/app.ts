import { fileURLToPath } from "node:url";
import { Flagon, type FlagonOptions, definePlugin } from "@flagon/core";
import { z } from "zod";

/** This folder: it holds `flagon.config.json`. */
const root = fileURLToPath(new URL(".", import.meta.url));

/** The plugin's section, `config.greeting`: validated, with defaults filled in. */
const greetingSchema = z.object({
  word: z.string().default("Hi"),
  times: z.number().int().min(1).default(1),
});

export const greeting = definePlugin<z.output<typeof greetingSchema>>({
  name: "flagon-plugin-greeting",
  configKey: "greeting",
  configSchema: greetingSchema,
  register(app, options) {
    app.get("/greet", () => Array(options.times).fill(options.word).join(" "));
  },
});

export function createApp(options: Omit<FlagonOptions, "root"> = {}): Flagon {
  return new Flagon({ ...options, root, plugins: [greeting] });
}
