import type { CreateTableBuilder, Migration } from "kysely";
import type { Dialect, Kysely } from "@flagon/database";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Users, posts with tags and comments, and personal API tokens. The id columns differ by
 * dialect: `serial` on PostgreSQL, which has no AUTOINCREMENT keyword.
 */
export function createBlog(dialect: Dialect): Migration {
  return { up: (db: AnyDb) => up(db, dialect), down };
}

function withId<T extends string>(
  table: CreateTableBuilder<T, never>,
  dialect: Dialect,
): CreateTableBuilder<T, "id"> {
  return dialect === "postgres"
    ? table.addColumn("id", "serial", (c) => c.primaryKey())
    : table.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement());
}

async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  await withId(db.schema.createTable("users"), dialect)
    .addColumn("username", "varchar(40)", (c) => c.notNull().unique())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("session_version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await withId(db.schema.createTable("posts"), dialect)
    .addColumn("author_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("title", "varchar(200)", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("image", "varchar(80)")
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("posts_created_at").on("posts").column("created_at").execute();
  await withId(db.schema.createTable("tags"), dialect)
    .addColumn("name", "varchar(30)", (c) => c.notNull().unique())
    .execute();
  await db.schema
    .createTable("post_tags")
    .addColumn("post_id", "integer", (c) => c.notNull().references("posts.id").onDelete("cascade"))
    .addColumn("tag_id", "integer", (c) => c.notNull().references("tags.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("post_tags_pk", ["post_id", "tag_id"])
    .execute();
  await withId(db.schema.createTable("comments"), dialect)
    .addColumn("post_id", "integer", (c) => c.notNull().references("posts.id").onDelete("cascade"))
    .addColumn("author_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await withId(db.schema.createTable("api_tokens"), dialect)
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("name", "varchar(60)", (c) => c.notNull())
    .addColumn("hash", "varchar(64)", (c) => c.notNull().unique())
    .addColumn("preview", "varchar(20)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("last_used_at", "varchar(32)")
    .execute();
}

async function down(db: AnyDb): Promise<void> {
  for (const table of ["api_tokens", "comments", "post_tags", "tags", "posts", "users"]) {
    await db.schema.dropTable(table).execute();
  }
}
