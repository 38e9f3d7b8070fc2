// `?limit=` and `?offset=` of the article lists: whole numbers (limit from 1, default 20,
// lowered to 100 at most; offset from 0, default 0). Anything else is a 422 naming it.
import { unprocessable } from "./errors.js";

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

export interface Window {
  readonly limit: number;
  readonly offset: number;
}

function wholeNumber(name: string, text: string | undefined, min: number, fallback: number): number {
  if (text === undefined || text === "") return fallback;
  if (!/^[0-9]{1,9}$/.test(text) || Number(text) < min) {
    throw unprocessable(
      `${name} must be a whole number from ${min}, got ${JSON.stringify(text.slice(0, 20))}`,
    );
  }
  return Number(text);
}

export function windowOf(limit: string | undefined, offset: string | undefined): Window {
  return {
    limit: Math.min(wholeNumber("limit", limit, 1, DEFAULT_LIMIT), MAX_LIMIT),
    offset: wholeNumber("offset", offset, 0, 0),
  };
}
