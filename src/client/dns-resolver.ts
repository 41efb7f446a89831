/**
 * The DNS client `ipurl observe` uses: node:dns's Resolver (c-ares) pointed at one server
 * (`setServers` takes `host:port`, `[v6]:port`), A and AAAA with TTLs (`{ ttl: true }`), a
 * bounded timeout and few tries, so one dead name cannot stall a run.
 */
import { Resolver } from 'node:dns/promises';
import type { NameResolver, ResolvedAddress } from '../service/observe.js';

export function createDnsResolver(server: string, timeoutMs = 2000, tries = 2): NameResolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries });
  resolver.setServers([server]);
  const wrap = async (
    work: () => Promise<Array<{ address: string; ttl: number }>>,
  ): Promise<ResolvedAddress[]> => {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: string }).code;
      // No such name, or no record of this type: an answer with no address, not a failure.
      if (code === 'ENODATA' || code === 'ENOTFOUND') return [];
      throw error;
    }
  };
  return {
    server,
    resolve4: (name) => wrap(() => resolver.resolve4(name, { ttl: true })),
    resolve6: (name) => wrap(() => resolver.resolve6(name, { ttl: true })),
  };
}
