import { Flagon, type FlagonOptions } from "@flagon/core";
import { Todos } from "./todos.controller.js";

/** Everything `new Flagon()` accepts except the controllers, which this app fixes. */
export type TodoAppOptions = Omit<FlagonOptions, "controllers">;

/**
 * Builds the todo API without listening. Each call has its own container, hence its own
 * repository: two apps never share todos.
 *
 * @example
 * const app = createApp({ logger: false });
 * const res = await app.inject({ method: "POST", url: "/todos/", json: { title: "Write docs" } });
 */
export function createApp(options: TodoAppOptions = {}): Flagon {
  return new Flagon({ ...options, controllers: [Todos] });
}
