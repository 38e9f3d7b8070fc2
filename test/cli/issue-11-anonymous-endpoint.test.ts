// issue 11, item 6: a function route written as an inline arrow (`app.get("/", () => "hi")`) has
// no function name, so its endpoint is its path, and `flagon routes` listed "/" as its endpoint
// name. The table now says <anonymous> there (as `flask routes` says <lambda>); the urlFor key
// stays the path, which --json still gives, with "anonymous": true.
import { Flagon } from "@flagon/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliMain, coreBuilt, exec, expectSuccess, notBuiltReason, removeDir, tempApp } from "./helpers.js";

if (!coreBuilt) console.warn(`skipped the anonymous endpoint tests: ${notBuiltReason}`);

/** One route of each kind: inline arrows, a named function, a named arrow, an endpoint option. */
function routes(app: Flagon): Flagon {
  app.get("/", () => "home");
  app.route("/form", ["GET", "POST"], () => "form");
  app.get("/named", function named() {
    return "named";
  });
  const greet = (): string => "hi"; // a const gives the arrow its name
  app.get("/greet", greet);
  app.get("/<int:id>/given", () => "given", { endpoint: "given" });
  return app;
}

describe("the endpoint of an anonymous function route", () => {
  it("is its path for urlFor, and app.routes() marks it anonymous", async () => {
    const app = routes(new Flagon({ logger: false }));
    await app.ready();
    expect(app.urlFor("/")).toBe("/");
    expect(app.urlFor("/form", { q: "a" })).toBe("/form?q=a");
    expect(app.urlFor("named")).toBe("/named");
    expect(app.urlFor("greet")).toBe("/greet");
    expect(app.urlFor("given", { id: 3 })).toBe("/3/given");
    const listed = Object.fromEntries(app.routes().map((r) => [r.path, r]));
    expect(listed["/"]).toMatchObject({ endpoint: "/", anonymous: true });
    expect(listed["/form"]).toMatchObject({ endpoint: "/form", anonymous: true });
    for (const path of ["/named", "/greet", "/<int:id>/given"])
      expect(listed[path]).not.toHaveProperty("anonymous");
    await app.close();
  });
});

describe.skipIf(!coreBuilt)("flagon routes with anonymous function routes", { timeout: 30_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempApp("flagon-issue11-anon-", {
      "src/app.js": `import { Flagon } from "@flagon/core";

export function createApp() {
  const app = new Flagon({ logger: false });
  app.get("/", () => "home");
  app.route("/form", ["GET", "POST"], () => "form");
  app.get("/named", function named() { return "named"; });
  app.get("/<int:id>/given", () => "given", { endpoint: "given" });
  return app;
}
`,
      "package.json": JSON.stringify({
        name: "fixture-app",
        private: true,
        type: "module",
        flagon: { app: "src/app.js" },
      }),
    });
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it("lists <anonymous> as the endpoint, never the path", async () => {
    const listing = await exec(process.execPath, [cliMain, "routes"], dir, 20_000);
    expectSuccess(listing);
    const table = listing.output.split("\n").slice(1).join("\n");
    expect(table).toBe(
      [
        "METHODS    PATH             ENDPOINT     DECORATORS",
        "GET        /                <anonymous>  -",
        "GET        /<int:id>/given  given        -",
        "GET, POST  /form            <anonymous>  -",
        "GET        /named           named        -",
        "",
      ].join("\n"),
    );
  });

  it("gives the urlFor key (the path) and anonymous: true in --json", async () => {
    const listing = await exec(process.execPath, [cliMain, "routes", "--json"], dir, 20_000);
    expectSuccess(listing);
    const rows = JSON.parse(listing.output.slice(listing.output.indexOf("\n") + 1)) as unknown[];
    expect(rows).toEqual([
      { methods: ["GET"], path: "/", endpoint: "/", decorators: [], anonymous: true },
      { methods: ["GET"], path: "/<int:id>/given", endpoint: "given", decorators: [] },
      { methods: ["GET", "POST"], path: "/form", endpoint: "/form", decorators: [], anonymous: true },
      { methods: ["GET"], path: "/named", endpoint: "named", decorators: [] },
    ]);
  });
});
