import type { DependencyContainer, InjectionToken } from "tsyringe";
import type { Scope } from "./injectable.js";

type Class<T = unknown> = new (...args: never[]) => T;

/** A provider given to `new Flagon({ providers })`: a class, or a token with how to make it. */
export type Provider =
  | Class
  | { provide: InjectionToken; useValue: unknown }
  | { provide: InjectionToken; useClass: Class; scope?: Scope }
  | { provide: InjectionToken; useFactory: (container: DependencyContainer) => unknown; scope?: Scope };
