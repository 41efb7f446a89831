/**
 * A publisher and a mirror of it (`ipurl serve --upstream`), both real servers on loopback: the
 * publisher is a test server (seeded from data/ unless told otherwise), the mirror has its own
 * store file in a fresh temp directory and fills it from the publisher only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer, ServeOptions } from '../../src/cli/start-server.js';
import {
  serveStoreFile,
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from './server.js';

export interface PublisherAndMirror {
  readonly publisher: TestServer;
  readonly mirror: RunningServer;
  /** The mirror's temp directory (its store is mirror.db); a test may keep more files there. */
  readonly dir: string;
  /** Close the mirror, then the publisher, and remove `dir`. */
  close(): Promise<void>;
}

export async function startPublisherAndMirror(options: {
  readonly publisher?: TestServerOptions;
  /** The mirror's background sync (which instances, how often). */
  readonly sync: NonNullable<ServeOptions['sync']>;
}): Promise<PublisherAndMirror> {
  const publisher = await startTestServer(options.publisher);
  const dir = mkdtempSync(join(tmpdir(), 'ipurl-mirror-'));
  let mirror: RunningServer;
  try {
    // A mirror never seeds, so serveStoreFile's seed: false changes nothing here.
    mirror = await serveStoreFile(join(dir, 'mirror.db'), {
      pollMs: 100,
      upstream: publisher.url,
      sync: options.sync,
    });
  } catch (error) {
    await publisher.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    publisher,
    mirror,
    dir,
    async close() {
      await mirror.close();
      await publisher.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
