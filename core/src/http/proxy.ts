import { BlockList, isIP } from "node:net";
import { ErrorCodes, FlagonError } from "../errors/codes.js";

/**
 * Which peers may set `X-Forwarded-Proto`, `X-Forwarded-Host` and `X-Forwarded-For`: `true`
 * trusts every peer (only when nothing but the proxy can reach the app), a list trusts those
 * addresses, CIDR ranges (`10.0.0.0/8`, `fd00::/8`) and the names `loopback`, `linklocal`,
 * `uniquelocal`. Default false: forwarded headers are ignored.
 */
export type TrustProxy = boolean | readonly string[];

/** Whether a peer address is a trusted proxy. */
export type ProxyTrust = (address: string | undefined) => boolean;

const NAMED_RANGES: Record<string, ReadonlyArray<[string, number, "ipv4" | "ipv6"]>> = {
  loopback: [
    ["127.0.0.0", 8, "ipv4"],
    ["::1", 128, "ipv6"],
  ],
  linklocal: [
    ["169.254.0.0", 16, "ipv4"],
    ["fe80::", 10, "ipv6"],
  ],
  uniquelocal: [
    ["10.0.0.0", 8, "ipv4"],
    ["172.16.0.0", 12, "ipv4"],
    ["192.168.0.0", 16, "ipv4"],
    ["fc00::", 7, "ipv6"],
  ],
};

function invalid(entry: unknown): FlagonError {
  return new FlagonError(
    ErrorCodes.INVALID_CONFIG,
    `config.trustProxy must be true, false or a list of IP addresses, CIDR ranges and the names loopback, linklocal, uniquelocal; got ${JSON.stringify(entry)}`,
  );
}

function family(address: string): "ipv4" | "ipv6" | undefined {
  const version = isIP(address);
  return version === 4 ? "ipv4" : version === 6 ? "ipv6" : undefined;
}

/** Validates `config.trustProxy` and compiles it into a check; undefined when no peer is trusted. */
export function compileTrustProxy(value: unknown): ProxyTrust | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return () => true;
  if (!Array.isArray(value)) throw invalid(value);
  const list = new BlockList();
  for (const entry of value as unknown[]) {
    if (typeof entry !== "string") throw invalid(entry);
    const named = NAMED_RANGES[entry];
    if (named) {
      for (const [net, prefix, type] of named) list.addSubnet(net, prefix, type);
      continue;
    }
    const slash = entry.indexOf("/");
    const address = slash === -1 ? entry : entry.slice(0, slash);
    const type = family(address);
    if (type === undefined) throw invalid(entry);
    if (slash === -1) {
      list.addAddress(address, type);
      continue;
    }
    const prefixText = entry.slice(slash + 1);
    const prefix = Number(prefixText);
    if (!/^\d{1,3}$/.test(prefixText) || prefix > (type === "ipv4" ? 32 : 128)) throw invalid(entry);
    list.addSubnet(address, prefix, type);
  }
  return (address) => {
    if (address === undefined) return false;
    const type = family(address);
    return type !== undefined && list.check(address, type);
  };
}

/** The items of a comma-separated header (repeated headers arrive joined by ", "). */
export function headerList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(",") : value;
  const items: string[] = [];
  for (const item of text.split(",")) {
    const trimmed = item.trim();
    if (trimmed !== "") items.push(trimmed);
  }
  return items;
}

const isSeparator = (code: number): boolean => code === 0x2c || code === 0x20 || code === 0x09;

/**
 * The items of a comma-separated header from the right (the nearest proxy's first), trimmed,
 * empty ones skipped. Read lazily by index: a 16 KB header of commas costs only what is read.
 */
function* fromRight(value: string | string[] | undefined): Generator<string> {
  if (value === undefined) return;
  const text = Array.isArray(value) ? value.join(",") : value;
  for (let end = text.length; end > 0;) {
    // Commas, spaces and tabs at the right end are empty items: stepped over without a string.
    while (end > 0 && isSeparator(text.charCodeAt(end - 1))) end -= 1;
    if (end === 0) return;
    const comma = text.lastIndexOf(",", end - 1);
    const item = text.slice(comma + 1, end).trim();
    if (item !== "") yield item;
    end = comma;
  }
}

/** The value the nearest proxy wrote: the last item of a comma-separated header. */
export function nearestValue(value: string | string[] | undefined): string | undefined {
  for (const item of fromRight(value)) return item;
  return undefined;
}

// RFC 3986 reg-name or IP literal, with an optional port.
const VALID_HOST = /^(?:[A-Za-z0-9._~!$&'()*+,;=%-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Whether a Host header or a forwarded host is a plain host with an optional port (no user
 * info, no path, at most 255 characters). Admission (the Host) and proxy handling use it.
 */
export function isValidHost(host: string): boolean {
  return host.length <= 255 && VALID_HOST.test(host);
}

/**
 * The client address behind trusted proxies: X-Forwarded-For is read from the right, skipping
 * trusted hops, so entries a client wrote itself (on the left) are never believed.
 */
export function forwardedFor(
  peer: string | undefined,
  header: string | string[] | undefined,
  trust: ProxyTrust,
): string | undefined {
  let client = peer;
  for (const hop of fromRight(header)) {
    if (!trust(client) || isIP(hop) === 0) break;
    client = hop;
  }
  return client;
}
