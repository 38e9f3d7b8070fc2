import { readFile, stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { isSecretName } from "../app/logger.js";
import type { Context } from "../http/context.js";
import { escapeHtml, FlagonResponse } from "../http/response.js";
import { HttpError } from "./http-errors.js";
import { prefersJson } from "./render.js";

// The development error page: an unexpected error's message, its stack with the source around
// each frame, and the request. Shown only to a browser on this machine (see `devPageAllowed`).

const CONTEXT_LINES = 2;
const MAX_FRAMES = 40;
const MAX_CAUSES = 5;
const MAX_SOURCE_BYTES = 1024 * 1024;
const MAX_LINE = 300;
const SOURCE_FILE = /\.[cm]?[jt]sx?$/;
const FORWARDING_HEADERS = ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip"];

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.x: the peer is this machine. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  if (address === "::1") return true;
  const v4 = address.toLowerCase().startsWith("::ffff:") ? address.slice(7) : address;
  return /^127(?:\.\d{1,3}){3}$/.test(v4);
}

/** A Host naming this machine (or none). Other names from a loopback peer mean DNS rebinding. */
function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return true;
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d+$/, "");
  const lower = name.toLowerCase();
  return (
    lower === "localhost" || lower.endsWith(".localhost") || lower === "[::1]" || isLoopbackAddress(lower)
  );
}

/**
 * Whether this error may be answered with the development page: an unexpected error (not an
 * HttpError), `NODE_ENV` is not production, the peer is a loopback address that no proxy header
 * claims to forward for, the Host names this machine (no DNS rebinding), and the client takes HTML.
 * The caller checks that the app runs in development.
 */
export function devPageAllowed(ctx: Context, error: unknown): boolean {
  if (error instanceof HttpError || process.env["NODE_ENV"] === "production") return false;
  const { request } = ctx;
  if (!isLoopbackAddress(request.ip) || !isLoopbackHost(request.headers.host)) return false;
  if (FORWARDING_HEADERS.some((name) => request.headers[name] !== undefined)) return false;
  return !prefersJson(request.header("accept"));
}

interface Frame {
  readonly text: string;
  readonly file: string | undefined;
  readonly line: number;
  readonly column: number;
  readonly library: boolean;
}

const DIGITS = /^\d+$/;

/**
 * `at fn (file:line:col)` or `at file:line:col` → [file, line, col]. By index: the regex
 * /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/ it replaces is quadratic on forged lines.
 */
function frameLocation(raw: string): [string, number, number] | undefined {
  let body = raw.slice(raw.indexOf("at ") + 3);
  if (body.endsWith(")")) body = body.slice(0, -1);
  const columnAt = body.lastIndexOf(":");
  const lineAt = columnAt > 0 ? body.lastIndexOf(":", columnAt - 1) : -1;
  if (lineAt < 1) return undefined;
  const line = body.slice(lineAt + 1, columnAt);
  const column = body.slice(columnAt + 1);
  if (!DIGITS.test(line) || !DIGITS.test(column)) return undefined;
  let location = body.slice(0, lineAt);
  const open = location.indexOf(" (");
  if (open !== -1 && open + 2 < location.length) location = location.slice(open + 2);
  return [location, Number(line), Number(column)];
}

function toPath(location: string): string | undefined {
  if (location.startsWith("file://")) {
    try {
      return fileURLToPath(location);
    } catch {
      return undefined;
    }
  }
  return location.startsWith("/") || /^[A-Za-z]:[\\/]/.test(location) ? location : undefined;
}

function parseStack(stack: string): Frame[] {
  const frames: Frame[] = [];
  for (const raw of stack.split("\n")) {
    if (!/^\s*at /.test(raw)) continue;
    const text = raw.trim().slice(3);
    const match = raw.length <= 2000 ? frameLocation(raw) : undefined; // a forged huge line is not parsed
    const file = match ? toPath(match[0]) : undefined;
    const library = file === undefined || /[\\/]node_modules[\\/]/.test(file);
    frames.push({
      text,
      file: library ? undefined : file,
      line: match?.[1] ?? 0,
      column: match?.[2] ?? 0,
      library,
    });
    if (frames.length === MAX_FRAMES) break;
  }
  return frames;
}

type SourceCache = Map<string, Promise<string[] | undefined>>;

/** A local source file's lines: only code files, only regular files, at most 1 MiB. */
function sourceLines(cache: SourceCache, file: string): Promise<string[] | undefined> {
  let lines = cache.get(file);
  if (!lines) {
    lines = (async () => {
      if (!SOURCE_FILE.test(file)) return undefined;
      try {
        const info = await stat(file);
        if (!info.isFile() || info.size > MAX_SOURCE_BYTES) return undefined;
        return (await readFile(file, "utf8")).split(/\r?\n/);
      } catch {
        return undefined;
      }
    })();
    cache.set(file, lines);
  }
  return lines;
}

async function renderFrame(frame: Frame, cache: SourceCache): Promise<string> {
  const head = `<div class="at">${escapeHtml(frame.text)}</div>`;
  if (frame.library) return `<li class="lib">${head}</li>`;
  const lines = frame.file === undefined ? undefined : await sourceLines(cache, frame.file);
  if (!lines || frame.line < 1 || frame.line > lines.length) return `<li>${head}</li>`;
  const first = Math.max(1, frame.line - CONTEXT_LINES);
  const last = Math.min(lines.length, frame.line + CONTEXT_LINES);
  let source = "";
  for (let n = first; n <= last; n++) {
    let code = lines[n - 1] ?? "";
    if (code.length > MAX_LINE) code = `${code.slice(0, MAX_LINE)}…`;
    const mark = n === frame.line ? ' class="hit"' : "";
    source += `<span${mark}><b>${n}</b>${escapeHtml(code)}</span>\n`;
  }
  return `<li>${head}<pre>${source}</pre></li>`;
}

function describe(error: unknown): { name: string; message: string; stack: string } {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack ?? "" };
  }
  let message: string;
  try {
    message = typeof error === "string" ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    message = String(error);
  }
  return { name: `thrown ${typeof error}`, message, stack: "" };
}

async function errorSection(error: unknown, cache: SourceCache): Promise<string> {
  const { name, message, stack } = describe(error);
  const frames = await Promise.all(parseStack(stack).map((frame) => renderFrame(frame, cache)));
  const list = frames.length > 0 ? `<ol class="stack">${frames.join("")}</ol>` : "";
  return `<h2>${escapeHtml(name)}</h2>\n<p class="msg">${escapeHtml(message)}</p>\n${list}`;
}

function table(rows: ReadonlyArray<readonly [string, string]>): string {
  if (rows.length === 0) return "<p>none</p>";
  const body = rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("");
  return `<table>${body}</table>`;
}

/** The request target with the values of secret-named query arguments replaced. */
function redactedUrl(path: string, queryString: string): string {
  if (queryString === "") return path;
  const pairs = queryString.split("&").map((pair) => {
    const eq = pair.indexOf("=");
    const key = eq === -1 ? pair : pair.slice(0, eq);
    let name = key;
    try {
      name = decodeURIComponent(key.replace(/\+/g, " "));
    } catch {
      // a malformed escape: judge the name as sent
    }
    return eq !== -1 && isSecretName(name) ? `${key}=[redacted]` : pair;
  });
  return `${path}?${pairs.join("&")}`;
}

function requestSection(ctx: Context): string {
  const { request } = ctx;
  const shown = (name: string, value: string): string => (isSecretName(name) ? "[redacted]" : value);
  const headers: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers.push([name, shown(name, Array.isArray(value) ? value.join(", ") : value)]);
  }
  const query = [...request.query.keys()].flatMap((k) =>
    request.query.getAll(k).map((v): [string, string] => [k, shown(k, v)]),
  );
  const summary: Array<[string, string]> = [
    ["method", request.method],
    ["URL", redactedUrl(request.path, request.queryString)],
    ["request id", ctx.id],
  ];
  if (ctx.route) summary.push(["endpoint", ctx.route.endpoint]);
  return `<h2>Request</h2>\n${table(summary)}\n<h3>Headers</h3>\n${table(headers)}\n<h3>Query</h3>\n${table(query)}`;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}h1{color:#b00020}
.msg{font:16px monospace;white-space:pre-wrap;background:#fff3f3;padding:.8em;border-left:4px solid #b00020}
.stack{padding-left:1.5em}.stack li{margin:.6em 0}.at{font-family:monospace}.lib .at{color:#888}
pre{background:#f6f6f6;padding:.5em;overflow:auto;margin:.3em 0}pre b{display:inline-block;width:3.5em;color:#999;font-weight:normal}
.hit{background:#ffe08a;display:inline-block;min-width:100%}table{border-collapse:collapse}
th,td{text-align:left;vertical-align:top;padding:.2em .8em;border-bottom:1px solid #eee;font-family:monospace}
.note{color:#666}`;

/**
 * The development error page (500): the error and its causes with source lines around each
 * frame of local code (library and internal frames are listed greyed, without source), then the
 * request with secret headers and query values redacted. Everything shown is HTML-escaped.
 */
export async function renderDevPage(error: unknown, ctx: Context): Promise<FlagonResponse> {
  const cache: SourceCache = new Map();
  const parts = [await errorSection(error, cache)];
  let cause = error instanceof Error ? error.cause : undefined;
  for (let i = 0; cause !== undefined && i < MAX_CAUSES; i++) {
    parts.push(`<h3>Caused by</h3>\n${await errorSection(cause, cache)}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  const { name, message } = describe(error);
  const page = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>${escapeHtml(`${name}: ${message}`.slice(0, 200))} (500)</title>
<style>${STYLE}</style>
<h1>500 Internal Server Error</h1>
<p class="note">Flagon development error page: shown only in development, to this machine. Never in production.</p>
${parts.join("\n")}
${requestSection(ctx)}
`;
  return new FlagonResponse(page, {
    status: 500,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
      "x-content-type-options": "nosniff",
    },
  });
}
