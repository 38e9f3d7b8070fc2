// For `node --import <this file>`: registers the TypeScript loader before anything else runs.
// `flagon dev` and `flagon start --workers N` start their app processes with it. The app's root
// comes from FLAGON_APP_ROOT (default: the working directory), the app file from FLAGON_APP_FILE;
// FLAGON_PRELOAD_TYPESCRIPT=1 loads typescript at once (a standby process of `flagon dev`).
import { registerTypeScriptLoader } from "./register.js";

const appFile = process.env["FLAGON_APP_FILE"];
registerTypeScriptLoader(process.env["FLAGON_APP_ROOT"] ?? process.cwd(), {
  ...(appFile ? { appFile } : {}),
  preload: process.env["FLAGON_PRELOAD_TYPESCRIPT"] === "1",
});
