// step-5-posts/forms.ts
import { FlagonForm, length, required, StringField } from "@flagon/forms";

export class PostForm extends FlagonForm {
  @StringField("Title", [required(), length({ max: 200 })]) title!: string;

  @StringField("Body", {
    multiline: true,
    validators: [required(), length({ max: 20_000 })],
    description: "Markdown: **bold**, _italic_, `code`, [links](https://example.com), lists.",
  })
  body!: string;
}
