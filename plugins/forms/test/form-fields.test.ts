import "reflect-metadata";
import { describe, expect, it } from "vitest";
import {
  anyOf,
  BooleanField,
  custom,
  DateField,
  DecimalField,
  email,
  EmailField,
  equalTo,
  FileField,
  fileAllowed,
  fileSize,
  FlagonForm,
  HiddenField,
  IntegerField,
  length,
  MultiSelectField,
  optional,
  PasswordField,
  range,
  regexp,
  required,
  SelectField,
  StringField,
  url,
} from "../src/index.js";
import { UploadedFileImpl } from "../src/files.js";

class Everything extends FlagonForm {
  @StringField("Name") name!: string;
  @EmailField("Email") email!: string;
  @PasswordField("Password") password!: string;
  @HiddenField("Next") next!: string;
  @IntegerField("Age") age?: number;
  @DecimalField("Price", { places: 2 }) price?: string;
  @BooleanField("Terms") terms!: boolean;
  @DateField("Born") born?: string;
  @SelectField("Country", {
    choices: [
      ["fr", "France"],
      ["de", "Germany"],
    ],
  })
  country?: string;
  @MultiSelectField("Tags", { choices: ["a", "b", "c"] }) tags!: string[];
  @FileField("Avatar") avatar?: unknown;
  @FileField("Docs", { multiple: true }) docs!: unknown[];
}

async function check(input: Record<string, unknown>) {
  const form = new Everything(input);
  await form.validate();
  return form;
}

const file = (name: string, size = 3) =>
  new UploadedFileImpl("f", name, size, "application/octet-stream", undefined, Buffer.alloc(size));

describe("coercion", () => {
  it("gives each kind its empty value for an empty form, with no error", async () => {
    const form = await check({});
    expect(form.errors).toEqual({});
    expect(form.valid).toBe(true);
    expect(form.data).toEqual({
      name: "",
      email: "",
      password: "",
      next: "",
      age: undefined,
      price: undefined,
      terms: false,
      born: undefined,
      country: undefined,
      tags: [],
      avatar: undefined,
      docs: [],
    });
  });

  it("reads blank strings as empty: optional integer, decimal, date and select become undefined", async () => {
    const form = await check({ age: "", price: "  ", born: "", country: "", tags: "" });
    expect(form.valid).toBe(true);
    expect(form.age).toBeUndefined();
    expect(form.price).toBeUndefined();
    expect(form.born).toBeUndefined();
    expect(form.country).toBeUndefined();
    expect(form.tags).toEqual([]);
  });

  it("parses integers strictly, from text or a JSON number", async () => {
    expect((await check({ age: " 42 " })).age).toBe(42);
    expect((await check({ age: "-7" })).age).toBe(-7);
    expect((await check({ age: 30 })).age).toBe(30);
    for (const bad of ["4.5", "1e3", "0x10", "12abc", "99999999999999999999", 1.5, true]) {
      expect((await check({ age: bad })).errors).toEqual({ age: ["Not a valid integer."] });
    }
  });

  it("keeps decimals as text without float loss, normalised", async () => {
    expect((await check({ price: "12.50" })).price).toBe("12.50");
    expect((await check({ price: "+0.10" })).price).toBe("0.10");
    expect((await check({ price: ".5" })).price).toBe("0.5");
    expect((await check({ price: "5." })).price).toBe("5");
    expect((await check({ price: 0.1 })).price).toBe("0.1");
    expect((await check({ price: "1.234" })).errors).toEqual({ price: ["At most 2 decimal places."] });
    for (const bad of ["1e3", "abc", ".", "1.2.3", "NaN", 1e21]) {
      expect((await check({ price: bad })).errors).toEqual({ price: ["Not a valid decimal number."] });
    }
  });

  it('reads a checkbox as true for "on" or any value, false when absent or a false word', async () => {
    for (const on of ["on", "y", "true", "1", "yes", true])
      expect((await check({ terms: on })).terms).toBe(true);
    for (const off of ["", "false", "0", "off", "no", "N", false, undefined]) {
      expect((await check({ terms: off })).terms).toBe(false);
    }
  });

  it("takes dates as YYYY-MM-DD calendar dates only", async () => {
    expect((await check({ born: "2024-02-29" })).born).toBe("2024-02-29");
    for (const bad of ["2023-02-29", "2024-13-01", "29/02/2024", "2024-2-9", "2024-02-29T00:00"]) {
      expect((await check({ born: bad })).errors).toEqual({ born: ["Not a valid date (YYYY-MM-DD)."] });
    }
  });

  it("checks choices: a select takes one, a multiselect repeated values", async () => {
    expect((await check({ country: "fr" })).country).toBe("fr");
    expect((await check({ country: "xx" })).errors).toEqual({ country: ["Not a valid choice."] });
    expect((await check({ country: ["de", "fr"] })).country).toBe("de");
    expect((await check({ tags: ["a", "c"] })).tags).toEqual(["a", "c"]);
    expect((await check({ tags: "b" })).tags).toEqual(["b"]);
    expect((await check({ tags: ["a", "z"] })).errors).toEqual({ tags: ["Not a valid choice."] });
  });

  it("takes text as sent (the first of repeated values), email trimmed, and refuses objects", async () => {
    const form = await check({ name: [" Ann ", "Bob"], email: " a@b.co ", password: " p ", next: "/x" });
    expect(form.data).toMatchObject({ name: " Ann ", email: "a@b.co", password: " p ", next: "/x" });
    expect((await check({ name: 12 })).name).toBe("12");
    expect((await check({ name: { $ne: 1 } })).errors).toEqual({ name: ["Not a valid value."] });
  });

  it("takes only real uploaded files: a string where a file goes is an error", async () => {
    const one = file("a.png");
    const form = await check({ avatar: one, docs: [file("x.pdf"), file("y.pdf")] });
    expect(form.avatar).toBe(one);
    expect(form.docs).toHaveLength(2);
    expect((await check({ avatar: { filename: "forged.png", size: 1 } })).errors).toEqual({
      avatar: ["Not a valid file."],
    });
  });
});

class Validated extends FlagonForm {
  @StringField("Username", [required(), length({ min: 3, max: 5 })]) username!: string;
  @EmailField("Email", [optional(), email()]) email!: string;
  @StringField("Site", [optional(), url()]) site!: string;
  @StringField("Code", [optional(), regexp(/^[A-Z]{2}\d$/)]) code!: string;
  @PasswordField("Password", [required()]) password!: string;
  @PasswordField("Confirm", [equalTo("password")]) confirm!: string;
  @IntegerField("Age", [optional(), range({ min: 13, max: 120 })]) age?: number;
  @DecimalField("Amount", [optional(), range({ min: "0.01", max: "100.00" })]) amount?: string;
  @DateField("Day", [optional(), range({ min: "2020-01-01", max: "2020-12-31" })]) day?: string;
  @StringField("Color", [optional(), anyOf(["red", "blue"])]) color!: string;
  @BooleanField("Terms", [required({ message: "Please accept the terms." })]) terms!: boolean;
  @MultiSelectField("Tags", { choices: ["a", "b", "c"], validators: [length({ max: 2 })] }) tags!: string[];
  @FileField("Doc", [optional(), fileAllowed(["pdf", ".PNG"]), fileSize({ max: 1024 })]) doc?: unknown;
}

const good = { username: "anna", password: "secret", confirm: "secret", terms: "on" };

async function errorsOf(input: Record<string, unknown>) {
  const form = new Validated({ ...good, ...input });
  await form.validate();
  return form.errors;
}

describe("validators", () => {
  it("passes a good form and gives typed data", async () => {
    const form = new Validated(good);
    expect(await form.validate()).toBe(true);
    expect(form.data.username).toBe("anna");
    expect(form.data.terms).toBe(true);
  });

  it("required: blank text, unchecked box, stop the chain", async () => {
    expect(await errorsOf({ username: "   " })).toEqual({ username: ["This field is required."] });
    expect(await errorsOf({ terms: undefined })).toEqual({ terms: ["Please accept the terms."] });
  });

  it("length: characters (code points) and the number of choices", async () => {
    expect(await errorsOf({ username: "ab" })).toEqual({ username: ["Must be at least 3 characters."] });
    expect(await errorsOf({ username: "abcdef" })).toEqual({ username: ["Must be at most 5 characters."] });
    expect(await errorsOf({ username: "😀😀😀" })).toEqual({});
    expect(await errorsOf({ tags: ["a", "b", "c"] })).toEqual({ tags: ["Choose at most 2."] });
  });

  it("optional: blank input stops the chain; non-blank input is still checked", async () => {
    expect(
      await errorsOf({ email: "", site: " ", code: "", age: "", amount: "", day: "", color: "" }),
    ).toEqual({});
    expect(await errorsOf({ age: "abc" })).toEqual({ age: ["Not a valid integer."] });
  });

  it("email and url", async () => {
    for (const bad of ["a", "a@b", "a@@b.co", "@b.co", "a b@c.co", "a@-b.co", "a@b..co"]) {
      expect(await errorsOf({ email: bad })).toEqual({ email: ["Not a valid email address."] });
    }
    expect(await errorsOf({ email: "first.last+tag@mail.example.org" })).toEqual({});
    for (const bad of ["example.com", "javascript:alert(1)", "ftp://x.org/", "http://"]) {
      expect(await errorsOf({ site: bad })).toEqual({ site: ["Not a valid URL."] });
    }
    expect(await errorsOf({ site: "https://flagon.dev/docs?x=1" })).toEqual({});
  });

  it("regexp, equalTo, anyOf", async () => {
    expect(await errorsOf({ code: "ab1" })).toEqual({ code: ["Not in the expected format."] });
    expect(await errorsOf({ code: "AB1" })).toEqual({});
    expect(await errorsOf({ confirm: "other" })).toEqual({ confirm: ["Must be equal to Password."] });
    expect(await errorsOf({ color: "green" })).toEqual({ color: ["Must be one of: red, blue."] });
  });

  it("range: integers, decimals compared exactly, dates", async () => {
    expect(await errorsOf({ age: "12" })).toEqual({ age: ["Must be at least 13."] });
    expect(await errorsOf({ age: "121" })).toEqual({ age: ["Must be at most 120."] });
    expect(await errorsOf({ amount: "0.009" })).toEqual({ amount: ["Must be at least 0.01."] });
    expect(await errorsOf({ amount: "100.001" })).toEqual({ amount: ["Must be at most 100.00."] });
    expect(await errorsOf({ amount: "100" })).toEqual({});
    expect(await errorsOf({ amount: "-5" })).toEqual({ amount: ["Must be at least 0.01."] });
    expect(await errorsOf({ day: "2019-12-31" })).toEqual({ day: ["Must be at least 2020-01-01."] });
    expect(await errorsOf({ day: "2020-06-15" })).toEqual({});
  });

  it("fileAllowed checks the sanitised name's extension; fileSize the bytes", async () => {
    expect(await errorsOf({ doc: file("report.PDF") })).toEqual({});
    expect(await errorsOf({ doc: file("shot.png") })).toEqual({});
    expect(await errorsOf({ doc: file("evil.pdf.exe") })).toEqual({
      doc: ["Only these file types are allowed: pdf, png."],
    });
    expect(await errorsOf({ doc: file("pdf") })).toEqual({
      doc: ["Only these file types are allowed: pdf, png."],
    });
    expect(await errorsOf({ doc: file("big.pdf", 2048) })).toEqual({
      doc: ["The file must be at most 1 KB."],
    });
  });

  it("collects every failing validator's message, in order", async () => {
    class Two extends FlagonForm {
      @StringField("X", [length({ min: 5 }), regexp(/^\d+$/)]) x!: string;
    }
    const form = new Two({ x: "ab" });
    await form.validate();
    expect(form.errors).toEqual({ x: ["Must be at least 5 characters.", "Not in the expected format."] });
  });

  it("runs custom validators, sync and async, with messages of their own or the default", async () => {
    const taken = new Set(["root"]);
    class Custom extends FlagonForm {
      @StringField("User", [
        async (value: string) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return taken.has(value) ? "That username is taken." : undefined;
        },
      ])
      user!: string;
      @IntegerField("Even", [custom((n: number | undefined) => (n ?? 0) % 2 === 0)]) even?: number;
      @IntegerField("Odd", [
        custom((n: number | undefined) => (n ?? 1) % 2 === 1, { message: "Must be odd." }),
      ])
      odd?: number;
    }
    const bad = new Custom({ user: "root", even: "3", odd: "4" });
    expect(await bad.validate()).toBe(false);
    expect(bad.errors).toEqual({
      user: ["That username is taken."],
      even: ["Invalid value."],
      odd: ["Must be odd."],
    });
    expect(await new Custom({ user: "ann", even: "2", odd: "3" }).validate()).toBe(true);
  });

  it("takes messages per validation and per validator, with placeholders", async () => {
    const form = new Validated({ ...good, username: "ab", age: "5" });
    await form.validate({
      messages: { "length.min": "Au moins {min} caractères.", "range.min": (p) => `≥ ${String(p["min"])}` },
    });
    expect(form.errors).toEqual({ username: ["Au moins 3 caractères."], age: ["≥ 13"] });
  });

  it("never gives the data of an invalid or unsubmitted form, and addError invalidates", async () => {
    const form = new Validated({ ...good, username: "" });
    await form.validate();
    expect(() => form.data).toThrow(/Validated.data: the form is not valid/);
    expect(() => new Validated().data).toThrow(/was not submitted/);
    const ok = new Validated(good);
    await ok.validate();
    ok.addError(null, "Wrong password.");
    expect(ok.valid).toBe(false);
    expect(ok.formErrors).toEqual(["Wrong password."]);
  });

  it("refuses a field named like a form member, and a select without choices", () => {
    expect(() => {
      class Bad extends FlagonForm {
        // @ts-expect-error: a field cannot be named like a form member
        @StringField("Data") override data!: string;
      }
      return Bad;
    }).toThrow(/"data" is a member of every form/);
    expect(() => {
      class Bad extends FlagonForm {
        // @ts-expect-error: choices are required
        @SelectField("S", {}) s?: string;
      }
      return Bad;
    }).toThrow(/needs its choices/);
  });

  it("types data as the form's fields only", async () => {
    const form = new Validated({ ...good, age: "20" });
    await form.validate();
    const age: number | undefined = form.data.age;
    const terms: boolean = form.data.terms;
    // @ts-expect-error: members of every form are not data
    void form.data.valid;
    expect({ age, terms }).toEqual({ age: 20, terms: true });
    expect(Object.keys(form.data)).not.toContain("csrf");
  });

  it("reads choices from a function each time the form is validated", async () => {
    const live = ["x"];
    class Dynamic extends FlagonForm {
      @SelectField("Pick", { choices: () => live, validators: [required()] }) pick?: string;
    }
    expect(await new Dynamic({ pick: "y" }).validate()).toBe(false);
    live.push("y");
    const form = new Dynamic({ pick: "y" });
    expect(await form.validate()).toBe(true);
    expect(form.field("pick").options.map((o) => o.value)).toEqual(["x", "y"]);
  });

  it("validates without a request only what needs none: resolve() says how to give it one", async () => {
    class Needs extends FlagonForm {
      @StringField("X", [(_v, { resolve }) => void resolve(String)]) x!: string;
    }
    await expect(new Needs({ x: "1" }).validate()).rejects.toThrow(
      /validate the form with \{ ctx \} or \{ container \}/,
    );
  });

  it("inherits fields from a parent form class", async () => {
    class Child extends Validated {
      @StringField("Extra", [required()]) extra!: string;
    }
    const form = new Child(good);
    await form.validate();
    expect(Object.keys(form.errors)).toEqual(["extra"]);
  });
});
