// The bodies of /users, /users/login and PUT /user (LoginUser, NewUser, UpdateUser in the spec).
import { z } from "zod";
import { object, text } from "../http/fields.js";

const email = text({ blank: false, max: 255 }).refine(
  (value) => /^[^\s@]+@[^\s@]+$/.test(value),
  "is not an email address",
);
const username = text({ blank: false, max: 255 }).refine(
  (value) => !/[\s/]/.test(value),
  "must not contain spaces or slashes",
);
const password = text({ blank: false, max: 1024 });

export const LoginBody = z.object({
  user: object({ email: text({ blank: false }), password: text({ blank: false }) }),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const NewUserBody = z.object({ user: object({ username, email, password }) });
export type NewUserBody = z.infer<typeof NewUserBody>;

export const UpdateUserBody = z.object({
  user: object({
    email: email.optional(),
    username: username.optional(),
    password: password.optional(),
    bio: text({ max: 10_000 }).optional(),
    image: text({ max: 2048 }).optional(),
  }).refine((user) => Object.values(user).some((value) => value !== undefined), "needs at least one field"),
});
export type UpdateUserBody = z.infer<typeof UpdateUserBody>;
