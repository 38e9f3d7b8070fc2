import { STATUS_CODES } from "node:http";

export interface HttpErrorOptions {
  /** Extra response headers (e.g. `Allow`, `Retry-After`, `WWW-Authenticate`). */
  headers?: Record<string, string>;
  /** Extension members of the problem-details body (RFC 9457), e.g. `errors`. */
  details?: Record<string, unknown>;
  /** Whether the message may be shown to clients. Defaults to true below 500, false from 500 up. */
  expose?: boolean;
  cause?: unknown;
}

/**
 * An error that carries an HTTP status. Throw it (or call `abort`) from anywhere in a request to
 * answer with that status; the message becomes the problem's `detail`.
 *
 * @example
 * throw new HttpError(409, "a todo with that title exists");
 */
export class HttpError extends Error {
  override name = "HttpError";
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly details: Record<string, unknown> | undefined;
  readonly expose: boolean;

  constructor(status: number, message?: string, options: HttpErrorOptions = {}) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`HttpError status must be an integer from 400 to 599, got ${String(status)}`);
    }
    super(message ?? STATUS_CODES[status] ?? "Error", { cause: options.cause });
    this.status = status;
    this.headers = options.headers ?? {};
    this.details = options.details;
    this.expose = options.expose ?? status < 500;
  }

  /** The status's reason phrase ("Not Found"). */
  get title(): string {
    return STATUS_CODES[this.status] ?? "Error";
  }
}

type Ctor = new (message?: string, options?: HttpErrorOptions) => HttpError;

function statusError(status: number, name: string): Ctor {
  const cls = class extends HttpError {
    override name = name;
    constructor(message?: string, options?: HttpErrorOptions) {
      super(status, message, options);
    }
  };
  Object.defineProperty(cls, "name", { value: name });
  return cls;
}

export const BadRequestError = statusError(400, "BadRequestError");
export const UnauthorizedError = statusError(401, "UnauthorizedError");
export const ForbiddenError = statusError(403, "ForbiddenError");
export const NotFoundError = statusError(404, "NotFoundError");
export const MethodNotAllowedError = statusError(405, "MethodNotAllowedError");
export const NotAcceptableError = statusError(406, "NotAcceptableError");
export const RequestTimeoutError = statusError(408, "RequestTimeoutError");
export const ConflictError = statusError(409, "ConflictError");
export const GoneError = statusError(410, "GoneError");
export const PayloadTooLargeError = statusError(413, "PayloadTooLargeError");
export const UriTooLongError = statusError(414, "UriTooLongError");
export const UnsupportedMediaTypeError = statusError(415, "UnsupportedMediaTypeError");
export const UnprocessableEntityError = statusError(422, "UnprocessableEntityError");
export const TooManyRequestsError = statusError(429, "TooManyRequestsError");
export const InternalServerError = statusError(500, "InternalServerError");
export const NotImplementedError = statusError(501, "NotImplementedError");
export const ServiceUnavailableError = statusError(503, "ServiceUnavailableError");

const BY_STATUS = new Map<number, Ctor>(
  [
    BadRequestError,
    UnauthorizedError,
    ForbiddenError,
    NotFoundError,
    MethodNotAllowedError,
    NotAcceptableError,
    RequestTimeoutError,
    ConflictError,
    GoneError,
    PayloadTooLargeError,
    UriTooLongError,
    UnsupportedMediaTypeError,
    UnprocessableEntityError,
    TooManyRequestsError,
    InternalServerError,
    NotImplementedError,
    ServiceUnavailableError,
  ].map((cls) => [new cls().status, cls]),
);

/**
 * Stops the request with an HTTP error: `abort(404)`, `abort(403, "not your todo")`. Throws the
 * status's own class where there is one (`NotFoundError` for 404), so class handlers see it.
 * Typed `never`, so `repo.find(id) ?? abort(404)` narrows to the found value.
 */
export function abort(status: number, message?: string, options?: HttpErrorOptions): never {
  const cls = BY_STATUS.get(status);
  throw cls ? new cls(message, options) : new HttpError(status, message, options);
}
