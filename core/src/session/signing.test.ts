import { createHmac } from "node:crypto";
import { describe, expect, test } from "vitest";
import { deriveKey, Signer } from "./signing.js";

const CURRENT = "current-secret-key-0123456789abcdefghij";
const OLD = "previous-secret-key-9876543210zyxwvuts";
const payload = Buffer.from(JSON.stringify({ t: 1, d: { user: "ada" } })).toString("base64url");

/** Replaces the character at `index` with another base64url character. */
function flip(text: string, index: number): string {
  const c = text[index] as string;
  return text.slice(0, index) + (c === "A" ? "B" : "A") + text.slice(index + 1);
}

describe("Signer", () => {
  test("round trip: payload '.' base64url(HMAC-SHA256) of 32 bytes", () => {
    const token = new Signer([CURRENT], "p").sign(payload);
    const [body, mac] = token.split(".");
    expect(body).toBe(payload);
    expect(Buffer.from(mac as string, "base64url")).toHaveLength(32);
    expect(new Signer([CURRENT], "p").verify(token)).toEqual({ payload, stale: false });
  });

  test("the MAC uses a key derived for the purpose, never the raw secret", () => {
    const token = new Signer([CURRENT], "flagon.session.cookie").sign(payload);
    const raw = createHmac("sha256", CURRENT).update(payload).digest("base64url");
    expect(token.endsWith(raw)).toBe(false);
    const derived = createHmac("sha256", deriveKey(CURRENT, "flagon.session.cookie"))
      .update(payload)
      .digest("base64url");
    expect(token).toBe(`${payload}.${derived}`);
    // A value signed for one purpose does not verify for another.
    expect(new Signer([CURRENT], "flagon.session.id").verify(token)).toBeUndefined();
  });

  test("every single-character change of the payload or the signature is rejected", () => {
    const signer = new Signer([CURRENT], "p");
    const token = signer.sign(payload);
    for (let i = 0; i < token.length; i += 1) {
      if (token[i] === ".") continue;
      expect(signer.verify(flip(token, i)), `position ${i}`).toBeUndefined();
    }
  });

  test("malformed tokens are rejected", () => {
    const signer = new Signer([CURRENT], "p");
    const token = signer.sign(payload);
    const mac = token.split(".")[1] as string;
    for (const bad of [
      "",
      ".",
      payload,
      `.${mac}`,
      `${payload}.`,
      `${payload}.${mac}A`, // 33 bytes
      `${payload}.${mac.slice(0, -1)}`,
      `${payload}+.${mac}`,
      `${payload}.${mac}=`,
      `${"a".repeat(9000)}.${mac}`,
    ]) {
      expect(signer.verify(bad), JSON.stringify(bad.slice(0, 40))).toBeUndefined();
    }
  });

  test("a wrong key is rejected", () => {
    const token = new Signer([OLD], "p").sign(payload);
    expect(new Signer([CURRENT], "p").verify(token)).toBeUndefined();
  });

  test("rotation: a fallback verifies (stale), the current key signs, a removed key is rejected", () => {
    const oldToken = new Signer([OLD], "p").sign(payload);
    const rotated = new Signer([CURRENT, OLD], "p");
    expect(rotated.verify(oldToken)).toEqual({ payload, stale: true });
    const resigned = rotated.sign(payload);
    expect(resigned).toBe(new Signer([CURRENT], "p").sign(payload));
    expect(rotated.verify(resigned)).toEqual({ payload, stale: false });
    expect(new Signer([CURRENT], "p").verify(oldToken)).toBeUndefined();
  });

  test("needs a secret", () => {
    expect(() => new Signer([], "p")).toThrow();
  });
});
