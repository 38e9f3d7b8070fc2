/**
 * A request's context, under the name the modules below http/context.ts use for it. The context
 * builds responses (http/response.ts) and renders templates (templating/response.ts), and a
 * response is prepared with the context that made it; so those modules name this interface
 * instead of importing the class, and app/class-types.ts merges the class into it. The type is
 * the class's own.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by app/class-types.ts
export interface FlagonContext {}
