// step-4-forms/forms.ts
import {
  custom,
  equalTo,
  FlagonForm,
  length,
  PasswordField,
  regexp,
  required,
  StringField,
} from "@flagon/forms";
// A value import: the custom check resolves the service by its class.
import { Users } from "../step-3-auth/users.js";

export class RegisterForm extends FlagonForm {
  @StringField("Username", [
    required(),
    length({ min: 3, max: 40 }),
    regexp(/^[A-Za-z0-9_-]+$/, { message: "Use letters, digits, - and _ only." }),
    custom(async (name: string, { resolve }) =>
      (await resolve(Users).exists(name)) ? "That username is taken." : undefined,
    ),
  ])
  username!: string;

  @PasswordField("Password", [required(), length({ min: 8, max: 200 })]) password!: string;
  @PasswordField("Repeat the password", [required(), equalTo("password")]) confirm!: string;
}

export class LoginForm extends FlagonForm {
  @StringField("Username", [required(), length({ max: 40 })]) username!: string;
  @PasswordField("Password", [required(), length({ max: 200 })]) password!: string;
}
