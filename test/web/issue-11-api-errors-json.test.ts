// Issue 11 item 5: with curl's or fetch's default `Accept: */*`, a JSON API's errors came back
// as HTML pages. Now an API request that states no preference for HTML gets problem details:
// one that carried a JSON body, or any request to an app that serves no templates. Browsers,
// which name text/html, keep the HTML page; a client asking for JSON gets it as before.
import "reflect-metadata";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Flagon, NotFoundError, problem } from "@flagon/core";

let apiRoot = "";
let webRoot = "";
beforeAll(async () => {
  apiRoot = await mkdtemp(path.join(os.tmpdir(), "flagon-api-"));
  webRoot = await mkdtemp(path.join(os.tmpdir(), "flagon-web-"));
  await mkdir(path.join(webRoot, "templates"));
  await writeFile(path.join(webRoot, "templates", "index.html"), "<p>hi</p>");
});
afterAll(async () => {
  await rm(apiRoot, { recursive: true, force: true });
  await rm(webRoot, { recursive: true, force: true });
});

function app(root: string): Flagon {
  const a = new Flagon({ root, configFile: false, config: { env: "test" } });
  a.get("/users/<int:id>", () => {
    throw new NotFoundError("No user 999");
  });
  a.post("/users", () => {
    throw new NotFoundError("No such team");
  });
  a.get("/problem", (ctx) => problem(new NotFoundError("Nothing"), ctx));
  return a;
}

const CURL = "*/*";
const BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const isProblem = (type: unknown) => expect(type).toBe("application/problem+json");
const isHtml = (type: unknown) => expect(type).toBe("text/html; charset=utf-8");

describe("an app without templates (an API)", () => {
  it.each([
    ["curl's */*", CURL],
    ["no Accept at all", undefined],
    ["application/*", "application/*"],
  ])("answers problem details to %s, for a route's error and for a 404", async (_, accept) => {
    const a = app(apiRoot);
    const headers = accept === undefined ? {} : { accept };
    const res = await a.inject({ url: "/users/999", headers });
    expect(res.statusCode).toBe(404);
    isProblem(res.headers["content-type"]);
    expect(res.json()).toMatchObject({ status: 404, detail: "No user 999" });
    const missing = await a.inject({ url: "/nowhere", headers });
    expect(missing.statusCode).toBe(404);
    isProblem(missing.headers["content-type"]);
    const viaHelper = await a.inject({ url: "/problem", headers });
    isProblem(viaHelper.headers["content-type"]);
  });

  it("still answers a browser with the HTML page", async () => {
    const res = await app(apiRoot).inject({ url: "/users/999", headers: { accept: BROWSER } });
    expect(res.statusCode).toBe(404);
    isHtml(res.headers["content-type"]);
  });

  it("a client ranking JSON above HTML gets JSON, one ranking HTML above JSON gets HTML", async () => {
    const a = app(apiRoot);
    const json = await a.inject({
      url: "/users/999",
      headers: { accept: "application/json, text/html;q=0.5" },
    });
    isProblem(json.headers["content-type"]);
    const html = await a.inject({
      url: "/users/999",
      headers: { accept: "text/html, application/json;q=0.5" },
    });
    isHtml(html.headers["content-type"]);
  });
});

describe("an app with templates (a web app)", () => {
  it("keeps HTML for */* on a request without a JSON body", async () => {
    const res = await app(webRoot).inject({ url: "/users/999", headers: { accept: CURL } });
    isHtml(res.headers["content-type"]);
  });

  it("answers problem details to a request that carried a JSON body and named no HTML", async () => {
    const res = await app(webRoot).inject({
      method: "POST",
      url: "/users",
      headers: { accept: CURL, "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ team: 7 }),
    });
    expect(res.statusCode).toBe(404);
    isProblem(res.headers["content-type"]);
    expect(res.json()).toMatchObject({ detail: "No such team" });
    const vendor = await app(webRoot).inject({
      method: "POST",
      url: "/users",
      headers: { "content-type": "application/vnd.api+json" },
      body: "{}",
    });
    isProblem(vendor.headers["content-type"]);
  });

  it("a browser posting JSON (naming text/html) keeps HTML", async () => {
    const res = await app(webRoot).inject({
      method: "POST",
      url: "/users",
      headers: { accept: BROWSER, "content-type": "application/json" },
      body: "{}",
    });
    isHtml(res.headers["content-type"]);
  });
});
