// @Transactional() and @Db(): a transaction per request (or per service call), and the
// database as a handler argument.
import { FlagonResponse, type Context, type Flagon } from "@flagon/core";
import { createParamDecorator, createRouteDecorator } from "@flagon/core/plugin";
import { Database } from "./database.js";

/** The Database of each app that registered the plugin (a process may run several apps). */
const databases = new WeakMap<Flagon, Database>();

export function attachDatabase(app: Flagon, db: Database): void {
  databases.set(app, db);
}

/** The app's Database; throws when the plugin is not registered on it. */
export function databaseOf(app: Flagon): Database {
  const db = databases.get(app);
  if (db === undefined) {
    throw new Error("@flagon/database is not registered on this app: app.register(database) first");
  }
  return db;
}

/** @Db(): the app's Database as a handler argument (injecting it by type works as well). */
export const Db = createParamDecorator((ctx: Context) => databaseOf(ctx.app), { name: "Db" });

const TransactionalRoute = createRouteDecorator("database.transactional", () => true);

/**
 * Runs a handler, or a service method, in a transaction.
 *
 * - On a controller method or class: one transaction per request, begun after the preHandler
 *   hooks and committed when the handler returned — before the response is written, so a
 *   failed commit is a 500, never a 200 over lost data. It is rolled back when the handler
 *   throws (`abort()` included), returns an error response (status 400 and up), or the client
 *   went away before it finished.
 * - On a method of any other class: the call runs in the current transaction if there is one,
 *   else in a new one committed when it resolves. The class must hold the Database (injected in
 *   its constructor).
 */
export function Transactional(): ClassDecorator & MethodDecorator {
  const route = TransactionalRoute();
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (key === undefined || descriptor === undefined) {
      (route as ClassDecorator)(target as never);
      return;
    }
    (route as MethodDecorator)(target, key, descriptor);
    const original = descriptor.value as unknown;
    if (typeof original !== "function") {
      throw new TypeError(`@Transactional() decorates methods, and ${String(key)} is not one`);
    }
    const method = original as (...args: unknown[]) => unknown;
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      const db = findDatabase(this);
      if (db === undefined) {
        // A controller method reached by a request: the route's interceptor opened the
        // transaction already; anything else must hold a Database.
        return method.apply(this, args);
      }
      return db.joinTransaction(() => Promise.resolve(method.apply(this, args)));
    };
    Object.defineProperty(wrapped, "name", { value: method.name });
    descriptor.value = wrapped;
    return descriptor;
  }) as ClassDecorator & MethodDecorator;
}

/** Whether a route runs in a request transaction. */
export function isTransactional(route: Parameters<typeof TransactionalRoute.has>[0]): boolean {
  return TransactionalRoute.has(route);
}

/** The Database a service instance holds in one of its own fields. */
function findDatabase(instance: unknown): Database | undefined {
  if (typeof instance !== "object" || instance === null) return undefined;
  for (const value of Object.values(instance)) if (value instanceof Database) return value;
  return undefined;
}

/** The interceptor of @Transactional() routes. */
export function requestTransaction(db: Database) {
  return (ctx: Context, next: () => Promise<unknown>): Promise<unknown> =>
    db.requestTransaction(next, (value) => !ctx.signal.aborted && !isErrorResult(ctx, value));
}

function isErrorResult(ctx: Context, value: unknown): boolean {
  if (value instanceof FlagonResponse) return value.status >= 400;
  return (ctx.responseIfUsed?.status ?? 200) >= 400;
}
