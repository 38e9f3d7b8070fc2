// Random HTTP/1.1 requests for the crash-proofing fuzz (RELIABILITY row 25), as raw bytes: random
// methods; targets built from the fixture's real routes and then mangled (random bytes, percent
// escapes valid and not, long segments, dot segments, absolute form); random headers, including
// huge, repeated and invalid ones; random bodies and content types; framing that is right,
// chunked at random, lying, or broken. Everything comes from one seeded generator, so a seed
// printed by a failing run replays the same requests.

/** mulberry32: small, fast, good enough for fuzzing, and seedable. */
export function random(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng = next as Rng;
  rng.int = (min, max) => min + Math.floor(next() * (max - min + 1));
  rng.pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  rng.chance = (p) => next() < p;
  rng.bytes = (n) => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
    return out;
  };
  return rng;
}

export interface Rng {
  (): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  bytes(n: number): Buffer;
}

export interface FuzzRequest {
  /** The method as sent (may be garbage); HEAD decides how the response is framed. */
  method: string;
  /** The route it was built from (with " (mangled)" when its target was mutated), for reporting. */
  route: string;
  bytes: Buffer;
  /**
   * Its framing leaves bytes that the server will read as another (malformed) request: a
   * Content-Length lower than the body, a body without framing, a broken chunked body.
   */
  trailingGarbage: boolean;
  /**
   * Its Content-Length says more than its body: pipelined, the server takes the first bytes of
   * the next request as the rest of the body, so the client can no longer tell which request a
   * later response answers.
   */
  swallowsFollowing: boolean;
}

/** The fixture's routes, with valid parameters; mutations start from these. */
export const ROUTES = [
  "/",
  "/json",
  "/echo",
  "/bytes",
  "/stream-in",
  "/query?a=1&b=2&a=3",
  "/cookies",
  "/p/a/b/c.txt",
  "/i/42",
  "/i/-1",
  "/f/1.5",
  "/u/123e4567-e89b-12d3-a456-426614174000",
  "/a/red",
  "/a/blue",
  "/s/name/x",
  "/slash",
  "/slash/",
  "/host",
  "/redirect",
  "/abort/418",
  "/abort/503",
  "/boom",
  "/reject",
  "/session",
  "/flash?m=hello",
  "/flashes",
  "/render/name",
  "/file/hello.txt",
  "/file/css/site.css",
  "/file/../server.mjs",
  "/static/hello.txt",
  "/static/css/site.css",
  "/static/",
  "/events",
  "/stream",
  "/work?ms=5",
  "/items/",
  "/items/?page=2",
  "/items/1",
  "/items/999",
  "/items/page/abc?q=x",
  "/items/whoami",
  "/nowhere",
] as const;

// FUZZ_ROUTES=/stream,/events focuses a run on some routes (to chase a rare failure).
const FOCUS: readonly string[] = (() => {
  const wanted = (process.env["FUZZ_ROUTES"] ?? "").split(",").filter(Boolean);
  const chosen = ROUTES.filter((route) => wanted.some((w) => route.split("?")[0] === w));
  return chosen.length > 0 ? chosen : ROUTES;
})();

/** Routes whose 5xx answers are the app's own doing (a throwing handler, abort(5xx)). */
export const INTENDED_5XX = new Set(["/boom", "/reject", "/abort/503"]);

const METHODS = [
  "GET",
  "GET",
  "GET",
  "GET",
  "POST",
  "POST",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "HEAD",
  "HEAD",
  "OPTIONS",
];
const ODD_METHODS = [
  "TRACE",
  "CONNECT",
  "PROPFIND",
  "get",
  "Get",
  "G ET",
  "",
  "GET\0",
  "M-SEARCH",
  "PURGE",
  "QUERY",
  "X".repeat(300),
];
const ESCAPES = [
  "%00",
  "%2e",
  "%2E%2E",
  "%2f",
  "%2F",
  "%5c",
  "%25",
  "%zz",
  "%",
  "%4",
  "%c0%af",
  "%ff",
  "%e2%80%ae",
  "%0d%0a",
  "%20",
  "%3f",
  "%23",
  "%u002e",
  "%C3%A9",
  "%F0%9F%98%80",
  "%ED%A0%80",
];
const PIECES = [
  "/",
  "//",
  "/./",
  "/../",
  "/..",
  "/.",
  ";",
  ";a=b",
  "~",
  "\\",
  "..\\",
  "%2e%2e/",
  "CON",
  "NUL.txt",
  "a".repeat(300),
  "é",
  "😀",
  " ",
  "\t",
  "?",
  "#",
  "&",
  "=",
];
const QUERIES = [
  "a=1",
  "a",
  "=",
  "&&&",
  "__proto__[x]=1",
  "constructor[prototype][x]=1",
  "a[b][c]=1",
  "a.b=1",
  "q=%zz",
  "q=%00",
  "page=abc",
  "m=%3Cscript%3E",
  "ms=999999",
  "ms=-5",
  "gc=1",
  "reset=1",
];
const ACCEPTS = [
  "application/json",
  "text/html",
  "*/*",
  "application/problem+json",
  "application/json;q=0, text/html;q=0",
  "text/html;q=abc",
  "application/vnd.x+json; q=0.5, */*;q=0.1",
  ";;;,,,",
  "",
  "a/b/c",
];
const CONTENT_TYPES = [
  "application/json",
  "APPLICATION/JSON; Charset=UTF-8",
  "application/json;",
  "application/json ; charset=utf-8",
  "application/json\t",
  "application/vnd.api+json",
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=latin1",
  "text/plain",
  "text/plain; charset=utf-16",
  "text/plain; charset=nope",
  "multipart/form-data; boundary=xyz",
  "application/octet-stream",
  "application/json, text/plain",
  'application/json; charset="utf-8;x"',
  "garbage",
  "application/",
  "/json",
  "",
  "application/json; a",
];
const COOKIES = [
  "session=garbage",
  "session=eyJ0IjoxfQ.AAAA",
  "session=",
  "a=1; b=2; session=x.y.z",
  "=__Host-session=evil",
  "\u00a0session=x",
  "session=%ZZ",
  'a="quoted"; b',
  ";;;;",
];

function header(name: string, value: string): string {
  return `${name}: ${value}`;
}

function percentTarget(rng: Rng): { route: string; target: string } {
  const route = rng.pick(FOCUS);
  let target: string = route;
  const mutations = rng.chance(0.35) ? 0 : rng.int(1, 3);
  for (let m = 0; m < mutations; m++) {
    const at = rng.int(0, target.length);
    switch (rng.int(0, 9)) {
      case 0:
      case 1:
        target = target.slice(0, at) + rng.pick(ESCAPES) + target.slice(at);
        break;
      case 2:
        target = target.slice(0, at) + rng.pick(PIECES) + target.slice(at);
        break;
      case 3:
        target += `/${"x".repeat(rng.pick([100, 1000, 4000, 9000, 17_000]))}`;
        break;
      case 4:
        target +=
          (target.includes("?") ? "&" : "?") +
          Array.from({ length: rng.int(1, 5) }, () => rng.pick(QUERIES)).join("&");
        break;
      case 5:
        target += (target.includes("?") ? "&" : "?") + "a=1&".repeat(rng.int(10, 2000));
        break;
      case 6:
        // Raw bytes, as they are: control characters, high bytes, spaces.
        target = target.slice(0, at) + rng.bytes(rng.int(1, 4)).toString("latin1") + target.slice(at);
        break;
      case 7:
        target = rng.pick([
          `http://127.0.0.1${target}`,
          `http://evil.example${target}`,
          "*",
          "",
          target.slice(1),
          `//${target}`,
          `https://a:b@c${target}`,
        ]);
        break;
      case 8:
        target = target.replace(/[a-z]/, (c) => c.toUpperCase());
        break;
      default:
        target += `#${rng.pick(["frag", "", "%zz"])}`;
    }
  }
  return { route: mutations === 0 ? route : `${route} (mangled)`, target };
}

function jsonValue(rng: Rng, depth = 0): unknown {
  const kind = depth > 4 ? rng.int(0, 3) : rng.int(0, 6);
  switch (kind) {
    case 0:
      return rng.int(-1e6, 1e6);
    case 1:
      return rng.pick(["", "x", "é😀", "\u0000", "<script>", "a".repeat(rng.int(0, 500))]);
    case 2:
      return rng.pick([true, false, null]);
    case 3:
      return rng() * 1e308;
    case 4:
      return Array.from({ length: rng.int(0, 5) }, () => jsonValue(rng, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = rng.int(0, 5); i > 0; i--)
        out[rng.pick(["name", "a", "b", "", "__proto__x", "n"])] = jsonValue(rng, depth + 1);
      return out;
    }
  }
}

function bodyFor(rng: Rng, contentType: string | undefined): Buffer {
  const type = contentType?.toLowerCase() ?? "";
  const roll = rng.int(0, 9);
  if (roll === 0) return rng.bytes(rng.int(0, 4096));
  if (roll === 1) return Buffer.alloc(rng.pick([0, 1, 100_000, 1_100_000]), "a"); // 1.1 MB is over bodyLimit
  if (type.includes("json") || roll === 2) {
    const text = rng.pick([
      () => JSON.stringify(jsonValue(rng)),
      () => JSON.stringify({ name: rng.pick(["item", "x".repeat(200), "é"]) }),
      () => '{"__proto__": {"polluted": true}}',
      () => '{"a": {"\\u005f_proto__": {"x": 1}}}',
      () => '{"constructor": {"prototype": {"x": 1}}}',
      () => "{".repeat(rng.int(1, 5000)),
      () => '{"a":',
      () => "\ufeff{}",
      () => "[1,2,3",
      () => "",
    ])();
    return Buffer.from(text);
  }
  if (type.includes("form") || roll === 3) {
    return Buffer.from(
      Array.from(
        { length: rng.int(0, 20) },
        () => `${rng.pick(QUERIES)}&value=${rng.pick(["x", "%zz", "é", "a+b", ""])}`,
      ).join("&"),
    );
  }
  return Buffer.from(rng.bytes(rng.int(0, 512)).toString("latin1"), "latin1");
}

function chunked(rng: Rng, body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    const n = Math.min(body.length - offset, rng.int(1, 4096));
    const ext = rng.chance(0.05) ? ";ext=1" : "";
    parts.push(
      Buffer.from(`${n.toString(16)}${ext}\r\n`),
      body.subarray(offset, offset + n),
      Buffer.from("\r\n"),
    );
    offset += n;
  }
  const trailer = rng.chance(0.05) ? "X-Trailer: 1\r\n" : "";
  parts.push(Buffer.from(`0\r\n${trailer}\r\n`));
  return Buffer.concat(parts);
}

const BROKEN_CHUNKS = [
  "zz\r\nabc\r\n0\r\n\r\n",
  "5\r\nab\r\n0\r\n\r\n",
  "ffffffffffffffff\r\nx\r\n",
  "-1\r\n\r\n",
  "3\r\nabc0\r\n\r\n",
  "3 \r\nabc\r\n0\r\n\r\n",
  "0x3\r\nabc\r\n0\r\n\r\n",
  "1\r\na\r\n",
];

/** One random request. `port` makes a valid Host; `session` is a real session cookie. */
export function fuzzRequest(rng: Rng, port: number, session: string): FuzzRequest {
  const method = rng.chance(0.08) ? rng.pick(ODD_METHODS) : rng.pick(METHODS);
  const { route, target } = percentTarget(rng);
  const version = rng.chance(0.95)
    ? "HTTP/1.1"
    : rng.pick(["HTTP/1.0", "HTTP/2.0", "HTTP/1.2", "HTTP/1", "http/1.1", "HTTP/1.1 x", ""]);
  const lines: string[] = [];

  // Host: usually right, sometimes missing, repeated or wrong.
  const hostRoll = rng.int(0, 19);
  if (hostRoll < 16) lines.push(header("Host", `127.0.0.1:${port}`));
  else if (hostRoll === 16) lines.push(header("Host", `127.0.0.1:${port}`), header("Host", "evil.example"));
  else if (hostRoll === 17)
    lines.push(
      header(
        "Host",
        rng.pick([
          "evil:x@good",
          "[::1]",
          "a b",
          "",
          "h".repeat(5000),
          "127.0.0.1:99999",
          "é.example",
          "a/b",
        ]),
      ),
    );
  // else: no Host at all

  let contentType: string | undefined;
  const extra = rng.int(0, 8);
  for (let i = 0; i < extra; i++) {
    switch (rng.int(0, 19)) {
      case 0:
        lines.push(header("Accept", rng.chance(0.1) ? ", ".repeat(rng.int(100, 7000)) : rng.pick(ACCEPTS)));
        break;
      case 1:
      case 2:
        contentType = rng.pick(CONTENT_TYPES);
        lines.push(header("Content-Type", contentType));
        break;
      case 3:
        lines.push(
          header(
            "Cookie",
            rng.chance(0.4)
              ? session
              : rng.chance(0.1)
                ? `big=${"c".repeat(rng.int(1000, 9000))}`
                : rng.pick(COOKIES),
          ),
        );
        break;
      case 4:
        lines.push(
          header(
            rng.pick(["X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded"]),
            rng.pick([
              "1.2.3.4",
              "https",
              "evil.example",
              "for=1.2.3.4;proto=https",
              ", , ,",
              "x".repeat(2000),
            ]),
          ),
        );
        break;
      case 5:
        lines.push(
          header(
            "Transfer-Encoding",
            rng.pick(["chunked", "gzip, chunked", "chunked, identity", "identity", "Chunked", "x"]),
          ),
        );
        break;
      case 6:
        lines.push(
          header(
            "Content-Length",
            rng.pick(["-1", "abc", "99999999999999999999", "1e3", "0", "5", " 5", "5, 5", "0x10"]),
          ),
        );
        break;
      case 7:
        lines.push(header("Content-Encoding", rng.pick(["gzip", "br", "deflate", "identity", "x"])));
        break;
      case 8:
        lines.push(header("Expect", rng.pick(["100-continue", "nonsense"])));
        break;
      case 9:
        lines.push(
          header("Connection", rng.pick(["close", "keep-alive", "Upgrade", "close, keep-alive", "x"])),
        );
        if (rng.chance(0.5)) lines.push(header("Upgrade", rng.pick(["websocket", "h2c", "x"])));
        break;
      case 10:
        lines.push(
          header(
            "Range",
            rng.pick([
              "bytes=0-1",
              "bytes=-5",
              "bytes=10-1",
              "bytes=0-1,3-4",
              "bytes=x",
              "items=0-1",
              `bytes=${"0-1,".repeat(500)}0-1`,
            ]),
          ),
        );
        break;
      case 11:
        lines.push(
          header(
            rng.pick(["If-None-Match", "If-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range"]),
            rng.pick(['"x"', "*", 'W/"a", "b"', "Tue, 01 Jan 2030 00:00:00 GMT", "garbage", ""]),
          ),
        );
        break;
      case 12:
        lines.push(header("X-Request-Id", rng.pick(["abc-1", "x".repeat(200), "a b", "é", "\u0001", ""])));
        break;
      case 13:
        lines.push(header("X-N", rng.pick(["1", "-1", "1.5", "NaN", "abc", "1e309", ""])));
        break;
      case 14:
        lines.push(header("X-Deny", "1"));
        break;
      case 15: {
        // A header repeated many times.
        const name = rng.pick(["X-Dup", "Accept", "Cookie", "Content-Type", "X-Request-Id"]);
        for (let r = rng.int(2, 100); r > 0; r--) lines.push(header(name, `v${r}`));
        break;
      }
      case 16:
        // A huge header: past the 16 KiB limit sometimes.
        lines.push(header("X-Huge", "h".repeat(rng.pick([1000, 8000, 17_000]))));
        break;
      case 17:
        // Invalid names and values: spaces, colons, control characters, high bytes, obs-fold.
        lines.push(
          rng.pick([
            "Bad Name: x",
            ": empty-name",
            "X-Ctl: a\u0001b",
            "X-Nul: a\u0000b",
            `X-High: ${rng.bytes(8).toString("latin1")}`,
            "X-Fold: a\r\n b",
            "X-NoColon",
            "X-Cr: a\rb",
          ]),
        );
        break;
      default:
        lines.push(header(`X-R${rng.int(0, 99)}`, rng.bytes(rng.int(0, 40)).toString("base64")));
    }
  }

  // A body for most methods that take one, sometimes for the others.
  let framing: Buffer[] = [];
  let trailingGarbage = false;
  let swallowsFollowing = false;
  if (["POST", "PUT", "PATCH", "DELETE"].includes(method) ? rng.chance(0.85) : rng.chance(0.1)) {
    if (contentType === undefined && rng.chance(0.8)) {
      contentType = rng.pick(CONTENT_TYPES);
      lines.push(header("Content-Type", contentType));
    }
    const body = bodyFor(rng, contentType);
    switch (rng.int(0, 9)) {
      case 0:
      case 1:
      case 2:
      case 3:
        lines.push(header("Content-Length", String(body.length)));
        framing = [body];
        break;
      case 4:
      case 5:
        lines.push(header("Transfer-Encoding", "chunked"));
        framing = [chunked(rng, body)];
        break;
      case 6:
        // Content-Length says less than is sent: the rest reads as the next request.
        lines.push(header("Content-Length", String(Math.max(0, body.length - rng.int(1, 10)))));
        framing = [body];
        trailingGarbage = body.length > 0;
        break;
      case 7:
        // Content-Length says more than is sent: the server waits, then times out (408), or
        // reads the next pipelined request as the rest of the body.
        lines.push(header("Content-Length", String(body.length + rng.int(1, 100))));
        framing = [body];
        swallowsFollowing = true;
        break;
      case 8:
        lines.push(header("Transfer-Encoding", "chunked"));
        framing = [Buffer.from(rng.pick(BROKEN_CHUNKS))];
        trailingGarbage = true;
        break;
      default:
        // No framing at all: the body reads as the next request.
        framing = [body];
        trailingGarbage = body.length > 0;
    }
  }

  const eol = rng.chance(0.02) ? "\n" : "\r\n";
  const head = `${method} ${target} ${version}`.trimEnd() + eol + lines.map((l) => l + eol).join("") + eol;
  return {
    method,
    route,
    bytes: Buffer.concat([Buffer.from(head, "latin1"), ...framing]),
    trailingGarbage,
    swallowsFollowing,
  };
}
