import { Body, Controller, Flagon, Get, Injectable, Param, Post, abort } from "@flagon/core";
import { z } from "zod";

const NewGuest = z.object({ name: z.string().min(1).max(40) });
type NewGuest = z.infer<typeof NewGuest>;

/** The guests who signed, kept in memory: one instance per app. */
@Injectable()
export class Guests {
  private readonly names: string[] = [];

  add(name: string): number {
    this.names.push(name);
    return this.names.length;
  }

  find(id: number): string | undefined {
    return this.names[id - 1];
  }
}

@Controller()
export class HelloController {
  constructor(private readonly guests: Guests) {}

  @Get("/")
  index() {
    return "<h1>Hello, World!</h1>";
  }

  @Get("/hello/<name>")
  hello(@Param("name") name: string) {
    return { greeting: `Hello, ${name}!` };
  }

  @Post("/guests")
  sign(@Body(NewGuest) guest: NewGuest) {
    return { id: this.guests.add(guest.name), name: guest.name };
  }

  @Get("/guests/<int:id>")
  show(@Param("id") id: number) {
    return { id, name: this.guests.find(id) ?? abort(404, "no such guest") };
  }
}

export function createApp(): Flagon {
  return new Flagon({ controllers: [HelloController] });
}
