// The one function of js-yaml (a devDependency, shipped without types) the spec loader uses.
declare module "js-yaml" {
  export function load(text: string): unknown;
}
