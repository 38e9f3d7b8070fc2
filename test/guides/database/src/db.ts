// src/db.ts
import type { Generated } from "kysely";

export interface DB {
  articles: { id: Generated<number>; slug: string; title: string; body: string };
}

// The tables of the guide's transaction examples (migrations/20261207120100_create_ledger.ts).
// Interfaces merge: the guide shows the articles alone.
export interface DB {
  accounts: { id: number; balance: number };
  orders: { id: number; item: string };
  coupons_used: { order_id: number; code: string };
}
