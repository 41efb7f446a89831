/**
 * The store revision on SQLite: a counter row bumped in every transaction that changes what is
 * served (an append, an overlay change), so any process on the file sees it with one read.
 */
export const BUMP_REVISION =
  "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'";
