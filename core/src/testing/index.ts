/**
 * Test helpers: requests without a socket, and a cookie-keeping client.
 *
 * @module @flagon/core/testing
 */
// Types only: makes FlagonApp and FlagonContext the classes in every program that imports this entry.
import "../app/class-types.js";
export { inject, type InjectOptions, type InjectResponse, type SetCookieEntry } from "./inject.js";
export { TestClient } from "./test-client.js";

import type { Injectable } from "./inject.js";
import { TestClient } from "./test-client.js";

/** A test client for an app (same as `app.testClient()`). */
export function testClient(app: Injectable): TestClient {
  return new TestClient(app);
}
