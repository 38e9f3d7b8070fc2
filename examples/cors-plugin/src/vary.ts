import type { ResponseHeaders } from "@flagon/core";

/**
 * Adds field names to `Vary`, keeping the values already there (in one header line, without
 * duplicates, case-insensitively). `Vary: *` already covers everything and is left alone.
 */
export function appendVary(headers: ResponseHeaders, ...fields: string[]): void {
  const current = headers.get("vary");
  const values = (current === undefined ? [] : typeof current === "string" ? [current] : current)
    .flatMap((line) => line.split(","))
    .map((value) => value.trim())
    .filter((value) => value !== "");
  const seen = new Set(values.map((value) => value.toLowerCase()));
  if (seen.has("*")) return;
  const added = fields.filter((field) => !seen.has(field.toLowerCase()));
  if (added.length === 0 && typeof current === "string") return;
  headers.set("vary", [...values, ...added].join(", "));
}
