import "reflect-metadata";
// RELIABILITY rows 18–19. Row 18 (session cookie defaults) is proven in test/web/sessions.test.ts
// ("default cookie attributes: HttpOnly, SameSite=Lax, Path=/, no Domain…", "over HTTPS: Secure
// and the __Host- prefix", "Secure follows X-Forwarded-Proto only from a trusted proxy") and in
// test/web/sessions-store.test.ts ("session ids: unique, 128 bits, no visible bias (10k
// sessions)"); the snapshot below pins the whole header once more, over HTTPS.
// Row 19 here: cookie shadowing through the Cookie header (`=__Host-x=evil`, NBSP-prefixed and
// case-changed names, over inject and a raw socket, against a real __Host- session), and header
// injection through every part of Set-Cookie. core/src/http/cookies.test.ts has the unit cases
// and two fast-check properties for values.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { type Context, type CookieOptions, Flagon, FlagonError, FlagonResponse } from "@flagon/core";
import { harness, HOST } from "../socket/helpers.js";
import { figure } from "./helpers.js";

const SECRET = "a-session-secret-of-at-least-32-characters!";

const h = harness();
afterEach(() => h.cleanup());

function cookieApp(): Flagon {
  const app = new Flagon({
    logger: false,
    configFile: false,
    config: { env: "production", secretKey: SECRET, static: false },
  });
  app.get("/jar", (ctx: Context) => ({ jar: { ...ctx.request.cookies } }));
  app.get("/login", async (ctx: Context) => {
    (await ctx.session()).set("user", "alice");
    return { ok: true };
  });
  app.get("/whoami", async (ctx: Context) => ({ user: (await ctx.session()).get("user") ?? null }));
  return app;
}

describe("row 18 — session cookie defaults (snapshot)", () => {
  it("over HTTPS: __Host-session, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, ≤ 4096 bytes", async () => {
    const res = await cookieApp().inject({ url: "/login", encrypted: true });
    const [line] = res.headers["set-cookie"] as string[];
    const normalised = (line as string)
      .replace(/^__Host-session=[^;]+/, "__Host-session=<signed>")
      .replace(/Expires=[^;]+/, "Expires=<date>");
    expect(normalised).toBe(
      "__Host-session=<signed>; Max-Age=1209600; Path=/; Expires=<date>; HttpOnly; Secure; SameSite=Lax",
    );
    expect(Buffer.byteLength(line as string)).toBeLessThanOrEqual(4096);
    figure("row 18", "default Set-Cookie over HTTPS", normalised);
  });
});

describe("row 19 — cookie shadowing through the Cookie header", () => {
  const cases: Array<[string, string, Record<string, string>]> = [
    [
      "a nameless pair carrying the name",
      "=__Host-x=evil; __Host-x=good",
      { "": "__Host-x=evil", "__Host-x": "good" },
    ],
    ["the nameless pair last", "__Host-x=good; =__Host-x=evil", { "": "__Host-x=evil", "__Host-x": "good" }],
    [
      "an NBSP before the name",
      "\u00a0__Host-x=evil; __Host-x=good",
      { "\u00a0__Host-x": "evil", "__Host-x": "good" },
    ],
    [
      "an NBSP after the name",
      "__Host-x\u00a0=evil; __Host-x=good",
      { "__Host-x\u00a0": "evil", "__Host-x": "good" },
    ],
    [
      "another case",
      "__HOST-x=evil; __host-x=evil; __Host-x=good",
      { "__HOST-x": "evil", "__host-x": "evil", "__Host-x": "good" },
    ],
    ["a prefix inside a value", "a=__Host-x=evil; __Host-x=good", { a: "__Host-x=evil", "__Host-x": "good" }],
    ["an encoded name", "%5F%5FHost-x=evil; __Host-x=good", { "%5F%5FHost-x": "evil", "__Host-x": "good" }],
  ];

  it.each(cases)("%s: the real cookie keeps its value", async (_name, header, expected) => {
    const res = await cookieApp().inject({ url: "/jar", headers: { cookie: header } });
    expect(res.json<{ jar: Record<string, string> }>().jar).toEqual(expected);
  });

  it("over a raw socket (bytes as sent, NBSP in latin1 and UTF-8): no shadowing", async () => {
    const app = h.app({ config: { secretKey: SECRET, static: false } });
    app.get("/jar", (ctx: Context) => ({ jar: { ...ctx.request.cookies } }));
    const port = await h.listen(app);
    const seen: Array<Record<string, string>> = [];
    for (const prefix of [Buffer.from([0xa0]), Buffer.from([0xc2, 0xa0]), Buffer.from("=")]) {
      const client = await h.raw(port);
      await client.write(
        Buffer.concat([
          Buffer.from(`GET /jar HTTP/1.1\r\nHost: ${HOST}\r\nCookie: `),
          prefix,
          Buffer.from("__Host-x=evil; __Host-x=good\r\n\r\n"),
        ]),
      );
      const res = await client.readResponse();
      const { jar } = JSON.parse(res.body.toString()) as { jar: Record<string, string> };
      seen.push(jar);
      expect(jar["__Host-x"]).toBe("good");
    }
    expect(seen.every((jar) => Object.keys(jar).length === 2)).toBe(true);
  });

  it("a real __Host-session is not shadowed by forged look-alikes sent before it", async () => {
    const app = cookieApp();
    const login = await app.inject({ url: "/login", encrypted: true });
    const cookie = (login.headers["set-cookie"] as string[])[0]?.split(";")[0] as string;
    expect(cookie.startsWith("__Host-session=")).toBe(true);
    const forged = [
      "=__Host-session=forged",
      "\u00a0__Host-session=forged",
      "__HOST-session=forged",
      "__Host-Session=x",
    ];
    for (const fake of forged) {
      const res = await app.inject({
        url: "/whoami",
        encrypted: true,
        headers: { cookie: `${fake}; ${cookie}` },
      });
      expect(res.json(), fake).toEqual({ user: "alice" });
      const alone = await app.inject({ url: "/whoami", encrypted: true, headers: { cookie: fake } });
      expect(alone.json(), fake).toEqual({ user: null });
    }
    figure("row 19", "forged __Host-session look-alikes that shadowed the real one", `0 of ${forged.length}`);
  });
});

describe("row 19 — Set-Cookie injection: serialising refuses what would corrupt the header", () => {
  const attacks = [";", "\r", "\n", "\r\n", "\u00a0", "\u0000", ",", " ", "\t", "\u007f", "é", "\u2028"];

  function setCookieThrows(name: string, value: string, options: CookieOptions): boolean {
    try {
      new FlagonResponse(null).setCookie(name, value, options);
      return false;
    } catch (error) {
      expect(error).toBeInstanceOf(FlagonError);
      expect((error as FlagonError).code).toBe("FLAGON_ERR_INVALID_COOKIE");
      return true;
    }
  }

  it.each(attacks)("%j in a name, domain, path, sameSite or priority → FLAGON_ERR_INVALID_COOKIE", (bad) => {
    expect(setCookieThrows(`a${bad}b`, "v", {})).toBe(true);
    expect(setCookieThrows("n", "v", { domain: `a${bad}.example` })).toBe(true);
    expect(setCookieThrows("n", "v", { path: `/a${bad}b` })).toBe(true);
    expect(setCookieThrows("n", "v", { sameSite: `lax${bad}` as "lax" })).toBe(true);
    expect(setCookieThrows("n", "v", { priority: `high${bad}` as "high" })).toBe(true);
  });

  it.each([
    ["sameSite with an attribute behind it", { sameSite: "lax; Domain=evil.example" as "lax" }],
    ["a non-integer maxAge", { maxAge: "1; Domain=evil.example" as unknown as number }],
    ["an invalid expires", { expires: new Date(Number.NaN) }],
    ["a domain with an attribute behind it", { domain: "good.example; Domain=evil.example" }],
    ["a path with CRLF and a header behind it", { path: "/\r\nSet-Cookie: admin=1" }],
  ] as Array<[string, CookieOptions]>)("%s → throws", (_name, options) => {
    expect(setCookieThrows("n", "v", options)).toBe(true);
  });

  it.each(attacks)("%j in a value is percent-encoded: one cookie, its attributes unchanged", (bad) => {
    const value = `x${bad}; Domain=evil.example; HttpOnly${bad}Set-Cookie: admin=1`;
    const res = new FlagonResponse(null).setCookie("n", value, { secure: true });
    const header = res.headers.get("set-cookie") as string;
    expect(header).not.toMatch(/[\r\n\u0000\u00a0]/);
    expect(header.split(";").map((p) => p.trim())).toEqual([
      expect.stringMatching(/^n=[^;,\s]+$/),
      "Path=/",
      "Secure",
    ]);
  });

  it("through the app: attacker input that reaches setCookie cannot add a header or an attribute", async () => {
    const app = new Flagon({ logger: false, configFile: false, config: { env: "production" } });
    app.get("/remember", (ctx: Context) => {
      const q = ctx.request.query;
      ctx.response.setCookie(q.get("name") ?? "pref", q.get("value") ?? "", {
        ...(q.has("domain") ? { domain: q.get("domain") as string } : {}),
        ...(q.has("path") ? { path: q.get("path") as string } : {}),
        ...(q.has("sameSite") ? { sameSite: q.get("sameSite") as "lax" } : {}),
        httpOnly: true,
      });
      return { ok: true };
    });
    const injections = ["%0D%0ASet-Cookie:%20admin=1", "%3B%20Domain=evil.example", "%C2%A0", "%00"];
    let injected = 0;
    let refused = 0;
    for (const payload of injections) {
      for (const part of ["name", "value", "domain", "path", "sameSite"]) {
        const res = await app.inject(`/remember?${part}=${part === "name" ? "n" : ""}${payload}`);
        const cookies = (res.headers["set-cookie"] as string[] | undefined) ?? [];
        if (res.statusCode === 500) refused += 1;
        for (const line of cookies) {
          const attributes = line
            .split(";")
            .slice(1)
            .map((a) => a.trim().split("=")[0]?.toLowerCase());
          if (
            cookies.length > 1 ||
            /[\r\n]/.test(line) ||
            attributes.some((a) => !["path", "httponly"].includes(a ?? ""))
          )
            injected += 1;
        }
        expect(res.body).not.toContain("evil.example");
      }
    }
    figure(
      "row 19",
      "Set-Cookie injection attempts through the app",
      `${injections.length * 5} sent, ${refused} refused (500), ${injected} injected`,
    );
    expect(injected).toBe(0);
  });

  it("property: any name, value and attribute text either throws or gives one well-formed cookie", () => {
    const text = fc.string({ unit: "binary", maxLength: 12 });
    fc.assert(
      fc.property(text, text, text, text, (name, value, domain, path) => {
        let header: string;
        try {
          header = new FlagonResponse(null)
            .setCookie(name, value, { domain: domain || undefined, path: path || undefined, httpOnly: true })
            .headers.get("set-cookie") as string;
        } catch (error) {
          expect((error as FlagonError).code).toBe("FLAGON_ERR_INVALID_COOKIE");
          return;
        }
        expect(header).not.toMatch(/[\r\n\u0000]/);
        const [pair, ...attributes] = header.split("; ");
        expect(pair).toBe(`${name}=${(pair as string).slice(name.length + 1)}`);
        const names = attributes.map((a) => a.split("=")[0]);
        expect(names.every((n) => ["Domain", "Path", "HttpOnly"].includes(n as string))).toBe(true);
      }),
      { numRuns: 3000 },
    );
    // 3,000 runs, most of which build and throw an error: about 1 s on a quiet machine, 5 s and
    // more when the two cores are shared, so the default 5 s limit would fail it on load alone.
  }, 30_000);
});
