/**
 * Gauges whose values live elsewhere (a cache's counters, the store's rows), read only when
 * Prometheus scrapes so the request path never touches them. A family is one source read by
 * several gauges: each gauge is described by its name, its help text and the number it takes
 * from what the source returns, so adding a metric is one line in a list.
 */
import { Gauge, type Registry } from 'prom-client';

/** A gauge of a family: its name, its help text and the number it reads from the source. */
export type GaugeDescription<T> = readonly [name: string, help: string, read: (value: T) => number];

/**
 * One unlabelled gauge per description. A source that has nothing to tell (undefined: not wired
 * in this process) leaves the gauge as it was.
 */
export function addGauges<T>(
  registry: Registry,
  source: () => T | undefined | Promise<T | undefined>,
  gauges: ReadonlyArray<GaugeDescription<T>>,
): void {
  for (const [name, help, read] of gauges) {
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const value = await source();
        if (value !== undefined) this.set(read(value));
      },
    });
  }
}

/**
 * One gauge per description with an `instance` label, a sample per row of the source. The gauge is
 * cleared before each scrape so an instance that is gone drops out instead of keeping its value.
 */
export function addInstanceGauges<T extends { readonly instance: string }>(
  registry: Registry,
  rows: () => Promise<ReadonlyArray<T>> | undefined,
  gauges: ReadonlyArray<GaugeDescription<T>>,
): void {
  for (const [name, help, read] of gauges) {
    new Gauge({
      name,
      help,
      labelNames: ['instance'] as const,
      registers: [registry],
      async collect() {
        const list = (await rows()) ?? [];
        this.reset();
        for (const row of list) this.set({ instance: row.instance }, read(row));
      },
    });
  }
}
