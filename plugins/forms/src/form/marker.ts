import { createRouteDecorator } from "@flagon/core";

/**
 * @internal Marks a route whose handler binds a form (`@Form` sets it): a failed CSRF check of an
 * HTML form post then reaches the handler as an invalid form instead of a 403.
 */
export const FormBound = createRouteDecorator("forms.formBound", () => true);
