import "reflect-metadata";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Controller, render, Route } from "@flagon/core";
import { inject, testClient } from "@flagon/core/testing";
import {
  BooleanField,
  DateField,
  DecimalField,
  email,
  EmailField,
  FileField,
  fileAllowed,
  FlagonForm,
  Form,
  HiddenField,
  IntegerField,
  length,
  MultiSelectField,
  PasswordField,
  range,
  regexp,
  required,
  SchemaForm,
  SelectField,
  StringField,
  url,
} from "../src/index.js";
import { z } from "zod";
import { makeApp } from "./helpers.js";

const root = mkdtempSync(path.join(tmpdir(), "flagon-forms-render-"));
mkdirSync(path.join(root, "templates"));
writeFileSync(
  path.join(root, "templates", "field.html"),
  `{% from "forms/macros.html" import render_field %}{{ render_field(form.field(name)) }}`,
);
writeFileSync(
  path.join(root, "templates", "form.html"),
  `{% from "forms/macros.html" import render_form %}{{ render_form(form, action="/p?a=1&b=2", submit="Send") }}`,
);
writeFileSync(
  path.join(root, "templates", "context.html"),
  `{% from "forms/macros.html" import csrf_field with context %}{{ csrf_field(form) }}`,
);
// A page that is not autoescaped: the macros still escape.
writeFileSync(
  path.join(root, "templates", "field.txt"),
  `{% from "forms/macros.html" import render_field %}{{ render_field(form.field(name)) }}`,
);
afterAll(() => rmSync(root, { recursive: true, force: true }));

class Profile extends FlagonForm {
  @StringField("Name", {
    validators: [required(), length({ min: 2, max: 40 })],
    description: "As on your passport",
    attrs: { autocomplete: "name" },
  })
  name!: string;
  @EmailField("Email", [required(), email()]) email!: string;
  @PasswordField("Password", [required(), length({ min: 8 })]) password!: string;
  @StringField("Website", [url()]) site!: string;
  @StringField("Code", [regexp(/^[A-Z]{2}$/), regexp(/[a-z]+/)]) code!: string;
  @StringField("Bio", { multiline: true }) bio!: string;
  @IntegerField("Age", [range({ min: 13, max: 120 })]) age?: number;
  @DecimalField("Price", { places: 2, validators: [range({ min: "0.01" })] }) price?: string;
  @DateField("Born", [range({ max: "2020-12-31" })]) born?: string;
  @BooleanField("Subscribe") subscribe!: boolean;
  @SelectField("Country", {
    choices: [
      ["fr", "France"],
      ["de", "Germany"],
    ],
    placeholder: "Choose…",
  })
  country?: string;
  @MultiSelectField("Tags", { choices: ["a", "<b>"] }) tags!: string[];
  @FileField("Avatar", { validators: [fileAllowed(["png", "jpg"])], multiple: true }) avatar!: unknown[];
  @HiddenField("Next") next!: string;
}

const XSS = `"><script>alert(1)</script>`;

/** Renders one field of a Profile built from `input` (validated when given). */
async function field(name: string, input?: Record<string, unknown>, page = "field.html") {
  const form = new Profile(input);
  if (input !== undefined) await form.validate();
  const app = makeApp({ csrf: { enabled: false } }, { root });
  app.get("/", () => render(page, { form, name }));
  const res = await inject(app, "/");
  expect(res.statusCode).toBe(200);
  return res.body;
}

describe("render_field", () => {
  it("renders a text input with its label, the attributes its validators imply, and help text", async () => {
    const html = await field("name");
    expect(html).toContain('<label for="name">Name</label>');
    expect(html).toContain(
      '<input type="text" id="name" name="name" required minlength="2" maxlength="40" autocomplete="name" aria-describedby="name-description" value="">',
    );
    expect(html).toContain('<p class="field-description" id="name-description">As on your passport</p>');
  });

  it("gives each kind its type and min/max/step/pattern/accept/multiple", async () => {
    expect(await field("email")).toContain('<input type="email" id="email" name="email" required value="">');
    expect(await field("site")).toContain('<input type="url" id="site" name="site" value="">');
    // The anchored pattern goes to the browser; the unanchored one (a search) does not.
    expect(await field("code")).toContain(
      '<input type="text" id="code" name="code" pattern="^[A-Z]{2}$" value="">',
    );
    expect(await field("age")).toContain(
      '<input type="number" id="age" name="age" min="13" max="120" step="1" value="">',
    );
    expect(await field("price")).toContain(
      '<input type="number" id="price" name="price" min="0.01" step="0.01" value="">',
    );
    expect(await field("born")).toContain(
      '<input type="date" id="born" name="born" max="2020-12-31" value="">',
    );
    expect(await field("avatar")).toContain(
      '<input type="file" id="avatar" name="avatar" accept=".png,.jpg" multiple>',
    );
    expect(await field("next")).toBe('<input type="hidden" id="next" name="next" value="">');
    expect(await field("bio")).toContain('<textarea id="bio" name="bio"></textarea>');
  });

  it("shows the previous value escaped, with errors linked by aria-describedby", async () => {
    const html = await field("name", { name: `${XSS} and more, over forty` });
    expect(html).not.toContain("<script>");
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; and more, over forty"');
    expect(html).toContain('aria-invalid="true" aria-describedby="name-description name-errors"');
    expect(html).toContain('<ul class="field-errors" id="name-errors">');
    expect(html).toContain("<li>Must be at most 40 characters.</li>");
    expect(await field("bio", { bio: `</textarea>${XSS}` })).toContain(
      '<textarea id="bio" name="bio">&lt;/textarea&gt;&quot;&gt;&lt;script&gt;',
    );
  });

  it("escapes in a page that is not autoescaped too", async () => {
    const text = await field("name", { name: XSS }, "field.txt");
    expect(text).not.toContain("<script>");
    expect(text).toContain("&lt;script&gt;");
  });

  it("refuses an attribute name that could break out of the tag", async () => {
    const form = new Profile();
    expect(() => form.field("name", { attrs: { 'x onmouseover="alert(1)"': "" } })).toThrow(
      /is not an attribute name/,
    );
    expect(() => {
      class Bad extends FlagonForm {
        @StringField("X", { attrs: { "a>b": true } }) x!: string;
      }
      return Bad;
    }).toThrow(/Bad.x: "a>b" is not an attribute name/);
  });

  it("never echoes a password", async () => {
    const html = await field("password", { password: "hunter2-secret" });
    expect(html).not.toContain("hunter2");
    expect(html).toContain('<input type="password" id="password" name="password" required minlength="8">');
  });

  it("renders a checkbox checked from the input, the label after it", async () => {
    expect(await field("subscribe", { subscribe: "on" })).toContain(
      '<input type="checkbox" id="subscribe" name="subscribe" value="y" checked>\n  <label for="subscribe">Subscribe</label>',
    );
    expect(await field("subscribe", {})).not.toContain("checked");
  });

  it("renders selects with the chosen options selected, labels escaped, a placeholder", async () => {
    const one = await field("country", { country: "de" });
    expect(one).toContain('<option value="">Choose…</option>');
    expect(one).toContain('<option value="fr">France</option>');
    expect(one).toContain('<option value="de" selected>Germany</option>');
    const many = await field("tags", { tags: ["a", "<b>"] });
    expect(many).toContain('<select id="tags" name="tags" multiple>');
    expect(many).toContain('<option value="&lt;b&gt;" selected>&lt;b&gt;</option>');
    expect(many).toContain('<option value="a" selected>a</option>');
  });

  it("prefills from initial values before the form is submitted", async () => {
    const form = new Profile(null, { initial: { name: "Ann", subscribe: true, tags: ["a"] } });
    const app = makeApp({ csrf: { enabled: false } }, { root });
    app.get("/", () => render("form.html", { form }));
    const html = (await inject(app, "/")).body;
    expect(html).toContain('value="Ann"');
    expect(html).toContain("checked");
    expect(html).toContain('<option value="a" selected>a</option>');
    expect(html).not.toContain("aria-invalid");
  });
});

class Login extends FlagonForm {
  @StringField("User", [required()]) user!: string;
  @PasswordField("Password", [required()]) password!: string;
}

@Controller("/")
class LoginPage {
  @Route("/login", { methods: ["GET", "POST"] })
  login(@Form(Login) form: Login) {
    return render("form.html", { form });
  }

  @Route("/ctx", { methods: ["GET"] })
  context() {
    return render("context.html", { form: new Login() });
  }
}

describe("a Standard Schema form", () => {
  it("renders a field with the label and kind the template gives, the input and the schema's errors", async () => {
    const form = new SchemaForm(z.object({ email: z.string().email("Bad email.") }), { email: XSS });
    await form.validate();
    const app = makeApp({ csrf: { enabled: false } }, { root });
    writeFileSync(
      path.join(root, "templates", "schema.html"),
      `{% from "forms/macros.html" import render_field %}{{ render_field(form.field("email", { label: "Email", kind: "email" })) }}`,
    );
    app.get("/", () => render("schema.html", { form }));
    const html = (await inject(app, "/")).body;
    expect(html).toContain('<label for="email">Email</label>');
    expect(html).toContain('<input type="email" id="email" name="email" aria-invalid="true"');
    expect(html).toContain("<li>Bad email.</li>");
    expect(html).not.toContain("<script>");
  });
});

describe("render_form", () => {
  it("renders the form with its CSRF field, errors, fields and a submit button", async () => {
    const app = makeApp({}, { root });
    app.addController(LoginPage);
    const html = (await inject(app, "/login")).body;
    expect(html).toMatch(/^<form method="post" action="\/p\?a=1&amp;b=2">/);
    expect(html).toMatch(/<input type="hidden" name="csrf_token" value="[\w.-]+">/);
    expect(html).toContain('<input type="text" id="user" name="user" required value="">');
    expect(html).toContain('<button type="submit">Send</button>');
    expect(html).not.toContain("enctype");
  });

  it("re-renders a form that failed CSRF with the message and the input, never the password", async () => {
    const app = makeApp({}, { root });
    app.addController(LoginPage);
    const res = await inject(app, {
      method: "POST",
      url: "/login",
      form: { user: XSS, password: "s3cret-pw" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      '<div class="form-errors" role="alert">\n  <ul>\n    <li>The form has expired. Please submit it again.</li>',
    );
    expect(res.body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(res.body).not.toContain("s3cret-pw");
    // The re-rendered form carries a fresh token, and submitting it again passes.
    const client = testClient(app);
    const page = await client.get("/login");
    const token = /name="csrf_token" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    const again = await client.post("/login", { form: { user: "ann", password: "pw", csrf_token: token } });
    expect(again.body).not.toContain("form-errors");
  });

  it("posts a form with a file field as multipart; a template imported with context finds csrf_token()", async () => {
    const form = new Profile();
    const app = makeApp({}, { root });
    app.get("/", () => render("form.html", { form }));
    app.addController(LoginPage);
    expect((await inject(app, "/")).body).toContain('enctype="multipart/form-data"');
    expect((await inject(app, "/ctx")).body).toMatch(
      /^<input type="hidden" name="csrf_token" value="[\w.-]+">$/,
    );
  });
});
