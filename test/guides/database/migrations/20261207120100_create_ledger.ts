// The tables of the guide's transaction examples: the Ledger's accounts, and the orders that may
// use a coupon (src/orders.ts).
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("accounts")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("balance", "integer", (c) => c.notNull().check(sql`balance >= 0`))
    .execute();
  await db.schema
    .createTable("orders")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("item", "varchar(100)", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("coupons_used")
    .addColumn("order_id", "integer", (c) => c.notNull().references("orders.id"))
    .addColumn("code", "varchar(20)", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("coupons_used").execute();
  await db.schema.dropTable("orders").execute();
  await db.schema.dropTable("accounts").execute();
}
