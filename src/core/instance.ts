/**
 * Cloud instances (docs/api.md, "Common conventions"). Instances are data: one exists when the
 * store holds a version of it. The names below only fix the canonical order and the retired flag of
 * the instances Microsoft has published; a publisher may create others.
 */

export const KNOWN_INSTANCES = [
  'Worldwide',
  'USGovDoD',
  'USGovGCCHigh',
  'China',
  'Germany',
] as const;

/** Instances that no longer receive versions; human-facing output marks them retired. */
export const RETIRED_INSTANCES: ReadonlySet<string> = new Set(['Germany']);

/** Instance names are route segments: letters and digits, 1–64 characters. */
export const INSTANCE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

export function isValidInstanceName(name: string): boolean {
  return INSTANCE_NAME_PATTERN.test(name);
}

/** Sort instance names: Microsoft's order first (KNOWN_INSTANCES), then others alphabetically. */
export function compareInstances(a: string, b: string): number {
  const ia = (KNOWN_INSTANCES as readonly string[]).indexOf(a);
  const ib = (KNOWN_INSTANCES as readonly string[]).indexOf(b);
  if (ia !== -1 || ib !== -1) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Find the canonical name among `names` for a name given in any case (matching ignores case). */
export function canonicalInstance(names: Iterable<string>, requested: string): string | undefined {
  const lower = requested.toLowerCase();
  for (const name of names) if (name.toLowerCase() === lower) return name;
  return undefined;
}
