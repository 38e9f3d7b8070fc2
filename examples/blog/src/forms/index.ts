// The blog's forms, one class each: they validate, keep the input for a re-render, and render
// themselves through the field macros of @flagon/forms (`forms/macros.html`).
import {
  BooleanField,
  custom,
  equalTo,
  fileAllowed,
  FileField,
  FlagonForm,
  length,
  optional,
  PasswordField,
  regexp,
  required,
  StringField,
  type UploadedFile,
} from "@flagon/forms";
// A value import: the custom check resolves the service by its class.
import { Users } from "../users.js";

export class RegisterForm extends FlagonForm {
  @StringField("Username", {
    validators: [
      required(),
      length({ min: 3, max: 40 }),
      regexp(/^[A-Za-z0-9_-]+$/, { message: "Use letters, digits, - and _ only." }),
      custom(async (name: string, context) =>
        (await context.resolve(Users).exists(name)) ? "That username is taken." : undefined,
      ),
    ],
    attrs: { autocomplete: "username" },
  })
  username!: string;

  @PasswordField("Password", {
    validators: [required(), length({ min: 8, max: 200 })],
    description: "At least 8 characters.",
    attrs: { autocomplete: "new-password" },
  })
  password!: string;

  @PasswordField("Repeat the password", {
    validators: [required(), equalTo("password")],
    attrs: { autocomplete: "new-password" },
  })
  confirm!: string;
}

export class LoginForm extends FlagonForm {
  @StringField("Username", {
    validators: [required(), length({ max: 40 })],
    attrs: { autocomplete: "username" },
  })
  username!: string;

  @PasswordField("Password", {
    validators: [required(), length({ max: 200 })],
    attrs: { autocomplete: "current-password" },
  })
  password!: string;

  @BooleanField("Remember me") remember!: boolean;
}

export class PostForm extends FlagonForm {
  @StringField("Title", [required(), length({ max: 200 })]) title!: string;

  @StringField("Body", {
    multiline: true,
    validators: [required(), length({ max: 20_000 })],
    description: "Markdown: **bold**, _italic_, `code`, [links](https://example.com), lists and quotes.",
    attrs: { rows: 12 },
  })
  body!: string;

  @StringField("Tags", {
    validators: [optional(), length({ max: 160 })],
    description: "Comma-separated, up to five: travel, recipes",
  })
  tags!: string;

  @FileField("Image", {
    validators: [optional(), fileAllowed(["png", "jpg", "jpeg", "gif", "webp"])],
    description: "PNG, JPEG, GIF or WebP, up to 2 MB.",
    attrs: { accept: "image/png,image/jpeg,image/gif,image/webp" },
  })
  image?: UploadedFile;

  @BooleanField("Remove the current image") removeImage!: boolean;
}

export class CommentForm extends FlagonForm {
  @StringField("Your comment", {
    multiline: true,
    validators: [required(), length({ max: 2000 })],
    attrs: { rows: 4 },
  })
  body!: string;
}

export class TokenForm extends FlagonForm {
  @StringField("Token name", {
    validators: [required(), length({ max: 60 })],
    description: "What the token is for, e.g. “my laptop”.",
  })
  name!: string;
}
