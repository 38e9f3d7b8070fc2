import { describe, expect, test } from "vitest";
import type { FlagonResponse } from "../http/response.js";
import { HttpError, MethodNotAllowedError, NotFoundError, UnprocessableEntityError } from "./http-errors.js";
import { prefersJson, renderError } from "./render.js";

const JSON_ACCEPT = "application/json";
const PROD = { exposeInternals: false };
const DEV = { exposeInternals: true };

function problemOf(response: FlagonResponse): Record<string, unknown> {
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(typeof response.body).toBe("string");
  return JSON.parse(response.body as string) as Record<string, unknown>;
}

function pageOf(response: FlagonResponse): string {
  expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(typeof response.body).toBe("string");
  return response.body as string;
}

describe("prefersJson", () => {
  test.each([
    [undefined, false, "missing"],
    ["", false, "empty"],
    ["*/*", false, "anything"],
    ["text/html", false, "html"],
    ["text/plain", false, "plain text"],
    ["application/json", true, "json"],
    ["Application/JSON", true, "json, any case"],
    ["application/problem+json", true, "problem+json"],
    ["application/vnd.acme+json", true, "vendor +json"],
    ["application/json, text/plain, */*", true, "axios' default"],
    ["text/html, application/json;q=0.9", false, "html first by q"],
    ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false, "a browser"],
    ["application/json;q=0.5, text/html", false, "html above json by q"],
    ["text/html;q=0.5, application/json", true, "json above html by q"],
    ["application/json, text/html;q=0.5", true, "json above html, json first"],
    ["text/html;q=0.8, application/json;q=0.9", true, "both lowered, json higher"],
    ["application/json;q=0", false, "json refused with q=0"],
    ["application/json; q=0.1", true, "any positive q counts"],
    ["application/json;q=abc", false, "unreadable q counts as 0"],
    ["application/json ; charset=utf-8", true, "other params ignored"],
    ["text/html, text/html;q=0.1, application/json;q=0.5", false, "the best html q counts"],
    [
      "application/json;q=0.1, application/problem+json;q=0.9, text/html;q=0.5",
      true,
      "the best json q counts",
    ],
    [",,, ,application/json,,", true, "empty items are skipped"],
  ] as [string | undefined, boolean, string][])("%j → %s (%s)", (accept, expected) => {
    expect(prefersJson(accept)).toBe(expected);
  });

  test("a 16 KB header of commas and spaces is handled quickly", () => {
    const hostile = ", ".repeat(8 * 1024);
    const withJson = `${hostile}application/json${hostile}`;
    expect(hostile.length).toBe(16 * 1024);
    const started = performance.now();
    expect(prefersJson(hostile)).toBe(false);
    expect(prefersJson(withJson)).toBe(true);
    expect(prefersJson(";".repeat(16 * 1024))).toBe(false);
    expect(prefersJson(`application/json${";q=1".repeat(3000)}`)).toBe(true);
    const elapsed = performance.now() - started;
    // A sanity bound, not a benchmark: a linear scan takes well under a millisecond, a quadratic
    // one over 16 K entries seconds; 250 ms leaves room for a loaded CI machine (52 ms was seen).
    expect(elapsed).toBeLessThan(250);
  });
});

describe("renderError", () => {
  describe("JSON (problem details)", () => {
    test("an HttpError shows its message as detail, with type, title and status", () => {
      const response = renderError(new NotFoundError("no such todo"), JSON_ACCEPT, PROD);
      expect(response.status).toBe(404);
      expect(problemOf(response)).toEqual({
        type: "about:blank",
        title: "Not Found",
        status: 404,
        detail: "no such todo",
      });
    });

    test("a detail equal to the title is left out", () => {
      const problem = problemOf(renderError(new HttpError(404), JSON_ACCEPT, PROD));
      expect(problem).toEqual({ type: "about:blank", title: "Not Found", status: 404 });
    });

    test("an unexpected error is a 500 that hides its message in production", () => {
      const response = renderError(new Error("db exploded at 10.0.0.3"), JSON_ACCEPT, PROD);
      expect(response.status).toBe(500);
      const problem = problemOf(response);
      expect(problem).toEqual({ type: "about:blank", title: "Internal Server Error", status: 500 });
      expect(response.body).not.toContain("db exploded");
    });

    test("an unexpected error shows its message with exposeInternals (development)", () => {
      const problem = problemOf(renderError(new Error("db exploded"), JSON_ACCEPT, DEV));
      expect(problem["detail"]).toBe("db exploded");
      expect(problem["status"]).toBe(500);
    });

    test("a 5xx HttpError hides its message unless exposed or in development", () => {
      const secret = new HttpError(503, "pool exhausted on db-7");
      expect(problemOf(renderError(secret, JSON_ACCEPT, PROD))).not.toHaveProperty("detail");
      expect(problemOf(renderError(secret, JSON_ACCEPT, DEV))["detail"]).toBe("pool exhausted on db-7");
      const open = new HttpError(503, "down for maintenance", { expose: true });
      expect(problemOf(renderError(open, JSON_ACCEPT, PROD))["detail"]).toBe("down for maintenance");
    });

    test("a 4xx HttpError marked expose: false hides its message in production", () => {
      const error = new HttpError(400, "internal parser state 0x3f", { expose: false });
      expect(problemOf(renderError(error, JSON_ACCEPT, PROD))).not.toHaveProperty("detail");
    });

    test("a thrown non-Error is a 500 without detail, even in development", () => {
      const response = renderError("a string", JSON_ACCEPT, DEV);
      expect(response.status).toBe(500);
      expect(problemOf(response)).toEqual({
        type: "about:blank",
        title: "Internal Server Error",
        status: 500,
      });
    });

    test("details (e.g. an errors array) are members of the problem", () => {
      const errors = [{ location: "body", path: ["title"], message: "required" }];
      const error = new UnprocessableEntityError("invalid body", { details: { errors } });
      const problem = problemOf(renderError(error, JSON_ACCEPT, PROD));
      expect(problem).toEqual({
        type: "about:blank",
        title: "Unprocessable Entity",
        status: 422,
        detail: "invalid body",
        errors,
      });
    });

    test("details of an unexposed error are not sent", () => {
      const error = new HttpError(500, "boom", { details: { query: "SELECT secret" } });
      const response = renderError(error, JSON_ACCEPT, PROD);
      expect(response.body).not.toContain("SELECT secret");
    });
  });

  describe("headers", () => {
    test("the HttpError's headers are kept (Allow on a 405)", () => {
      const error = new MethodNotAllowedError("POST is not allowed here", {
        headers: { allow: "GET, HEAD, OPTIONS" },
      });
      for (const accept of [JSON_ACCEPT, "text/html"]) {
        const response = renderError(error, accept, PROD);
        expect(response.status).toBe(405);
        expect(response.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
      }
    });

    test("a header with an upper-case name is kept too, and the content type is the renderer's own", () => {
      const error = new HttpError(429, "slow down", {
        headers: { "Retry-After": "30", "Content-Type": "text/plain" },
      });
      const json = renderError(error, JSON_ACCEPT, PROD);
      expect(json.headers.get("retry-after")).toBe("30");
      expect(json.headers.get("content-type")).toBe("application/problem+json");
      const page = renderError(error, undefined, PROD);
      expect(page.headers.get("retry-after")).toBe("30");
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    });
  });

  describe("HTML", () => {
    test("a small page with status, title and the message", () => {
      const response = renderError(new NotFoundError("no such todo"), "text/html", PROD);
      expect(response.status).toBe(404);
      const page = pageOf(response);
      expect(page).toMatch(/^<!doctype html>/);
      expect(page).toContain("<title>404 Not Found</title>");
      expect(page).toContain("<h1>Not Found</h1>");
      expect(page).toContain("<p>no such todo</p>");
    });

    test("is the default without an Accept header", () => {
      pageOf(renderError(new NotFoundError("x"), undefined, PROD));
    });

    test("escapes the message", () => {
      const error = new HttpError(400, `<script>alert("x")</script> & 'q'`);
      const page = pageOf(renderError(error, "text/html", PROD));
      expect(page).not.toContain("<script>");
      expect(page).not.toContain(`"x"`);
      expect(page).toContain("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;q&#39;");
    });

    test("a 500 hides the internal message in production and shows it (escaped) in development", () => {
      const error = new Error("db <exploded>");
      const prod = pageOf(renderError(error, "text/html", PROD));
      expect(prod).not.toContain("exploded");
      expect(prod).toContain("500 Internal Server Error");
      const dev = pageOf(renderError(error, "text/html", DEV));
      expect(dev).toContain("<p>db &#60;exploded&#62;</p>");
    });

    test("details are not rendered into the page", () => {
      const error = new UnprocessableEntityError("invalid", {
        details: { errors: [{ message: "needle-xyz" }] },
      });
      expect(pageOf(renderError(error, "text/html", PROD))).not.toContain("needle-xyz");
    });
  });
});
