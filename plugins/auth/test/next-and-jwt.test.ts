import { generateKeyPairSync } from "node:crypto";
import { SignJWT, UnsecuredJWT, exportPKCS8, exportSPKI, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { jwtVerifier } from "../src/jwt.js";
import { needsRehash, hashPassword, verifyPassword, safeNext } from "../src/index.js";

// The page a login link may bring the user back to: 30 attempts to leave the site, 0 escapes.
const ESCAPES = [
  "https://evil.example",
  "http://evil.example/path",
  "//evil.example",
  "///evil.example",
  "////evil.example",
  "/\\evil.example",
  "\\\\evil.example",
  "\\/evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  " //evil.example",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "evil.example",
  "@evil.example",
  "/%2f%2fevil.example",
  "/%2F/evil.example",
  "/%5cevil.example",
  "/%5C%5Cevil.example",
  "https:evil.example",
  "http:/evil.example",
  "//evil.example@good.example",
  "//good.example@evil.example",
  "/\u0000/evil.example",
  "%2f%2fevil.example",
  "\u00a0//evil.example",
  "//evil%E3%80%82example",
];

describe("safeNext", () => {
  it.each(ESCAPES)("refuses %j", (next) => {
    const out = safeNext(next, "/");
    expect(out).toBe("/");
  });

  it("keeps same-site paths, with their query and fragment", () => {
    expect(safeNext("/account?tab=2#keys")).toBe("/account?tab=2#keys");
    expect(safeNext("/a/../b")).toBe("/b");
    expect(safeNext("/search?q=//x")).toBe("/search?q=//x");
    expect(safeNext(undefined, "/home")).toBe("/home");
    expect(safeNext(["/a"], "/home")).toBe("/home");
  });

  it("has 30 cases and no escape", () => {
    expect(ESCAPES).toHaveLength(30);
    const escaped = ESCAPES.filter((next) => {
      const kept = safeNext(next, "/");
      return new URL(kept, "https://good.example").origin !== "https://good.example";
    });
    expect(escaped).toEqual([]);
  });
});

const HS = { alg: "HS256" as const, secret: "h".repeat(40) };
const base = { expiresIn: 60, clockTolerance: 0 };

describe("JWT", () => {
  it("verifies its own HS256 tokens; refuses another secret, expired ones, and alg none", async () => {
    const jwt = jwtVerifier({ keys: [HS], ...base });
    const token = await jwt.sign("42");
    expect(await jwt.verify(token)).toBe("42");
    const other = jwtVerifier({ keys: [{ alg: "HS256", secret: "x".repeat(40) }], ...base });
    expect(await other.verify(token)).toBeUndefined();
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("42")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(new TextEncoder().encode(HS.secret));
    expect(await jwt.verify(expired)).toBeUndefined();
    const none = new UnsecuredJWT({ sub: "42" }).setExpirationTime("1h").encode();
    expect(await jwt.verify(none)).toBeUndefined();
    const noExp = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("42")
      .sign(new TextEncoder().encode(HS.secret));
    expect(await jwt.verify(noExp)).toBeUndefined();
  });

  it("checks issuer and audience", async () => {
    const issuing = jwtVerifier({ keys: [HS], issuer: "https://id.example", audience: "api", ...base });
    const token = await issuing.sign("7");
    expect(await issuing.verify(token)).toBe("7");
    expect(await jwtVerifier({ keys: [HS], issuer: "https://other", ...base }).verify(token)).toBeUndefined();
    expect(await jwtVerifier({ keys: [HS], audience: "web", ...base }).verify(token)).toBeUndefined();
  });

  it("refuses algorithm confusion: an RS256 public key used as an HS256 secret", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const rs = jwtVerifier({
      keys: [
        {
          alg: "RS256",
          publicKey: pem,
          privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        },
      ],
      ...base,
    });
    expect(await rs.verify(await rs.sign("1"))).toBe("1");
    // The attack: sign with HMAC, using the public key's text as the secret.
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("1")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(pem));
    expect(await rs.verify(forged)).toBeUndefined();
  });

  it("picks the key by kid, so a new key can be added before the old one is retired", async () => {
    const ec = await generateKeyPair("ES256", { extractable: true });
    const ed = await generateKeyPair("EdDSA", { extractable: true });
    const oldKey = {
      kid: "2025",
      alg: "ES256" as const,
      publicKey: await exportSPKI(ec.publicKey),
      privateKey: await exportPKCS8(ec.privateKey),
    };
    const newKey = {
      kid: "2026",
      alg: "EdDSA" as const,
      publicKey: await exportSPKI(ed.publicKey),
      privateKey: await exportPKCS8(ed.privateKey),
    };
    const before = jwtVerifier({ keys: [oldKey], ...base });
    const during = jwtVerifier({ keys: [newKey, oldKey], ...base });
    const after = jwtVerifier({ keys: [newKey], ...base });
    const oldToken = await before.sign("u1");
    const newToken = await during.sign("u2");
    expect(await during.verify(oldToken)).toBe("u1");
    expect(await during.verify(newToken)).toBe("u2");
    expect(await after.verify(oldToken)).toBeUndefined();
    expect(await after.verify(newToken)).toBe("u2");
  });
});

describe("passwords", () => {
  it("hashes with argon2id at OWASP's parameters, verifies, and spots weaker hashes", async () => {
    const hash = await hashPassword("correct horse");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, "correct horse")).toBe(true);
    expect(await verifyPassword(hash, "wrong")).toBe(false);
    expect(await verifyPassword(undefined, "anything")).toBe(false);
    expect(await verifyPassword("not a hash", "anything")).toBe(false);
    expect(needsRehash(hash)).toBe(false);
    expect(needsRehash("$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaA")).toBe(true);
    expect(needsRehash("$2b$12$abcdefghijklmnopqrstuv")).toBe(true);
  });
});
