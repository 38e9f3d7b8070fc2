// Every error answers in the spec's GenericErrorModel: `{ "errors": { "body": ["…"] } }`.
// The spec documents 422 for anything the client got wrong, so a malformed body (400), a body
// that is not JSON (415) and a unique value already taken (409 from @flagon/database) answer
// 422; 401, 403, 404, 405 and 5xx keep their status.
import { HttpError, UnprocessableEntityError, json, type Flagon } from "@flagon/core";

/** The spec's error body. */
export interface GenericError {
  errors: { body: string[] };
}

/** A 422 in the spec's shape: `unprocessable("email has already been taken")`. */
export function unprocessable(...messages: string[]): HttpError {
  return new UnprocessableEntityError(messages.join("; "), { details: { messages } });
}

const AS_422 = new Set([400, 409, 415]);

interface Detail {
  path?: PropertyKey[];
  field?: string;
  constraint?: string;
  message?: string;
}

/** The messages of an error, for its body: one per invalid field where the error names them. */
function messagesOf(error: HttpError): string[] {
  if (!error.expose) return [error.status >= 500 ? "the server failed to answer, try again" : error.title];
  const own = error.details?.["messages"];
  if (Array.isArray(own)) return own.map(String);
  const details = error.details?.["errors"];
  if (!Array.isArray(details) || details.length === 0) return [error.message];
  return (details as Detail[]).map((detail) => {
    if (detail.constraint === "unique" && detail.field !== undefined) {
      return `${detail.field} has already been taken`;
    }
    if (detail.path !== undefined && detail.path.length > 0) {
      // ["user", "email"] → "email can't be blank": the wrapper key says nothing to the client.
      const path = detail.path.length > 1 ? detail.path.slice(1) : detail.path;
      return `${path.map(String).join(".")} ${detail.message ?? "is invalid"}`;
    }
    return detail.message ?? error.message;
  });
}

/** Installs the error handlers that give every error the spec's body. */
export function useConduitErrors(app: Flagon): void {
  app.setErrorHandler(HttpError, (error) => {
    const httpError = error as HttpError;
    const status = AS_422.has(httpError.status) ? 422 : httpError.status;
    const body: GenericError = { errors: { body: messagesOf(httpError) } };
    return json(body, { status, headers: httpError.headers });
  });
  app.setErrorHandler(500, () =>
    json({ errors: { body: ["the server failed to answer, try again"] } } satisfies GenericError, {
      status: 500,
    }),
  );
}
