// Content-Disposition (RFC 6266) with an ASCII `filename` for old clients and, when the name is
// not plain ASCII, `filename*` in RFC 8187 (formerly RFC 5987) UTF-8 encoding, as Werkzeug does.

// Characters a `filename` token may hold unquoted (RFC 9110 tchar minus `%`, `'` and `*`,
// which some clients would read as encodings).
const TOKEN = /^[A-Za-z0-9!#$&+.^_`|~-]+$/;

function quote(value: string): string {
  return TOKEN.test(value) ? value : `"${value.replace(/["\\]/g, "\\$&")}"`;
}

/** RFC 8187 value-chars: attr-char stays, everything else is percent-encoded UTF-8. */
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * A Content-Disposition value for a file name (only its last path segment is used). Control
 * characters are dropped; a name that is not printable ASCII gets an ASCII fallback (accents
 * stripped) in `filename` and the exact name in `filename*`.
 *
 * @example
 * contentDisposition("résumé.bin", "attachment");
 * // attachment; filename=resume.bin; filename*=UTF-8''r%C3%A9sum%C3%A9.bin
 */
export function contentDisposition(name: string, type: "inline" | "attachment"): string {
  const base = name.slice(Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\")) + 1);
  const clean = base.replace(/[\u0000-\u001f\u007f-\u009f]/g, "");
  if (clean === "") return type;
  const ascii = clean
    .normalize("NFKD")
    .replace(/[^\u0020-\u007e]/g, "")
    .trim();
  if (ascii === clean) return `${type}; filename=${quote(clean)}`;
  const fallback = ascii === "" ? "download" : ascii;
  return `${type}; filename=${quote(fallback)}; filename*=UTF-8''${encodeExtValue(clean)}`;
}
