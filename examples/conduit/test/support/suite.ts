import { afterEach, beforeEach, describe, it } from "vitest";
import { startConduit, type Conduit } from "./conduit.js";
import { DATABASES } from "./servers.js";

/**
 * Runs `body` once per database (SQLite, and PostgreSQL when it answers), each test on a
 * fresh, migrated Conduit of its own (a new PostgreSQL schema, so parallel files never meet).
 */
export function onEachDatabase(title: string, body: (conduit: () => Conduit) => void): void {
  describe.each(DATABASES)(`${title} on $name`, ({ name, url, up }) => {
    if (!up) {
      it.skip(`${name} is unreachable at ${url}`, () => undefined);
      return;
    }
    let conduit: Conduit | undefined;
    beforeEach(async () => {
      conduit = await startConduit(url);
    });
    afterEach(async () => {
      await conduit?.close();
      conduit = undefined;
    });
    body(() => {
      if (conduit === undefined) throw new Error("no Conduit: call it inside a test");
      return conduit;
    });
  });
}
