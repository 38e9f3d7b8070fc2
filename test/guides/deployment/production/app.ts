// The production app of docs/deployment.md: the four official plugins, configured by
// production/flagon.config.json and the environment (secrets, passwords in URLs).
import { fileURLToPath } from "node:url";
import { Flagon, Injectable, type FlagonOptions } from "@flagon/core";
import auth, { UserLoader } from "@flagon/auth";
import cache from "@flagon/cache";
import database from "@flagon/database";
import forms from "@flagon/forms";

/** This folder: the config file is looked for here. */
const root = fileURLToPath(new URL(".", import.meta.url));

/** Nobody logs in to this app: the loader exists because @flagon/auth needs one. */
@Injectable()
class NoUsers extends UserLoader<{ id: string }> {
  override load(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
}

export function createApp(options: Omit<FlagonOptions, "root"> = {}): Flagon {
  const app = new Flagon({ ...options, root });
  app.register(database);
  app.register(auth);
  app.register(forms);
  app.register(cache);
  app.provide({ provide: UserLoader, useClass: NoUsers });
  app.get("/healthz", () => ({ state: app.state }));
  return app;
}
