// The blog in a real browser: Debian's Chromium driven by playwright-core, against the app
// listening on a free port with a database and an upload folder of its own. Skipped, with the
// reason printed, only when /usr/bin/chromium is missing (`.ci/run` installs it).
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Flagon } from "@flagon/core";
import { createApp } from "../src/app.js";
import { makePng, SECRET_KEY, tempFolder } from "./helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));
const available = existsSync(CHROMIUM);
if (!available) console.log(`browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const PASSWORD = "a long enough password";

describe.skipIf(!available)("the blog in Chromium", () => {
  let app: Flagon;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let folder: Awaited<ReturnType<typeof tempFolder>>;

  beforeAll(async () => {
    folder = await tempFolder();
    await mkdir(ARTIFACTS, { recursive: true });
    app = createApp({
      logger: false,
      uploadsDir: path.join(folder.dir, "uploads"),
      config: {
        env: "test",
        secretKey: SECRET_KEY,
        database: { url: `sqlite:${path.join(folder.dir, "blog.db")}` },
      },
    });
    base = (await app.listen({ port: 0, host: "127.0.0.1" })).url;
    context = await chromium.launchPersistentContext(path.join(folder.dir, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    // A step that cannot happen fails within seconds, naming the step, not at the test's timeout.
    page.setDefaultTimeout(10_000);
  });

  afterAll(async () => {
    await context?.close();
    await app?.close();
    await folder?.remove();
  });

  async function screenshots(name: string): Promise<void> {
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  /** The page fits its width: nothing sticks out sideways at a phone's 390 px. */
  async function fitsAt390(): Promise<void> {
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  it("signs up, logs in, writes a post with an image, edits it, comments, logs out; the guard redirects", async () => {
    await page.goto(`${base}/register`);
    await page.getByLabel("Username").fill("ada");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Repeat the password").fill(PASSWORD);
    await page.getByRole("button", { name: "Register" }).click();
    await expect.poll(() => page.textContent(".flashes")).toContain("Welcome, ada!");

    await page.getByRole("button", { name: /Log out/ }).click();
    await expect.poll(() => page.textContent(".flashes")).toContain("You are logged out.");

    await page.getByRole("link", { name: "Log in" }).click();
    await page.getByLabel("Username").fill("ada");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("Remember me").check();
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => page.textContent(".flashes")).toContain("Logged in as ada.");
    const cookies = await context.cookies();
    expect(cookies.some((cookie) => cookie.name === "remember_token" && cookie.httpOnly)).toBe(true);

    await page.getByRole("link", { name: "Write a post" }).click();
    await page.getByLabel("Title").fill("A day at the seaside");
    await page
      .getByLabel("Body")
      .fill("We walked **all day** along the shore.\n\n- sand\n- shells\n- a lighthouse");
    await page.getByLabel("Tags").fill("travel, sea");
    await page.getByLabel("Image").setInputFiles({
      name: "seaside.png",
      mimeType: "image/png",
      buffer: makePng(640, 360, [40, 120, 200]),
    });
    await page.getByRole("button", { name: "Publish" }).click();
    await expect.poll(() => page.textContent(".flashes")).toContain("Your post is published.");
    expect(await page.textContent("h1")).toBe("A day at the seaside");
    expect(await page.innerHTML(".prose")).toContain("<strong>all day</strong>");
    const image = page.locator(".post-image img");
    await expect
      .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(640);

    await page.getByRole("link", { name: "Edit" }).click();
    expect(await page.getByLabel("Title").inputValue()).toBe("A day at the seaside");
    await page.getByLabel("Title").fill("A windy day at the seaside");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => page.textContent(".flashes")).toContain("Your changes are saved.");
    expect(await page.textContent("h1")).toBe("A windy day at the seaside");
    expect(await page.locator(".post-image img").count()).toBe(1);

    await page.getByLabel("Your comment").fill("What a lovely walk.");
    await page.getByRole("button", { name: "Post comment" }).click();
    await expect.poll(() => page.textContent(".comment-list")).toContain("What a lovely walk.");
    expect(await page.textContent("#comments-title")).toBe("Comments (1)");
    await fitsAt390();
    await screenshots("post");

    await page.goto(base);
    await fitsAt390();
    await screenshots("index-signed-in");

    await page.getByRole("button", { name: /Log out/ }).click();
    await expect.poll(() => page.textContent(".flashes")).toContain("You are logged out.");
    expect((await context.cookies()).some((cookie) => cookie.name === "remember_token")).toBe(false);
    await screenshots("index");

    await page.goto(`${base}/posts/new`);
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/posts/new");
    expect(await page.textContent("h1")).toBe("Log in");
    await screenshots("login");
  });

  it("shows a form whose CSRF token was tampered with again, with the message and the input kept", async () => {
    await page.goto(`${base}/login`);
    await page.getByLabel("Username").fill("ada");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => page.textContent(".flashes")).toContain("Logged in as ada.");

    await page.goto(`${base}/posts/new`);
    await page.getByLabel("Title").fill("Kept across the failure");
    await page.getByLabel("Body").fill("This text must survive.");
    await page
      .locator('form input[name="csrf_token"]')
      .last()
      .evaluate((input: HTMLInputElement) => {
        input.value = `${input.value.slice(0, -4)}AAAA`;
      });
    await page.getByRole("button", { name: "Publish" }).click();
    await expect
      .poll(() => page.textContent(".form-errors"))
      .toContain("The form has expired. Please submit it again.");
    expect(await page.getByLabel("Title").inputValue()).toBe("Kept across the failure");
    expect(await page.getByLabel("Body").inputValue()).toBe("This text must survive.");
    await screenshots("csrf-failure");

    // The re-rendered form has a good token: sending it again publishes.
    await page.getByRole("button", { name: "Publish" }).click();
    await expect.poll(() => page.textContent(".flashes")).toContain("Your post is published.");
    expect(await page.textContent("h1")).toBe("Kept across the failure");
  });
});
