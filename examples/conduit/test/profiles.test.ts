// GetProfileByUsername, FollowUserByUsername, UnfollowUserByUsername.
import { expect, it } from "vitest";
import { signUp } from "./support/conduit.js";
import { onEachDatabase } from "./support/suite.js";

interface ProfileAnswer {
  profile: { username: string; bio: string; image: string; following: boolean };
}

onEachDatabase("profiles and follows", (conduit) => {
  it("shows a profile to anyone, following false for an anonymous viewer", async () => {
    await signUp(conduit(), "grace");
    const res = await conduit().call<ProfileAnswer>("GetProfileByUsername", {
      params: { username: "grace" },
    });
    expect(res.status).toBe(200);
    expect(res.body.profile).toEqual({ username: "grace", bio: "", image: "", following: false });
  });

  it("follows and unfollows; the profile says so to the follower only", async () => {
    const ada = await signUp(conduit(), "ada");
    const bob = await signUp(conduit(), "bob");
    await signUp(conduit(), "grace");
    const params = { username: "grace" };

    const followed = await conduit().call<ProfileAnswer>("FollowUserByUsername", {
      params,
      token: ada.token,
    });
    expect(followed.status).toBe(200);
    expect(followed.body.profile).toMatchObject({ username: "grace", following: true });
    // Following twice is the same as once.
    expect((await conduit().call("FollowUserByUsername", { params, token: ada.token })).status).toBe(200);

    const seenByAda = await conduit().call<ProfileAnswer>("GetProfileByUsername", {
      params,
      token: ada.token,
    });
    expect(seenByAda.body.profile.following).toBe(true);
    const seenByBob = await conduit().call<ProfileAnswer>("GetProfileByUsername", {
      params,
      token: bob.token,
    });
    expect(seenByBob.body.profile.following).toBe(false);

    const unfollowed = await conduit().call<ProfileAnswer>("UnfollowUserByUsername", {
      params,
      token: ada.token,
    });
    expect(unfollowed.status).toBe(200);
    expect(unfollowed.body.profile.following).toBe(false);
    const after = await conduit().call<ProfileAnswer>("GetProfileByUsername", { params, token: ada.token });
    expect(after.body.profile.following).toBe(false);
  });

  it("answers 404 for an unknown username, on every profile operation", async () => {
    const ada = await signUp(conduit(), "ada");
    const params = { username: "nobody" };
    for (const op of ["GetProfileByUsername", "FollowUserByUsername", "UnfollowUserByUsername"]) {
      const res = await conduit().call<{ errors: { body: string[] } }>(op, { params, token: ada.token });
      expect(res.status, op).toBe(404);
      expect(res.body.errors.body).toEqual(['profile "nobody" does not exist']);
    }
  });

  it("answers 401 to follow and unfollow without a token, and to a bad token where auth is optional", async () => {
    await signUp(conduit(), "grace");
    const params = { username: "grace" };
    expect((await conduit().call("FollowUserByUsername", { params })).status).toBe(401);
    expect((await conduit().call("UnfollowUserByUsername", { params })).status).toBe(401);
    expect((await conduit().call("GetProfileByUsername", { params, token: "a.b.c" })).status).toBe(401);
  });

  it("refuses to follow oneself (422)", async () => {
    const ada = await signUp(conduit(), "ada");
    const res = await conduit().call("FollowUserByUsername", {
      params: { username: "ada" },
      token: ada.token,
    });
    expect(res.status).toBe(422);
  });
});
