import { type InjectOptions, type InjectResponse, type Injectable, inject } from "./inject.js";

type RequestOptions = Omit<InjectOptions, "url" | "method">;

/**
 * A client for tests that keeps cookies across requests, like Flask's test client: cookies a
 * response sets are sent with later requests; a cookie cleared (Max-Age=0 or past Expires) is
 * dropped.
 *
 * @example
 * const client = app.testClient();
 * await client.post("/login", { form: { user: "ada" } });
 * expect((await client.get("/me")).statusCode).toBe(200);
 */
export class TestClient {
  /** Cookies the client will send, by name. */
  readonly cookies = new Map<string, string>();

  constructor(private readonly app: Injectable) {}

  async request(options: InjectOptions): Promise<InjectResponse> {
    const cookies = { ...Object.fromEntries(this.cookies), ...options.cookies };
    const response = await inject(this.app, { ...options, cookies });
    for (const entry of response.cookies) {
      const maxAge = entry.attributes["max-age"];
      const expires = entry.attributes["expires"];
      const expired =
        (typeof maxAge === "string" && Number(maxAge) <= 0) ||
        (typeof expires === "string" && Date.parse(expires) <= Date.now());
      if (expired) this.cookies.delete(entry.name);
      else this.cookies.set(entry.name, entry.value);
    }
    return response;
  }

  get(url: string, options?: RequestOptions): Promise<InjectResponse> {
    return this.request({ ...options, url, method: "GET" });
  }

  head(url: string, options?: RequestOptions): Promise<InjectResponse> {
    return this.request({ ...options, url, method: "HEAD" });
  }

  options(url: string, options?: RequestOptions): Promise<InjectResponse> {
    return this.request({ ...options, url, method: "OPTIONS" });
  }

  post(url: string, options?: RequestOptions): Promise<InjectResponse> {
    return this.request({ ...options, url, method: "POST" });
  }

  put(url: string, options?: RequestOptions): Promise<InjectResponse> {
    return this.request({ ...options, url, method: "PUT" });
  }

  patch(url: string, options?: RequestOptions): Promise<InjectResponse> {
    return this.request({ ...options, url, method: "PATCH" });
  }

  delete(url: string, options?: RequestOptions): Promise<InjectResponse> {
    return this.request({ ...options, url, method: "DELETE" });
  }
}
