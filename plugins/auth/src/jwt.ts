// JWTs for stateless APIs, through jose: the algorithms are a fixed list (never `none`, never
// one picked by the token), issuer and audience checked when configured, keys chosen by `kid`
// so a key can be rotated without logging everyone out.
import { createLocalKey, importKey, type JwtSettings } from "./jwt-keys.js";
import { jwtVerify, SignJWT, type JWTPayload } from "jose";

export interface JwtVerifier {
  /** The token's subject (`sub`) when it verifies, else undefined. */
  verify(token: string): Promise<string | undefined>;
  /** A signed token for `subject`, with the configured issuer, audience and lifetime. */
  sign(subject: string, claims?: JWTPayload): Promise<string>;
}

export function jwtVerifier(settings: JwtSettings): JwtVerifier {
  const keys = settings.keys.map((key) => ({
    ...key,
    material: key.secret !== undefined ? createLocalKey(key.secret) : importKey(key),
  }));
  if (keys.length === 0) throw new TypeError("auth.jwt needs at least one key");
  const algorithms = [...new Set(keys.map((key) => key.alg))];
  const signing = keys[0]!;
  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(
          token,
          async (header) => {
            // The key is the one named by kid (or the only one), and its algorithm must be the token's.
            const key =
              header.kid === undefined
                ? keys.length === 1
                  ? keys[0]
                  : undefined
                : keys.find((k) => k.kid === header.kid);
            if (key === undefined || key.alg !== header.alg) throw new Error("no key for this token");
            return key.material;
          },
          {
            algorithms,
            ...(settings.issuer === undefined ? {} : { issuer: settings.issuer }),
            ...(settings.audience === undefined ? {} : { audience: settings.audience }),
            clockTolerance: settings.clockTolerance,
            requiredClaims: ["exp", "sub"],
          },
        );
        return typeof payload.sub === "string" && payload.sub !== "" ? payload.sub : undefined;
      } catch {
        return undefined;
      }
    },
    async sign(subject, claims = {}) {
      let jwt = new SignJWT(claims)
        .setProtectedHeader({ alg: signing.alg, ...(signing.kid === undefined ? {} : { kid: signing.kid }) })
        .setSubject(subject)
        .setIssuedAt()
        .setExpirationTime(`${settings.expiresIn}s`);
      if (settings.issuer !== undefined) jwt = jwt.setIssuer(settings.issuer);
      if (settings.audience !== undefined) jwt = jwt.setAudience(settings.audience);
      const material = await signing.material;
      if (signing.secret === undefined && signing.privateKey === undefined) {
        throw new Error(
          "the first auth.jwt key has no private key: this app can verify tokens, not sign them",
        );
      }
      return jwt.sign(signing.privateKey === undefined ? material : await importKey(signing, "private"));
    },
  };
}
