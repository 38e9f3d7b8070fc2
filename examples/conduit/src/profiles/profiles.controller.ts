import { Controller, Delete, Get, Param, Post } from "@flagon/core";
import { LoginRequired } from "@flagon/auth";
import type { UserRow } from "../db.js";
import { Me, Viewer } from "../http/viewer.js";
import { Profiles, type ProfileJson } from "./profiles.js";

type ProfileAnswer = Promise<{ profile: ProfileJson }>;

/** GetProfileByUsername, FollowUserByUsername and UnfollowUserByUsername. */
@Controller("/api/profiles")
export class ProfilesController {
  constructor(private readonly profiles: Profiles) {}

  @Get("/<username>")
  show(@Param("username") username: string, @Viewer() viewer: UserRow | undefined): ProfileAnswer {
    return this.profiles.profile(username, viewer?.id);
  }

  @LoginRequired()
  @Post("/<username>/follow")
  follow(@Param("username") username: string, @Me() me: UserRow): ProfileAnswer {
    return this.profiles.follow(me.id, username);
  }

  @LoginRequired()
  @Delete("/<username>/follow")
  unfollow(@Param("username") username: string, @Me() me: UserRow): ProfileAnswer {
    return this.profiles.unfollow(me.id, username);
  }
}
