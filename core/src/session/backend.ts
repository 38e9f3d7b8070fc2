import type { Context } from "../http/context.js";
import type { FlagonResponse } from "../http/response.js";
import type { SessionCookie } from "./cookie.js";
import type { Session } from "./session.js";

/** Where sessions are kept: the signed cookie itself, or a Keyv store keyed by a signed id. */
export interface SessionBackend {
  /** The session for the cookie value the request brought (undefined: none). */
  open(value: string | undefined, ctx: Context): Promise<Session>;
  /** Saves the session if it changed and sets or clears the cookie on the response. */
  save(session: Session, response: FlagonResponse, cookie: SessionCookie, ctx: Context): Promise<void>;
  /** Releases what the backend opened itself (a Redis connection, a sweep timer). */
  close(): Promise<void>;
}
