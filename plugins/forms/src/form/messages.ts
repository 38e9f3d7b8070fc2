/**
 * A message: a text with `{name}` placeholders, or a function of the placeholders' values (and
 * the request, to translate per locale).
 */
export type Message = string | ((params: Readonly<Record<string, unknown>>) => string);

/** Messages by id, to translate or reword: the app's `forms.messages`, or `validate({ messages })`. */
export type Messages = Readonly<Record<string, Message>>;

/** The built-in messages, by id. Override any of them per app (`forms.messages`) or per validator (`message`). */
export const DEFAULT_MESSAGES = {
  required: "This field is required.",
  "length.min": "Must be at least {min} characters.",
  "length.max": "Must be at most {max} characters.",
  "length.items.min": "Choose at least {min}.",
  "length.items.max": "Choose at most {max}.",
  "range.min": "Must be at least {min}.",
  "range.max": "Must be at most {max}.",
  email: "Not a valid email address.",
  url: "Not a valid URL.",
  regexp: "Not in the expected format.",
  equalTo: "Must be equal to {other}.",
  anyOf: "Must be one of: {values}.",
  fileAllowed: "Only these file types are allowed: {extensions}.",
  "fileSize.max": "The file must be at most {max}.",
  "fileSize.min": "The file must be at least {min}.",
  custom: "Invalid value.",
  invalid: "Not a valid value.",
  integer: "Not a valid integer.",
  decimal: "Not a valid decimal number.",
  "decimal.places": "At most {places} decimal places.",
  date: "Not a valid date (YYYY-MM-DD).",
  choice: "Not a valid choice.",
  file: "Not a valid file.",
  csrf: "The form has expired. Please submit it again.",
} as const satisfies Record<string, string>;

export type MessageId = keyof typeof DEFAULT_MESSAGES;

/** Fills a message's `{name}` placeholders; an unknown name stays as written. */
export function formatMessage(message: Message, params: Readonly<Record<string, unknown>>): string {
  if (typeof message === "function") return message(params);
  return message.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** The text of message `id`: the validator's own `override`, else the app's, else the built-in one. */
export function resolveMessage(
  id: MessageId,
  params: Readonly<Record<string, unknown>>,
  messages: Messages | undefined,
  override?: Message,
): string {
  const chosen =
    override ?? (messages !== undefined && Object.hasOwn(messages, id) ? messages[id] : undefined);
  return formatMessage(chosen ?? DEFAULT_MESSAGES[id], params);
}
