// Bundles the compiled core (dist/, from tsc) into one module per public entry point, in
// dist/bundle/, which package.json's exports name. Loading ~100 small modules is most of what
// `import "@flagon/core"` costs at start-up; one file (plus shared and lazily loaded chunks)
// takes a fraction of it. Dependencies stay external: an app and its plugins must share one copy
// of tsyringe, pino and the rest. tsc still emits the declarations and the decorator metadata;
// this only moves already-compiled JavaScript.
//
// The entries come from package.json: every export whose "default" is ./dist/bundle/<name>.js
// is built from the file next to its "types" (./dist/<path>.d.ts → ./dist/<path>.js), so an
// export cannot be added without being bundled.
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const OUT = "./dist/bundle/";

/** `{ name: input }` for every bundled export of package.json. */
export function bundleEntries(exports) {
  const entries = {};
  for (const [subpath, target] of Object.entries(exports)) {
    if (typeof target !== "object" || target === null) continue;
    const { types, default: file } = target;
    if (typeof file !== "string" || !file.startsWith(OUT)) continue;
    if (typeof types !== "string" || !types.endsWith(".d.ts")) {
      throw new Error(`core/package.json: export "${subpath}" is bundled but names no .d.ts "types"`);
    }
    const name = file.slice(OUT.length, -".js".length);
    entries[name] = path.join(root, `${types.slice(0, -".d.ts".length)}.js`);
  }
  return entries;
}

const entries = bundleEntries(pkg.exports);
if (Object.keys(entries).length === 0) throw new Error("core/package.json exports nothing from dist/bundle");
rmSync(path.join(root, OUT), { recursive: true, force: true });
await build({
  input: entries,
  // Bare specifiers (dependencies, node: built-ins) stay imports; only core's own files are joined.
  external: (id) => !id.startsWith(".") && !path.isAbsolute(id),
  platform: "node",
  logLevel: "warn",
  output: {
    dir: path.join(root, OUT),
    format: "esm",
    entryFileNames: "[name].js",
    chunkFileNames: "[name]-[hash].js",
    sourcemap: true,
  },
});
