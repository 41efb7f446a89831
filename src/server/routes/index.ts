/**
 * Every route group of the app, registered in this order by `createApp`. Add a route file as
 * `routes/<name>.ts` exporting `register(app, deps)`, then ONE import and ONE array entry here.
 * Errors: throw IpurlError with an ERR_* code; app.ts turns it into the JSON error shape of
 * docs/errors.md with the status from http-errors.ts. 404/405 are generic too.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../deps.js';
import { register as registerPages } from './pages.js';
import { register as registerWebService } from './web-service.js';
import { register as registerAdmin } from './admin.js';
import { register as registerLookup } from './lookup.js';
import { register as registerHealth } from './health.js';
import { register as registerExport } from './export.js';
import { register as registerPac } from './pac.js';

export type RegisterRoutes = (app: FastifyInstance, deps: ServerDeps) => void | Promise<void>;

export const routes: RegisterRoutes[] = [
  registerWebService,
  registerPages,
  registerAdmin,
  registerLookup,
  registerHealth,
  registerExport,
  registerPac,
];
