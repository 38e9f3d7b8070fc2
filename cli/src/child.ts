// The app process that `flagon dev` forks and each worker of `flagon start --workers N` runs.
// Its one argument is a ChildSpec as JSON. See serve.ts.
import { type ChildSpec, runChild, standBy } from "./serve.js";

const spec = JSON.parse(process.argv[2] ?? "null") as ChildSpec;
if (spec.standby) await standBy(spec.location);
await runChild(spec, spec.standby ? performance.now() : 0);
