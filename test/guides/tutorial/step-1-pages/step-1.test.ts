// docs/tutorial/1-pages.md: the app answers its first page, rendered from templates/.
import { inject } from "@flagon/core/testing";
import { expect, test } from "vitest";
import { createApp } from "./app.js";

test("GET / renders the index inside the layout", async () => {
  const res = await inject(createApp(), "/");
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
  expect(res.body).toContain("<title>Home · Flagon Blog</title>");
  expect(res.body).toContain("<p>No posts yet.</p>");
});
