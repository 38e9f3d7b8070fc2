// step-3-auth/auth.controller.ts
import { Body, Context, Controller, Ctx, Get, Post, Render, redirect, render } from "@flagon/core";
import { login, loginWithPassword, logout, redirectAfterLogin } from "@flagon/auth";
import { z } from "zod";
import { Users } from "./users.js";

const Credentials = z.object({
  username: z.string().min(3).max(40),
  password: z.string().min(8).max(200),
});
type Credentials = z.infer<typeof Credentials>;

/** An HTML form posts application/x-www-form-urlencoded: @Body takes it with `accept: ["form"]`. */
const FORM = { accept: ["form"] } as const;

@Controller()
export class AuthController {
  constructor(private readonly users: Users) {}

  @Get("/register")
  @Render("auth/register.html")
  registerPage() {
    return {};
  }

  @Post("/register")
  async register(@Body(Credentials, FORM) body: Credentials, @Ctx() ctx: Context) {
    if (await this.users.exists(body.username)) {
      return render("auth/register.html", { error: "That username is taken." }, { status: 422 });
    }
    await login(ctx, await this.users.create(body.username, body.password));
    return redirect("/", 303);
  }

  @Get("/login")
  @Render("auth/login.html")
  loginPage() {
    return {};
  }

  @Post("/login")
  async login(@Body(Credentials, FORM) body: Credentials, @Ctx() ctx: Context) {
    const user = await loginWithPassword(ctx, {
      account: body.username,
      password: body.password,
      find: (name) => this.users.byUsername(name),
      hashOf: (found) => found.password_hash,
    });
    if (user === undefined) {
      return render("auth/login.html", { error: "Wrong username or password." }, { status: 422 });
    }
    return redirectAfterLogin(ctx, "/");
  }

  @Post("/logout")
  async logout(@Ctx() ctx: Context) {
    await logout(ctx);
    return redirect("/", 303);
  }
}
