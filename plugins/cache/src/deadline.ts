// A call to a remote service that may fail or never answer, turned into an outcome within a
// deadline: the request waiting on it is never held longer than `ms`.

export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

const LATE = Symbol("late");

/** Runs `call`, and gives its value, its error, or a timeout error after `ms` ms. */
export async function withDeadline<T>(call: () => Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => {
    timer = setTimeout(() => resolve(LATE), ms);
  });
  try {
    const pending = call();
    // A call that settles after its deadline must not become an unhandled rejection.
    pending.catch(() => undefined);
    const value = await Promise.race([pending, late]);
    if (value === LATE)
      return { ok: false, error: new Error(`the cache store did not answer within ${ms} ms`) };
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}
