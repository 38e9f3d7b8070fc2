import {
  Body,
  Context,
  Controller,
  Ctx,
  Get,
  Header,
  Post,
  Query,
  Render,
  redirect,
  render,
  sse,
  type FlagonResponse,
} from "@flagon/core";
import { z } from "zod";
// A value import, not `import type`: the constructor's parameter type is the injection token.
import { Guestbook, MAX_MESSAGE_LENGTH, MAX_NAME_LENGTH, type Entry } from "./guestbook.js";

const field = z.string().catch("");

/**
 * What the form posts: two text fields. A missing or repeated field reads as empty, so this
 * never fails and the page can show the rules below next to the submitted values.
 */
export const SignForm = z.object({ name: field, message: field });
export type SignForm = z.infer<typeof SignForm>;

/** The rules for a signature; their messages are shown under the fields. */
export const Signature = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Please tell us your name.")
    .max(MAX_NAME_LENGTH, `Names are at most ${MAX_NAME_LENGTH} characters.`),
  message: z
    .string()
    .trim()
    .min(1, "Please write a message.")
    .max(MAX_MESSAGE_LENGTH, `Messages are at most ${MAX_MESSAGE_LENGTH} characters.`),
});

type FieldErrors = Partial<Record<keyof SignForm, string>>;

interface PageContext {
  [key: string]: unknown;
  entries: Entry[];
  form: SignForm;
  errors: FieldErrors;
  limits: { name: number; message: number };
}

@Controller()
export class GuestbookController {
  constructor(private readonly book: Guestbook) {}

  /** The book, newest entry first, and the form; the name is remembered from the last signing. */
  @Get("/")
  @Render("index.html")
  async index(@Ctx() ctx: Context): Promise<PageContext> {
    const name = (await ctx.session()).get("name");
    return this.page({ name: typeof name === "string" ? name : "", message: "" });
  }

  /**
   * Signs the book, then Post/Redirect/Get: a 303 to the book, where the flash message shows
   * once. An invalid form is shown again with its values and errors, with status 422.
   */
  @Post("/sign")
  async sign(
    @Body(SignForm, { accept: ["form"] }) form: SignForm,
    @Ctx() ctx: Context,
  ): Promise<FlagonResponse> {
    const result = Signature.safeParse(form);
    if (!result.success) {
      return render("index.html", this.page(form, firstErrors(result.error)), { status: 422 });
    }
    this.book.sign(result.data);
    (await ctx.session()).set("name", result.data.name);
    await ctx.flash("Thanks for signing!", "success");
    return redirect(ctx.urlFor("GuestbookController.index"), 303);
  }

  /**
   * New entries as server-sent events named `entry`, each with the entry as JSON and its id as
   * the event id. Entries after `Last-Event-ID` (sent by a reconnecting browser) or `?after=` are
   * replayed first. The subscription ends when the client goes away.
   */
  @Get("/events")
  events(@Header("last-event-id") lastEventId?: string, @Query("after") after?: string): FlagonResponse {
    const afterId = entryId(lastEventId) ?? entryId(after);
    const feed = this.book.subscribe(afterId === undefined ? {} : { afterId });
    return sse(mapIterator(feed, (entry: Entry) => ({ event: "entry", id: entry.id, data: entry })));
  }

  /** What `index.html` shows. */
  private page(form: SignForm, errors: FieldErrors = {}): PageContext {
    return {
      entries: this.book.list(),
      form,
      errors,
      limits: { name: MAX_NAME_LENGTH, message: MAX_MESSAGE_LENGTH },
    };
  }
}

function firstErrors(error: z.ZodError<SignForm>): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path[0];
    if ((key === "name" || key === "message") && errors[key] === undefined) errors[key] = issue.message;
  }
  return errors;
}

/** A non-negative integer id, or undefined for anything else. */
function entryId(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

/**
 * Maps an iterator's values, passing `return()` straight through (an `async function*` wrapper
 * would hold it until the next value arrived, keeping a gone client subscribed).
 */
function mapIterator<T, U>(source: AsyncIterator<T>, map: (value: T) => U): AsyncIterableIterator<U> {
  return {
    async next() {
      const result = await source.next();
      return result.done ? { value: undefined, done: true } : { value: map(result.value), done: false };
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
