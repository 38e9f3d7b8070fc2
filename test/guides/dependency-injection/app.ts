import { Flagon, type FlagonOptions, type Provider } from "@flagon/core";
import { NotesController, StatsController } from "./notes.controller.js";
import { CLOCK, type Clock } from "./services.js";

const systemClock: Clock = { now: () => new Date() };

export function createApp(options: Omit<FlagonOptions, "controllers"> = {}): Flagon {
  const providers: Provider[] = [
    { provide: CLOCK, useValue: systemClock },
    { provide: "journal", useFactory: () => [], scope: "singleton" },
    ...(options.providers ?? []), // a test's providers come last, and replace these
  ];
  return new Flagon({ ...options, providers, controllers: [NotesController, StatsController] });
}
