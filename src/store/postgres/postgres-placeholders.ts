/**
 * The statements both adapters run word for word are written once with SQLite's `?`
 * placeholders; PostgreSQL numbers its parameters. They hold no `?` other than placeholders (no
 * string literal with one, no jsonb `?` operator), so numbering them in order is exact.
 */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** A group of statements (statements.ts), numbered once. */
export function numberedAll<K extends string>(
  statements: Readonly<Record<K, string>>,
): Record<K, string> {
  return Object.fromEntries(
    Object.entries<string>(statements).map(([key, sql]) => [key, numbered(sql)]),
  ) as Record<K, string>;
}
