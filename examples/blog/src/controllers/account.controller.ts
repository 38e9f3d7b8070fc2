import {
  Context,
  Controller,
  Ctx,
  Param,
  Post,
  Route,
  redirect,
  render,
  type FlagonResponse,
} from "@flagon/core";
import { signedIn } from "./guards.js";
import { createApiToken, CurrentUser, LoginRequired, type Principal } from "@flagon/auth";
import { Form } from "@flagon/forms";
import { TokenForm } from "../forms/index.js";
import { Users, type User } from "../users.js";

/** The signed-in user's personal API tokens: create (shown once), list, revoke. */
@LoginRequired()
@Controller("/account")
export class AccountController {
  constructor(private readonly users: Users) {}

  @Route("/tokens", { methods: ["GET", "POST"] })
  async tokens(@Form() form: TokenForm, @CurrentUser() user: Principal<User>): Promise<FlagonResponse> {
    let issued: string | undefined;
    if (form.valid) {
      const token = createApiToken();
      await this.users.addToken(signedIn(user).id, form.data.name, token);
      issued = token.token;
      form = new TokenForm();
    }
    const status = form.submitted && !form.valid ? 422 : 200;
    const tokens = await this.users.tokens(signedIn(user).id);
    return render("account/tokens.html", { form, tokens, issued }, { status });
  }

  @Post("/tokens/<int:id>/delete")
  async revoke(
    @Param("id") id: number,
    @CurrentUser() user: Principal<User>,
    @Ctx() ctx: Context,
  ): Promise<FlagonResponse> {
    await this.users.revokeToken(signedIn(user).id, id);
    await ctx.flash("The token is revoked.", "info");
    return redirect(ctx.urlFor("AccountController.tokens"), 303);
  }
}
