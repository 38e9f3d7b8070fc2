// A TCP relay to the local Redis that a test can cut and reconnect, so an outage can be played
// without stopping the real server (other suites use it at the same time).
import net from "node:net";

export class CuttableRelay {
  private listener: net.Server | undefined;
  private readonly open = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  /** Listens (on the same port as before after a cut). */
  async connect(): Promise<this> {
    const listener = net.createServer((inbound) => {
      const outbound = net.connect(this.target.port, this.target.host);
      for (const socket of [inbound, outbound]) {
        this.open.add(socket);
        socket.on("error", () => undefined);
        socket.on("close", () => {
          this.open.delete(socket);
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => listener.listen(this.port, "127.0.0.1", resolve));
    this.port = (listener.address() as net.AddressInfo).port;
    this.listener = listener;
    return this;
  }

  /** Closes the listener and every relayed connection: to its clients, Redis is gone. */
  async cut(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    for (const socket of this.open) socket.destroy();
    if (listener !== undefined) await new Promise<void>((resolve) => listener.close(() => resolve()));
  }
}

/** Whether something answers on host:port within a second. */
export function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
