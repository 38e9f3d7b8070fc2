import { Pool } from "undici";
import { type BackoffOptions, retry } from "../resilience/backoff.js";
import { BreakerOpenError, type BreakerOptions, CircuitBreaker } from "../resilience/breaker.js";

/** What the catalog answers for one product. */
export interface Product {
  id: number;
  name: string;
  priceCents: number;
}

export interface CatalogClientOptions {
  /** The catalog's origin, `http://127.0.0.1:4001`. */
  readonly url: string;
  /** ms to open a TCP connection. */
  readonly connectTimeoutMs: number;
  /** ms from the request sent to the response headers, and between body chunks. */
  readonly responseTimeoutMs: number;
  readonly retry: BackoffOptions;
  readonly breaker: BreakerOptions;
}

/** The catalog could not answer: refused, timed out, reset, or a 5xx. */
export class UpstreamError extends Error {
  override name = "UpstreamError";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}

/** Methods that may run twice without harm (RFC 9110 §9.2.2): the only ones retried. */
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

/**
 * Orders' side of the catalog: one undici pool with connect and response timeouts, retries with
 * backoff for idempotent calls only, and a circuit breaker around every attempt, so that an
 * outage costs `failureThreshold` attempts and then fails fast until a probe succeeds.
 */
export class CatalogClient {
  readonly breaker: CircuitBreaker;
  /** Requests actually sent to the catalog (attempts, retries included; fast failures excluded). */
  attempts = 0;
  readonly #pool: Pool;

  constructor(private readonly options: CatalogClientOptions) {
    this.#pool = new Pool(options.url, {
      connections: 16,
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.responseTimeoutMs,
      bodyTimeout: options.responseTimeoutMs,
    });
    this.breaker = new CircuitBreaker("catalog", options.breaker);
  }

  /** The product, or `undefined` when the catalog has none of that id. */
  async product(id: number): Promise<Product | undefined> {
    const { status, body } = await this.send("GET", `/products/${id}`);
    return status === 404 ? undefined : (body as Product);
  }

  /** Whether the catalog answers its health route now (one attempt, through the breaker). */
  async healthy(): Promise<boolean> {
    try {
      await this.call("GET", "/health");
      return true;
    } catch {
      return false;
    }
  }

  /** Sends one call; retried with backoff when the method is idempotent. 4xx answers are returned. */
  send(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const attempt = () => this.call(method, path, body);
    if (!IDEMPOTENT.has(method)) return attempt();
    return retry(attempt, { ...this.options.retry, shouldRetry: (error) => error instanceof UpstreamError });
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  private call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    return this.breaker.run(
      async () => {
        this.attempts++;
        let res;
        try {
          res = await this.#pool.request({
            method,
            path,
            headers: {
              accept: "application/json",
              ...(body === undefined ? {} : { "content-type": "application/json" }),
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
        } catch (error) {
          throw new UpstreamError(`catalog ${method} ${path} failed: ${describe(error)}`, { cause: error });
        }
        let parsed: unknown;
        try {
          parsed = await res.body.json();
        } catch (error) {
          throw new UpstreamError(`catalog ${method} ${path}: unreadable body (${describe(error)})`, {
            cause: error,
          });
        }
        if (res.statusCode >= 500)
          throw new UpstreamError(`catalog ${method} ${path} answered ${res.statusCode}`);
        return { status: res.statusCode, body: parsed };
      },
      (error) => error instanceof UpstreamError,
    );
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? `${code} ${error.message}` : error.message;
}

/** Whether an error means "the catalog is unavailable" (a 503 for our client). */
export function isUnavailable(error: unknown): error is UpstreamError | BreakerOpenError {
  return error instanceof UpstreamError || error instanceof BreakerOpenError;
}
