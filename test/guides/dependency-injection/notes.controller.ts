import { Body, Controller, Get, Post } from "@flagon/core";
import { z } from "zod";
// Value imports, not `import type`: each parameter's type is its injection token.
import { CurrentUser, NoteRepository, Stopwatch, UnitOfWork } from "./services.js";

const NewNote = z.object({ text: z.string().min(1) });
type NewNote = z.infer<typeof NewNote>;

/** Needs CurrentUser, which is request-scoped: so this controller is built for each request. */
@Controller("/notes")
export class NotesController {
  constructor(
    private readonly notes: NoteRepository,
    private readonly user: CurrentUser,
    private readonly work: UnitOfWork,
  ) {}

  @Get("/")
  mine() {
    const user = this.user.require();
    return { user, notes: this.notes.byAuthor(user) };
  }

  @Post("/")
  add(@Body(NewNote) input: NewNote) {
    this.work.record("note added");
    return this.notes.add(this.user.require(), input.text);
  }
}

/** Needs only singletons: built once, when the app starts. */
@Controller("/stats")
export class StatsController {
  constructor(
    private readonly notes: NoteRepository,
    private readonly a: Stopwatch,
    private readonly b: Stopwatch,
  ) {}

  @Get("/")
  show() {
    return { notes: this.notes.count(), stopwatchesShared: this.a === this.b };
  }
}
