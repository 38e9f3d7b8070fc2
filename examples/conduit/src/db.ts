// The tables of migrations/, as Kysely describes them.
import type { Generated, Selectable } from "@flagon/database";

export interface UsersTable {
  id: Generated<number>;
  username: string;
  email: string;
  password_hash: string;
  bio: Generated<string>;
  image: Generated<string>;
}

export interface ArticlesTable {
  id: Generated<number>;
  slug: string;
  title: string;
  description: string;
  body: string;
  author_id: number;
  /** ISO 8601, UTC. */
  created_at: string;
  updated_at: string;
}

export interface CommentsTable {
  id: Generated<number>;
  article_id: number;
  author_id: number;
  body: string;
  created_at: string;
  updated_at: string;
}

export interface DB {
  users: UsersTable;
  follows: { follower_id: number; followed_id: number };
  articles: ArticlesTable;
  /** An article's tags; `position` keeps the order they were given in. */
  article_tags: { article_id: number; tag: string; position: number };
  favorites: { user_id: number; article_id: number };
  comments: CommentsTable;
}

export type UserRow = Selectable<UsersTable>;
export type ArticleRow = Selectable<ArticlesTable>;
