// step-4-forms/auth.controller.ts
import { Context, Controller, Ctx, Post, Route, redirect, render } from "@flagon/core";
import { login, loginWithPassword, logout, redirectAfterLogin } from "@flagon/auth";
import { Form } from "@flagon/forms";
import { Users } from "../step-3-auth/users.js";
import { LoginForm, RegisterForm } from "./forms.js";

@Controller()
export class AuthController {
  constructor(private readonly users: Users) {}

  /** GET shows the empty form; a POST with errors shows it again, with the input and the messages. */
  @Route("/register", { methods: ["GET", "POST"] })
  async register(@Form() form: RegisterForm, @Ctx() ctx: Context) {
    if (!form.valid) return render("auth/register.html", { form }, { status: form.submitted ? 422 : 200 });
    await login(ctx, await this.users.create(form.data.username, form.data.password));
    await ctx.flash(`Welcome, ${form.data.username}!`);
    return redirect("/", 303);
  }

  @Route("/login", { methods: ["GET", "POST"] })
  async login(@Form() form: LoginForm, @Ctx() ctx: Context) {
    const page = () => render("auth/login.html", { form }, { status: form.submitted ? 422 : 200 });
    if (!form.valid) return page();
    const user = await loginWithPassword(ctx, {
      account: form.data.username,
      password: form.data.password,
      find: (name) => this.users.byUsername(name),
      hashOf: (found) => found.password_hash,
    });
    if (user === undefined) {
      form.addError(null, "Wrong username or password.");
      return page();
    }
    return redirectAfterLogin(ctx, "/");
  }

  @Post("/logout")
  async logout(@Ctx() ctx: Context) {
    await logout(ctx);
    return redirect("/", 303);
  }
}
