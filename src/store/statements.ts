/**
 * The statements both adapters run word for word, grouped by what they touch. Placeholders are
 * SQLite's `?`; the PostgreSQL adapter numbers them (postgres/postgres-placeholders.ts), so no
 * statement here may hold a `?` that is not a placeholder. A statement whose text differs per
 * engine (locking, bulk inserts, JSON access, collation) stays in its adapter.
 */
import { HELD_COLUMNS } from './held-input.js';
import { DELIVERY_COLUMNS, VERSION_COLUMNS } from './store-rows.js';

/** Read and written by more than one part of the Store. */
export const COMMON_SQL = {
  latest: 'SELECT MAX(version) AS latest FROM versions WHERE instance = ?',
  webhookIdsOf: 'SELECT id FROM webhooks WHERE instance = ? ORDER BY id',
  /** A notice for one webhook, due at once: id, webhook, instance, version, event, now, now. */
  queueDelivery: `INSERT INTO deliveries (id, webhook_id, instance, version, event, status, attempts, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
  revision: "SELECT key, value FROM meta WHERE key IN ('store_id', 'revision')",
} as const;

export const VERSION_SQL = {
  allVersions: 'SELECT instance, version FROM versions ORDER BY instance, version DESC',
  versions: `SELECT ${VERSION_COLUMNS} FROM versions WHERE instance = ? ORDER BY version DESC`,
  insertVersion: `INSERT INTO versions (${VERSION_COLUMNS}) VALUES (?, ?, ?, ?, ?)`,
  knownSetIds: 'SELECT id, service_area FROM set_ids WHERE instance = ? ORDER BY id',
  anyVersion: 'SELECT 1 FROM versions LIMIT 1',
} as const;

export const STATE_SQL = {
  get: 'SELECT value FROM state WHERE key = ?',
  set: 'INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
} as const;

export const WEBHOOK_SQL = {
  insert:
    'INSERT INTO webhooks (instance, url, secret, created_at) VALUES (?, ?, ?, ?) RETURNING *',
  insertWithId:
    'INSERT INTO webhooks (id, instance, url, secret, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *',
  all: 'SELECT * FROM webhooks ORDER BY id',
  of: 'SELECT * FROM webhooks WHERE instance = ? ORDER BY id',
  remove: 'DELETE FROM webhooks WHERE id = ?',
  /** A removed webhook's pending deliveries can never be sent: close them so nothing retries. */
  abandonDeliveries:
    "UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, last_error = 'webhook removed' WHERE webhook_id = ? AND status = 'pending'",
  dueDeliveries: `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?`,
  recordAttempt: `UPDATE deliveries SET attempts = attempts + 1, last_attempt_at = ?, last_status_code = ?, last_error = ?,
         status = ?, next_attempt_at = ? WHERE id = ?`,
  deliveries: `SELECT ${DELIVERY_COLUMNS} FROM deliveries ORDER BY seq DESC LIMIT ?`,
  deliveriesBy: `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE status = ? ORDER BY seq DESC LIMIT ?`,
  importDelivery: `INSERT INTO deliveries (${DELIVERY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
} as const;

export const HELD_SQL = {
  /** A newer hold replaces any other held version of the instance. */
  supersede:
    "UPDATE held_versions SET status = 'superseded', decided_at = ?, steps = '[]' WHERE instance = ? AND status = 'held' AND version <> ?",
  /** The values of heldValues() (held-input.ts); holding a version again starts it afresh. */
  upsert: `INSERT INTO held_versions (${HELD_COLUMNS}, steps) VALUES (?, ?, ?, 'held', ?, NULL, ?, ?, ?)
       ON CONFLICT (instance, version) DO UPDATE SET based_on = excluded.based_on, status = 'held', held_at = excluded.held_at,
         decided_at = NULL, versions = excluded.versions, report = excluded.report, steps = excluded.steps`,
  one: `SELECT ${HELD_COLUMNS} FROM held_versions WHERE instance = ? AND version = ?`,
  ofInstance: `SELECT ${HELD_COLUMNS} FROM held_versions WHERE instance = ? ORDER BY held_at DESC, version DESC`,
  heldSteps:
    "SELECT steps FROM held_versions WHERE instance = ? AND version = ? AND status = 'held'",
  /** Accepted or rejected: the steps are not needed any more. */
  decide:
    "UPDATE held_versions SET status = ?, decided_at = ?, steps = '[]' WHERE instance = ? AND version = ? AND status = 'held'",
} as const;

export const OBSERVATION_SQL = {
  list: 'SELECT * FROM observations WHERE instance = ? ORDER BY set_id, name, family, address',
} as const;

export const OVERLAY_SQL = {
  nextId: 'SELECT COALESCE(MAX(id), 0) + 1 AS id FROM overlay_changes',
  byId: 'SELECT * FROM overlay_changes WHERE id = ?',
  /** The values of overlayValues() (overlay-input.ts). */
  insert: `INSERT INTO overlay_changes (id, instance, action, entry, by_user, note, at, relaxed_rules, warnings, deliveries)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  all: 'SELECT * FROM overlay_changes ORDER BY id',
  of: 'SELECT * FROM overlay_changes WHERE instance = ? ORDER BY id',
} as const;
