// Classes the dependency-injection guide warns about: all but the last one stop start-up.
import { Controller, Context, Get, Injectable, abort, inject } from "@flagon/core";
import type { NoteRepository } from "./services.js";
import { CurrentUser } from "./services.js";

/** `import type`: the parameter's type is erased, so nothing says what to inject. */
@Controller("/a")
export class TypeOnlyImport {
  constructor(private readonly notes: NoteRepository) {}

  @Get("/")
  count() {
    return this.notes.count();
  }
}

/** An interface or a primitive has no runtime value: it needs @inject(token). */
@Controller("/b")
export class PrimitiveParameter {
  constructor(private readonly greeting: string) {}

  @Get("/")
  greet() {
    return this.greeting;
  }
}

/** A token nobody provides. */
@Controller("/c")
export class MissingToken {
  constructor(@inject("mailer") private readonly mailer: { send(to: string): void }) {}

  @Get("/")
  send() {
    this.mailer.send("ada@example.com");
  }
}

/** A singleton cannot hold a request-scoped service: it would keep the first request's. */
@Injectable({ scope: "singleton" })
export class Greeter {
  constructor(private readonly user: CurrentUser) {}

  greet(): string {
    return `Hello, ${this.user.name}`;
  }
}

@Controller("/d")
export class SingletonHoldsRequest {
  constructor(private readonly greeter: Greeter) {}

  @Get("/")
  greet() {
    return this.greeter.greet();
  }
}

/** No decorator: TypeScript records no parameter types (as under tsx or esbuild). */
export class Undecorated {
  constructor(readonly ctx: Context) {}
}

@Controller("/e")
export class UsesUndecorated {
  constructor(private readonly helper: Undecorated) {}

  @Get("/")
  path() {
    return this.helper.ctx.request.path;
  }
}

/** Throws an HttpError from its constructor: tsyringe wraps it, and the client gets a 500. */
@Injectable({ scope: "request" })
export class StrictUser {
  readonly name: string;

  constructor(ctx: Context) {
    this.name = ctx.request.header("x-user") ?? abort(401, "send an X-User header");
  }
}

@Controller("/f")
export class UsesStrictUser {
  constructor(private readonly user: StrictUser) {}

  @Get("/")
  whoami() {
    return this.user.name;
  }
}
