/**
 * Text as it may go into a worksheet cell. Group names, mail addresses and raw configuration values come
 * from Graph, where anyone who can create a group chooses them, so they are cleaned here and nowhere else.
 */

/** Excel's limit on the characters in one cell (Excel specifications and limits). */
export const EXCEL_MAX_CELL_CHARS = 32_767;

export const TRUNCATION_MARK = ' …[truncated]';

/**
 * Characters XML 1.0 does not allow (C0 controls other than tab, line feed and carriage return, U+FFFE,
 * U+FFFF) plus DEL, which exceljs drops on write anyway; removing them here keeps the stored value equal to
 * the value we meant to write. Unpaired surrogates cannot be encoded as UTF-8 and are removed as well.
 */
const NOT_WRITABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `value` cleaned for a string cell, or null for nothing to show.
 *
 * Formula-looking text (`=`, `+`, `-`, `@` first) is NOT prefixed or altered: it is written as a string
 * cell, which Excel never evaluates, and report cells carry the Text number format (`@`) so that editing
 * such a cell in Excel keeps it text too. (exceljs 4.4 cannot write the `quotePrefix` style attribute, and
 * a leading apostrophe in the value would change the name a reader sees and filters on.)
 */
export function cellText(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  // XML parsers turn CR LF and lone CR into LF on read (XML 1.0 section 2.11); do it here so what is read back
  // is what was written.
  let text = value.replace(NOT_WRITABLE, '').replace(/\r\n?/g, '\n');
  if (text.length > EXCEL_MAX_CELL_CHARS) {
    let end = EXCEL_MAX_CELL_CHARS - TRUNCATION_MARK.length;
    // Never cut a surrogate pair in half.
    if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end -= 1;
    text = text.slice(0, end) + TRUNCATION_MARK;
  }
  return text === '' ? null : text;
}
