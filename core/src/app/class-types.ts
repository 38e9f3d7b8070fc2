// Makes FlagonApp the Flagon class and FlagonContext the Context class. The modules below the
// app and the context name those two interfaces instead of importing the classes (see
// app-type.ts and http/context-type.ts), so the import graph has no edge back up to them. Each
// entry point imports this file, so every program that uses the core's types sees the merge.
import type { Context } from "../http/context.js";
import type { Flagon } from "./flagon.js";

declare module "./app-type.js" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the class's members, merged
  interface FlagonApp extends Flagon {}
}

declare module "../http/context-type.js" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the class's members, merged
  interface FlagonContext extends Context {}
}
