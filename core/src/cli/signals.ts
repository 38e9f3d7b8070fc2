// SIGINT and SIGTERM for the long-running commands: the first one starts a graceful stop, a
// second one asks to stop now.
const SIGNALS = ["SIGINT", "SIGTERM"] as const;

export type StopSignal = (typeof SIGNALS)[number];

/** Listens for SIGINT/SIGTERM; returns a function that removes the listeners. */
export function onStopSignals(
  first: (signal: StopSignal) => void,
  again: (signal: StopSignal) => void,
): () => void {
  let seen = false;
  const listener = (signal: StopSignal): void => {
    if (seen) return again(signal);
    seen = true;
    first(signal);
  };
  for (const signal of SIGNALS) process.on(signal, listener);
  return () => {
    for (const signal of SIGNALS) process.off(signal, listener);
  };
}
