// {% cache "key", ttl %}…{% endcache %}: a template fragment rendered once per key and ttl,
// through the template-extension seam.
import { markSafe } from "@flagon/core";
import type { TemplateExtension } from "@flagon/core/plugin";
import type { Cache } from "./cache.js";

interface Parser {
  nextToken(): { value: string };
  parseSignature(a: null, b: boolean): unknown;
  advanceAfterBlockEnd(name?: string): void;
  parseUntilBlocks(...names: string[]): unknown;
}

interface Nodes {
  CallExtensionAsync: new (ext: object, method: string, args: unknown, content: unknown[]) => unknown;
}

type Body = (callback: (error: unknown, output: string) => void) => void;

export function fragmentTag(cache: Cache, defaultTtl: number): TemplateExtension {
  return {
    tags: ["cache"],
    parse(parser: unknown, nodes: unknown) {
      const p = parser as Parser;
      const token = p.nextToken();
      const args = p.parseSignature(null, true);
      p.advanceAfterBlockEnd(token.value);
      const body = p.parseUntilBlocks("endcache");
      p.advanceAfterBlockEnd();
      return new (nodes as Nodes).CallExtensionAsync(this, "run", args, [body]);
    },
    run(_context: unknown, key: unknown, ...rest: unknown[]) {
      const callback = rest.pop() as (error: unknown, output?: unknown) => void;
      const body = rest.pop() as Body;
      const ttl = typeof rest[0] === "number" ? rest[0] : defaultTtl;
      if (typeof key !== "string" || key === "") {
        callback(new Error('{% cache %} needs a key: {% cache "sidebar", 60 %}'));
        return;
      }
      cache
        .wrap(
          `fragment:${key}`,
          () =>
            new Promise<string>((resolve, reject) =>
              body((error, output) =>
                error
                  ? reject(
                      error instanceof Error
                        ? error
                        : new Error("the {% cache %} body failed to render", { cause: error }),
                    )
                  : resolve(output),
              ),
            ),
          { ttl },
        )
        .then(
          (html) => callback(null, markSafe(html)),
          (error: unknown) => callback(error),
        );
    },
  };
}
