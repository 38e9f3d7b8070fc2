import { createRouteDecorator } from "@flagon/core/plugin";
import { type CorsRouteOptions, routeOptionsSchema } from "./options.js";

/** What a route carries: its own options over the app's, or `false` for no CORS at all. */
export type CorsRouteValue = Readonly<CorsRouteOptions> | false;

function validate(options: CorsRouteOptions): Readonly<CorsRouteOptions> {
  const result = routeOptionsSchema.safeParse(options);
  if (result.success) return Object.freeze(result.data);
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return path === "" ? issue.message : `${path}: ${issue.message}`;
  });
  throw new TypeError(`@Cors(): ${problems.join("; ")}`);
}

/**
 * CORS options for one controller (on the class) or one route (on a method), replacing the
 * app-wide options they name; `@Cors(false)` is `@NoCors()`. A method's value goes over its
 * class's: their options are merged, and `false` on either level wins for that level.
 * Options are checked when the decorator runs, so a typo fails at import time.
 *
 * @example
 * @Cors({ origins: ["https://partner.example"], credentials: true })
 * @Controller("/partner") class PartnerApi { … }
 */
export const Cors = createRouteDecorator(
  "flagon-plugin-cors.route",
  (options: CorsRouteOptions | false = {}): CorsRouteValue => (options === false ? false : validate(options)),
  {
    merge: (classValue, methodValue) =>
      classValue === false || methodValue === false ? methodValue : { ...classValue, ...methodValue },
  },
);

/**
 * No CORS headers at all on this controller's or route's responses, and its preflights are
 * refused: other origins' scripts cannot read it, whatever the app-wide options say.
 *
 * @example
 * @NoCors() @Post("/internal/rebuild") rebuild() { … }
 */
export function NoCors(): ClassDecorator & MethodDecorator {
  return Cors(false);
}
