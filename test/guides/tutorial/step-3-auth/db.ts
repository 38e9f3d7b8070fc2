// step-3-auth/db.ts
import type { Generated } from "@flagon/database";
import type { DB as PostTables } from "../step-2-database/db.js";

export interface DB extends PostTables {
  users: { id: Generated<number>; username: string; password_hash: string };
}
