import type { Generated } from "@flagon/database";

/** The blog's tables, as Kysely sees them. Timestamps are ISO 8601 text in UTC. */
export interface DB {
  users: {
    id: Generated<number>;
    username: string;
    password_hash: string;
    session_version: Generated<number>;
    created_at: string;
  };
  posts: {
    id: Generated<number>;
    author_id: number;
    title: string;
    body: string;
    /** The generated file name of the post's image under `data/uploads`, if it has one. */
    image: string | null;
    created_at: string;
    updated_at: string;
  };
  tags: { id: Generated<number>; name: string };
  post_tags: { post_id: number; tag_id: number };
  comments: {
    id: Generated<number>;
    post_id: number;
    author_id: number;
    body: string;
    created_at: string;
  };
  api_tokens: {
    id: Generated<number>;
    user_id: number;
    name: string;
    hash: string;
    preview: string;
    created_at: string;
    last_used_at: string | null;
  };
}
