import type { Context } from "../http/context.js";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { addParam, type ParamInfo } from "./metadata.js";

export type { ParamInfo } from "./metadata.js";

type Class = abstract new (...args: never[]) => unknown;

/** Gets a custom parameter's value for one request: a value, or a promise (any thenable) of one. */
export type ParamResolver<TData> = (ctx: Context, data: TData, param: ParamInfo) => unknown;

/** A parameter decorator made by `createParamDecorator`: call it with its data (`@Form(LoginForm)`). */
export interface ParamDecorator<TData> {
  (...data: undefined extends TData ? [data?: TData] : [data: TData]): ParameterDecorator;
  /** The name given in the options (or the resolver's), as error messages show it. */
  readonly decoratorName: string;
}

export interface CreateParamDecoratorOptions {
  /** The decorator's name in error messages (`"CurrentUser"`); default: the resolver function's name. */
  name?: string;
}

/**
 * Makes a parameter decorator for controller methods, like NestJS's: `resolve(ctx, data, param)`
 * gives the argument's value per request, where `data` is what the decorator was called with
 * and `param` the parameter's declared type, index and route. The decorator only records; the
 * app compiles each use into the route's argument binders at `ready()`, so nothing is reflected
 * per request, and a resolver that returns a plain value keeps the route synchronous. A thrown
 * `HttpError` (or a rejected promise of one) becomes its response, like a handler's.
 *
 * @example
 * export const CurrentUser = createParamDecorator(
 *   (ctx, required: boolean = true) => {
 *     const user = ctx.state["user"] as User | undefined;
 *     if (required && user === undefined) abort(401);
 *     return user;
 *   },
 *   { name: "CurrentUser" },
 * );
 *
 * @Get("/me") me(@CurrentUser() user: User) { return user; }
 */
export function createParamDecorator<TData = undefined>(
  resolve: ParamResolver<TData>,
  options: CreateParamDecoratorOptions = {},
): ParamDecorator<TData> {
  if (typeof resolve !== "function") {
    throw new TypeError("createParamDecorator needs a resolver function");
  }
  const name = options.name ?? (resolve.name || "param");
  const decorator = (...args: [data?: TData]): ParameterDecorator => {
    const data = args[0];
    return (target, propertyKey, index) => {
      if (typeof propertyKey !== "string") {
        throw new FlagonError(
          ErrorCodes.BAD_PATH,
          `@${name}() works on the parameters of controller methods, not constructor parameters`,
        );
      }
      addParam((target as { constructor: Class }).constructor, propertyKey, {
        kind: "custom",
        index,
        name,
        resolve: resolve as (ctx: Context, data: unknown, param: ParamInfo) => unknown,
        data,
      });
    };
  };
  return Object.assign(decorator, { decoratorName: name });
}
