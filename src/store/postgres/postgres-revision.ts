/**
 * `onRevision` on PostgreSQL: LISTEN on one dedicated connection, opened on the first
 * subscription; it reconnects with backoff and fires once after reconnecting, because
 * notifications sent meanwhile are lost. The append transaction NOTIFYs (postgres-versions.ts).
 */
import pg from 'pg';
import { quoteIdent } from './migrations.js';

export interface RevisionListener {
  onRevision(fn: () => void): () => void;
  close(): Promise<void>;
}

export function createRevisionListener(
  clientConfig: pg.ClientConfig,
  channel: string,
): RevisionListener {
  const listeners = new Set<() => void>();
  let listener: pg.Client | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let closed = false;
  const fire = () => {
    for (const fn of [...listeners]) {
      try {
        fn();
      } catch {
        // A listener's failure is its own; the others still hear the news.
      }
    }
  };
  const connectListener = async (attempt: number): Promise<void> => {
    if (closed || listeners.size === 0 || listener) return;
    const client = new pg.Client(clientConfig);
    const retry = () => {
      if (listener === client) listener = undefined;
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      if (closed || listeners.size === 0) return;
      clearTimeout(reconnectTimer);
      reconnectTimer = setTimeout(
        () => void connectListener(attempt + 1),
        Math.min(5000, 100 * 2 ** Math.min(attempt, 6)),
      );
      reconnectTimer.unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (message) => {
      if (message.channel === channel) fire();
    });
    listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(channel)}`);
      // Anything published while we were not listening is unknown: tell the listeners to re-check.
      if (attempt > 0) fire();
    } catch {
      retry();
    }
  };

  return {
    onRevision(fn) {
      listeners.add(fn);
      void connectListener(0);
      return () => {
        listeners.delete(fn);
        if (listeners.size === 0 && listener) {
          const client = listener;
          listener = undefined;
          client.removeAllListeners();
          client.on('error', () => undefined);
          void client.end().catch(() => undefined);
        }
      };
    },
    async close() {
      closed = true;
      clearTimeout(reconnectTimer);
      listeners.clear();
      if (listener) {
        const client = listener;
        listener = undefined;
        client.removeAllListeners();
        client.on('error', () => undefined);
        await client.end().catch(() => undefined);
      }
    },
  };
}
