import { randomBytes } from "node:crypto";
import { ErrorCodes, FlagonError } from "../errors/codes.js";

/** Signs in development when no secretKey is set: one random key per process (sessions and signers). */
const DEVELOPMENT_SECRET = randomBytes(32).toString("base64url");

/** The parts of the app config that hold its secret keys. */
export interface SecretsConfig {
  readonly env: string;
  readonly secretKey?: unknown;
  readonly secretKeyFallbacks?: unknown;
}

/** The app's signing secrets, and whether they are the random development key. */
export interface AppSecrets {
  /** The current key first, then the fallbacks (which verify but never sign). */
  readonly secrets: readonly string[];
  readonly random: boolean;
}

/**
 * `secretKey` and its fallbacks (checked by `checkSecrets` beforehand); in development without a
 * secretKey the random per-process key; otherwise undefined (nothing can be signed).
 */
export function appSecrets(config: SecretsConfig): AppSecrets | undefined {
  if (typeof config.secretKey === "string") {
    const fallbacks = (config.secretKeyFallbacks as string[] | undefined) ?? [];
    return { secrets: [config.secretKey, ...fallbacks], random: false };
  }
  return config.env === "development" ? { secrets: [DEVELOPMENT_SECRET], random: true } : undefined;
}

/** The error for signing (sessions, `app.signer()`) outside development without a secret key. */
export function missingSecret(use: string): FlagonError {
  return new FlagonError(
    ErrorCodes.INVALID_CONFIG,
    `config.secretKey must be set to use ${use} outside development (at least 32 characters; FLAGON_SECRET_KEY in the environment works too)`,
  );
}
