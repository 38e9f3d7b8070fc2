// CreateUser, Login, GetCurrentUser, UpdateCurrentUser: their answers and error cases.
import { expect, it } from "vitest";
import { signUp, type Answer } from "./support/conduit.js";
import { onEachDatabase } from "./support/suite.js";

interface UserAnswer {
  user: { email: string; token: string; username: string; bio: string; image: string };
}
type Errors = { errors: { body: string[] } };

const errorsOf = (answer: Answer) => (answer.body as Errors).errors.body;

onEachDatabase("users and authentication", (conduit) => {
  it("registers a user (201) with a JWT that authenticates GetCurrentUser", async () => {
    const user = { username: "ada", email: "ada@example.com", password: "correct horse battery" };
    const created = await conduit().call<UserAnswer>("CreateUser", { json: { user } });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({
      username: "ada",
      email: "ada@example.com",
      bio: "",
      image: "",
    });
    expect(created.body.user.token.split(".")).toHaveLength(3);
    expect(JSON.stringify(created.body)).not.toContain("correct horse");

    const me = await conduit().call<UserAnswer>("GetCurrentUser", { token: created.body.user.token });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ username: "ada", email: "ada@example.com" });
  });

  it("refuses a taken email or username with 422 naming each", async () => {
    await signUp(conduit(), "ada");
    const both = await conduit().call("CreateUser", {
      json: { user: { username: "ada", email: "ada@example.com", password: "another password" } },
    });
    expect(both.status).toBe(422);
    expect(errorsOf(both)).toEqual(["email has already been taken", "username has already been taken"]);

    const email = await conduit().call("CreateUser", {
      json: { user: { username: "someone", email: "ada@example.com", password: "another password" } },
    });
    expect(errorsOf(email)).toEqual(["email has already been taken"]);
  });

  it("answers 422 for invalid bodies, naming the field", async () => {
    const cases: [unknown, string][] = [
      [{}, "user can't be blank"],
      [{ user: "ada" }, "user must be an object"],
      [{ user: { email: "a@example.com", password: "pw" } }, "username can't be blank"],
      [{ user: { username: "a", email: "a@example.com", password: 5 } }, "password must be a string"],
      [{ user: { username: "a", email: "not-an-email", password: "pw" } }, "email is not an email address"],
      [
        { user: { username: "a b", email: "a@example.com", password: "pw" } },
        "username must not contain spaces or slashes",
      ],
      [{ user: { username: "  ", email: "a@example.com", password: "pw" } }, "username can't be blank"],
    ];
    for (const [json, message] of cases) {
      const res = await conduit().call("CreateUser", { json });
      expect(res.status, JSON.stringify(json)).toBe(422);
      expect(errorsOf(res)).toContain(message);
    }
  });

  it("answers 422 in the spec's shape for a body that is not JSON or not parseable", async () => {
    const broken = await conduit().call("CreateUser", {
      headers: { "content-type": "application/json" },
      body: '{"user": {"username": "half',
    });
    expect(broken.status).toBe(422);
    const plain = await conduit().call("CreateUser", {
      headers: { "content-type": "text/plain" },
      body: "user=ada",
    });
    expect(plain.status).toBe(422);
    expect(
      (await conduit().call("Login", { json: { user: { email: "x@example.com", password: "x" } } })).status,
    ).toBe(401);
  });

  it("logs in with the right password (200) and refuses a wrong one or an unknown email (401)", async () => {
    const ada = await signUp(conduit(), "ada");
    const ok = await conduit().call<UserAnswer>("Login", {
      json: { user: { email: ada.email, password: ada.password } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.user.username).toBe("ada");
    expect((await conduit().call("GetCurrentUser", { token: ok.body.user.token })).status).toBe(200);

    for (const user of [
      { email: ada.email, password: "wrong password" },
      { email: "nobody@example.com", password: ada.password },
    ]) {
      const refused = await conduit().call("Login", { json: { user } });
      expect(refused.status).toBe(401);
      expect(errorsOf(refused)).toEqual(["email or password is invalid"]);
    }
    const blank = await conduit().call("Login", { json: { user: { email: ada.email } } });
    expect(blank.status).toBe(422);
    expect(errorsOf(blank)).toEqual(["password can't be blank"]);
  });

  it("answers 429 with Retry-After after 5 failed logins of an account, even with the right password", async () => {
    const ada = await signUp(conduit(), "ada");
    const grace = await signUp(conduit(), "grace");
    const login = (email: string, password: string) =>
      conduit().call("Login", { json: { user: { email, password } } });
    for (let i = 0; i < 5; i++) expect((await login(ada.email, "wrong password")).status).toBe(401);
    const limited = await login(ada.email, ada.password);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect(errorsOf(limited)).toEqual(["too many failed logins; try again later"]);
    // Another account is not limited by ada's failures.
    expect((await login(grace.email, grace.password)).status).toBe(200);
  });

  it("answers 401 to GetCurrentUser without a token, with a bad one, or with another scheme", async () => {
    const ada = await signUp(conduit(), "ada");
    const none = await conduit().call("GetCurrentUser");
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toBe('Token realm="conduit"');
    const forged = `${ada.token.slice(0, -4)}AAAA`;
    expect((await conduit().call("GetCurrentUser", { token: forged })).status).toBe(401);
    expect((await conduit().call("GetCurrentUser", { token: "not-a-jwt" })).status).toBe(401);
    const bearer = await conduit().call("GetCurrentUser", {
      headers: { authorization: `Bearer ${ada.token}` },
    });
    expect(bearer.status).toBe(401);
  });

  it("updates the current user; the new email and password log in, the old ones do not", async () => {
    const ada = await signUp(conduit(), "ada");
    const changes = {
      email: "lovelace@example.com",
      password: "new password 2",
      bio: "Analyst",
      image: "https://img/ada.png",
    };
    const updated = await conduit().call<UserAnswer>("UpdateCurrentUser", {
      token: ada.token,
      json: { user: changes },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.user).toMatchObject({
      email: "lovelace@example.com",
      bio: "Analyst",
      image: "https://img/ada.png",
      username: "ada",
    });

    const login = (email: string, password: string) =>
      conduit().call("Login", { json: { user: { email, password } } });
    expect((await login("lovelace@example.com", "new password 2")).status).toBe(200);
    expect((await login(ada.email, ada.password)).status).toBe(401);
    expect((await login("lovelace@example.com", ada.password)).status).toBe(401);

    const me = await conduit().call<UserAnswer>("GetCurrentUser", { token: updated.body.user.token });
    expect(me.body.user.bio).toBe("Analyst");
  });

  it("refuses an update that is empty, invalid, or takes another's username (422), or has no token (401)", async () => {
    const ada = await signUp(conduit(), "ada");
    await signUp(conduit(), "grace");
    const empty = await conduit().call("UpdateCurrentUser", { token: ada.token, json: { user: {} } });
    expect(empty.status).toBe(422);
    expect(errorsOf(empty)).toEqual(["user needs at least one field"]);

    const taken = await conduit().call("UpdateCurrentUser", {
      token: ada.token,
      json: { user: { username: "grace" } },
    });
    expect(taken.status).toBe(422);
    expect(errorsOf(taken)).toEqual(["username has already been taken"]);

    // Keeping one's own email is not "taken".
    const same = await conduit().call("UpdateCurrentUser", {
      token: ada.token,
      json: { user: { email: ada.email } },
    });
    expect(same.status).toBe(200);

    const wrongType = await conduit().call("UpdateCurrentUser", {
      token: ada.token,
      json: { user: { bio: 42 } },
    });
    expect(wrongType.status).toBe(422);
    expect(errorsOf(wrongType)).toEqual(["bio must be a string"]);

    // The guard answers before the body is read: an invalid body without a token is still a 401.
    expect((await conduit().call("UpdateCurrentUser", { json: { user: {} } })).status).toBe(401);
  });
});
