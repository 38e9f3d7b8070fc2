// The whole Conduit schema: users, who follows whom, articles with their tags, favourites and
// comments. Dates are ISO 8601 text (UTC, fixed width), which sorts the same on every database.
import type { Kysely } from "@flagon/database";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** PostgreSQL has no AUTOINCREMENT keyword: its generated ids are identity columns. */
function isPostgres(db: AnyDb): boolean {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

export async function up(db: AnyDb): Promise<void> {
  const postgres = isPostgres(db);
  const table = (name: string) =>
    db.schema
      .createTable(name)
      .addColumn("id", "integer", (c) =>
        postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
      );

  await table("users")
    .addColumn("username", "varchar(255)", (c) => c.notNull().unique())
    .addColumn("email", "varchar(255)", (c) => c.notNull().unique())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("bio", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("image", "text", (c) => c.notNull().defaultTo(""))
    .execute();

  await db.schema
    .createTable("follows")
    .addColumn("follower_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("followed_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("follows_pk", ["follower_id", "followed_id"])
    .execute();

  await table("articles")
    .addColumn("slug", "varchar(255)", (c) => c.notNull().unique())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("author_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "varchar(30)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(30)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("articles_created_at").on("articles").columns(["created_at", "id"]).execute();
  await db.schema.createIndex("articles_author").on("articles").column("author_id").execute();

  await db.schema
    .createTable("article_tags")
    .addColumn("article_id", "integer", (c) => c.notNull().references("articles.id").onDelete("cascade"))
    .addColumn("tag", "varchar(255)", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("article_tags_pk", ["article_id", "tag"])
    .execute();
  await db.schema.createIndex("article_tags_tag").on("article_tags").column("tag").execute();

  await db.schema
    .createTable("favorites")
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("article_id", "integer", (c) => c.notNull().references("articles.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("favorites_pk", ["user_id", "article_id"])
    .execute();
  await db.schema.createIndex("favorites_article").on("favorites").column("article_id").execute();

  await table("comments")
    .addColumn("article_id", "integer", (c) => c.notNull().references("articles.id").onDelete("cascade"))
    .addColumn("author_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", "varchar(30)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(30)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("comments_article").on("comments").column("article_id").execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const name of ["comments", "favorites", "article_tags", "articles", "follows", "users"]) {
    await db.schema.dropTable(name).execute();
  }
}
