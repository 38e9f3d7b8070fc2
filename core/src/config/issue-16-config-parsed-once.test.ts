// Issue 16, item 3: the config is parsed once, in one home. `new Flagon()` parses the config
// given in code (so bad config fails there), `ready()` parses only what the config file or the
// environment changed, and no feature validates its section again, at start-up or per request.
import "reflect-metadata";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { Flagon } from "../app/flagon.js";
import { compileTrustProxy } from "../http/proxy.js";
import { SecurityHeaders } from "../http/security-headers.js";
import { checkStaticConfig } from "../static/static-folders.js";
import { CONFIG_SECTIONS } from "./schema.js";

// The features' own parsers, counted wherever they are called from (the session section's
// checks call each other inside one module, out of a mock's reach: its section spy counts them).
vi.mock("../http/proxy.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../http/proxy.js")>();
  return { ...actual, compileTrustProxy: vi.fn(actual.compileTrustProxy) };
});
vi.mock("../static/static-folders.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../static/static-folders.js")>();
  return { ...actual, checkStaticConfig: vi.fn(actual.checkStaticConfig) };
});

const SECRET = "k".repeat(32);

/** A value for every core section, all given in code. */
const CODE_CONFIG = {
  env: "test",
  bodyLimit: 2048,
  serverName: "app.test",
  preferredScheme: "https",
  requestLog: false,
  server: { keepAliveTimeout: 1_000 },
  secretKey: SECRET,
  session: { store: "memory" },
  trustProxy: ["loopback"],
  templates: { folder: "views", cache: false },
  static: false,
  securityHeaders: { "x-frame-options": "DENY" },
  pluginTimeout: 500,
} as const;

let root: string;
let sectionSpies: Map<string, ReturnType<typeof vi.fn>>;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "flagon-parsed-once-"));
  sectionSpies = new Map(CONFIG_SECTIONS.map((section) => [section.name, vi.spyOn(section, "parse")]));
  vi.spyOn(SecurityHeaders, "compile");
  vi.clearAllMocks();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

/** How often each section parser and each feature parser ran. */
function counts(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, spy] of sectionSpies) out[`section ${name}`] = spy.mock.calls.length;
  out["compileTrustProxy"] = vi.mocked(compileTrustProxy).mock.calls.length;
  out["SecurityHeaders.compile"] = vi.mocked(SecurityHeaders.compile).mock.calls.length;
  out["checkStaticConfig"] = vi.mocked(checkStaticConfig).mock.calls.length;
  return out;
}

function allOnce(): Record<string, number> {
  return Object.fromEntries(Object.keys(counts()).map((name) => [name, 1]));
}

async function serve(app: Flagon): Promise<void> {
  app.get("/", (ctx) => ({ https: ctx.request.protocol, session: typeof ctx.session }));
  await app.ready();
  for (let i = 0; i < 3; i++) {
    const response = await app.inject({ url: "/", headers: { "x-forwarded-proto": "https" } });
    expect(response.statusCode).toBe(200);
  }
}

test("config given in code: every section is parsed once across new Flagon(), ready() and requests", async () => {
  const app = new Flagon({ root, configFile: false, logger: false, config: CODE_CONFIG });
  await serve(app);
  expect(counts()).toEqual(allOnce());
  // The compiled values are the ones used: the proxy is trusted, the headers are the configured ones.
  const response = await app.inject({ url: "/", headers: { "x-forwarded-proto": "https" } });
  expect(response.json()).toEqual({ https: "https", session: "function" });
  expect(response.headers["x-frame-options"]).toBe("DENY");
  expect(response.headers["strict-transport-security"]).toBeDefined();
  await app.close();
});

test("a config file: only the sections it changes are parsed again, once, by ready()", async () => {
  await writeFile(
    path.join(root, "flagon.config.json"),
    JSON.stringify({ trustProxy: true, securityHeaders: { "x-frame-options": "SAMEORIGIN" } }),
  );
  const { trustProxy: _trust, securityHeaders: _headers, ...code } = CODE_CONFIG;
  const app = new Flagon({ root, logger: false, config: code });
  await serve(app);
  expect(counts()).toEqual({
    ...allOnce(),
    // once for the code's value at new Flagon(), once for the file's at ready()
    "section trustProxy": 2,
    "section securityHeaders": 2,
    compileTrustProxy: 2,
    "SecurityHeaders.compile": 2,
  });
  const response = await app.inject({ url: "/", headers: { "x-forwarded-proto": "https" } });
  expect(response.json()).toMatchObject({ https: "https" });
  expect(response.headers["x-frame-options"]).toBe("SAMEORIGIN");
  await app.close();
});
