import type { Flagon } from "@flagon/core";

/** On SIGTERM (or SIGINT): finish the requests in flight, run the onClose hooks, then exit. */
export function closeOnSignals(
  app: Flagon,
  exit: (code: number) => void = (code) => process.exit(code),
  signals: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"],
): void {
  for (const signal of signals) {
    process.once(signal, () => {
      app.close().then(
        () => exit(0),
        (error: unknown) => {
          console.error(error);
          exit(1);
        },
      );
    });
  }
}
