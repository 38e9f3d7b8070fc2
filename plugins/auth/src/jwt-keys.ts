// The keys of auth.jwt: HMAC secrets (HS256) or PEM keys (RS256, ES256, EdDSA).
import { importPKCS8, importSPKI, type CryptoKey, type KeyObject } from "jose";

export type JwtAlgorithm = "HS256" | "HS384" | "HS512" | "RS256" | "PS256" | "ES256" | "ES384" | "EdDSA";

export interface JwtKey {
  /** Names the key in tokens' headers; needed once there are several (rotation). */
  readonly kid?: string;
  readonly alg: JwtAlgorithm;
  /** For HS*: a secret of at least 32 characters. */
  readonly secret?: string;
  /** For the others: the public key (PEM, SPKI) to verify with. */
  readonly publicKey?: string;
  /** The private key (PEM, PKCS#8), on the app that issues tokens. */
  readonly privateKey?: string;
}

export interface JwtSettings {
  readonly keys: readonly JwtKey[];
  readonly issuer?: string;
  readonly audience?: string;
  /** Seconds a signed token lives. */
  readonly expiresIn: number;
  /** Seconds of clock difference allowed. */
  readonly clockTolerance: number;
}

type Material = CryptoKey | KeyObject | Uint8Array;

export function createLocalKey(secret: string): Promise<Material> {
  if (secret.length < 32) throw new TypeError("an auth.jwt HMAC secret needs at least 32 characters");
  return Promise.resolve(new TextEncoder().encode(secret));
}

export function importKey(key: JwtKey, which: "public" | "private" = "public"): Promise<Material> {
  if (key.alg.startsWith("HS")) {
    if (key.secret === undefined)
      throw new TypeError(`auth.jwt key ${key.kid ?? ""} (${key.alg}) needs a secret`);
    return createLocalKey(key.secret);
  }
  if (which === "private") {
    if (key.privateKey === undefined) throw new TypeError(`auth.jwt key ${key.kid ?? ""} has no privateKey`);
    return importPKCS8(key.privateKey, key.alg);
  }
  if (key.publicKey === undefined)
    throw new TypeError(`auth.jwt key ${key.kid ?? ""} (${key.alg}) needs a publicKey`);
  return importSPKI(key.publicKey, key.alg);
}
