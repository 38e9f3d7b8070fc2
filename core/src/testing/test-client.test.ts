import { describe, expect, it } from "vitest";
import { Flagon } from "../index.js";

function echoCookieHeader(): Flagon {
  const app = new Flagon({ logger: false });
  app.get("/", (ctx) => ({ cookie: ctx.request.headers.cookie ?? null }));
  return app;
}

describe("TestClient and the Cookie header", () => {
  it("sends no Cookie header while its jar is empty, as a browser without cookies", async () => {
    const app = echoCookieHeader();
    const res = await app.testClient().get("/");
    expect(res.json()).toEqual({ cookie: null });
    await app.close();
  });

  it("sends the jar's cookies, and a header given by the test beside them", async () => {
    const app = echoCookieHeader();
    const client = app.testClient();
    client.cookies.set("a", "1");
    expect((await client.get("/")).json()).toEqual({ cookie: "a=1" });
    expect((await client.get("/", { headers: { cookie: "b=2" } })).json()).toEqual({ cookie: "b=2; a=1" });
    await app.close();
  });
});
