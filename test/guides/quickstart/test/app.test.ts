import { inject } from "@flagon/core/testing";
import { expect, test } from "vitest";
import { createApp } from "../src/app.js";

test("GET / says hello", async () => {
  const res = await inject(createApp(), "/");
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
  expect(res.body).toBe("<h1>Hello, World!</h1>");
});

test("a guest who signs can be looked up", async () => {
  const app = createApp();
  const signed = await inject(app, { method: "POST", url: "/guests", json: { name: "Ada" } });
  expect(signed.json()).toEqual({ id: 1, name: "Ada" });
  expect((await inject(app, "/guests/1")).json()).toEqual({ id: 1, name: "Ada" });
  expect((await inject(app, "/guests/2")).statusCode).toBe(404);
});

test("a nameless guest gets a 422 naming the field", async () => {
  const res = await inject(createApp(), { method: "POST", url: "/guests", json: { name: "" } });
  expect(res.statusCode).toBe(422);
  expect(res.body).toContain("name");
});
