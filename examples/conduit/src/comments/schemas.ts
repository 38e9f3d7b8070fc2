import { z } from "zod";
import { object, text } from "../http/fields.js";

/** The body of POST /articles/{slug}/comments (NewComment). */
export const NewCommentBody = z.object({ comment: object({ body: text({ blank: false, max: 20_000 }) }) });
export type NewCommentBody = z.infer<typeof NewCommentBody>;
