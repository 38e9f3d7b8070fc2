import { MAX_TOKEN_LENGTH, Signer } from "./signing.js";

/** Options of `unsign`. */
export interface UnsignOptions {
  /** Refuse tokens signed more than this many seconds ago (`reason: "expired"`). */
  maxAge?: number;
}

/**
 * What `unsign` found. Refusals say why, so that a check can log it:
 * - `malformed`: not a token of this format (cut, too long, not a string, not base64url);
 * - `bad-signature`: well-formed, but not signed by this app's keys for this purpose (tampered,
 *   signed for another purpose, or with a key no longer listed);
 * - `expired`: validly signed, but older than `maxAge` seconds, or dated more than a minute in
 *   the future (a clock far ahead).
 */
export type UnsignResult =
  | {
      readonly ok: true;
      readonly value: string;
      /** When it was signed (millisecond precision). */
      readonly signedAt: Date;
      /** A key from `secretKeyFallbacks` verified it: sign the value again with the current key. */
      readonly stale: boolean;
    }
  | { readonly ok: false; readonly reason: "malformed" | "bad-signature" | "expired" };

/**
 * Signs and verifies string values for one purpose with the app's secret keys (`app.signer()`).
 * Signed, not encrypted: whoever holds a token can read its value.
 */
export interface AppSigner {
  readonly purpose: string;
  /** A URL- and cookie-safe token carrying the value, the time it was signed, and an HMAC. */
  sign(value: string): string;
  /** Checks a token's signature (any of the app's keys) and age; never throws for a bad token. */
  unsign(token: string, options?: UnsignOptions): UnsignResult;
}

const TIME_BYTES = 6;
/** In a `u` regex only unpaired surrogates are `Cs` code points: they have no UTF-8 form. */
const LONE_SURROGATE = /\p{Cs}/u;
const MAX_PURPOSE_LENGTH = 200;
/** How far in the future a token's date may be (clock skew between servers). */
const CLOCK_SKEW_MS = 60_000;

const MALFORMED: UnsignResult = Object.freeze({ ok: false, reason: "malformed" });
const EXPIRED: UnsignResult = Object.freeze({ ok: false, reason: "expired" });

class PurposeSigner implements AppSigner {
  private signer: Signer | undefined;

  constructor(
    readonly purpose: string,
    private readonly secrets: (use: string) => readonly string[],
  ) {}

  sign(value: string): string {
    if (typeof value !== "string" || LONE_SURROGATE.test(value)) {
      throw new TypeError(`${this.use()}.sign(value): value must be a well-formed string`);
    }
    const body = Buffer.from(value, "utf8");
    const payload = Buffer.allocUnsafe(TIME_BYTES + body.length);
    payload.writeUIntBE(Date.now(), 0, TIME_BYTES);
    body.copy(payload, TIME_BYTES);
    const token = this.keys().sign(payload.toString("base64url"));
    if (token.length > MAX_TOKEN_LENGTH) {
      throw new RangeError(
        `${this.use()}.sign(value): the value is too long (the token would have ${token.length} characters, at most ${MAX_TOKEN_LENGTH})`,
      );
    }
    return token;
  }

  unsign(token: string, options: UnsignOptions = {}): UnsignResult {
    const { maxAge } = options;
    if (maxAge !== undefined && !(typeof maxAge === "number" && maxAge >= 0 && Number.isFinite(maxAge))) {
      throw new TypeError(`${this.use()}.unsign: maxAge must be a number of seconds (0 or more)`);
    }
    const keys = this.keys();
    if (typeof token !== "string") return MALFORMED;
    const checked = keys.check(token);
    if (!checked.ok) return checked;
    const payload = Buffer.from(checked.payload, "base64url");
    if (payload.length < TIME_BYTES) return MALFORMED;
    const signedAt = payload.readUIntBE(0, TIME_BYTES);
    if (maxAge !== undefined) {
      const now = Date.now();
      if (now - signedAt > maxAge * 1000 || signedAt - now > CLOCK_SKEW_MS) return EXPIRED;
    }
    return {
      ok: true,
      value: payload.subarray(TIME_BYTES).toString("utf8"),
      signedAt: new Date(signedAt),
      stale: checked.stale,
    };
  }

  private keys(): Signer {
    this.signer ??= new Signer(this.secrets(this.use()), `flagon.signer:${this.purpose}`);
    return this.signer;
  }

  private use(): string {
    return `app.signer(${JSON.stringify(this.purpose)})`;
  }
}

/**
 * A signer for `purpose` whose keys are read on first use (`secrets` throws while the app is
 * not ready, or has no key).
 */
export function appSigner(purpose: string, secrets: (use: string) => readonly string[]): AppSigner {
  if (typeof purpose !== "string" || purpose === "" || purpose.length > MAX_PURPOSE_LENGTH) {
    throw new TypeError(
      `app.signer(purpose): purpose must be a string of 1 to ${MAX_PURPOSE_LENGTH} characters`,
    );
  }
  return new PurposeSigner(purpose, secrets);
}
