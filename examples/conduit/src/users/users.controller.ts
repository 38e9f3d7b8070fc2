import { Body, Context, Controller, Ctx, Get, Post, Put } from "@flagon/core";
import { LoginRequired } from "@flagon/auth";
import type { UserRow } from "../db.js";
import { Me } from "../http/viewer.js";
import { LoginBody, NewUserBody, UpdateUserBody } from "./schemas.js";
import { Users, userJson, type UserJson } from "./users.js";

/** CreateUser, Login, GetCurrentUser and UpdateCurrentUser. */
@Controller("/api")
export class UsersController {
  constructor(private readonly users: Users) {}

  @Post("/users")
  async register(@Body(NewUserBody) body: NewUserBody, @Ctx() ctx: Context): Promise<{ user: UserJson }> {
    const user = await this.users.register(body.user);
    ctx.response.status = 201;
    return userJson(ctx.app, user);
  }

  @Post("/users/login")
  async login(@Body(LoginBody) body: LoginBody, @Ctx() ctx: Context): Promise<{ user: UserJson }> {
    return userJson(ctx.app, await this.users.authenticate(ctx, body.user));
  }

  @LoginRequired()
  @Get("/user")
  current(@Me() me: UserRow, @Ctx() ctx: Context): Promise<{ user: UserJson }> {
    return userJson(ctx.app, me);
  }

  @LoginRequired()
  @Put("/user")
  async update(
    @Me() me: UserRow,
    @Body(UpdateUserBody) body: UpdateUserBody,
    @Ctx() ctx: Context,
  ): Promise<{ user: UserJson }> {
    return userJson(ctx.app, await this.users.update(me, body.user));
  }
}
