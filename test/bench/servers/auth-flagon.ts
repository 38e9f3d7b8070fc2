// Flagon with @flagon/auth: POST /login checks a password (argon2id at OWASP's parameters,
// bounded hashing concurrency) for a known account or an unknown one; GET /health answers at
// once. The limits are lifted so that every login really hashes.
import "reflect-metadata";
import auth, {
  hashPassword,
  loginWithPassword,
  setHashConcurrency,
  UserLoader,
  type AuthUser,
} from "@flagon/auth";
import { readFile } from "node:fs/promises";
import { Flagon, text } from "@flagon/core";
import { announce, port } from "./shared.js";

interface BenchUser extends AuthUser {
  readonly id: number;
  readonly email: string;
  readonly hash: string;
}

// BENCH_HASH_CONCURRENCY compares other bounds with the default.
const bound = process.env["BENCH_HASH_CONCURRENCY"];
if (bound !== undefined) setHashConcurrency(Number(bound));

const known: BenchUser = { id: 1, email: "known@example.com", hash: await hashPassword("the right one") };

class Users extends UserLoader<BenchUser> {
  override load(id: string) {
    return id === "1" ? known : undefined;
  }
}

const app = new Flagon({
  configFile: false,
  logger: false,
  config: {
    env: "production",
    secretKey: "a-benchmark-secret-that-is-long-enough",
    session: { store: "memory" },
    auth: { limits: { perAccount: 1_000_000_000, perIp: 1_000_000_000 } },
  },
});
app.provide({ provide: UserLoader, useClass: Users });
app.register(auth);
app.get("/", () => text("auth bench"));
app.get("/health", () => text("ok"));
// A read through libuv's thread pool, which hashing shares: it must not wait behind the hashes.
const here = new URL(import.meta.url);
app.get("/file", async () => text((await readFile(here, "utf8")).slice(0, 64)));
app.post("/login", async (ctx) => {
  const body = (await ctx.body()) as { email: string; password: string };
  const user = await loginWithPassword(ctx, {
    account: body.email,
    password: body.password,
    find: (email) => (email === known.email ? known : undefined),
    hashOf: (u) => u.hash,
  });
  return { ok: user !== undefined };
});
const { port: listening } = await app.listen({ port: port() });
announce(listening);
