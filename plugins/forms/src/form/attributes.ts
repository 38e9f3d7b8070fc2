const ATTRIBUTE_NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*$/;

/** Refuses an attribute name that could break out of the tag (a space, `=`, `>`, a quote). */
export function checkAttributeNames(attrs: object | undefined, where: string): void {
  for (const name of Object.keys(attrs ?? {})) {
    if (!ATTRIBUTE_NAME.test(name))
      throw new TypeError(`${where}: ${JSON.stringify(name)} is not an attribute name`);
  }
}
