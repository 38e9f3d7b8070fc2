// src/orders.ts: an order that may use a coupon. A coupon that fails its check is dropped; the
// order is kept.
import type { Insertable } from "kysely";
import { Database } from "@flagon/database";
import type { DB } from "./db.js";

/** The coupon codes on offer. */
const COUPONS = new Set(["WELCOME10"]);

async function checkCoupon(use: Insertable<DB["coupons_used"]>): Promise<void> {
  if (!COUPONS.has(use.code)) throw new Error(`no coupon ${use.code}`);
}

export async function placeOrder(
  db: Database<DB>,
  order: Insertable<DB["orders"]>,
  use: Insertable<DB["coupons_used"]>,
): Promise<void> {
  await db.transaction(async () => {
    await db.insertInto("orders").values(order).execute();
    try {
      await db.transaction(async () => {
        await db.insertInto("coupons_used").values(use).execute();
        await checkCoupon(use); // throws: only the coupon row is undone
      });
    } catch {
      // order kept, without the coupon
    }
  });
}
