import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/** Longest signed value `verify` looks at; a session cookie never gets near it. */
export const MAX_TOKEN_LENGTH = 8192;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MAC_BYTES = 32;

/**
 * A key for one purpose, derived from a secret with HKDF-SHA256, so that the raw secret is never
 * used directly and a value signed for one purpose (a session id) never verifies as another (a
 * session cookie).
 */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "flagon", purpose, MAC_BYTES));
}

/** The result of a successful verification: the payload, and whether a fallback key signed it. */
export interface Verified {
  readonly payload: string;
  /** True when an old key (from `secretKeyFallbacks`) verified it; re-sign with the current key. */
  readonly stale: boolean;
}

/** What `check` found: the verified payload, or why the token was refused. */
export type Checked =
  (Verified & { readonly ok: true }) | { readonly ok: false; readonly reason: "malformed" | "bad-signature" };

const MALFORMED: Checked = Object.freeze({ ok: false, reason: "malformed" });
const BAD_SIGNATURE: Checked = Object.freeze({ ok: false, reason: "bad-signature" });

/**
 * Signs `payload.mac` tokens with HMAC-SHA256: the current key signs, the current key and then
 * each fallback verify (constant-time compare). Payloads must be base64url text.
 */
export class Signer {
  private readonly keys: readonly Buffer[];

  /** `secrets[0]` is the current key; the rest are fallbacks, newest first. */
  constructor(secrets: readonly string[], purpose: string) {
    if (secrets.length === 0) throw new Error("a signer needs at least one secret");
    this.keys = secrets.map((secret) => deriveKey(secret, purpose));
  }

  sign(payload: string): string {
    return `${payload}.${this.mac(this.keys[0] as Buffer, payload).toString("base64url")}`;
  }

  /** The payload if the token carries a valid signature by any key, else undefined. */
  verify(token: string): Verified | undefined {
    const checked = this.check(token);
    return checked.ok ? { payload: checked.payload, stale: checked.stale } : undefined;
  }

  /**
   * Like `verify`, but says why a token was refused: `malformed` (not `payload.mac`, too long,
   * not base64url) or `bad-signature` (well-formed, but no key signed it).
   */
  check(token: string): Checked {
    if (token.length > MAX_TOKEN_LENGTH) return MALFORMED;
    const dot = token.lastIndexOf(".");
    if (dot <= 0) return MALFORMED;
    const payload = token.slice(0, dot);
    const signature = token.slice(dot + 1);
    if (!BASE64URL.test(payload) || !BASE64URL.test(signature)) return MALFORMED;
    const given = Buffer.from(signature, "base64url");
    // Re-encoding must give the same text: rejects non-canonical encodings of the same bytes.
    if (given.length !== MAC_BYTES || given.toString("base64url") !== signature) return MALFORMED;
    for (let i = 0; i < this.keys.length; i += 1) {
      if (timingSafeEqual(this.mac(this.keys[i] as Buffer, payload), given)) {
        return { ok: true, payload, stale: i > 0 };
      }
    }
    return BAD_SIGNATURE;
  }

  private mac(key: Buffer, payload: string): Buffer {
    return createHmac("sha256", key).update(payload).digest();
  }
}
