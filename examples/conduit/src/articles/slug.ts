import { randomBytes } from "node:crypto";

/** A URL-safe slug of a title: "How to train your dragon!" → "how-to-train-your-dragon". */
export function slugify(title: string): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
    .replace(/-+$/, "");
  return slug === "" ? "article" : slug;
}

/** The slug with a random suffix, for a title whose plain slug another article holds. */
export function suffixed(slug: string): string {
  return `${slug}-${randomBytes(4).toString("hex")}`;
}
