// The bodies of POST /articles and PUT /articles/{slug} (NewArticle and UpdateArticle).
import { z } from "zod";
import { object, strings, text } from "../http/fields.js";

const title = text({ blank: false, max: 255 });
const description = text({ blank: false, max: 1000 });
const body = text({ blank: false, max: 100_000 });

export const NewArticleBody = z.object({
  article: object({
    title,
    description,
    body,
    tagList: strings().max(20, "has more than 20 tags").optional(),
  }),
});
export type NewArticleBody = z.infer<typeof NewArticleBody>;

export const UpdateArticleBody = z.object({
  article: object({ title: title.optional(), description: description.optional(), body: body.optional() }),
});
export type UpdateArticleBody = z.infer<typeof UpdateArticleBody>;

/** Tags as stored: trimmed, without empty ones or repeats, in the order given. */
export function cleanTags(tags: readonly string[] = []): string[] {
  const seen = new Set<string>();
  for (const tag of tags) {
    const clean = tag.trim().slice(0, 255);
    if (clean !== "") seen.add(clean);
  }
  return [...seen];
}
