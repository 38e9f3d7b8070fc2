/**
 * The Flagon app, under the name the modules it is built from use for it. app/flagon.ts imports
 * nearly every module of the core, so a module that needs the app's type (a context's `app`, a
 * plugin's `register(app)`, a command's `run(input, app)`) names this interface instead of
 * importing the class; app/class-types.ts merges the class into it. The type is the class's
 * own, and the import graph has no edge back up to the app.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by app/class-types.ts
export interface FlagonApp {}
