// What every contender serves, so they are measured on identical work.
export const HELLO = "Hello, World!";
export const JSON_BODY = { message: "Hello, World!" } as const;
/** Twenty routes registered besides /users/<id>, so the router has a realistic table. */
export const OTHER_ROUTES = Array.from({ length: 20 }, (_, i) => `/r${i}/items`);
export const TEMPLATE_CONTEXT = {
  title: "Price list",
  items: Array.from({ length: 20 }, (_, i) => ({ name: `item <${i}>`, price: (i * 1.25).toFixed(2) })),
};
export const VIEWS = new URL("../../views/", import.meta.url).pathname;

export function port(): number {
  return Number(process.env["PORT"] ?? 0);
}

/** Tells the runner the server is up. */
export function announce(bound: number): void {
  process.stdout.write(`ready ${bound}\n`);
}

// Exit cleanly on a signal, so `node --cpu-prof` can write its profile.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(0));
