/**
 * JavaScript string literals for PAC files.
 *
 * PAC engines run old JavaScript dialects (pacparser embeds SpiderMonkey 1.7: no JSON object, no
 * String.prototype.endsWith), and a PAC file is often served inside or beside HTML. So a value is
 * written JSON.stringify-style but stricter: ASCII only (Get-PacFile writes its `-FilePath` file as
 * ASCII), every character outside printable ASCII as `\uXXXX`, and `<`, `>`, `&`, `'` escaped too,
 * so neither `</script>` nor a quote nor a line break can end the literal early.
 */

/** A double-quoted, ES3-safe, ASCII-only string literal whose value is exactly `value`. */
export function jsString(value: string): string {
  let out = '"';
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    const char = value[index] ?? '';
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (
      code < 0x20 ||
      code > 0x7e ||
      char === '<' ||
      char === '>' ||
      char === '&' ||
      char === "'"
    ) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += char;
  }
  return `${out}"`;
}
