import "reflect-metadata";
// RELIABILITY.md row 20: the CSRF corpus. Every attack case is a real request against a real app
// with CSRF on by default; a bypass is a case whose state-changing handler ran or that was not
// refused with a 403. The figure reported is the bypass count: it must be 0.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TestClient } from "@flagon/core/testing";
import type { CsrfReason } from "../src/index.js";
import { csrfApp, form, FORM_TYPE, HOST, SELF, send, visitor } from "./csrf-helpers.js";
import { multipart } from "./helpers.js";

const BOUNDARY = "----corpusBoundary";
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;

interface Who {
  readonly client: TestClient;
  readonly token: string;
  /** Another visitor's token (another session, another user). */
  readonly otherToken: string;
}

interface Request {
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send without the visitor's cookies. */
  anonymous?: boolean;
}

interface Attack {
  readonly name: string;
  readonly reason: CsrfReason;
  readonly request: (who: Who) => Request;
}

const formPost = (fields: Record<string, string>, headers: Record<string, string> = {}): Request => ({
  headers: { "content-type": FORM_TYPE, ...headers },
  body: form(fields),
});

/** Changes the character at `index` to another of the base64url alphabet. */
function tamper(token: string, index: number): string {
  const swap = token[index] === "A" ? "B" : "A";
  return token.slice(0, index) + swap + token.slice(index + 1);
}

const ATTACKS: Attack[] = [
  { name: "no token", reason: "missing", request: () => formPost({ title: "x" }) },
  { name: "empty token field", reason: "missing", request: () => formPost({ csrf_token: "" }) },
  {
    name: "empty X-CSRF-Token header",
    reason: "missing",
    request: () => formPost({}, { "x-csrf-token": "" }),
  },
  { name: "wrong token", reason: "invalid", request: () => formPost({ csrf_token: "not-a-token" }) },
  {
    name: "a well-formed token with another signature",
    reason: "invalid",
    request: ({ token }) => formPost({ csrf_token: tamper(token, token.length - 10) }),
  },
  { name: "a 10 kB token", reason: "invalid", request: () => formPost({ csrf_token: "A".repeat(10_000) }) },
  {
    name: "token of another session (another user)",
    reason: "wrong-session",
    request: ({ otherToken }) => formPost({ csrf_token: otherToken }),
  },
  {
    name: "valid token, no session cookie",
    reason: "wrong-session",
    request: ({ token }) => ({ ...formPost({ csrf_token: token }), anonymous: true }),
  },
  {
    name: "token in the query string only",
    reason: "missing",
    request: ({ token }) => ({ url: `/submit?csrf_token=${token}`, ...formPost({ title: "x" }) }),
  },
  {
    name: "token in a cookie only",
    reason: "missing",
    request: ({ token }) => formPost({ title: "x" }, { cookie: `csrf_token=${token}` }),
  },
  {
    name: "Origin of another site",
    reason: "cross-origin",
    request: ({ token }) => formPost({ csrf_token: token }, { origin: "https://evil.example" }),
  },
  {
    name: "Origin null",
    reason: "cross-origin",
    request: ({ token }) => formPost({ csrf_token: token }, { origin: "null" }),
  },
  {
    name: "Origin null with Sec-Fetch-Site cross-site",
    reason: "cross-origin",
    request: ({ token }) =>
      formPost({ csrf_token: token }, { origin: "null", "sec-fetch-site": "cross-site" }),
  },
  {
    name: "Origin null with Sec-Fetch-Site same-origin but no token",
    reason: "missing",
    request: () => formPost({ title: "x" }, { origin: "null", "sec-fetch-site": "same-origin" }),
  },
  {
    name: "Origin of another scheme",
    reason: "cross-origin",
    request: ({ token }) => formPost({ csrf_token: token }, { origin: `https://${HOST}` }),
  },
  {
    name: "Origin of another port",
    reason: "cross-origin",
    request: ({ token }) => formPost({ csrf_token: token }, { origin: `${SELF}:8080` }),
  },
  {
    name: "Origin that starts with ours",
    reason: "cross-origin",
    request: ({ token }) => formPost({ csrf_token: token }, { origin: `${SELF}.evil.example` }),
  },
  {
    name: "Origin with our host as userinfo",
    reason: "cross-origin",
    request: ({ token }) => formPost({ csrf_token: token }, { origin: `http://${HOST}@evil.example` }),
  },
  {
    name: "Sec-Fetch-Site: cross-site",
    reason: "cross-origin",
    request: ({ token }) => formPost({ csrf_token: token }, { "sec-fetch-site": "cross-site" }),
  },
  {
    name: "Sec-Fetch-Site: same-site (a sibling subdomain)",
    reason: "cross-origin",
    request: ({ token }) => formPost({ csrf_token: token }, { "sec-fetch-site": "Same-Site" }),
  },
  {
    name: "X-HTTP-Method-Override: GET on a POST",
    reason: "missing",
    request: () => formPost({ title: "x" }, { "x-http-method-override": "GET" }),
  },
  { name: "_method=GET in the form", reason: "missing", request: () => formPost({ _method: "GET" }) },
  {
    name: "_method=GET in the query string",
    reason: "missing",
    request: () => ({ url: "/submit?_method=GET", ...formPost({ title: "x" }) }),
  },
  { name: "PUT without a token", reason: "missing", request: () => ({ ...formPost({}), method: "PUT" }) },
  { name: "PATCH without a token", reason: "missing", request: () => ({ ...formPost({}), method: "PATCH" }) },
  { name: "DELETE without a body", reason: "missing", request: () => ({ method: "DELETE" }) },
  { name: "a method the route invents (PURGE)", reason: "missing", request: () => ({ method: "PURGE" }) },
  { name: "WebDAV PROPPATCH", reason: "missing", request: () => ({ method: "PROPPATCH" }) },
  {
    name: "text/plain body carrying the field",
    reason: "missing",
    request: ({ token }) => ({ headers: { "content-type": "text/plain" }, body: `csrf_token=${token}` }),
  },
  {
    name: "text/plain body without a token",
    reason: "missing",
    request: () => ({ headers: { "content-type": "text/plain" }, body: "title=x" }),
  },
  {
    name: "no Content-Type, a form-looking body with the token",
    reason: "missing",
    request: ({ token }) => ({ body: `csrf_token=${token}` }),
  },
  {
    name: "upper-case form type, no token",
    reason: "missing",
    request: () => ({ headers: { "content-type": "APPLICATION/X-WWW-FORM-URLENCODED" }, body: "title=x" }),
  },
  {
    name: "form type with a stray ';', no token",
    reason: "missing",
    request: () => ({ headers: { "content-type": `${FORM_TYPE};` }, body: "title=x" }),
  },
  {
    name: "JSON body from a browser with the token as a field",
    reason: "missing",
    request: ({ token }) => ({
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ csrf_token: token }),
    }),
  },
  {
    name: "multipart without a token",
    reason: "missing",
    request: () => ({
      headers: { "content-type": MULTIPART },
      body: multipart([{ name: "f", filename: "a.txt", value: "hi" }], BOUNDARY),
    }),
  },
  {
    name: "multipart with a token of another session as a later part",
    reason: "wrong-session",
    request: ({ otherToken }) => ({
      headers: { "content-type": MULTIPART },
      body: multipart(
        [
          { name: "f", filename: "a.txt", value: "hi" },
          { name: "csrf_token", value: otherToken },
        ],
        BOUNDARY,
      ),
    }),
  },
  {
    name: "Authorization: Basic (a browser sends cached credentials cross-site)",
    reason: "missing",
    request: () => formPost({ title: "x" }, { authorization: `Basic ${btoa("ada:secret")}` }),
  },
  {
    name: "Authorization: Digest",
    reason: "missing",
    request: () => formPost({ title: "x" }, { authorization: 'Digest username="ada"' }),
  },
  {
    name: "Authorization: Bearer with no token",
    reason: "missing",
    request: () => formPost({ title: "x" }, { authorization: "Bearer " }),
  },
  {
    name: "Authorization: Bearertoken (no space)",
    reason: "missing",
    request: () => formPost({ title: "x" }, { authorization: "Bearerabc" }),
  },
  {
    name: "an API-key header the app did not configure",
    reason: "missing",
    request: () => formPost({ title: "x" }, { "x-api-key": "k" }),
  },
  {
    name: "a controller route that is not exempt",
    reason: "missing",
    request: () => ({ url: "/api/guarded", ...formPost({}) }),
  },
];

async function who(app: ReturnType<typeof csrfApp>["app"]): Promise<Who> {
  const [me, other] = await Promise.all([visitor(app), visitor(app)]);
  return { client: me.client, token: me.token, otherToken: other.token };
}

function sendAs(app: ReturnType<typeof csrfApp>["app"], visitorOf: Who, request: Request) {
  const { anonymous, ...rest } = request;
  return send(
    app,
    { method: "POST", url: "/submit", ...rest },
    anonymous === true ? undefined : visitorOf.client,
  );
}

afterEach(() => vi.restoreAllMocks());

describe("row 20 — the CSRF corpus", () => {
  it("refuses every attack with a 403 naming the reason; the handler never runs (0 bypasses)", async () => {
    const { app, ran, logs } = csrfApp();
    const me = await who(app);
    const bypasses: string[] = [];
    for (const attack of ATTACKS) {
      const res = await sendAs(app, me, attack.request(me));
      const reason = res.statusCode === 403 ? res.json<{ reason?: string }>().reason : undefined;
      if (res.statusCode !== 403 || reason !== attack.reason) {
        bypasses.push(`${attack.name}: ${res.statusCode} ${reason ?? res.body.slice(0, 120)}`);
      }
    }
    console.log(`row 20 corpus: ${ATTACKS.length} attack cases, ${bypasses.length} bypasses`);
    expect(bypasses).toEqual([]);
    expect(ran()).toBe(0);
    expect(logs().filter((line) => String(line["msg"]).includes("CSRF check failed"))).toHaveLength(
      ATTACKS.length,
    );
  });

  it("refuses the token with any one character changed, at every position", async () => {
    const { app, ran } = csrfApp();
    const me = await who(app);
    const accepted: number[] = [];
    for (let index = 0; index < me.token.length; index++) {
      const res = await sendAs(app, me, formPost({ csrf_token: tamper(me.token, index) }));
      if (res.statusCode !== 403) accepted.push(index);
    }
    expect(accepted).toEqual([]);
    expect(ran()).toBe(0);
    expect((await sendAs(app, me, formPost({ csrf_token: me.token }))).statusCode).toBe(200);
  });

  it("refuses an expired token (over timeLimit) with reason expired", async () => {
    const { app, ran } = csrfApp({ timeLimit: 60 });
    const me = await who(app);
    const now = Date.now();
    vi.spyOn(Date, "now").mockReturnValue(now + 59_000);
    expect((await sendAs(app, me, formPost({ csrf_token: me.token }))).statusCode).toBe(200);
    vi.spyOn(Date, "now").mockReturnValue(now + 61_000);
    const res = await sendAs(app, me, formPost({ csrf_token: me.token }));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ reason: "expired" });
    expect(ran()).toBe(1);
  });

  it("keeps a token valid an hour by default, and no longer", async () => {
    const { app } = csrfApp();
    const me = await who(app);
    const now = Date.now();
    vi.spyOn(Date, "now").mockReturnValue(now + 3_599_000);
    expect((await sendAs(app, me, formPost({ csrf_token: me.token }))).statusCode).toBe(200);
    vi.spyOn(Date, "now").mockReturnValue(now + 3_601_000);
    expect((await sendAs(app, me, formPost({ csrf_token: me.token }))).json()).toMatchObject({
      reason: "expired",
    });
  });

  it("does not let a safe-method override reach an unsafe handler", async () => {
    const { app, ran } = csrfApp();
    const me = await who(app);
    for (const header of ["x-http-method-override", "x-http-method", "x-method-override"]) {
      const res = await send(
        app,
        { method: "GET", url: "/submit", headers: { [header]: "POST" } },
        me.client,
      );
      expect(res.json()).toEqual({ safe: "GET" });
    }
    expect(ran()).toBe(0);
  });
});
