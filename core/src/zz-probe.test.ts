import { test, expect } from "vitest";
import { Router } from "./routing/router.js";
import { parsePath, buildPath } from "./routing/path.js";
import { builtinConverters } from "./routing/converters.js";
import { parseMediaType } from "./http/media-type.js";
const P = (s: string) => parsePath(s, builtinConverters);
test("probe", () => {
  const r = new Router<string>();
  r.add(P("/a"), "POST", "post /a");
  r.add(P("/a/"), "GET", "get /a/");
  console.log("same-node twin:", r.match("GET", "/a"));
  const r2 = new Router<string>();
  r2.add(P("/<any('a b', c):k>"), "GET", "g");
  r2.add(P("/<any('ab', c):k>"), "POST", "p");
  console.log("any key:", r2.match("POST", "/ab"), r2.match("GET", "/a%20b"));
  try { console.log(buildPath(P("/f/<float:x>"), { x: 1 })); } catch (e) { console.log("float build:", (e as Error).message); }
  try { console.log(buildPath(P("/f/<float:x>"), { x: 1e-7 })); } catch (e) { console.log("float build:", (e as Error).message); }
  const r3 = new Router<string>(); r3.add(P("/a/<path:p>"), "GET", "p");
  console.log("double slash path:", r3.match("GET", "/a//b"));
  for (const h of ["text/plain;", "Text/HTML; Charset=\"UTF-8\"", "text/plain ; a=b", "application/json, text/plain", "application/json garbage", "text/plain; a=b;"]) console.log(JSON.stringify(h), parseMediaType(h));
});
