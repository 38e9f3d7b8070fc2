import type { Product } from "../orders/catalog-client.js";

/** The catalog's (read-only) products; a real catalog would read them from its database. */
export const PRODUCTS: readonly Product[] = [
  { id: 1, name: "Pewter flagon", priceCents: 4200 },
  { id: 2, name: "Oak tankard", priceCents: 1850 },
  { id: 3, name: "Linen napkins (set of 4)", priceCents: 1200 },
];
