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

/** How often `flagon dev` checks that the process that started it is still there. */
const PARENT_POLL_MS = 200;

/**
 * Calls `gone` once when the process that started this one exits, seen as this process being
 * re-parented (`process.ppid` changes). `npm run dev` runs the command through `sh -c`: a SIGTERM
 * sent to npm reaches only that shell, which dies without passing it on, and would leave the
 * command running with its app still holding the port. The timer holds nothing. Returns a
 * function that stops watching.
 */
export function onParentExit(gone: () => void, intervalMs = PARENT_POLL_MS): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    gone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
