// Flagon's default security headers, read from the core's build without loading the framework.
const core = new URL("../../../../core/dist/http/security-headers.js", import.meta.url);
const { SecurityHeaders } = (await import(
  core.href
)) as typeof import("../../../core/src/http/security-headers.js");

export function securityHeadersFor(contentType: string): Record<string, string> {
  return SecurityHeaders.compile(undefined).headersFor(contentType, "http");
}
