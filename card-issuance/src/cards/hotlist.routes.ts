import { z } from 'zod';
import type { IssuanceDeps } from '../deps.js';
import type { IssuanceRouter } from '../routes.js';
import { HOTLIST_READERS } from './card-context.js';
import { hotlistSince, latestHotlistVersion } from './hotlist.repository.js';

const query = z.object({
  sinceVersion: z
    .string()
    .regex(/^(?:0|[1-9]\d{0,17})$/, 'a hotlist version: a whole number')
    .default('0'),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});

const entry = z.object({
  version: z.string(),
  cardNumber: z.string().nullable(),
  uid: z.string(),
  action: z.enum(['add', 'remove']),
  reason: z.string(),
  createdAt: z.string(),
});

const result = z.object({
  entries: z.array(entry),
  /** The highest version there is; ask again from the last entry's version when below it. */
  latestVersion: z.string(),
});

export function registerHotlistRoutes(router: IssuanceRouter, deps: IssuanceDeps): void {
  router.route({
    method: 'GET',
    url: '/hotlist',
    summary: 'Hotlist entries after a version, oldest first (the gateway reads hotlist_contract)',
    tags: ['hotlist'],
    access: HOTLIST_READERS,
    query,
    response: result,
    handler: async ({ query: q }) => {
      // The latest version is read first, so it never claims more than the page could have seen.
      const latestVersion = await latestHotlistVersion(deps.db);
      const entries = await hotlistSince(deps.db, q.sinceVersion, q.limit);
      return {
        entries: entries.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
        latestVersion,
      };
    },
  });
}
