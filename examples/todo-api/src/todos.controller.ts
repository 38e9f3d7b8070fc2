import {
  Body,
  ConflictError,
  Context,
  Controller,
  Ctx,
  Delete,
  Get,
  Param,
  Patch,
  Post,
  Query,
  abort,
} from "@flagon/core";
import { z } from "zod";
// A value import, not `import type`: the constructor's parameter type is the injection token.
import { TodoRepository, type Todo } from "./todo-repository.js";

const title = z.string().trim().min(1, "Title must not be empty").max(200);

/** Body of `POST /todos/`. Unknown keys are rejected, so a typo is a 422, not a silent no-op. */
export const NewTodo = z.strictObject({ title, done: z.boolean().optional() });
export type NewTodo = z.infer<typeof NewTodo>;

/** Body of `PATCH /todos/<id>`: any subset of the fields. */
export const TodoPatch = z.strictObject({ title: title.optional(), done: z.boolean().optional() });
export type TodoPatch = z.infer<typeof TodoPatch>;

@Controller("/todos")
export class Todos {
  constructor(private readonly todos: TodoRepository) {}

  /** `GET /todos/`, or `GET /todos/?done=true` for finished ones only. */
  @Get("/")
  list(@Query("done") done?: boolean): Todo[] {
    return this.todos.list(done === undefined ? {} : { done });
  }

  @Get("/<int:id>")
  show(@Param("id") id: number): Todo {
    return this.todos.find(id) ?? notFound(id);
  }

  @Post("/")
  create(@Body(NewTodo) input: NewTodo, @Ctx() ctx: Context): Todo {
    this.assertTitleFree(input.title);
    const todo = this.todos.create(input);
    ctx.response.status = 201;
    ctx.response.headers.set("Location", ctx.urlFor("Todos.show", { id: todo.id }));
    return todo;
  }

  @Patch("/<int:id>")
  update(@Param("id") id: number, @Body(TodoPatch) patch: TodoPatch): Todo {
    if (patch.title !== undefined) this.assertTitleFree(patch.title, id);
    return this.todos.update(id, patch) ?? notFound(id);
  }

  /** Returns nothing, so the answer is 204 No Content. */
  @Delete("/<int:id>")
  delete(@Param("id") id: number): void {
    if (!this.todos.delete(id)) notFound(id);
  }

  private assertTitleFree(title: string, exceptId?: number): void {
    const existing = this.todos.findByTitle(title);
    if (existing && existing.id !== exceptId) {
      throw new ConflictError(`A todo titled "${title}" already exists (id ${existing.id})`);
    }
  }
}

function notFound(id: number): never {
  return abort(404, `Todo ${id} does not exist`);
}
