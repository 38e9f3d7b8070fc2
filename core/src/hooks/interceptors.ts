import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { Context } from "../http/context.js";
import type { HookSignatures } from "./names.js";

/**
 * An around-hook: runs the rest of the chain and the handler with `next()`, and returns the
 * route's value (the one `next()` resolved to, or another). See `app.addInterceptor`.
 */
export type Interceptor = HookSignatures["intercept"];

/** Calls `run` now (in the caller's async context); a synchronous throw becomes a rejection. */
// eslint-disable-next-line @typescript-eslint/require-await -- async only to turn a throw into a rejection
async function settle(run: () => unknown): Promise<unknown> {
  return run();
}

/**
 * Wraps a route's invoker (binders and handler) in its interceptors, first one outermost.
 * Compiled once per route at start-up; a route without interceptors keeps its invoker as it
 * is, so its requests pay nothing (and stay synchronous where the handler is).
 */
export function intercepted(
  invoke: (ctx: Context) => unknown,
  interceptors: readonly Interceptor[],
  endpoint: string,
): (ctx: Context) => unknown {
  if (interceptors.length === 0) return invoke;
  const chain = [...interceptors];
  const step = (ctx: Context, index: number): Promise<unknown> => {
    if (index === chain.length) return settle(() => invoke(ctx));
    const interceptor = chain[index] as Interceptor;
    let called = false;
    const next = (): Promise<unknown> => {
      if (called) {
        throw new FlagonError(
          ErrorCodes.INTERCEPTOR,
          `interceptor ${interceptor.name || `#${index + 1}`} of ${endpoint} called next() twice; the handler runs once per request`,
        );
      }
      called = true;
      return step(ctx, index + 1);
    };
    return settle(() => interceptor(ctx, next));
  };
  return (ctx) => step(ctx, 0);
}
