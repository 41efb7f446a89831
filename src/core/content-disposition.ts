/**
 * A `Content-Disposition` header value (RFC 6266) for a file name that may not be plain ASCII
 * text: the quoted `filename` carries only safe ASCII (letters, digits, `.`, `_`, `-`; anything
 * else becomes `_`, and no path: the part after the last `/` or `\`), and `filename*` (RFC 8187,
 * UTF-8, percent-encoded) carries the exact name whenever the two differ.
 */
export function contentDisposition(
  name: string,
  disposition: 'inline' | 'attachment' = 'inline',
): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const ascii = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'download';
  if (ascii === base) return `${disposition}; filename="${ascii}"`;
  const encoded = encodeURIComponent(base).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
