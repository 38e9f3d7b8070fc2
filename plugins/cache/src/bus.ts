// Invalidations between the instances sharing a namespace, over Redis pub/sub: each instance
// keeps a local tier, and a write on one must make the others drop their local copies.
import { randomUUID } from "node:crypto";
import { createClient, type RedisClientOptions } from "@keyv/redis";
import { withDeadline } from "./deadline.js";
import type { OutageListener } from "./stores.js";

/** What one instance tells the others: forget this key, or everything. */
export type Invalidation = { readonly op: "delete"; readonly key: string } | { readonly op: "clear" };

export interface InvalidationBus {
  /** Tells every other instance of the namespace; never throws (a lost message is bounded by the local ttl). */
  publish(message: Invalidation): Promise<void>;
  /**
   * `onMessage` gets the other instances' messages (never this one's own); `onResync` runs
   * when the subscription is back after a loss, since messages may have been missed meanwhile.
   */
  listen(onMessage: (message: Invalidation) => void, onResync: () => void): void;
  /** Whether messages are being received now. */
  readonly connected: boolean;
  close(): Promise<void>;
}

type Client = ReturnType<typeof createClient>;

/**
 * The bus on one Redis channel, with two connections of its own (a subscribed connection can
 * send nothing else). Messages carry this instance's id, so it ignores its own.
 */
export class RedisBus implements InvalidationBus {
  readonly id = randomUUID();
  private readonly publisher: Client;
  private readonly subscriber: Client;
  private state: "connecting" | "up" | "down" = "connecting";
  private subscribedOnce = false;
  private onMessage: (message: Invalidation) => void = () => undefined;
  private onResync: () => void = () => undefined;
  /** Settles once the first subscription is in place (or never, while Redis is unreachable). */
  readonly subscribed: Promise<void>;

  constructor(
    options: RedisClientOptions,
    readonly channel: string,
    private readonly deadline: number,
    private readonly onOutage: OutageListener = () => undefined,
  ) {
    this.publisher = createClient({ ...options, disableOfflineQueue: true });
    // The subscriber queues its SUBSCRIBE until connected, and the client subscribes again by
    // itself after every reconnection, before it reports "ready".
    this.subscriber = createClient({ ...options, disableOfflineQueue: false });
    this.publisher.on("error", () => undefined);
    this.subscriber.on("error", (error: unknown) => this.lost(error));
    this.subscriber.on("end", () => this.lost(new Error("the connection ended")));
    this.subscriber.on("ready", () => {
      if (this.subscribedOnce) this.back();
    });
    this.publisher.connect().catch(() => undefined);
    this.subscriber.connect().catch(() => undefined);
    this.subscribed = this.subscriber
      .subscribe(channel, (text) => this.received(text))
      .then(() => {
        this.subscribedOnce = true;
        this.back();
      });
    this.subscribed.catch(() => undefined);
  }

  get connected(): boolean {
    return this.state === "up";
  }

  listen(onMessage: (message: Invalidation) => void, onResync: () => void): void {
    this.onMessage = onMessage;
    this.onResync = onResync;
  }

  async publish(message: Invalidation): Promise<void> {
    const text = JSON.stringify({ from: this.id, ...message });
    await withDeadline(() => this.publisher.publish(this.channel, text), this.deadline);
  }

  async close(): Promise<void> {
    this.state = "down";
    for (const client of [this.subscriber, this.publisher]) {
      client.removeAllListeners();
      client.on("error", () => undefined);
      client.destroy();
    }
    await Promise.resolve();
  }

  private received(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    const message = parsed as { from?: unknown; op?: unknown; key?: unknown };
    if (typeof message !== "object" || message === null || message.from === this.id) return;
    if (message.op === "clear") this.onMessage({ op: "clear" });
    else if (message.op === "delete" && typeof message.key === "string")
      this.onMessage({ op: "delete", key: message.key });
  }

  private lost(error: unknown): void {
    if (this.state === "down") return;
    this.state = "down";
    this.onOutage("down", error);
  }

  private back(): void {
    if (this.state === "up") return;
    const wasDown = this.state === "down";
    this.state = "up";
    this.onResync();
    if (wasDown) this.onOutage("up");
  }
}
