// nunjucks is callback-based and continues a render inside the callbacks it is handed. When a
// callback is called from a promise (an async filter), a throw in that continuation must reach
// the render's callback instead of becoming an unhandled rejection that leaves the request hanging.

export type NodeCallback<T> = (error: Error | null, value: T | null) => void;

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Reports an error to a callback; a throw from nunjucks's own error path is dropped (nothing is left to tell). */
function report<T>(callback: NodeCallback<T>, error: unknown): void {
  try {
    callback(asError(error), null);
  } catch {
    // The render already failed and its callback was told; see the file comment.
  }
}

/** Runs `step`; a throw goes to `callback` as an error. */
export function callSafely<T>(callback: NodeCallback<T>, step: () => void): void {
  try {
    step();
  } catch (error) {
    report(callback, error);
  }
}

/** Hands a promise's outcome to a nunjucks callback, safely (see the file comment). */
export function settle<T>(promise: Promise<T>, callback: NodeCallback<T>): void {
  void promise.then(
    (value) => callSafely(callback, () => callback(null, value)),
    (error: unknown) => report(callback, error),
  );
}
