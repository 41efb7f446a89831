/**
 * Gauges whose values live elsewhere (a cache's counters, the store's rows), read only when
 * Prometheus scrapes so the request path never touches them. A family is one source read by
 * several gauges: each gauge is described by its name, its help text and the number it takes
 * from what the source returns, so adding a metric is one line in a list.
 */
import { Gauge, type Registry } from 'prom-client';

/** A gauge of a family: its name, its help text and the number it reads from the source. */
export type GaugeDescription<T> = readonly [name: string, help: string, read: (value: T) => number];

/** One gauge per description; `fill` sets its samples at each scrape. */
function registerFamily<T>(
  registry: Registry,
  labelNames: readonly string[],
  gauges: ReadonlyArray<GaugeDescription<T>>,
  fill: (gauge: Gauge, read: (value: T) => number) => Promise<void>,
): void {
  for (const [name, help, read] of gauges) {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        await fill(this, read);
      },
    });
  }
}

/**
 * Unlabelled gauges. A source that has nothing to tell (undefined: not wired in this process)
 * leaves its gauges as they were.
 */
export function addGauges<T>(
  registry: Registry,
  source: () => T | undefined | Promise<T | undefined>,
  gauges: ReadonlyArray<GaugeDescription<T>>,
): void {
  registerFamily(registry, [], gauges, async (gauge, read) => {
    const value = await source();
    if (value !== undefined) gauge.set(read(value));
  });
}

/**
 * Gauges with an `instance` label, a sample per row of the source. Each is cleared before a scrape
 * so an instance that is gone drops out instead of keeping its last value.
 */
export function addInstanceGauges<T extends { readonly instance: string }>(
  registry: Registry,
  rows: () => Promise<ReadonlyArray<T>> | undefined,
  gauges: ReadonlyArray<GaugeDescription<T>>,
): void {
  registerFamily(registry, ['instance'], gauges, async (gauge, read) => {
    const list = (await rows()) ?? [];
    gauge.reset();
    for (const row of list) gauge.set({ instance: row.instance }, read(row));
  });
}
