// A TCP proxy a test can cut and restore, to play a server going down and coming back without
// stopping the real one (other suites use it at the same time).
import net from "node:net";

export class Proxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  private hung = false;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => undefined);
      }
      // Bytes are forwarded unless the proxy is hung: then they are dropped, as by a server that
      // stopped answering (only stop() ends a hang: the streams are out of step afterwards).
      client.on("data", (chunk: Buffer) => void (this.hung || upstream.write(chunk)));
      upstream.on("data", (chunk: Buffer) => void (this.hung || client.write(chunk)));
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Keeps every connection open but forwards nothing: the server is hung. */
  hang(): void {
    this.hung = true;
  }

  /** Stops listening and drops every live connection: the server is "down". */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.hung = false;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
