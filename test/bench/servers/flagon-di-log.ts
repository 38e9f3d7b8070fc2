// The flagon-di app with the request log on, as in production by default: pino writing one line
// per request through its asynchronous destination (sonic-boom, as pino builds for standard
// output), here to /dev/null so the runner does not read the lines.
process.env["BENCH_REQUEST_LOG"] = "1";
await import("./flagon-di.js");
