/**
 * The command line of `ipurl sync` as the consumer tests run it: from `upstream`, one
 * `--instance` per entry of `instances` (none: every instance the upstream has), then `extra`
 * flags in the order given.
 */
export function syncArgs(
  upstream: string,
  instances: readonly string[],
  ...extra: string[]
): string[] {
  return [
    'sync',
    '--upstream',
    upstream,
    ...instances.flatMap((instance) => ['--instance', instance]),
    ...extra,
  ];
}
