import { Injectable } from "@flagon/core";

export interface Todo {
  id: number;
  title: string;
  done: boolean;
}

export interface TodoFilter {
  done?: boolean;
}

/**
 * In-memory todo storage, one instance per app (a singleton in the app's own container).
 * Callers get copies, so only the repository changes what it stores.
 */
@Injectable()
export class TodoRepository {
  readonly #todos = new Map<number, Todo>();
  #nextId = 1;

  list(filter: TodoFilter = {}): Todo[] {
    const all = [...this.#todos.values()];
    const { done } = filter;
    return (done === undefined ? all : all.filter((todo) => todo.done === done)).map(copy);
  }

  find(id: number): Todo | undefined {
    const todo = this.#todos.get(id);
    return todo && copy(todo);
  }

  findByTitle(title: string): Todo | undefined {
    for (const todo of this.#todos.values()) if (todo.title === title) return copy(todo);
    return undefined;
  }

  create(input: { title: string; done?: boolean }): Todo {
    const todo: Todo = { id: this.#nextId++, title: input.title, done: input.done ?? false };
    this.#todos.set(todo.id, todo);
    return copy(todo);
  }

  update(id: number, patch: { title?: string; done?: boolean }): Todo | undefined {
    const todo = this.#todos.get(id);
    if (!todo) return undefined;
    if (patch.title !== undefined) todo.title = patch.title;
    if (patch.done !== undefined) todo.done = patch.done;
    return copy(todo);
  }

  delete(id: number): boolean {
    return this.#todos.delete(id);
  }
}

function copy(todo: Todo): Todo {
  return { ...todo };
}
