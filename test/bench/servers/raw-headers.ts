// Raw node:http sending the same headers as Flagon's defaults (see raw.ts).
process.env["BENCH_SECURITY_HEADERS"] = "1";
await import("./raw.js");
