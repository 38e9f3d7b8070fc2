// Flagon with a decorated controller whose handlers call an injected service.
import "reflect-metadata";
import { pino } from "pino";
import { Body, Controller, Flagon, Get, Injectable, Param, Post, text } from "@flagon/core";
import { announce, HELLO, JSON_BODY, OTHER_ROUTES, port, TEMPLATE_CONTEXT, VIEWS } from "./shared.js";
import { renderPage } from "./template.js";

@Injectable()
class Greeter {
  hello(): string {
    return HELLO;
  }
  message(): typeof JSON_BODY {
    return JSON_BODY;
  }
  user(id: string): { id: string } {
    return { id };
  }
}

@Controller()
class Bench {
  constructor(private readonly greeter: Greeter) {}

  @Get("/")
  index() {
    return text(this.greeter.hello());
  }

  @Get("/json")
  json() {
    return this.greeter.message();
  }

  @Get("/users/<id>")
  user(@Param("id") id: string) {
    return this.greeter.user(id);
  }

  @Post("/echo")
  echo(@Body() body: unknown) {
    return body;
  }
}

// flagon-di-log: the default request log, through pino's asynchronous destination to /dev/null.
const logger =
  process.env["BENCH_REQUEST_LOG"] === "1"
    ? { stream: pino.destination({ dest: "/dev/null", sync: false }) }
    : (false as const);

const app = new Flagon({
  controllers: [Bench],
  configFile: false,
  logger,
  root: VIEWS,
  config: { env: "production", templates: { folder: "." } },
});
for (const path of OTHER_ROUTES) app.get(path, () => "other");
app.get("/template", (ctx) => renderPage(ctx, TEMPLATE_CONTEXT));
const { port: bound } = await app.listen({ port: port() });
announce(bound);
