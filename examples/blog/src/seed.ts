import type { Database } from "@flagon/database";
import type { DB } from "./db.js";
import { Posts } from "./posts.js";
import { Users } from "./users.js";

/** The demo account the seed creates (the README names it). */
export const DEMO_USER = { username: "demo", password: "demo-password" };

const POSTS: { title: string; tags: string[]; body: string }[] = [
  {
    title: "Welcome to the Flagon blog",
    tags: ["flagon", "meta"],
    body: `This blog is the showcase of **Flagon**, a Flask-spirited web framework for TypeScript.

- Register an account, or log in as \`demo\` / \`demo-password\`.
- Write posts in *Markdown*, add an image, tag them.
- Comment on what others wrote.

> Everything runs on embedded defaults: SQLite and in-memory sessions. Nothing to install.`,
  },
  {
    title: "Writing in Markdown",
    tags: ["markdown", "howto"],
    body: `Posts are Markdown, rendered with *marked* and cleaned with *sanitize-html*:

1. \`**bold**\` gives **bold**, \`_italic_\` gives _italic_.
2. Links: [the Flask tutorial](https://flask.palletsprojects.com/tutorial/).
3. Code blocks keep their spacing:

\`\`\`ts
app.get("/", () => "Hello, world!");
\`\`\`

Raw HTML is allowed only where it is harmless: a \`<script>\` never survives.`,
  },
  {
    title: "A JSON API beside the pages",
    tags: ["api", "howto"],
    body: `Every post is also at \`/api/posts\`. Reading is open; to write, make a personal token on
the *API tokens* page and send it as \`Authorization: Bearer flg_…\`.`,
  },
  {
    title: "Caching the index",
    tags: ["flagon", "performance"],
    body: `The index is cached for anonymous readers for a minute, and any new post clears it.
A signed-in reader always gets a fresh page: the cache never stores a page that read a session.`,
  },
  {
    title: "Images on posts",
    tags: ["howto"],
    body: `A post may carry one image. Its type is recognised by its first bytes — a renamed
text file is refused — and it is stored under a generated name.`,
  },
  {
    title: "Tags and pagination",
    tags: ["meta"],
    body: `Tags link to a page of their own; lists come five posts at a time, with page links below.`,
  },
];

/**
 * Fills an empty blog with a demo account and a few posts, once: it does nothing when any user
 * exists. Resolves to whether it seeded.
 */
export async function seedDemo(db: Database<DB>): Promise<boolean> {
  const anyone = await db.selectFrom("users").select("id").limit(1).executeTakeFirst();
  if (anyone !== undefined) return false;
  const users = new Users(db);
  const posts = new Posts(db);
  const demo = await users.create(DEMO_USER.username, DEMO_USER.password);
  const start = Date.now() - POSTS.length * 3_600_000;
  for (const [index, post] of [...POSTS].reverse().entries()) {
    const id = await posts.create(demo.id, { ...post, image: null });
    const at = new Date(start + index * 3_600_000).toISOString();
    await db.updateTable("posts").set({ created_at: at, updated_at: at }).where("id", "=", id).execute();
    if (index === POSTS.length - 1)
      await posts.addComment(id, demo.id, "First comment! Try writing one yourself.");
  }
  return true;
}
