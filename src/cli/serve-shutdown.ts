/**
 * How `ipurl serve` stops on SIGINT or SIGTERM: close the listener, let in-flight requests finish,
 * stop the background work, close the store. Whatever the server is doing, the process ends
 * within 10 s: after 8 s of draining every connection is cut, and half a second later the process
 * exits (exit code 0, or 1 when the shutdown itself failed). A second signal ends it at once.
 */
import type { RunningServer } from './start-server.js';

/** Draining time before every connection is cut (the exit follows 0.5 s later). */
export const SHUTDOWN_DRAIN_MS = 8000;

/** Resolves when the server was stopped by SIGINT or SIGTERM. */
export function untilStopped(server: RunningServer): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      server.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      // Not keeping the process alive itself: it fires only when something else still does.
      const deadline = setTimeout(() => {
        server.app.log.warn('shutdown deadline reached: closing every connection');
        server.app.server.closeAllConnections();
        setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
      }, SHUTDOWN_DRAIN_MS);
      deadline.unref();
      server
        .close()
        .catch((error: unknown) => {
          server.app.log.error({ err: error }, 'error during shutdown');
          process.exitCode = 1;
        })
        .finally(() => {
          // Drained and closed: nothing left to cut. Left armed, the timer would end whatever
          // else still runs in this process 8 s later (an embedding program, a test worker).
          clearTimeout(deadline);
          resolve();
        });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
