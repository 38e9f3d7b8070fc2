export { Form, type BindOptions, type FormClass, type FormTarget } from "./bind.js";
export type { Choice } from "./coerce.js";
export {
  BooleanField,
  DateField,
  DecimalField,
  EmailField,
  FileField,
  HiddenField,
  IntegerField,
  MultiSelectField,
  PasswordField,
  SelectField,
  StringField,
  type Choices,
  type DecimalFieldOptions,
  type FieldOptions,
  type FileFieldOptions,
  type SelectFieldOptions,
  type TextFieldOptions,
} from "./fields.js";
export {
  FlagonForm,
  type FormCsrf,
  type FormData,
  type FormInput,
  type FormOptions,
  type ValidateOptions,
} from "./form.js";
export { DEFAULT_MESSAGES, type Message, type MessageId, type Messages } from "./messages.js";
export { SchemaForm } from "./schema-form.js";
export {
  anyOf,
  custom,
  email,
  equalTo,
  fileAllowed,
  fileSize,
  length,
  optional,
  range,
  regexp,
  required,
  url,
  type FileSizeOptions,
  type LengthOptions,
  type MessageOption,
  type RangeOptions,
  type RegexpOptions,
  type UrlOptions,
  type Validator,
  type ValidatorContext,
  type ValidatorFunction,
  type ValidatorLike,
  type ValidatorResult,
} from "./validators.js";
export type { FieldView, OptionView, ViewOverrides } from "./view.js";
