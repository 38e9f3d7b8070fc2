import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { Context } from "../http/context.js";
import { sessionCookie } from "../session/cookie.js";
import { EMPTY_SESSION, type TemplateSession } from "./globals.js";

/**
 * The session a render shows as `session` and `flashes()`. nunjucks globals are synchronous, so
 * the session is loaded before rendering, but only when there is one to show: the handler already
 * loaded it (a message flashed in this request shows at once), or the request carries a session
 * cookie. Otherwise templates get an empty session and rendering does no session work (no
 * store round trip, no `Vary: Cookie`). An app without a secret key has no sessions: a stray
 * cookie named like the session cookie then gives the empty session, not an error page. Store
 * failures are not hidden: they fail the render (sessions fail closed).
 */
export function sessionFor(ctx: Context): TemplateSession | Promise<TemplateSession> {
  const manager = ctx.app.door.sessions;
  const loaded = manager.loaded(ctx);
  if (loaded !== undefined) return loaded;
  if (ctx.request.cookies[sessionCookie(manager.options, ctx).name] === undefined) return EMPTY_SESSION;
  return ctx.session().catch((error: unknown) => {
    if (error instanceof FlagonError && error.code === ErrorCodes.INVALID_CONFIG) return EMPTY_SESSION;
    throw error;
  });
}
