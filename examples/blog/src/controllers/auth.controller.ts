import { Context, Controller, Ctx, Post, Route, redirect, render, type FlagonResponse } from "@flagon/core";
import { login, loginWithPassword, logout, redirectAfterLogin } from "@flagon/auth";
import { Form } from "@flagon/forms";
import { LoginForm, RegisterForm } from "../forms/index.js";
// A value import, not `import type`: the constructor's parameter type is the injection token.
import { Users } from "../users.js";

/** Registration, login (with remember me) and logout: the pages of Flask's `auth` blueprint. */
@Controller()
export class AuthController {
  constructor(private readonly users: Users) {}

  /** The sign-up form; a valid post creates the account, logs it in and goes home. */
  @Route("/register", { methods: ["GET", "POST"] })
  async register(@Form() form: RegisterForm, @Ctx() ctx: Context): Promise<FlagonResponse> {
    if (!form.valid) return render("auth/register.html", { form }, { status: form.submitted ? 422 : 200 });
    const { username, password } = form.data;
    const user = await this.users.create(username, password);
    await login(ctx, user);
    await ctx.flash(`Welcome, ${user.username}! Your account is ready.`, "success");
    return redirect(ctx.urlFor("PostsController.index"), 303);
  }

  /** The login form. Wrong credentials say only that, never which of the two was wrong. */
  @Route("/login", { methods: ["GET", "POST"] })
  async login(@Form() form: LoginForm, @Ctx() ctx: Context): Promise<FlagonResponse> {
    const next = ctx.request.query.get("next") ?? "";
    const page = () => render("auth/login.html", { form, next }, { status: form.submitted ? 422 : 200 });
    if (!form.valid) return page();
    const { username, password, remember } = form.data;
    const user = await loginWithPassword(ctx, {
      account: username,
      password,
      find: (name) => this.users.byUsername(name),
      hashOf: (found) => found.passwordHash,
      rehash: (found, hash) => this.users.setPasswordHash(found.id, hash),
      remember,
    });
    if (user === undefined) {
      form.addError(null, "Wrong username or password.");
      return page();
    }
    await ctx.flash(`Logged in as ${user.username}.`, "success");
    return redirectAfterLogin(ctx, ctx.urlFor("PostsController.index"));
  }

  /** Ends the session and the remember-me cookie. A POST, so another site cannot log you out. */
  @Post("/logout")
  async logout(@Ctx() ctx: Context): Promise<FlagonResponse> {
    await logout(ctx);
    await ctx.flash("You are logged out.", "info");
    return redirect(ctx.urlFor("PostsController.index"), 303);
  }
}
