/**
 * Which host patterns are concrete DNS names (RFC 1123 host names, lower case): no `*`, no
 * `<tenant>` placeholder, labels of letters, digits and hyphens, 1–63 characters, 253 in all.
 */
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function classifyConcreteName(pattern: string): string | undefined {
  const name = pattern.toLowerCase().replace(/\.$/, '');
  if (name.length === 0 || name.length > 253 || name.includes('*') || name.includes('<'))
    return undefined;
  const labels = name.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return undefined;
  return name;
}
