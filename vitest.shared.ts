// Shared by every workspace's vitest project: run @flagon/core (and the official plugins that
// other workspaces test against) from their TypeScript sources, so tests never see a stale
// build. Decorator metadata is emitted for every file that a tsconfig with emitDecoratorMetadata
// includes, so each workspace's tsconfig must include its tests.
import { fileURLToPath } from "node:url";

const core = fileURLToPath(new URL("./core/src/", import.meta.url));
const database = fileURLToPath(new URL("./plugins/database/src/", import.meta.url));
const auth = fileURLToPath(new URL("./plugins/auth/src/", import.meta.url));
const cache = fileURLToPath(new URL("./plugins/cache/src/", import.meta.url));
const cli = fileURLToPath(new URL("./cli/src/", import.meta.url));

export const sourceAliases = [
  { find: /^@flagon\/core\/testing$/, replacement: `${core}testing/index.ts` },
  { find: /^@flagon\/core\/plugin$/, replacement: `${core}plugin.ts` },
  { find: /^@flagon\/core$/, replacement: `${core}index.ts` },
  { find: /^@flagon\/cli\/testing$/, replacement: `${cli}testing.ts` },
  { find: /^@flagon\/database\/testing$/, replacement: `${database}testing.ts` },
  { find: /^@flagon\/database$/, replacement: `${database}index.ts` },
  { find: /^@flagon\/auth\/testing$/, replacement: `${auth}testing.ts` },
  { find: /^@flagon\/auth$/, replacement: `${auth}index.ts` },
  { find: /^@flagon\/cache$/, replacement: `${cache}index.ts` },
];
