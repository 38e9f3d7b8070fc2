import { Body, Controller, Delete, Get, Param, Post } from "@flagon/core";
import { LoginRequired } from "@flagon/auth";
import type { UserRow } from "../db.js";
import { Me, Viewer } from "../http/viewer.js";
import { Comments, type CommentJson } from "./comments.js";
import { NewCommentBody } from "./schemas.js";

/** GetArticleComments, CreateArticleComment and DeleteArticleComment. */
@Controller("/api/articles/<slug>/comments")
export class CommentsController {
  constructor(private readonly comments: Comments) {}

  @Get("")
  list(
    @Param("slug") slug: string,
    @Viewer() viewer: UserRow | undefined,
  ): Promise<{ comments: CommentJson[] }> {
    return this.comments.list(slug, viewer?.id);
  }

  /** The spec answers 200 (not 201) with the new comment. */
  @LoginRequired()
  @Post("")
  add(
    @Param("slug") slug: string,
    @Me() me: UserRow,
    @Body(NewCommentBody) body: NewCommentBody,
  ): Promise<{ comment: CommentJson }> {
    return this.comments.add(me.id, slug, body.comment.body);
  }

  /** Answers 204 with no body; an id that is not a whole number is a 404. */
  @LoginRequired()
  @Delete("/<int:id>")
  async delete(@Param("slug") slug: string, @Param("id") id: number, @Me() me: UserRow): Promise<void> {
    await this.comments.delete(me.id, slug, id);
  }
}
