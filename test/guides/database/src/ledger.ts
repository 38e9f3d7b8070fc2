// src/ledger.ts
import { Injectable } from "@flagon/core";
import { Database, Transactional } from "@flagon/database";
import type { DB } from "./db.js";

@Injectable()
export class Ledger {
  constructor(private readonly db: Database<DB>) {}

  // Called from a @Transactional handler, it joins that transaction; called from anywhere else,
  // it runs in a transaction of its own.
  @Transactional()
  async transfer(from: number, to: number, amount: number) {
    await this.db
      .updateTable("accounts")
      .set((eb) => ({ balance: eb("balance", "-", amount) }))
      .where("id", "=", from)
      .execute();
    await this.db
      .updateTable("accounts")
      .set((eb) => ({ balance: eb("balance", "+", amount) }))
      .where("id", "=", to)
      .execute();
  }
}
