import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Controller, Ctx, type Context, Get, Post, Route } from "@flagon/core";
import { inject, testClient } from "@flagon/core/testing";
import {
  csrfToken,
  email,
  EmailField,
  FileField,
  fileAllowed,
  FlagonForm,
  Form,
  IntegerField,
  isUploadedFile,
  length,
  MultiSelectField,
  optional,
  PasswordField,
  required,
  type SchemaForm,
  StringField,
} from "../src/index.js";
import { acceptsJsonFirst } from "../src/form/marker.js";
import { makeApp, MULTIPART, multipart } from "./helpers.js";

/** The users the "username taken" validator asks, through the request's container. */
class UserDirectory {
  constructor(private readonly names: Set<string>) {}
  async exists(name: string): Promise<boolean> {
    await new Promise((resolve) => setTimeout(resolve, 2));
    return this.names.has(name);
  }
}

class SignupForm extends FlagonForm {
  @StringField("Username", [
    required(),
    length({ min: 3 }),
    async (name: string, { resolve }) =>
      (await resolve(UserDirectory).exists(name)) ? "That username is taken." : undefined,
  ])
  username!: string;
  @EmailField("Email", [required(), email()]) email!: string;
  @PasswordField("Password", [required()]) password!: string;
  @IntegerField("Age", [optional()]) age?: number;
  @MultiSelectField("Topics", { choices: ["js", "ts", "py"] }) topics!: string[];
}

class UploadForm extends FlagonForm {
  @StringField("Title", [required()]) title!: string;
  @FileField("Document", [required(), fileAllowed(["pdf"])]) doc?: unknown;
}

function describeForm(form: FlagonForm | SchemaForm) {
  return {
    submitted: form.submitted,
    valid: form.valid,
    errors: form.errors,
    formErrors: form.formErrors,
    values: form.values,
    data: form.valid ? form.data : undefined,
  };
}

@Controller("/")
class Pages {
  @Route("/signup", { methods: ["GET", "POST"] })
  signup(@Form(SignupForm) form: SignupForm) {
    return describeForm(form);
  }

  @Post("/upload")
  upload(@Form(UploadForm) form: UploadForm) {
    const doc = form.valid ? form.data.doc : undefined;
    return {
      ...describeForm(form),
      data: undefined,
      file: isUploadedFile(doc) ? [doc.filename, doc.size] : null,
    };
  }

  @Post("/typed")
  typed(@Form() form: SignupForm) {
    return { kind: form.constructor.name, valid: form.valid };
  }

  @Get("/search")
  search(@Form(SignupForm, { source: "query" }) form: SignupForm) {
    return { submitted: form.submitted, errors: form.errors };
  }

  @Post("/schema")
  schema(@Form(z.object({ name: z.string().min(2), n: z.coerce.number().int() })) form: SchemaForm) {
    return describeForm(form);
  }

  @Get("/token")
  async token(@Ctx() ctx: Context) {
    return { token: await csrfToken(ctx) };
  }

  @Post("/plain")
  plain() {
    return { ran: true };
  }
}

function app(options: Record<string, unknown> = {}) {
  const a = makeApp(options);
  a.provide({ provide: UserDirectory, useValue: new UserDirectory(new Set(["taken"])) });
  a.addController(Pages);
  return a;
}
const NO_CSRF = { csrf: { enabled: false } };
const valid = { username: "ann", email: "ann@example.org", password: "pw", age: "", topics: ["js", "ts"] };

describe("@Form binding", () => {
  it("binds a urlencoded form: typed data, repeated fields, an empty optional integer", async () => {
    const res = await inject(app(NO_CSRF), { method: "POST", url: "/signup", form: valid });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      submitted: true,
      valid: true,
      data: { username: "ann", email: "ann@example.org", password: "pw", topics: ["js", "ts"] },
    });
    expect(res.json<{ data: object }>().data).not.toHaveProperty("age", "");
  });

  it("gives an invalid form post to the handler with its errors and input (no 4xx)", async () => {
    const res = await inject(app(NO_CSRF), {
      method: "POST",
      url: "/signup",
      form: { username: "taken", email: "nope", password: "", topics: "rb" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      submitted: true,
      valid: false,
      errors: {
        username: ["That username is taken."],
        email: ["Not a valid email address."],
        password: ["This field is required."],
        topics: ["Not a valid choice."],
      },
      formErrors: [],
      values: { username: "taken", email: "nope", password: "", topics: "rb" },
    });
  });

  it("binds the same form from a JSON body; invalid JSON is a 422 problem naming the fields", async () => {
    const a = app(NO_CSRF);
    const ok = await inject(a, { method: "POST", url: "/signup", json: { ...valid, age: 41 } });
    expect(ok.json()).toMatchObject({ valid: true, data: { age: 41, topics: ["js", "ts"] } });
    const bad = await inject(a, {
      method: "POST",
      url: "/signup",
      headers: { accept: "application/json" },
      json: { username: "taken", email: "x", password: "pw", age: "old" },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers["content-type"]).toMatch(/application\/problem\+json/);
    const problem = bad.json<{ detail: string; errors: unknown[] }>();
    expect(problem.errors).toEqual([
      { location: "body", path: ["username"], message: "That username is taken." },
      { location: "body", path: ["email"], message: "Not a valid email address." },
      { location: "body", path: ["age"], message: "Not a valid integer." },
    ]);
    expect(problem.detail).toContain("username: That username is taken.");
    const array = await inject(a, { method: "POST", url: "/signup", json: [1] });
    expect(array.statusCode).toBe(422);
  });

  it("binds multipart with files; a forged file in JSON is not a file", async () => {
    const a = app(NO_CSRF);
    const body = multipart([
      { name: "title", value: "Report" },
      { name: "doc", filename: "q3.pdf", type: "application/pdf", value: "%PDF-1.4" },
    ]);
    const res = await inject(a, {
      method: "POST",
      url: "/upload",
      headers: { "content-type": MULTIPART },
      body,
    });
    expect(res.json()).toMatchObject({ valid: true, file: ["q3.pdf", 8] });
    const wrong = multipart([
      { name: "title", value: "Report" },
      { name: "doc", filename: "q3.exe", value: "MZ" },
    ]);
    const bad = await inject(a, {
      method: "POST",
      url: "/upload",
      headers: { "content-type": MULTIPART },
      body: wrong,
    });
    expect(bad.json()).toMatchObject({
      valid: false,
      errors: { doc: ["Only these file types are allowed: pdf."] },
    });
    const none = multipart([
      { name: "title", value: "Report" },
      { name: "doc", filename: "", value: "" },
    ]);
    const missing = await inject(a, {
      method: "POST",
      url: "/upload",
      headers: { "content-type": MULTIPART },
      body: none,
    });
    expect(missing.json()).toMatchObject({ valid: false, errors: { doc: ["This field is required."] } });
    const forged = await inject(a, {
      method: "POST",
      url: "/upload",
      json: { title: "x", doc: { filename: "a.pdf", size: 1, path: "/etc/passwd" } },
    });
    expect(forged.statusCode).toBe(422);
    expect(forged.json<{ errors: unknown[] }>().errors).toEqual([
      { location: "body", path: ["doc"], message: "Not a valid file." },
    ]);
  });

  it("@Form() binds the parameter's declared form class", async () => {
    const res = await inject(app(NO_CSRF), { method: "POST", url: "/typed", form: valid });
    expect(res.json()).toEqual({ kind: "SignupForm", valid: true });
  });

  it("gives a blank, unsubmitted form on GET; a query-bound form reads the query", async () => {
    const a = app(NO_CSRF);
    expect((await inject(a, "/signup")).json()).toMatchObject({ submitted: false, valid: false, errors: {} });
    expect((await inject(a, "/search")).json()).toEqual({ submitted: false, errors: {} });
    expect((await inject(a, "/search?username=x")).json()).toMatchObject({
      submitted: true,
      errors: { username: ["Must be at least 3 characters."] },
    });
  });

  it("takes the app's messages (forms.messages) for translation", async () => {
    const a = app({ ...NO_CSRF, messages: { required: "Champ obligatoire.", email: "Adresse invalide." } });
    const res = await inject(a, { method: "POST", url: "/signup", form: { username: "ann", email: "x" } });
    expect(res.json()).toMatchObject({
      errors: { email: ["Adresse invalide."], password: ["Champ obligatoire."] },
    });
  });

  it("layers validate({ messages }) over the app's messages", async () => {
    @Controller("/")
    class Layered {
      @Post("/layered")
      async layered(@Ctx() ctx: Context) {
        const form = new SignupForm({ username: "ann", email: "x" });
        await form.validate({ ctx, messages: { email: "Adresse e-mail invalide." } });
        return form.errors;
      }
    }
    const a = app({ ...NO_CSRF, messages: { required: "Champ obligatoire.", email: "Adresse invalide." } });
    a.addController(Layered);
    const res = await inject(a, { method: "POST", url: "/layered", form: {} });
    expect(res.json()).toEqual({ email: ["Adresse e-mail invalide."], password: ["Champ obligatoire."] });
  });

  it("refuses a message that is neither text nor a function at start-up, naming the key", async () => {
    await expect(makeApp({ messages: { required: 5 } }).ready()).rejects.toThrow(/forms\.messages\.required/);
  });

  it("binds a Standard Schema: issues become field errors", async () => {
    const a = app(NO_CSRF);
    const ok = await inject(a, { method: "POST", url: "/schema", form: { name: "Al", n: "3" } });
    expect(ok.json()).toMatchObject({ valid: true, data: { name: "Al", n: 3 } });
    const bad = await inject(a, { method: "POST", url: "/schema", form: { name: "A", n: "x" } });
    expect(bad.json<{ errors: Record<string, string[]> }>().errors).toHaveProperty("name");
    expect(bad.json<{ errors: Record<string, string[]> }>().errors).toHaveProperty("n");
    expect((await inject(a, { method: "POST", url: "/schema", json: { name: "A", n: 1 } })).statusCode).toBe(
      422,
    );
  });
});

describe("acceptsJsonFirst", () => {
  it("prefers JSON only when a JSON type outranks text/html", () => {
    expect(acceptsJsonFirst(undefined)).toBe(false);
    expect(acceptsJsonFirst("*/*")).toBe(false);
    expect(acceptsJsonFirst("application/json")).toBe(true);
    expect(acceptsJsonFirst("application/vnd.api+json")).toBe(true);
    expect(acceptsJsonFirst("text/html, application/json")).toBe(false);
    expect(acceptsJsonFirst("text/html;q=0.4, application/json;q=0.9")).toBe(true);
    expect(acceptsJsonFirst("application/json;q=0")).toBe(false);
    expect(acceptsJsonFirst(`${",".repeat(10_000)}application/json`)).toBe(false);
  });
});

describe("CSRF on form-bound routes", () => {
  it("runs the handler with the form invalid, a form error and the input kept, when a form post fails CSRF", async () => {
    const a = app();
    const res = await inject(a, { method: "POST", url: "/signup", form: valid });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      submitted: true,
      valid: false,
      errors: {},
      formErrors: ["The form has expired. Please submit it again."],
      values: valid,
    });
  });

  it("also for a wrong or expired token, and for multipart posts", async () => {
    const a = app();
    const wrong = await inject(a, {
      method: "POST",
      url: "/signup",
      form: { ...valid, csrf_token: "forged.token" },
    });
    expect(wrong.json()).toMatchObject({
      valid: false,
      formErrors: ["The form has expired. Please submit it again."],
    });
    const body = multipart([
      { name: "title", value: "Report" },
      { name: "doc", filename: "q3.pdf", value: "%PDF" },
    ]);
    const upload = await inject(a, {
      method: "POST",
      url: "/upload",
      headers: { "content-type": MULTIPART },
      body,
    });
    expect(upload.json()).toMatchObject({
      valid: false,
      file: null,
      formErrors: [expect.stringMatching(/expired/)],
    });
  });

  it("passes a form post with a valid token, as valid", async () => {
    const client = testClient(app());
    const { token } = (await client.get("/token")).json<{ token: string }>();
    const res = await client.post("/signup", { form: { ...valid, csrf_token: token } });
    expect(res.json()).toMatchObject({ valid: true, formErrors: [] });
  });

  it("reads the token from a multipart body and the header of a JSON body, sharing one parse", async () => {
    const client = testClient(app());
    const { token } = (await client.get("/token")).json<{ token: string }>();
    const body = multipart([
      { name: "csrf_token", value: token },
      { name: "title", value: "Report" },
      { name: "doc", filename: "q3.pdf", value: "%PDF-1.4" },
    ]);
    const upload = await client.post("/upload", { headers: { "content-type": MULTIPART }, body });
    expect(upload.json()).toMatchObject({ valid: true, file: ["q3.pdf", 8] });
    const json = await client.post("/signup", { headers: { "x-csrf-token": token }, json: valid });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({ valid: true });
  });

  it("keeps the 403 for JSON clients and for routes without @Form", async () => {
    const a = app();
    const json = await inject(a, { method: "POST", url: "/signup", json: valid });
    expect(json.statusCode).toBe(403);
    expect(json.json()).toMatchObject({ reason: "missing" });
    const plain = await inject(a, { method: "POST", url: "/plain", form: { a: "1" } });
    expect(plain.statusCode).toBe(403);
  });

  it("treats a form post from a client that prefers JSON as an API call: 403, and 422 when invalid", async () => {
    const csrf = await inject(app(), {
      method: "POST",
      url: "/signup",
      headers: { accept: "application/json" },
      form: valid,
    });
    expect(csrf.statusCode).toBe(403);
    const invalid = await inject(app(NO_CSRF), {
      method: "POST",
      url: "/signup",
      headers: { accept: "application/problem+json, text/html;q=0.5" },
      form: { ...valid, email: "x" },
    });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json<{ errors: unknown[] }>().errors).toEqual([
      { location: "body", path: ["email"], message: "Not a valid email address." },
    ]);
    const browser = await inject(app(), {
      method: "POST",
      url: "/signup",
      headers: { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" },
      form: valid,
    });
    expect(browser.json()).toMatchObject({ valid: false, formErrors: [expect.stringMatching(/expired/)] });
  });

  it("uses the app's csrf message and never validates the forged input (no validator runs)", async () => {
    let calls = 0;
    class Probe extends FlagonForm {
      @StringField("X", [() => void (calls += 1)]) x!: string;
    }
    @Controller("/")
    class ProbePage {
      @Post("/probe")
      probe(@Form(Probe) form: Probe) {
        return {
          valid: form.valid,
          formErrors: form.formErrors,
          data: (() => {
            try {
              return form.data;
            } catch {
              return "refused";
            }
          })(),
        };
      }
    }
    const a = makeApp({ messages: { csrf: "Formulaire expiré ({reason})." } });
    a.addController(ProbePage);
    const res = await inject(a, { method: "POST", url: "/probe", form: { x: "1" } });
    expect(res.json()).toEqual({
      valid: false,
      formErrors: ["Formulaire expiré (missing)."],
      data: "refused",
    });
    expect(calls).toBe(0);
  });
});
