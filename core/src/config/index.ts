// Config: files found by cosmiconfig, FLAGON_… environment overrides, layered merging, and
// the helpers error messages use to name a value's source without printing secrets.
export { defineConfig } from "./define.js";
export type { CoreConfig, Env, FlagonConfig, ResolvedConfig, ServerConfig } from "./schema.js";
export { envOverrides, type EnvOverrides } from "./env.js";
export { CONFIG_SEARCH_PLACES } from "./file.js";
export { loadConfig, type LoadConfigOptions, type LoadedConfig } from "./load.js";
export { mergeConfig } from "./merge.js";
export { describeValue, isSecretKey } from "./secrets.js";
export type { ConfigSource } from "./sources.js";
