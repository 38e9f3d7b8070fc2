import { TemplateError } from "./errors.js";
import { templateSegments } from "./names.js";
import { type TemplateSources, tooLarge } from "./sources.js";

/** What a nunjucks loader hands back for a template. */
export interface TemplateSource {
  readonly src: string;
  /** The template's name; nunjucks shows it in error messages. */
  readonly path: string;
  readonly noCache: boolean;
}

/**
 * A synchronous nunjucks loader over the template sources held in memory (TemplateSources, which
 * reads the folders asynchronously before rendering): a render never touches the disk, and
 * nunjucks renders `{% include %}`, `{% import %}` and `{% extends %}` inside a plain `{% for %}`
 * as Jinja does. The first folder holding the name wins (the app's own folder comes first, so an
 * app overrides a plugin's template). Names that could leave a folder (`..`, absolute, `\`, NUL)
 * are refused.
 *
 * nunjucks keeps the compiled templates in `cache` (it assigns the object); the engine deletes
 * the entries of templates whose source changed.
 */
export class FolderLoader {
  /** Compiled templates by name; owned by the nunjucks environment using this loader. */
  cache: Record<string, unknown> = {};

  constructor(private readonly sources: TemplateSources) {}

  /** The nunjucks loader interface: the template's source, or null when no folder has it. */
  getSource(name: string): TemplateSource | null {
    if (!templateSegments(name)) {
      throw new TemplateError(
        String(name),
        `template name ${JSON.stringify(name)} is not allowed: use a relative path with "/" and no ".", ".." or empty segments`,
      );
    }
    const entry = this.sources.find(name);
    if (entry === undefined) return null;
    if (entry.src === undefined) throw new TemplateError(name, tooLarge(name, entry, this.sources.limits));
    return { src: entry.src, path: name, noCache: false };
  }
}
