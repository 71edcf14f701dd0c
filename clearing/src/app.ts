import type { FastifyInstance } from 'fastify';
import type { Queryable } from '@citycard/core/db';
import { createHttpApp } from '@citycard/core/http';
import { service } from './service.js';

export interface AppDeps {
  readonly db: Queryable;
  readonly logLevel?: string;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  return createHttpApp({
    name: service.name,
    ...(deps.logLevel === undefined ? {} : { logLevel: deps.logLevel }),
    readiness: { database: () => deps.db.query('SELECT 1') },
  });
}
