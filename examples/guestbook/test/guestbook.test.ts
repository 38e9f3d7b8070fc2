import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Flagon } from "@flagon/core";
import { createApp } from "../src/app.js";
import { Guestbook, MAX_ENTRIES, MAX_NAME_LENGTH, type Entry } from "../src/guestbook.js";

const SECRET_KEY = "a test key, long enough to sign session cookies";

let app: Flagon;
beforeEach(() => {
  app = createApp({ logger: false, config: { secretKey: SECRET_KEY } });
});
afterEach(async () => {
  await app.close();
});

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/** The entry list's items, in page order, as "name: message". */
function listedEntries(page: string): string[] {
  const items = page.matchAll(
    /<p class="entry-message">([^<]*)<\/p>\s*<p class="entry-meta">\s*<span class="entry-name">([^<]*)<\/span>/g,
  );
  return [...items].map(([, message, name]) => `${name}: ${message}`);
}

describe("the page", () => {
  it("renders the index inside the layout, with the stylesheet and the live feed script", async () => {
    const res = await app.testClient().get("/");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toMatch(/^<!doctype html>/);
    expect(res.body).toContain('<link rel="stylesheet" href="/static/style.css" />');
    expect(res.body).toContain('<script src="/static/live.js" defer></script>');
    expect(res.body).toContain('<a class="brand" href="/">Flagon Guestbook</a>');
    expect(res.body).toContain("<footer");
    expect(res.body).toContain('<form method="post" action="/sign">');
    expect(res.body).toContain('data-feed="/events"');
    expect(res.body).toContain('<p class="empty" id="empty">No entries yet.');
    expect(res.body).not.toContain('class="flashes"');
  });

  it("answers HEAD like GET, without a body", async () => {
    const res = await app.testClient().head("/");
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("");
  });
});

describe("signing the book", () => {
  it("redirects with 303, then shows the entry and the flash message exactly once", async () => {
    const client = app.testClient();
    const signed = await client.post("/sign", { form: { name: "Ada", message: "Hello from 1843" } });
    expect(signed.statusCode).toBe(303);
    expect(signed.headers["location"]).toBe("/");

    const next = await client.get("/");
    expect(next.statusCode).toBe(200);
    expect(listedEntries(next.body)).toEqual(["Ada: Hello from 1843"]);
    expect(next.body).toContain('<li class="flash flash-success" role="status">Thanks for signing!</li>');
    expect(next.body).toContain('<p class="empty" id="empty" hidden>');
    expect(next.body).toContain('data-last-id="1"');

    const again = await client.get("/");
    expect(listedEntries(again.body)).toEqual(["Ada: Hello from 1843"]);
    expect(again.body).not.toContain("Thanks for signing!");
  });

  it("lists entries newest first and trims what was typed", async () => {
    const client = app.testClient();
    await client.post("/sign", { form: { name: "  Ada ", message: "first" } });
    await client.post("/sign", { form: { name: "Grace", message: "  second\n" } });
    const page = await client.get("/");
    expect(listedEntries(page.body)).toEqual(["Grace: second", "Ada: first"]);
  });

  it("remembers the signer's name in the session and fills it in next time", async () => {
    const client = app.testClient();
    const before = await client.get("/");
    expect(before.body).toMatch(/<input\s+id="name"\s+name="name"\s+value=""/);

    const signed = await client.post("/sign", { form: { name: "Grace Hopper", message: "Hi" } });
    const cookie = signed.cookies.find((c) => c.name === "session");
    expect(cookie?.attributes).toMatchObject({ httponly: true, samesite: "Lax", path: "/" });
    expect(signed.headers["vary"]).toMatch(/cookie/i);
    expect(signed.headers["cache-control"]).toMatch(/private|no-store/);

    const after = await client.get("/");
    expect(after.body).toMatch(/<input\s+id="name"\s+name="name"\s+value="Grace Hopper"/);
    expect(after.body).toMatch(/<textarea[^>]*>\s*<\/textarea>/); // the message is not kept

    const stranger = await app.testClient().get("/");
    expect(stranger.body).toMatch(/<input\s+id="name"\s+name="name"\s+value=""/);
  });

  it("re-renders an invalid form with 422, its errors and the submitted values, escaped", async () => {
    const client = app.testClient();
    const res = await client.post("/sign", {
      form: { name: "<script>alert(1)</script>", message: "   " },
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toContain('<p class="error" id="message-error">Please write a message.</p>');
    expect(res.body).not.toContain('id="name-error"');
    expect(res.body).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(res.body).not.toContain("<script>alert(1)");
    expect(res.body).toContain('aria-invalid="true" aria-describedby="message-error"');

    const page = await client.get("/");
    expect(listedEntries(page.body)).toEqual([]);
    expect(page.body).not.toContain('class="flashes"');
  });

  it("keeps a message's markup as text when it is listed", async () => {
    const client = app.testClient();
    await client.post("/sign", {
      form: { name: 'Eve "the tester"', message: "<img src=x onerror=alert(1)>" },
    });
    const page = await client.get("/");
    expect(page.body).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(page.body).toContain("Eve &quot;the tester&quot;");
    expect(page.body).not.toContain("<img");
  });

  it("names every broken rule: empty and too long", async () => {
    const res = await app.testClient().post("/sign", {
      form: { name: "x".repeat(MAX_NAME_LENGTH + 1), message: "" },
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain(`Names are at most ${MAX_NAME_LENGTH} characters.`);
    expect(res.body).toContain("Please write a message.");
  });

  it("treats missing fields as empty ones", async () => {
    const res = await app.testClient().post("/sign", { form: {} });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain("Please tell us your name.");
  });

  it("accepts only form posts: JSON is a 415", async () => {
    const res = await app.testClient().post("/sign", { json: { name: "Ada", message: "Hi" } });
    expect(res.statusCode).toBe(415);
  });
});

describe("static files", () => {
  it("serves the stylesheet with a CSS type and an ETag, and 304 when it is unchanged", async () => {
    const client = app.testClient();
    const css = await client.get("/static/style.css");
    expect(css.statusCode).toBe(200);
    expect(css.headers["content-type"]).toMatch(/^text\/css/);
    expect(css.body).toContain(".entry-list");
    const etag = header(css.headers["etag"]);
    expect(etag).toBeTruthy();
    expect(css.headers["last-modified"]).toBeTruthy();

    const again = await client.get("/static/style.css", { headers: { "if-none-match": etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe("");
  });

  it("serves the live feed script as JavaScript", async () => {
    const res = await app.testClient().get("/static/live.js");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^(text|application)\/javascript/);
    expect(res.body).toContain("new EventSource(");
  });

  it("serves nothing outside the static folder", async () => {
    const client = app.testClient();
    expect((await client.get("/static/../package.json")).statusCode).toBe(404);
    expect((await client.get("/static/%2e%2e/package.json")).statusCode).toBe(404);
    expect((await client.get("/static/missing.css")).statusCode).toBe(404);
  });
});

/** Reads server-sent events from a fetch body until `stop` returns true for one of them. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  stop: (event: { event?: string; id?: string; data: string }) => boolean,
): Promise<{ event?: string; id?: string; data: string }[]> {
  const events: { event?: string; id?: string; data: string }[] = [];
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return events;
      buffer += value.replace(/\r\n?/g, "\n");
      let end: number;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: { event?: string; id?: string; data: string } = { data: "" };
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) continue; // a comment: the heartbeat
          const colon = line.indexOf(":");
          const field = colon === -1 ? line : line.slice(0, colon);
          const text = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "data") data.push(text);
          else if (field === "event") event.event = text;
          else if (field === "id") event.id = text;
        }
        if (data.length === 0) continue;
        event.data = data.join("\n");
        events.push(event);
        if (stop(event)) return events;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

describe("the live feed", () => {
  it("streams a new entry as an `entry` event, and unsubscribes when the client goes", async () => {
    const { url } = await app.listen({ port: 0 });
    const book = app.container.resolve(Guestbook);
    const abort = new AbortController();
    const res = await fetch(new URL("/events", url), { signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("cache-control")).toMatch(/no-cache/);
    await vi.waitFor(() => expect(book.subscriberCount).toBe(1));

    const signed = await fetch(new URL("/sign", url), {
      method: "POST",
      body: new URLSearchParams({ name: "Ada", message: "Live!" }),
      redirect: "manual",
    });
    expect(signed.status).toBe(303);

    const events = await readEvents(res.body!, (event) => event.event === "entry");
    const entry = events.at(-1)!;
    expect(entry.event).toBe("entry");
    expect(entry.id).toBe("1");
    const data = JSON.parse(entry.data) as Entry;
    expect(data).toMatchObject({ id: 1, name: "Ada", message: "Live!" });
    expect(Date.parse(data.createdAt)).not.toBeNaN();

    abort.abort();
    await vi.waitFor(() => expect(book.subscriberCount).toBe(0), { timeout: 2000 });
  });

  it("replays entries after ?after= or Last-Event-ID first", async () => {
    const { url } = await app.listen({ port: 0 });
    const book = app.container.resolve(Guestbook);
    book.sign({ name: "A", message: "one" });
    book.sign({ name: "B", message: "two" });
    book.sign({ name: "C", message: "three" });

    for (const [path, headers] of [
      ["/events?after=1", {}],
      ["/events?after=0", { "last-event-id": "1" }],
    ] as const) {
      const abort = new AbortController();
      const res = await fetch(new URL(path, url), { signal: abort.signal, headers });
      const events = await readEvents(res.body!, (event) => event.id === "3");
      expect(events.map((event) => (JSON.parse(event.data) as Entry).message)).toEqual(["two", "three"]);
      abort.abort();
    }
    await vi.waitFor(() => expect(book.subscriberCount).toBe(0), { timeout: 2000 });
  });
});

describe("the Guestbook store", () => {
  it("keeps the newest entries only, and cuts names and messages to their limits", () => {
    const book = new Guestbook();
    for (let i = 1; i <= MAX_ENTRIES + 5; i++) book.sign({ name: `n${i}`, message: "x".repeat(1000) });
    const entries = book.list();
    expect(entries).toHaveLength(MAX_ENTRIES);
    expect(entries[0]!.name).toBe(`n${MAX_ENTRIES + 5}`);
    expect(entries.at(-1)!.name).toBe("n6");
    expect(entries[0]!.message.length).toBe(500);
  });

  it("ends a waiting subscription at once when it is returned", async () => {
    const book = new Guestbook();
    const feed = book.subscribe();
    const waiting = feed.next();
    expect(book.subscriberCount).toBe(1);
    await feed.return!();
    expect(book.subscriberCount).toBe(0);
    await expect(waiting).resolves.toEqual({ value: undefined, done: true });
  });

  it("delivers each entry to every subscriber and unsubscribes when a for-await loop exits", async () => {
    const book = new Guestbook();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const entry of book.subscribe()) {
        seen.push(entry.message);
        if (seen.length === 2) break;
      }
    })();
    const other = book.subscribe();
    book.sign({ name: "a", message: "one" });
    book.sign({ name: "b", message: "two" });
    await reading;
    expect(seen).toEqual(["one", "two"]);
    expect(book.subscriberCount).toBe(1);
    expect((await other.next()).value?.message).toBe("one");
    book.endSubscriptions();
    expect(book.subscriberCount).toBe(0);
    expect((await other.next()).done).toBe(true);
  });
});
